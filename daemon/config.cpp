// SPDX-License-Identifier: Apache-2.0
#include "daemon/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>


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

std::string machine_id() {
    std::ifstream in("/etc/machine-id");
    std::string id;
    std::getline(in, id);
    return id;
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
                if (!store::sqlite_path(out.store))
                    fail(v, "'store' must be sqlite:///PATH (PostgreSQL stores are not supported by this build)");
            } else if (key == "host_id") {
                out.host_id = scalar(v, "host_id");
                if (out.host_id.empty()) fail(v, "'host_id' is empty");
            } else if (key == "socket") {
                read_socket(v, out);
            } else if (key == "retention") {
                read_retention(v, out);
            } else if (key == "http" || key == "audit_trail") {
                out.ignored.push_back(key);  // in the example; not built yet (docs/daemon.md)
            } else {
                fail(kv.first, "unknown key '" + key + "' (policies, root, schedule, store, host_id, socket, retention)");
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
    if (out.host_id.empty()) out.host_id = machine_id();
    if (out.host_id.empty()) {
        error = path + ":1:1: 'host_id' is not set and /etc/machine-id cannot be read";
        return std::nullopt;
    }
    return out;
}

}  // namespace triad::daemon
