// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/crypto/openssl_policy.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/err.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "scanner/collectors/crypto/block_sysfs.h"
#include "scanner/collectors/crypto/table_text.h"

namespace triad::scanner {
namespace {

enum Field : std::size_t {
    kConfigFile, kFiles, kSystemDefault, kMinProtocol, kMaxProtocol, kCipherString, kCiphersuites, kSecurityLevel,
    kMinProtocolVersion, kFieldCount
};
static_assert(std::size(kOpensslPolicyFields) == kFieldCount);

constexpr const char* kConfigCandidates[] = {"/usr/lib/ssl/openssl.cnf", "/etc/ssl/openssl.cnf", "/etc/pki/tls/openssl.cnf"};
constexpr std::size_t kMaxFileBytes = 1024 * 1024;
constexpr std::size_t kMaxTotalBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxFiles = 64;
constexpr int kMaxIncludeDepth = 8;

std::string trim(std::string_view s) {
    const std::size_t a = s.find_first_not_of(" \t");
    if (a == std::string_view::npos) return "";
    const std::size_t b = s.find_last_not_of(" \t");
    return std::string(s.substr(a, b - a + 1));
}

// Expands `.include` lines by the text of the files they name, read through the audited
// root: libcrypto would open those paths itself, on the scanning host. Everything else is
// left to NCONF. `.include DIR` takes the *.cnf and *.conf files in it, sorted.
class IncludeExpander {
public:
    explicit IncludeExpander(const Sysroot& root) : root_(root) {}

    Result<std::string> expand(const std::string& path, int depth) {
        if (depth > kMaxIncludeDepth)
            return Error{ErrorCode::invalid_input, "includes nest deeper than " + std::to_string(kMaxIncludeDepth), path};
        if (files.size() == kMaxFiles) return Error{ErrorCode::invalid_input, "more than " + std::to_string(kMaxFiles) + " files included", path};
        auto text = root_.read_file(path, kMaxFileBytes);
        if (!text) return text.error();
        files.push_back(path);
        total_ += text->size();
        if (total_ > kMaxTotalBytes) return Error{ErrorCode::invalid_input, "the included files exceed 4 MiB together", path};
        std::string out;
        Error failure;
        bool failed = false;
        for_each_table_line(*text, [&](std::string_view raw, int number) {
            if (failed) return;
            const std::string line = trim(raw);
            if (line.starts_with(".pragma") && line.find("includedir") != std::string::npos) {
                const std::size_t colon = line.find(':', line.find("includedir"));
                if (colon != std::string::npos) include_dir_ = trim(std::string_view(line).substr(colon + 1));
            }
            if (!line.starts_with(".include") || line.size() <= 8 || (line[8] != ' ' && line[8] != '\t' && line[8] != '=')) {
                out.append(raw);
                out += '\n';
                return;
            }
            std::string target = trim(std::string_view(line).substr(8));
            if (!target.empty() && target.front() == '=') target = trim(std::string_view(target).substr(1));
            if (!target.starts_with("/")) {
                if (include_dir_.empty()) {
                    failure = Error{ErrorCode::unsupported,
                                    "line " + std::to_string(number) + ": relative .include without an includedir pragma "
                                    "(OpenSSL resolves it against each program's working directory)", path};
                    failed = true;
                    return;
                }
                target = include_dir_ + "/" + target;
            }
            auto included = include(target, depth);
            if (!included) {
                failure = included.error();
                failure.message += " (.include on line " + std::to_string(number) + " of " + path + ")";
                failed = true;
                return;
            }
            out += *included;
        });
        if (failed) return failure;
        return out;
    }

    std::vector<std::string> files;

private:
    Result<std::string> include(const std::string& target, int depth) {
        auto entries = list_directory(root_, target, kMaxFiles);
        if (!entries) {
            if (entries.error().code == ErrorCode::not_found) return entries.error();
            return expand(target, depth + 1);  // not a directory: a file
        }
        std::string out;
        for (const std::string& name : *entries) {
            if (!name.ends_with(".cnf") && !name.ends_with(".conf")) continue;
            auto text = expand(target + "/" + name, depth + 1);
            if (!text) return text;
            out += *text;
        }
        return out;
    }

    const Sysroot& root_;
    std::string include_dir_;
    std::size_t total_ = 0;
};

struct ConfFree {
    void operator()(CONF* c) const { NCONF_free(c); }
};

std::optional<std::string> conf_string(CONF* conf, const std::string& section, const char* name) {
    const char* v = NCONF_get_string(conf, section.empty() ? nullptr : section.c_str(), name);
    if (!v) {
        ERR_clear_error();  // a missing key is not an error worth keeping on the queue
        return std::nullopt;
    }
    return std::string(v);
}

std::int64_t protocol_number(const std::string& name) {
    if (name == "TLSv1") return 10;
    if (name == "TLSv1.1") return 11;
    if (name == "TLSv1.2") return 12;
    if (name == "TLSv1.3") return 13;
    return 0;
}

FactSet collect_openssl_policy(const CollectContext& ctx, const SelectArgs&) {
    std::string config;
    for (const char* candidate : kConfigCandidates) {
        auto st = ctx.root.open_path(candidate, O_PATH | O_CLOEXEC, /*follow_final=*/true);
        if (st) {
            config = candidate;
            break;
        }
    }
    if (config.empty())
        return {Fact::not_applicable("openssl.cnf", "no openssl.cnf in the audited root (/usr/lib/ssl, /etc/ssl, /etc/pki/tls)")};
    IncludeExpander expander(ctx.root);
    auto text = expander.expand(config, 0);
    if (!text) return {Fact::error(config, text.error().describe())};

    std::unique_ptr<CONF, ConfFree> conf(NCONF_new(nullptr));
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())), &BIO_free);
    if (!conf || !bio) return {Fact::error(config, "libcrypto cannot allocate a configuration")};
    long error_line = 0;
    if (NCONF_load_bio(conf.get(), bio.get(), &error_line) <= 0) {
        ERR_clear_error();
        return {Fact::error(config, "libcrypto cannot parse it: error at line " + std::to_string(error_line) +
                                        " of the text with its includes expanded")};
    }

    Fact f;
    f.object = config;
    f.fields.resize(kFieldCount);
    f.fields[kConfigFile] = Value{config};
    f.fields[kFiles] = Value{expander.files};
    std::optional<std::string> section;
    if (auto init = conf_string(conf.get(), "", "openssl_conf"))
        if (auto ssl = conf_string(conf.get(), *init, "ssl_conf")) section = conf_string(conf.get(), *ssl, "system_default");
    f.fields[kSystemDefault] = Value{section.has_value()};
    if (section) {
        if (auto v = conf_string(conf.get(), *section, "MinProtocol")) {
            f.fields[kMinProtocol] = Value{*v};
            f.fields[kMinProtocolVersion] = Value{protocol_number(*v)};
        }
        if (auto v = conf_string(conf.get(), *section, "MaxProtocol")) f.fields[kMaxProtocol] = Value{*v};
        if (auto v = conf_string(conf.get(), *section, "CipherString")) {
            f.fields[kCipherString] = Value{*v};
            const std::size_t at = v->find("@SECLEVEL=");
            if (at != std::string::npos && at + 10 < v->size() && std::isdigit(static_cast<unsigned char>((*v)[at + 10])))
                f.fields[kSecurityLevel] = Value{std::int64_t{(*v)[at + 10] - '0'}};
        }
        if (auto v = conf_string(conf.get(), *section, "Ciphersuites")) f.fields[kCiphersuites] = Value{*v};
    }
    return {std::move(f)};
}

}  // namespace

const CollectorEntry kOpensslPolicyCollector = with_collect(kOpensslPolicyCollectorSpec, collect_openssl_policy);

}  // namespace triad::scanner
