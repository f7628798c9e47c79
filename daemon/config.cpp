// SPDX-License-Identifier: Apache-2.0
#include "daemon/config.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "daemon/audit_trail.h"


namespace triad::daemon {
namespace {

// Thrown inside the loader only; load_config turns it into its error text.
struct ConfigError {
    YAML::Mark mark;
    std::string reason;
};

[[noreturn]] void fail(const YAML::Node& node, std::string reason) { throw ConfigError{node.Mark(), std::move(reason)}; }

std::string scalar(const YAML::Node& node, const std::string& key) {
    if (!node.IsScalar()) fail(node, "'" + key + "' must be a string");
    return node.Scalar();
}

std::uint64_t count(const YAML::Node& node, const std::string& key) {
    const std::string text = scalar(node, key);
    std::uint64_t v = 0;
    std::size_t used = 0;
    try {
        if (!text.empty() && text[0] != '-') v = std::stoull(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size()) fail(node, "'" + key + "' must be a whole number of zero or more");
    return v;
}

void read_socket(const YAML::Node& node, DaemonConfig& out) {
    if (!node.IsMap()) fail(node, "'socket' must be a map with path and group");
    for (const auto& kv : node) {
        const std::string key = kv.first.Scalar();
        if (key == "path") {
            out.socket_path = scalar(kv.second, "socket.path");
            if (out.socket_path.empty() || out.socket_path[0] != '/') fail(kv.second, "'socket.path' must be absolute");
        } else if (key == "group") {
            out.socket_group = scalar(kv.second, "socket.group");
        } else if (key == "queue") {
            out.socket_queue = count(kv.second, "socket.queue");
            if (out.socket_queue < 1) fail(kv.second, "'socket.queue' must be at least 1");
        } else {
            fail(kv.first, "unknown key 'socket." + key + "' (path, group, queue)");
        }
    }
}

void read_retention(const YAML::Node& node, DaemonConfig& out) {
    if (!node.IsMap()) fail(node, "'retention' must be a map with scans and days");
    for (const auto& kv : node) {
        const std::string key = kv.first.Scalar();
        if (key == "scans") out.retention.scans = count(kv.second, "retention.scans");
        else if (key == "days") out.retention.days = count(kv.second, "retention.days");
        else fail(kv.first, "unknown key 'retention." + key + "' (scans, days)");
    }
}

// The bearer token: a regular file readable by its owner only (a token others can read is
// no secret), not empty, bounded. Its content is kept, never logged.
std::string read_token(const YAML::Node& node, const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) fail(node, "cannot read the token file " + path + ": " + std::strerror(errno));
    struct stat st{};
    std::string token;
    const bool stat_ok = ::fstat(fd, &st) == 0;
    if (stat_ok && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0 && st.st_size <= 4096) {
        char buf[4097];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) token.assign(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (!stat_ok || !S_ISREG(st.st_mode)) fail(node, "the token file " + path + " is not a regular file");
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        fail(node, "the token file " + path + " is readable or writable by group or others (mode " + mode +
                       "); chmod 0600 it");
    }
    if (st.st_size > 4096) fail(node, "the token file " + path + " is larger than 4096 bytes");
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (token.empty()) fail(node, "the token file " + path + " is empty");
    return token;
}

void read_http(const YAML::Node& node, DaemonConfig& out) {
    out.http.enabled = true;
    if (node.IsNull()) return;  // `http:` alone: the defaults
    if (!node.IsMap()) fail(node, "'http' must be a map with listen and token_file");
    // Where a bad address is reported: a Mark, not a second YAML::Node, because assigning one
    // Node to another rebinds the node it refers to (yaml-cpp's set_ref) and so would turn
    // the `http` map itself into the listen scalar while it is being iterated (use after free).
    YAML::Mark listen_mark = node.Mark();
    for (const auto& kv : node) {
        const std::string key = kv.first.Scalar();
        if (key == "listen") {
            out.http.listen = scalar(kv.second, "http.listen");
            listen_mark = kv.second.Mark();
        } else if (key == "token_file") {
            out.http.token_file = scalar(kv.second, "http.token_file");
            out.http.token = read_token(kv.second, out.http.token_file);
        } else {
            fail(kv.first, "unknown key 'http." + key + "' (listen, token_file)");
        }
    }
    Poco::Net::SocketAddress address;
    try {
        address = Poco::Net::SocketAddress(out.http.listen);
    } catch (const Poco::Exception& e) {
        throw ConfigError{listen_mark, "bad 'http.listen' " + out.http.listen + ": " + e.displayText()};
    }
    // Without a token anyone who can reach the port could read results and start scans.
    if (!address.host().isLoopback() && out.http.token.empty())
        throw ConfigError{listen_mark, "'http.listen' " + out.http.listen +
                                           " is not a loopback address: set 'http.token_file' to listen on it"};
}

}  // namespace

std::optional<DaemonConfig> load_config(const std::string& path, std::string& error) {
    DaemonConfig out;
    out.path = path;
    std::string text;
    {
        std::ifstream in(path);
        if (!in) {
            error = path + ": cannot read the configuration file";
            return std::nullopt;
        }
        std::stringstream buf;
        buf << in.rdbuf();
        text = buf.str();
    }
    bool have_schedule = false;
    try {
        YAML::Node doc = YAML::Load(text);
        if (!doc.IsMap()) fail(doc, "the configuration must be a map of keys (policies, root, schedule, store, ...)");
        for (const auto& kv : doc) {
            const std::string key = kv.first.Scalar();
            const YAML::Node& v = kv.second;
            if (key == "policies") {
                if (v.IsScalar()) {
                    out.policies.push_back(v.Scalar());
                } else if (v.IsSequence()) {
                    for (const auto& p : v) out.policies.push_back(scalar(p, "policies"));
                } else {
                    fail(v, "'policies' must be a list of files or directories");
                }
                if (out.policies.empty()) fail(v, "'policies' names no file or directory");
            } else if (key == "root") {
                out.root = scalar(v, "root");
                if (out.root.empty() || out.root[0] != '/') fail(v, "'root' must be an absolute path");
            } else if (key == "schedule") {
                std::string why;
                auto s = Schedule::parse(scalar(v, "schedule"), why);
                if (!s) fail(v, "bad schedule: " + why);
                out.schedule = *s;
                have_schedule = true;
            } else if (key == "store") {
                out.store = scalar(v, "store");
                if (!store::store_kind(out.store))
                    fail(v, "'store' must be sqlite:///PATH or postgresql://USER@HOST:PORT/DB");
            } else if (key == "host_id") {
                out.host_id = scalar(v, "host_id");
                if (out.host_id.empty()) fail(v, "'host_id' is empty");
            } else if (key == "socket") {
                read_socket(v, out);
            } else if (key == "retention") {
                read_retention(v, out);
            } else if (key == "http") {
                read_http(v, out);
            } else if (key == "watch") {
                const std::string on = scalar(v, "watch");
                if (on != "true" && on != "false") fail(v, "'watch' must be true or false");
                out.watch_files = on == "true";
            } else if (key == "audit_trail") {
                if (!v.IsScalar()) fail(v, "'audit_trail' must be true or false");
                try {
                    out.audit_trail = v.as<bool>();
                } catch (const YAML::Exception&) {
                    fail(v, "'audit_trail' must be true or false");
                }
                if (out.audit_trail && !audit_trail_built())
                    fail(v, "'audit_trail: true' needs libaudit, and this triadd was built without it (TRIAD_WITH_AUDIT=OFF)");
            } else {
                fail(kv.first, "unknown key '" + key + "' (policies, root, schedule, store, host_id, socket, retention, http, audit_trail, watch)");
            }
        }
        if (out.policies.empty()) fail(doc, "'policies' is required");
        if (!have_schedule) fail(doc, "'schedule' is required");
    } catch (const ConfigError& e) {
        error = path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.reason;
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        error = path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg;
        return std::nullopt;
    }
    if (out.host_id.empty()) out.host_id = store::machine_host_id();
    if (out.host_id.empty()) {
        error = path + ":1:1: 'host_id' is not set and /etc/machine-id cannot be read";
        return std::nullopt;
    }
    return out;
}

}  // namespace triad::daemon
