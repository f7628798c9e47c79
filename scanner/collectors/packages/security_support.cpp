// SPDX-License-Identifier: Apache-2.0
// The `security_support` collector (see security_support.h). As check-support-status does: a
// source package is matched against each list's patterns (PCRE, whole name) and the first
// matching line applies; every installed binary of that source is reported. The installed
// version is not compared with the last supported one, because the list's version is where
// support stopped, not a fixed version: any version of an unsupported package gets no fixes.
#include "scanner/collectors/packages/security_support.h"

#include <algorithm>
#include <ctime>
#include <optional>

#include "base/pattern.h"
#include "scanner/packages/apt_inventory.h"

namespace triad::scanner {
namespace {

constexpr const char* kListDir = "/usr/share/debian-security-support";
constexpr std::size_t kMaxListBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxEntries = 20000;

std::string_view next_column(std::string_view& line) {
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) {
        line = {};
        return {};
    }
    line.remove_prefix(start);
    const std::size_t end = std::min(line.find_first_of(" \t"), line.size());
    std::string_view col = line.substr(0, end);
    line.remove_prefix(end);
    return col;
}

std::string rest_of(std::string_view line) {
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) return {};
    std::string_view s = line.substr(start);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return std::string(s);
}

bool iso_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

std::string today_utc() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

// The root's Debian major release ("12" from /etc/debian_version "12.8"); none for a
// testing or unstable root ("trixie/sid"), which has no ended list of its own.
std::optional<std::string> debian_major(const Sysroot& root) {
    auto text = root.read_file("/etc/debian_version", 4096);
    if (!text) return std::nullopt;
    std::string major;
    for (char c : *text) {
        if (c < '0' || c > '9') break;
        major += c;
    }
    if (major.empty()) return std::nullopt;
    return major;
}

struct CompiledList {
    std::string file;
    bool ended = false;
    std::vector<SupportEntry> entries;
    std::vector<Regex> patterns;
};

Result<CompiledList> load_list(const Sysroot& root, const std::string& file, bool ended) {
    auto text = root.read_file(file, kMaxListBytes);
    if (!text) return text.error();
    auto entries = parse_support_list(*text, ended, root.display(file));
    if (!entries) return entries.error();
    CompiledList list{file, ended, std::move(*entries), {}};
    for (const SupportEntry& e : list.entries) {
        auto re = Regex::compile("^(?:" + e.pattern + ")$");
        if (!re) return Error{ErrorCode::invalid_input, "pattern " + e.pattern + ": " + re.error().message, root.display(file)};
        list.patterns.push_back(std::move(*re));
    }
    return list;
}

FactSet collect_security_support(const CollectContext& ctx, const SelectArgs&) {
    auto inv = apt_inventory(ctx.root, ctx.memo, ctx.cancel);
    if (!*inv) {
        const Error& e = inv->error();
        if (e.code == ErrorCode::not_found) return {Fact::not_applicable(e.where, e.describe())};
        return {Fact::error(e.where.empty() ? "apt" : e.where, e.describe())};
    }
    bool installed = false;
    for (const AptPackage& p : (*inv)->packages)
        if (p.name == "debian-security-support" && p.state == "installed") installed = true;
    if (!installed)
        return {Fact::error("debian-security-support",
                            "the debian-security-support package is not installed in the audited root: the lists of "
                            "packages whose security support ended are missing, so support cannot be judged")};

    std::vector<CompiledList> lists;
    if (auto major = debian_major(ctx.root)) {
        const std::string ended = std::string(kListDir) + "/security-support-ended.deb" + *major;
        auto list = load_list(ctx.root, ended, true);
        if (!list) return {Fact::error(ctx.root.display(ended), list.error().describe())};
        lists.push_back(std::move(*list));
    }
    const std::string limited = std::string(kListDir) + "/security-support-limited";
    auto list = load_list(ctx.root, limited, false);
    if (!list) return {Fact::error(ctx.root.display(limited), list.error().describe())};
    lists.push_back(std::move(*list));

    const std::string today = today_utc();
    FactSet out;
    for (const AptPackage& p : (*inv)->packages) {
        if (ctx.cancelled()) break;
        for (const CompiledList& l : lists) {
            std::size_t hit = l.entries.size();
            for (std::size_t i = 0; i < l.entries.size() && hit == l.entries.size(); ++i) {
                const SearchResult r = l.patterns[i].search(p.source);
                if (r.outcome == MatchOutcome::gave_up) {
                    out.push_back(Fact::error(p.name, l.entries[i].pattern + ": " + r.reason));
                    hit = i;
                    break;
                }
                if (r.outcome == MatchOutcome::match) hit = i;
            }
            if (hit == l.entries.size()) continue;
            const SupportEntry& e = l.entries[hit];
            Fact f;
            f.object = p.name;
            f.fields.resize(kSupFieldCount);
            f.fields[kSupName] = Value{p.name};
            f.fields[kSupVersion] = Value{Version{p.version}};
            f.fields[kSupSource] = Value{p.source};
            f.fields[kSupStatus] = Value{std::string(!l.ended ? "limited" : e.date <= today ? "ended" : "ending")};
            if (l.ended) {
                f.fields[kSupEndDate] = Value{e.date};
                f.fields[kSupLastVersion] = Value{Version{e.last_version}};
            }
            f.fields[kSupDetails] = Value{e.details};
            f.fields[kSupList] = Value{l.file};
            out.push_back(std::move(f));
            break;  // an ended entry says more than a limited one
        }
    }
    return out;
}

}  // namespace

Result<std::vector<SupportEntry>> parse_support_list(std::string_view text, bool ended, const std::string& where) {
    std::vector<SupportEntry> out;
    std::size_t pos = 0;
    int number = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++number;
        std::string_view rest = line;
        const std::string_view first = next_column(rest);
        if (first.empty() || first.front() == '#') continue;
        if (out.size() == kMaxEntries)
            return Error{ErrorCode::invalid_input, "more than 20000 entries", where};
        SupportEntry e;
        e.pattern = std::string(first);
        if (ended) {
            e.last_version = std::string(next_column(rest));
            e.date = std::string(next_column(rest));
            if (!iso_date(e.date))
                return Error{ErrorCode::invalid_input,
                             "line " + std::to_string(number) + ": expected PACKAGE VERSION YYYY-MM-DD, got \"" +
                                 std::string(line) + "\"",
                             where};
        }
        e.details = rest_of(rest);
        out.push_back(std::move(e));
    }
    return out;
}

const CollectorEntry kSecuritySupportCollector = with_collect(kSecuritySupportCollectorSpec, collect_security_support);

}  // namespace triad::scanner
