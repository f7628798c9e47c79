// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/services/exposure.h"

#include <arpa/inet.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/capability.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <sstream>

namespace triad::scanner::units {
namespace {

struct SyscallGroupText {
    const char* name;
    const char* members;  // blank-separated; "@x" names a nested group
};
constexpr SyscallGroupText kSyscallGroups[] = {
#include "scanner/collectors/services/syscall_groups.inc"
};

const SyscallGroupText* find_group(const std::string& name) {
    for (const auto& g : kSyscallGroups)
        if (name == g.name) return &g;
    return nullptr;
}

void expand_group(const std::string& name, std::set<std::string>& out, int depth) {
    const SyscallGroupText* g = find_group(name);
    if (!g || depth > 8) return;
    std::istringstream words(g->members);
    for (std::string w; words >> w;) {
        if (w[0] == '@') expand_group(w, out, depth + 1);
        else out.insert(w);
    }
}

// Names systemd can resolve to a system call here: every name its groups know (@known
// holds all of them); a name outside it is skipped, as systemd skips it.
const std::set<std::string>& known_syscalls() {
    static const std::set<std::string> known = [] {
        std::set<std::string> s;
        for (const auto& g : kSyscallGroups) expand_group(g.name, s, 0);
        return s;
    }();
    return known;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::vector<std::string> words(const std::string& value) {
    std::vector<std::string> out;
    std::istringstream in(value);
    for (std::string w; in >> w;) {
        // systemd's word splitting removes quotes around a word.
        if (w.size() >= 2 && (w.front() == '"' || w.front() == '\'') && w.back() == w.front()) w = w.substr(1, w.size() - 2);
        out.push_back(w);
    }
    return out;
}

// systemd's parse_boolean: -1 when the text is not a boolean.
int parse_boolean(const std::string& v) {
    const std::string l = lower(v);
    if (l == "1" || l == "yes" || l == "y" || l == "true" || l == "t" || l == "on") return 1;
    if (l == "0" || l == "no" || l == "n" || l == "false" || l == "f" || l == "off") return 0;
    return -1;
}

void set_bool(bool& field, const std::string& v) {
    const int b = parse_boolean(v);
    if (b >= 0) field = b;  // an invalid value is ignored, as systemd ignores the line
}

// CapabilityBoundingSet= / AmbientCapabilities= words to a bit set; names go through
// libcap (case-insensitive, as systemd accepts them), numbers are taken as they are.
std::uint64_t capability_bits(const std::vector<std::string>& names) {
    std::uint64_t bits = 0;
    for (const std::string& n : names) {
        cap_value_t v;
        if (cap_from_name(lower(n).c_str(), &v) == 0 && v >= 0 && v < 64) bits |= std::uint64_t{1} << v;
    }
    return bits;
}

void apply_capability_set(std::uint64_t& set, std::uint64_t initial, std::string value) {
    bool invert = false;
    if (!value.empty() && value[0] == '~') {
        invert = true;
        value.erase(0, 1);
    }
    std::uint64_t sum = capability_bits(words(value));
    if (invert) sum = ~sum;
    // systemd: "", "~" or the initial value are replaced; anything else is merged.
    if (sum == 0 || set == initial) set = sum;
    else set |= sum;
}

constexpr std::uint64_t kAllNamespaces =
    CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWUTS;

std::uint64_t namespace_flag(const std::string& n) {
    if (n == "cgroup") return CLONE_NEWCGROUP;
    if (n == "ipc") return CLONE_NEWIPC;
    if (n == "net") return CLONE_NEWNET;
    if (n == "mnt") return CLONE_NEWNS;
    if (n == "pid") return CLONE_NEWPID;
    if (n == "user") return CLONE_NEWUSER;
    if (n == "uts") return CLONE_NEWUTS;
    return 0;
}

void apply_restrict_namespaces(ServiceContext& c, bool& initialised, std::string value) {
    if (value.empty()) {
        c.namespaces_allowed = ~std::uint64_t{0};
        initialised = false;
        return;
    }
    const int b = parse_boolean(value);
    if (b >= 0) {
        c.namespaces_allowed = b ? 0 : kAllNamespaces;
        initialised = true;
        return;
    }
    bool invert = false;
    if (value[0] == '~') {
        invert = true;
        value.erase(0, 1);
    }
    std::uint64_t flags = 0;
    for (const std::string& w : words(value)) {
        const std::uint64_t f = namespace_flag(w);
        if (!f) return;  // an unknown type: systemd ignores the whole line
        flags |= f;
    }
    if (!initialised) c.namespaces_allowed = invert ? (~flags & kAllNamespaces) : flags;
    else if (invert) c.namespaces_allowed &= ~flags;
    else c.namespaces_allowed |= flags;
    initialised = true;
}

// The address families systemd knows (af_from_name); others are ignored with a warning.
bool known_family(const std::string& n) {
    static const std::set<std::string> known{
        "AF_UNIX", "AF_LOCAL", "AF_INET", "AF_AX25", "AF_IPX", "AF_APPLETALK", "AF_NETROM", "AF_BRIDGE",
        "AF_ATMPVC", "AF_X25", "AF_INET6", "AF_ROSE", "AF_DECnet", "AF_NETBEUI", "AF_SECURITY", "AF_KEY",
        "AF_NETLINK", "AF_ROUTE", "AF_PACKET", "AF_ASH", "AF_ECONET", "AF_ATMSVC", "AF_RDS", "AF_SNA",
        "AF_IRDA", "AF_PPPOX", "AF_WANPIPE", "AF_LLC", "AF_IB", "AF_MPLS", "AF_CAN", "AF_TIPC",
        "AF_BLUETOOTH", "AF_IUCV", "AF_RXRPC", "AF_ISDN", "AF_PHONET", "AF_IEEE802154", "AF_CAIF", "AF_ALG",
        "AF_NFC", "AF_VSOCK", "AF_KCM", "AF_QIPCRTR", "AF_SMC", "AF_XDP", "AF_MCTP"};
    return known.count(n) != 0;
}

std::string canonical_family(const std::string& n) {
    if (n == "AF_LOCAL") return "AF_UNIX";
    if (n == "AF_ROUTE") return "AF_NETLINK";
    return n;
}

void apply_address_families(ServiceContext& c, std::string value) {
    if (value.empty()) {
        c.address_families.clear();
        c.af_allow_list = false;
        return;
    }
    if (value == "none") {
        c.address_families.clear();
        c.af_allow_list = true;
        return;
    }
    bool invert = false;
    if (value[0] == '~') {
        invert = true;
        value.erase(0, 1);
    }
    if (!c.af_set_used) {
        c.af_set_used = true;
        c.af_allow_list = !invert;
    }
    for (const std::string& w : words(value)) {
        if (!known_family(w)) continue;
        if (!invert == c.af_allow_list) c.address_families.insert(canonical_family(w));
        else c.address_families.erase(canonical_family(w));
    }
}

void apply_syscall_filter(ServiceContext& c, std::string value) {
    if (value.empty()) {
        c.syscall_filter.clear();
        c.syscall_filter_used = false;
        c.syscall_allow_list = false;
        return;
    }
    bool invert = false;
    if (value[0] == '~') {
        invert = true;
        value.erase(0, 1);
    }
    if (!c.syscall_filter_used) {
        c.syscall_filter_used = true;
        c.syscall_allow_list = !invert;
        // An allow list always permits the @default group.
        if (c.syscall_allow_list) expand_group("@default", c.syscall_filter, 0);
    }
    const bool add = !invert == c.syscall_allow_list;
    for (std::string w : words(value)) {
        if (auto colon = w.find(':'); colon != std::string::npos) w.resize(colon);  // name:errno
        std::set<std::string> names;
        if (!w.empty() && w[0] == '@') expand_group(w, names, 0);
        else if (known_syscalls().count(w)) names.insert(w);
        for (const std::string& n : names) {
            if (add) c.syscall_filter.insert(n);
            else c.syscall_filter.erase(n);
        }
    }
}

// IPAddressDeny= / IPAddressAllow=: what the assessors need to know of each entry.
struct IpEntry {
    int family;
    bool localhost;
    unsigned prefix;
};

std::vector<IpEntry> ip_entries(const std::string& word) {
    if (word == "any") return {{AF_INET, false, 0}, {AF_INET6, false, 0}};
    if (word == "localhost") return {{AF_INET, true, 8}, {AF_INET6, true, 128}};
    if (word == "link-local") return {{AF_INET, false, 16}, {AF_INET6, false, 64}};
    if (word == "multicast") return {{AF_INET, false, 4}, {AF_INET6, false, 8}};
    const auto slash = word.find('/');
    const std::string addr = word.substr(0, slash);
    unsigned char buf[16];
    int family = 0;
    if (inet_pton(AF_INET, addr.c_str(), buf) == 1) family = AF_INET;
    else if (inet_pton(AF_INET6, addr.c_str(), buf) == 1) family = AF_INET6;
    else return {};
    unsigned prefix = family == AF_INET ? 32 : 128;
    if (slash != std::string::npos) {
        const std::string p = word.substr(slash + 1);
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
        if (ec != std::errc{} || ptr != p.data() + p.size() || prefix > (family == AF_INET ? 32u : 128u)) return {};
    }
    bool localhost = false;
    if (family == AF_INET) localhost = buf[0] == 127;
    else localhost = std::all_of(buf, buf + 15, [](unsigned char b) { return b == 0; }) && buf[15] == 1;
    return {{family, localhost, prefix}};
}

std::uint64_t cap(int c) { return std::uint64_t{1} << c; }

}  // namespace

std::set<std::string> syscall_group(const std::string& group) {
    std::set<std::string> out;
    expand_group(group, out, 0);
    return out;
}

ServiceContext resolve_service(const std::vector<Setting>& settings, const std::string& unit_name,
                               std::string* load_error) {
    ServiceContext c;
    bool ns_initialised = false;
    std::vector<IpEntry> deny, allow;
    std::vector<std::string> exec_start;
    for (const Setting& s : settings) {
        const std::string& k = s.key;
        const std::string& v = s.value;
        if (s.section == "Unit") {
            if (k == "DefaultDependencies") set_bool(c.default_dependencies, v);
            if (k == "SuccessAction") c.has_success_action = !v.empty() && v != "none";
                continue;
        }
        if (s.section != "Service") continue;
        if (k == "Type") c.type = v;
        else if (k == "NotifyAccess") c.notify_access = v;
        else if (k == "Delegate") {
            const int b = parse_boolean(v);
            c.delegate = b < 0 ? true : b;  // a list of controllers delegates them
        } else if (k == "ExecStart") {
            if (v.empty()) exec_start.clear();
            else exec_start.push_back(v);
        } else if (k == "ExecStop") c.has_exec_stop = c.has_exec_stop || !v.empty();
        else if (k == "User") c.user = v;
        else if (k == "DynamicUser") set_bool(c.dynamic_user, v);
        else if (k == "SupplementaryGroups") {
            if (v.empty()) c.supplementary_groups.clear();
            for (const std::string& g : words(v)) c.supplementary_groups.push_back(g);
        } else if (k == "CapabilityBoundingSet") apply_capability_set(c.capability_bounding_set, ~std::uint64_t{0}, v);
        else if (k == "AmbientCapabilities") apply_capability_set(c.ambient_capabilities, 0, v);
        else if (k == "NoNewPrivileges") set_bool(c.no_new_privileges, v);
        else if (k == "PrivateDevices") set_bool(c.private_devices, v);
        else if (k == "PrivateMounts") set_bool(c.private_mounts, v);
        else if (k == "PrivateNetwork") set_bool(c.private_network, v);
        else if (k == "PrivateTmp") set_bool(c.private_tmp, v);
        else if (k == "PrivateUsers") set_bool(c.private_users, v);
        else if (k == "ProtectControlGroups") set_bool(c.protect_control_groups, v);
        else if (k == "ProtectKernelModules") set_bool(c.protect_kernel_modules, v);
        else if (k == "ProtectKernelTunables") set_bool(c.protect_kernel_tunables, v);
        else if (k == "ProtectKernelLogs") set_bool(c.protect_kernel_logs, v);
        else if (k == "ProtectClock") set_bool(c.protect_clock, v);
        else if (k == "ProtectHostname") set_bool(c.protect_hostname, v);
        else if (k == "RemoveIPC") set_bool(c.remove_ipc, v);
        else if (k == "RestrictRealtime") set_bool(c.restrict_realtime, v);
        else if (k == "RestrictSUIDSGID") set_bool(c.restrict_suid_sgid, v);
        else if (k == "LockPersonality") set_bool(c.lock_personality, v);
        else if (k == "MemoryDenyWriteExecute") set_bool(c.memory_deny_write_execute, v);
        else if (k == "ProtectSystem" || k == "ProtectHome") {
            std::string& field = k == "ProtectSystem" ? c.protect_system : c.protect_home;
            const int b = parse_boolean(v);
            if (b >= 0) field = b ? "yes" : "no";
            else if (k == "ProtectSystem" && (v == "full" || v == "strict")) field = v;
            else if (k == "ProtectHome" && (v == "read-only" || v == "tmpfs")) field = v;
        } else if (k == "KeyringMode") {
            if (v == "inherit" || v == "private" || v == "shared") c.keyring_mode = v;
        } else if (k == "ProtectProc") {
            if (v == "noaccess" || v == "invisible" || v == "ptraceable" || v == "default") c.protect_proc = v;
        } else if (k == "ProcSubset") {
            if (v == "all" || v == "pid") c.proc_subset = v;
        } else if (k == "RootDirectory") c.root_directory = v;
        else if (k == "RootImage") c.root_image = v;
        else if (k == "UMask") {
            unsigned m = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), m, 8);
            if (ec == std::errc{} && p == v.data() + v.size() && m <= 0777) c.umask = m;
        } else if (k == "RestrictNamespaces") apply_restrict_namespaces(c, ns_initialised, v);
        else if (k == "RestrictAddressFamilies") apply_address_families(c, v);
        else if (k == "SystemCallArchitectures") {
            if (v.empty()) c.syscall_archs.clear();
            for (const std::string& a : words(v)) c.syscall_archs.insert(a);
        } else if (k == "SystemCallFilter") apply_syscall_filter(c, v);
        else if (k == "IPAddressDeny" || k == "IPAddressAllow") {
            auto& list = k == "IPAddressDeny" ? deny : allow;
            if (v.empty()) list.clear();
            for (const std::string& w : words(v))
                for (const IpEntry& e : ip_entries(w)) list.push_back(e);
        } else if (k == "IPIngressFilterPath" || k == "IPEgressFilterPath") c.ip_custom_filters = c.ip_custom_filters || !v.empty();
        else if (k == "DevicePolicy") {
            if (v == "auto" || v == "closed" || v == "strict") c.device_policy = v;
        } else if (k == "DeviceAllow") c.device_allow = !v.empty();  // an empty assignment resets the list
    }
    c.exec_start = exec_start;

    if (c.exec_start.empty() && !c.has_exec_stop && !c.has_success_action)
        *load_error = "Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.";
    else if (c.exec_start.size() > 1 && c.type != "oneshot")
        *load_error = "Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.";

    // What systemd's unit loader implies (unit_patch_contexts).
    if (c.dynamic_user) {
        if (c.user.empty()) c.user = unit_name.substr(0, unit_name.find_first_of("@."));
        c.private_tmp = c.remove_ipc = c.no_new_privileges = c.restrict_suid_sgid = true;
        c.protect_system = "strict";
        if (c.protect_home == "no") c.protect_home = "read-only";
    }
    if (c.private_devices) c.capability_bounding_set &= ~(cap(CAP_MKNOD) | cap(CAP_SYS_RAWIO));
    if (c.protect_kernel_modules) c.capability_bounding_set &= ~cap(CAP_SYS_MODULE);
    if (c.protect_kernel_logs) c.capability_bounding_set &= ~cap(CAP_SYSLOG);
    if (c.protect_clock) c.capability_bounding_set &= ~(cap(CAP_SYS_TIME) | cap(CAP_WAKE_ALARM));
    if (c.private_devices && c.device_policy == "auto") c.device_policy = "closed";
    if (!c.root_image.empty() && (c.device_policy != "auto" || c.device_allow)) c.device_allow = true;
    if (c.protect_clock) c.device_allow = true;  // DeviceAllow=char-rtc r

    for (const IpEntry& e : deny) {
        if (e.prefix == 0 && e.family == AF_INET) c.ip_deny_v4_all = true;
        if (e.prefix == 0 && e.family == AF_INET6) c.ip_deny_v6_all = true;
    }
    for (const IpEntry& e : allow) (e.localhost ? c.ip_allow_localhost : c.ip_allow_other) = true;
    return c;
}

namespace {

bool runs_privileged(const ServiceContext& c) {
    if (c.user == "0" || c.user == "root") return true;
    if (c.dynamic_user) return false;
    return c.user.empty();
}

std::uint64_t b(bool bad) { return bad ? 1 : 0; }

std::uint64_t syscall_filter_badness(const ServiceContext& c, const char* group) {
    if (!c.syscall_allow_list && c.syscall_filter.empty()) return 10;
    bool bad = false;
    for (const std::string& s : syscall_group(group))
        if ((c.syscall_filter.count(s) != 0) == c.syscall_allow_list) {
            bad = true;
            break;
        }
    if (c.syscall_allow_list) return bad ? 9 : 0;
    return bad ? 10 : 0;
}

}  // namespace

Exposure assess_exposure(const ServiceContext& c) {
    const bool privileged = runs_privileged(c);
    const bool dd = c.default_dependencies;
    const std::uint64_t caps = c.capability_bounding_set;
    auto capbad = [&](std::uint64_t mask) { return b((caps & mask) != 0); };
    auto nsbad = [&](std::uint64_t flag) { return b((c.namespaces_allowed & flag) != 0); };

    // Address family rows: an allow list starts with every class restricted.
    bool r_inet = c.af_allow_list, r_unix = c.af_allow_list, r_netlink = c.af_allow_list,
         r_packet = c.af_allow_list, r_other = c.af_allow_list;
    for (const std::string& af : c.address_families) {
        bool& row = af == "AF_INET" || af == "AF_INET6" ? r_inet
                    : af == "AF_UNIX"                   ? r_unix
                    : af == "AF_NETLINK"                ? r_netlink
                    : af == "AF_PACKET"                 ? r_packet
                                                        : r_other;
        row = !c.af_allow_list;
    }

    std::uint64_t user_badness = 10;
    if (c.user == "nobody") user_badness = 9;
    else if (c.dynamic_user && c.user != "0" && c.user != "root") user_badness = 0;
    else if (!c.user.empty() && c.user != "0" && c.user != "root") user_badness = 0;

    const auto pbool = [](const std::string& v, std::initializer_list<std::pair<const char*, std::uint64_t>> named,
                          std::uint64_t yes) -> std::uint64_t {
        const int bl = parse_boolean(v);
        if (bl > 0) return yes;
        if (bl == 0) return 10;
        for (const auto& [n, bad] : named)
            if (v == n) return bad;
        return 10;
    };

    std::uint64_t ip = 0;
    if (c.ip_custom_filters) ip = 0;
    else if (!(c.ip_deny_v4_all && c.ip_deny_v6_all)) ip = 10;
    else if (c.ip_allow_other) ip = 5;
    else if (c.ip_allow_localhost) ip = 2;

    std::uint64_t umask_badness = 0;
    if (!(c.umask & 0002)) umask_badness = 10;
    else if (!(c.umask & 0004)) umask_badness = 5;
    else if (!(c.umask & 0020)) umask_badness = 2;
    else if (!(c.umask & 0040)) umask_badness = 1;

    std::uint64_t archs = 10;
    // systemd 252 offline: only exactly {native} is good; "native x86" counts as multiple ABIs.
    if (!c.syscall_archs.empty()) archs = c.syscall_archs.size() == 1 && c.syscall_archs.count("native") ? 0 : 8;

    const std::uint64_t na = kNotApplicable;
    Exposure e;
    e.rows = {
        {"User=/DynamicUser=", "UserOrDynamicUser", 2000, 10, user_badness},
        {"SupplementaryGroups=", "SupplementaryGroups", 200, 1, privileged ? na : b(!c.supplementary_groups.empty())},
        {"PrivateDevices=", "PrivateDevices", 1000, 1, b(!c.private_devices)},
        {"PrivateMounts=", "PrivateMounts", 1000, 1, b(!c.private_mounts)},
        {"PrivateNetwork=", "PrivateNetwork", 2500, 1, b(!c.private_network)},
        {"PrivateTmp=", "PrivateTmp", 1000, 1, dd ? b(!c.private_tmp) : na},
        {"PrivateUsers=", "PrivateUsers", 1000, 1, b(!c.private_users)},
        {"ProtectControlGroups=", "ProtectControlGroups", 1000, 1, b(!c.protect_control_groups)},
        {"ProtectKernelModules=", "ProtectKernelModules", 1000, 1, b(!c.protect_kernel_modules)},
        {"ProtectKernelTunables=", "ProtectKernelTunables", 1000, 1, b(!c.protect_kernel_tunables)},
        {"ProtectKernelLogs=", "ProtectKernelLogs", 1000, 1, b(!c.protect_kernel_logs)},
        {"ProtectClock=", "ProtectClock", 1000, 1, b(!c.protect_clock)},
        {"ProtectHome=", "ProtectHome", 1000, 10, dd ? pbool(c.protect_home, {{"read-only", 5}, {"tmpfs", 1}}, 0) : na},
        {"ProtectHostname=", "ProtectHostname", 50, 1, b(!c.protect_hostname)},
        {"ProtectSystem=", "ProtectSystem", 1000, 10, dd ? pbool(c.protect_system, {{"full", 3}, {"strict", 0}}, 5) : na},
        {"RootDirectory=/RootImage=", "RootDirectoryOrRootImage", 200, 1,
         dd ? b((c.root_directory.empty() || c.root_directory == "/") && (c.root_image.empty() || c.root_image == "/")) : na},
        {"LockPersonality=", "LockPersonality", 100, 1, b(!c.lock_personality)},
        {"MemoryDenyWriteExecute=", "MemoryDenyWriteExecute", 100, 1, b(!c.memory_deny_write_execute)},
        {"NoNewPrivileges=", "NoNewPrivileges", 1000, 1, b(!c.no_new_privileges)},
        {"CapabilityBoundingSet=~CAP_SYS_ADMIN", "CapabilityBoundingSet_CAP_SYS_ADMIN", 1500, 1, capbad(cap(CAP_SYS_ADMIN))},
        {"CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)", "CapabilityBoundingSet_CAP_SET_UID_GID_PCAP", 1500, 1,
         capbad(cap(CAP_SETUID) | cap(CAP_SETGID) | cap(CAP_SETPCAP))},
        {"CapabilityBoundingSet=~CAP_SYS_PTRACE", "CapabilityBoundingSet_CAP_SYS_PTRACE", 1500, 1, capbad(cap(CAP_SYS_PTRACE))},
        {"CapabilityBoundingSet=~CAP_SYS_TIME", "CapabilityBoundingSet_CAP_SYS_TIME", 1000, 1, capbad(cap(CAP_SYS_TIME))},
        {"CapabilityBoundingSet=~CAP_NET_ADMIN", "CapabilityBoundingSet_CAP_NET_ADMIN", 1000, 1, capbad(cap(CAP_NET_ADMIN))},
        {"CapabilityBoundingSet=~CAP_SYS_RAWIO", "CapabilityBoundingSet_CAP_SYS_RAWIO", 1000, 1, capbad(cap(CAP_SYS_RAWIO))},
        {"CapabilityBoundingSet=~CAP_SYS_MODULE", "CapabilityBoundingSet_CAP_SYS_MODULE", 1000, 1, capbad(cap(CAP_SYS_MODULE))},
        {"CapabilityBoundingSet=~CAP_AUDIT_*", "CapabilityBoundingSet_CAP_AUDIT", 500, 1,
         capbad(cap(CAP_AUDIT_CONTROL) | cap(CAP_AUDIT_READ) | cap(CAP_AUDIT_WRITE))},
        {"CapabilityBoundingSet=~CAP_SYSLOG", "CapabilityBoundingSet_CAP_SYSLOG", 500, 1, capbad(cap(CAP_SYSLOG))},
        {"CapabilityBoundingSet=~CAP_SYS_(NICE|RESOURCE)", "CapabilityBoundingSet_CAP_SYS_NICE_RESOURCE", 500, 1,
         capbad(cap(CAP_SYS_NICE) | cap(CAP_SYS_RESOURCE))},
        {"CapabilityBoundingSet=~CAP_MKNOD", "CapabilityBoundingSet_CAP_MKNOD", 500, 1, capbad(cap(CAP_MKNOD))},
        {"CapabilityBoundingSet=~CAP_(CHOWN|FSETID|SETFCAP)", "CapabilityBoundingSet_CAP_CHOWN_FSETID_SETFCAP", 1000, 1,
         capbad(cap(CAP_CHOWN) | cap(CAP_FSETID) | cap(CAP_SETFCAP))},
        {"CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)", "CapabilityBoundingSet_CAP_DAC_FOWNER_IPC_OWNER", 1000, 1,
         capbad(cap(CAP_DAC_OVERRIDE) | cap(CAP_DAC_READ_SEARCH) | cap(CAP_FOWNER) | cap(CAP_IPC_OWNER))},
        {"CapabilityBoundingSet=~CAP_KILL", "CapabilityBoundingSet_CAP_KILL", 500, 1, capbad(cap(CAP_KILL))},
        {"CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)",
         "CapabilityBoundingSet_CAP_NET_BIND_SERVICE_BROADCAST_RAW)", 500, 1,
         capbad(cap(CAP_NET_BIND_SERVICE) | cap(CAP_NET_BROADCAST) | cap(CAP_NET_RAW))},
        {"CapabilityBoundingSet=~CAP_SYS_BOOT", "CapabilityBoundingSet_CAP_SYS_BOOT", 100, 1, capbad(cap(CAP_SYS_BOOT))},
        {"CapabilityBoundingSet=~CAP_MAC_*", "CapabilityBoundingSet_CAP_MAC", 100, 1,
         capbad(cap(CAP_MAC_ADMIN) | cap(CAP_MAC_OVERRIDE))},
        {"CapabilityBoundingSet=~CAP_LINUX_IMMUTABLE", "CapabilityBoundingSet_CAP_LINUX_IMMUTABLE", 75, 1,
         capbad(cap(CAP_LINUX_IMMUTABLE))},
        {"CapabilityBoundingSet=~CAP_IPC_LOCK", "CapabilityBoundingSet_CAP_IPC_LOCK", 50, 1, capbad(cap(CAP_IPC_LOCK))},
        {"CapabilityBoundingSet=~CAP_SYS_CHROOT", "CapabilityBoundingSet_CAP_SYS_CHROOT", 50, 1, capbad(cap(CAP_SYS_CHROOT))},
        {"CapabilityBoundingSet=~CAP_BLOCK_SUSPEND", "CapabilityBoundingSet_CAP_BLOCK_SUSPEND", 25, 1,
         capbad(cap(CAP_BLOCK_SUSPEND))},
        {"CapabilityBoundingSet=~CAP_WAKE_ALARM", "CapabilityBoundingSet_CAP_WAKE_ALARM", 25, 1, capbad(cap(CAP_WAKE_ALARM))},
        {"CapabilityBoundingSet=~CAP_LEASE", "CapabilityBoundingSet_CAP_LEASE", 25, 1, capbad(cap(CAP_LEASE))},
        {"CapabilityBoundingSet=~CAP_SYS_TTY_CONFIG", "CapabilityBoundingSet_CAP_SYS_TTY_CONFIG", 25, 1,
         capbad(cap(CAP_SYS_TTY_CONFIG))},
        {"CapabilityBoundingSet=~CAP_SYS_PACCT", "CapabilityBoundingSet_CAP_SYS_PACCT", 25, 1, capbad(cap(CAP_SYS_PACCT))},
        {"CapabilityBoundingSet=~CAP_BPF", "CapabilityBoundingSet_CAP_BPF", 25, 1, capbad(cap(CAP_BPF))},
        {"UMask=", "UMask", 100, 10, umask_badness},
        {"KeyringMode=", "KeyringMode", 1000, 1, b(c.keyring_mode != "private")},
        {"ProtectProc=", "ProtectProc", 1000, 3,
         c.protect_proc == "noaccess" ? 1u : (c.protect_proc == "invisible" || c.protect_proc == "ptraceable") ? 0u : 3u},
        {"ProcSubset=", "ProcSubset", 10, 1, b(c.proc_subset != "pid")},
        {"NotifyAccess=", "NotifyAccess", 1000, 1, b(c.notify_access == "all")},
        {"RemoveIPC=", "RemoveIPC", 100, 1, privileged ? na : b(!c.remove_ipc)},
        {"Delegate=", "Delegate", 100, 1, b(c.delegate)},
        {"RestrictRealtime=", "RestrictRealtime", 500, 1, b(!c.restrict_realtime)},
        {"RestrictSUIDSGID=", "RestrictSUIDSGID", 1000, 1, b(!c.restrict_suid_sgid)},
        {"RestrictNamespaces=~user", "RestrictNamespaces_user", 1500, 1, nsbad(CLONE_NEWUSER)},
        {"RestrictNamespaces=~mnt", "RestrictNamespaces_mnt", 500, 1, nsbad(CLONE_NEWNS)},
        {"RestrictNamespaces=~ipc", "RestrictNamespaces_ipc", 500, 1, nsbad(CLONE_NEWIPC)},
        {"RestrictNamespaces=~pid", "RestrictNamespaces_pid", 500, 1, nsbad(CLONE_NEWPID)},
        {"RestrictNamespaces=~cgroup", "RestrictNamespaces_cgroup", 500, 1, nsbad(CLONE_NEWCGROUP)},
        {"RestrictNamespaces=~net", "RestrictNamespaces_net", 500, 1, nsbad(CLONE_NEWNET)},
        {"RestrictNamespaces=~uts", "RestrictNamespaces_uts", 100, 1, nsbad(CLONE_NEWUTS)},
        {"RestrictAddressFamilies=~AF_(INET|INET6)", "RestrictAddressFamilies_AF_INET_INET6", 1500, 1, b(!r_inet)},
        {"RestrictAddressFamilies=~AF_UNIX", "RestrictAddressFamilies_AF_UNIX", 25, 1, b(!r_unix)},
        {"RestrictAddressFamilies=~AF_NETLINK", "RestrictAddressFamilies_AF_NETLINK", 200, 1, b(!r_netlink)},
        {"RestrictAddressFamilies=~AF_PACKET", "RestrictAddressFamilies_AF_PACKET", 1000, 1, b(!r_packet)},
        {"RestrictAddressFamilies=~…", "RestrictAddressFamilies_OTHER", 1250, 1, b(!r_other)},
        {"SystemCallArchitectures=", "SystemCallArchitectures", 1000, 10, archs},
        {"SystemCallFilter=~@swap", "SystemCallFilter_swap", 1000, 10, syscall_filter_badness(c, "@swap")},
        {"SystemCallFilter=~@obsolete", "SystemCallFilter_obsolete", 250, 10, syscall_filter_badness(c, "@obsolete")},
        {"SystemCallFilter=~@clock", "SystemCallFilter_clock", 1000, 10, syscall_filter_badness(c, "@clock")},
        {"SystemCallFilter=~@cpu-emulation", "SystemCallFilter_cpu_emulation", 250, 10,
         syscall_filter_badness(c, "@cpu-emulation")},
        {"SystemCallFilter=~@debug", "SystemCallFilter_debug", 1000, 10, syscall_filter_badness(c, "@debug")},
        {"SystemCallFilter=~@mount", "SystemCallFilter_mount", 1000, 10, syscall_filter_badness(c, "@mount")},
        {"SystemCallFilter=~@module", "SystemCallFilter_module", 1000, 10, syscall_filter_badness(c, "@module")},
        {"SystemCallFilter=~@raw-io", "SystemCallFilter_raw_io", 1000, 10, syscall_filter_badness(c, "@raw-io")},
        {"SystemCallFilter=~@reboot", "SystemCallFilter_reboot", 1000, 10, syscall_filter_badness(c, "@reboot")},
        {"SystemCallFilter=~@privileged", "SystemCallFilter_privileged", 700, 10, syscall_filter_badness(c, "@privileged")},
        {"SystemCallFilter=~@resources", "SystemCallFilter_resources", 700, 10, syscall_filter_badness(c, "@resources")},
        {"IPAddressDeny=", "IPAddressDeny", 1000, 10, ip},
        {"DeviceAllow=", "DeviceAllow", 1000, 10,
         c.device_policy == "strict" || c.device_policy == "closed" ? (c.device_allow ? 5u : 0u) : 10u},
        {"AmbientCapabilities=", "AmbientCapabilities", 500, 1, b(c.ambient_capabilities != 0)},
    };

    std::uint64_t badness_sum = 0, weight_sum = 0;
    for (const ExposureRow& r : e.rows) {
        if (r.badness == kNotApplicable) continue;
        weight_sum += r.weight;
        badness_sum += (r.badness * r.weight + r.range - 1) / r.range;
    }
    e.tenths = weight_sum ? static_cast<int>((badness_sum * 100 + weight_sum - 1) / weight_sum) : 0;
    e.level = e.tenths >= 100 ? "DANGEROUS"
              : e.tenths >= 90 ? "UNSAFE"
              : e.tenths >= 75 ? "EXPOSED"
              : e.tenths >= 50 ? "MEDIUM"
              : e.tenths >= 10 ? "OK"
              : e.tenths >= 1  ? "SAFE"
                               : "PERFECT";
    return e;
}

std::string exposure_text(int tenths) { return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10); }

}  // namespace triad::scanner::units
