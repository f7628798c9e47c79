// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/audit/audit_rule_form.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <sstream>

// libaudit's rule builders keep per-rule state in these globals (the architecture -S
// resolves against, which parts a rule has); auditctl resets them before each rule, and so
// must any other caller that builds more than one rule. libaudit exports them for that.
extern "C" {
extern unsigned int _audit_elf;
extern int _audit_syscalladded, _audit_permadded, _audit_archadded, _audit_exeadded, _audit_filterfsadded;
}

namespace triad::scanner::audit {
namespace {

// The globals above make rule building one-at-a-time in a process.
std::mutex& builder_mutex() {
    static std::mutex m;
    return m;
}

void quiet_library() {
    static std::once_flag once;
    std::call_once(once, [] { set_aumessage_mode(MSG_QUIET, DBG_NO); });  // no stderr from libaudit
}

bool is_string_field(int field) {
    switch (field) {
        case AUDIT_WATCH: case AUDIT_DIR: case AUDIT_FILTERKEY: case AUDIT_EXE:
        case AUDIT_SUBJ_USER: case AUDIT_SUBJ_ROLE: case AUDIT_SUBJ_TYPE: case AUDIT_SUBJ_SEN: case AUDIT_SUBJ_CLR:
        case AUDIT_OBJ_USER: case AUDIT_OBJ_ROLE: case AUDIT_OBJ_TYPE: case AUDIT_OBJ_LEV_LOW: case AUDIT_OBJ_LEV_HIGH:
            return true;
        default:
            return false;
    }
}

bool is_id_field(int field) {
    switch (field) {
        case AUDIT_UID: case AUDIT_EUID: case AUDIT_SUID: case AUDIT_FSUID: case AUDIT_LOGINUID: case AUDIT_OBJ_UID:
        case AUDIT_GID: case AUDIT_EGID: case AUDIT_SGID: case AUDIT_FSGID: case AUDIT_OBJ_GID:
            return true;
        default:
            return false;
    }
}

std::string perm_letters(std::uint32_t bits) {
    std::string s;
    if (bits & AUDIT_PERM_READ) s += 'r';
    if (bits & AUDIT_PERM_WRITE) s += 'w';
    if (bits & AUDIT_PERM_EXEC) s += 'x';
    if (bits & AUDIT_PERM_ATTR) s += 'a';
    return s;
}

std::string arch_name(std::uint32_t elf) {
    if (elf == AUDIT_ARCH_X86_64 || elf == AUDIT_ARCH_AARCH64 || elf == AUDIT_ARCH_PPC64 || elf == AUDIT_ARCH_S390X)
        return "b64";
    if (elf == AUDIT_ARCH_I386 || elf == AUDIT_ARCH_ARM || elf == AUDIT_ARCH_PPC || elf == AUDIT_ARCH_S390) return "b32";
    std::ostringstream s;
    s << "0x" << std::hex << elf;
    return s.str();
}

std::vector<std::string> split_words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

}  // namespace

RuleForm describe_rule(const audit_rule_data& r) {
    RuleForm f;
    const int list = static_cast<int>(r.flags & ~AUDIT_FILTER_PREPEND);
    const char* ln = audit_flag_to_name(list);
    f.list = ln ? ln : std::to_string(list);
    const char* an = audit_action_to_name(static_cast<int>(r.action));
    f.action = an ? an : std::to_string(r.action);

    int machine = audit_detect_machine();
    for (std::uint32_t i = 0; i < r.field_count && i < AUDIT_MAX_FIELDS; ++i)
        if ((r.fields[i] & ~AUDIT_OPERATORS) == AUDIT_ARCH) machine = audit_elf_to_machine(r.values[i]);

    // The kernel keeps the top 16 bits of the bitmap for syscall classes (its
    // AUDIT_SYSCALL_CLASSES) and lists them cleared: "all" is every bit below them.
    constexpr int kSyscallBits = AUDIT_BITMASK_SIZE * 32 - 16;
    bool all = true, none = true;
    for (int i = 0; i < kSyscallBits; ++i) {
        const bool set = r.mask[AUDIT_WORD(i)] & AUDIT_BIT(i);
        all = all && set;
        none = none && !set;
    }
    if (all) f.syscalls.push_back("all");
    else if (!none)
        for (int i = 0; i < kSyscallBits; ++i)
            if (r.mask[AUDIT_WORD(i)] & AUDIT_BIT(i)) {
                const char* name = machine >= 0 ? audit_syscall_to_name(i, machine) : nullptr;
                f.syscalls.push_back(name ? name : std::to_string(i));
            }

    std::string rest;  // the -F conditions in kernel order, for the text
    std::size_t off = 0;
    bool watch = false;
    for (std::uint32_t i = 0; i < r.field_count && i < AUDIT_MAX_FIELDS; ++i) {
        const int field = static_cast<int>(r.fields[i] & ~AUDIT_OPERATORS);
        const int op = static_cast<int>(r.fieldflags[i] & AUDIT_OPERATORS);
        const char* fname = audit_field_to_name(field);
        const std::string name = fname ? fname : "field" + std::to_string(field);
        const char* sym = audit_operator_to_symbol(op);
        const std::string opsym = sym ? sym : "?";
        std::string value;
        if (is_string_field(field)) {
            const std::size_t len = std::min<std::size_t>(r.values[i], r.buflen > off ? r.buflen - off : 0);
            value.assign(r.buf + off, len);
            off += len;
        } else if (field == AUDIT_PERM) {
            value = perm_letters(r.values[i]);
        } else if (field == AUDIT_ARCH) {
            value = arch_name(r.values[i]);
        } else if (is_id_field(field) && r.values[i] == 4294967295u) {
            value = "unset";
        } else if (field == AUDIT_EXIT) {
            value = std::to_string(static_cast<std::int32_t>(r.values[i]));
        } else {
            value = std::to_string(r.values[i]);
        }
        if (field == AUDIT_WATCH || field == AUDIT_DIR) {
            f.path = value;
            watch = true;
            rest += " -F " + name + opsym + value;
        } else if (field == AUDIT_PERM) {
            f.perms = value;
            rest += " -F perm=" + value;
        } else if (field == AUDIT_FILTERKEY) {
            std::size_t start = 0;
            for (std::size_t sep; (sep = value.find(static_cast<char>(AUDIT_KEY_SEPARATOR), start)) != std::string::npos;
                 start = sep + 1)
                f.keys.push_back(value.substr(start, sep - start));
            f.keys.push_back(value.substr(start));
        } else {
            f.fields.push_back(name + opsym + value);
            rest += " -F " + name + opsym + value;
        }
    }

    std::string keys;
    for (const std::string& k : f.keys) keys += " -k " + k;
    if (watch && f.fields.empty() && all && f.list == "exit" && f.action == "always") {
        f.text = "-w " + f.path + (f.perms.empty() ? "" : " -p " + f.perms) + keys;
    } else {
        f.text = "-a " + f.action + "," + f.list;
        if (!f.syscalls.empty()) {
            f.text += " -S ";
            for (std::size_t i = 0; i < f.syscalls.size(); ++i) f.text += (i ? "," : "") + f.syscalls[i];
        }
        f.text += rest + keys;
    }
    return f;
}

ParsedLine parse_rule_line(const std::string& line, const Sysroot& root) {
    ParsedLine p;
    const auto start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') return p;
    const std::vector<std::string> words = split_words(line);
    quiet_library();
    std::lock_guard lock(builder_mutex());
    _audit_elf = 0;
    _audit_syscalladded = _audit_permadded = _audit_archadded = _audit_exeadded = _audit_filterfsadded = 0;

    audit_rule_data* rule = audit_rule_create_data();
    p.data.reset(rule);
    int list = -1, action = -1;
    std::string keys;
    auto fail = [&](const std::string& why) {
        p.kind = ParsedLine::Kind::rule;
        p.data.reset();
        p.error = why;
        return std::move(p);
    };
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& opt = words[i];
        const bool has_arg = i + 1 < words.size();
        const std::string arg = has_arg ? words[i + 1] : std::string{};
        if (opt == "-D" || opt == "--loginuid-immutable" || opt == "--reset-lost" || opt == "-c" || opt == "-i" ||
            opt == "--reset_backlog_wait_time_actual") {
            p.kind = ParsedLine::Kind::control;
            p.control = opt;
            p.data.reset();
            return p;
        }
        if (opt == "-b" || opt == "-f" || opt == "-e" || opt == "-r" || opt == "--backlog_wait_time" || opt == "-W" ||
            opt == "-d") {
            p.kind = ParsedLine::Kind::control;
            p.control = opt;
            p.control_value = arg;
            p.data.reset();
            return p;
        }
        if (!has_arg) return fail("option " + opt + " needs a value");
        ++i;
        if (opt == "-w") {
            // auditctl watches a directory as a tree (dir=) and anything else as a file.
            auto dir = root.open_path(arg, O_RDONLY | O_DIRECTORY, /*follow_final=*/true);
            if (audit_add_watch_dir(dir ? AUDIT_DIR : AUDIT_WATCH, &rule, arg.c_str()) != 0)
                return fail("libaudit refused the watch " + arg);
            p.data.release();
            p.data.reset(rule);
            list = AUDIT_FILTER_EXIT;
            action = AUDIT_ALWAYS;
        } else if (opt == "-p") {
            int perms = 0;
            for (char c : arg) {
                if (c == 'r') perms |= AUDIT_PERM_READ;
                else if (c == 'w') perms |= AUDIT_PERM_WRITE;
                else if (c == 'x') perms |= AUDIT_PERM_EXEC;
                else if (c == 'a') perms |= AUDIT_PERM_ATTR;
                else return fail("bad permission " + arg);
            }
            if (audit_update_watch_perms(rule, perms) != 0) return fail("libaudit refused -p " + arg);
        } else if (opt == "-k") {
            keys += (keys.empty() ? "" : std::string(1, static_cast<char>(AUDIT_KEY_SEPARATOR))) + arg;
        } else if (opt == "-a" || opt == "-A") {
            const auto comma = arg.find(',');
            if (comma == std::string::npos) return fail("-a needs list,action: " + arg);
            std::string a = arg.substr(0, comma), b = arg.substr(comma + 1);
            list = audit_name_to_flag(a.c_str());
            action = audit_name_to_action(b.c_str());
            if (list < 0 || action < 0) {  // the other order
                list = audit_name_to_flag(b.c_str());
                action = audit_name_to_action(a.c_str());
            }
            if (list < 0 || action < 0) return fail("unknown list or action in -a " + arg);
        } else if (opt == "-S") {
            std::istringstream names(arg);
            for (std::string sc; std::getline(names, sc, ',');) {
                if (audit_rule_syscallbyname_data(rule, sc.c_str()) != 0) return fail("unknown system call " + sc);
                _audit_syscalladded = 1;
            }
        } else if (opt == "-F") {
            if (list < 0) return fail("-F before -a or -w: " + arg);
            if (audit_rule_fieldpair_data(&rule, arg.c_str(), list) != 0) return fail("libaudit refused -F " + arg);
            p.data.release();
            p.data.reset(rule);
        } else if (opt == "-C") {
            if (list < 0) return fail("-C before -a: " + arg);
            if (audit_rule_interfield_comp_data(&rule, arg.c_str(), list) != 0) return fail("libaudit refused -C " + arg);
            p.data.release();
            p.data.reset(rule);
        } else {
            return fail("unknown option " + opt);
        }
    }
    if (list < 0) return fail("a rule needs -a or -w");
    if (!keys.empty()) {
        const std::string pair = "key=" + keys;
        if (audit_rule_fieldpair_data(&rule, pair.c_str(), list) != 0) return fail("libaudit refused the key");
        p.data.release();
        p.data.reset(rule);
    }
    // auditctl: an exit-list rule without -S applies to every system call.
    if (list == AUDIT_FILTER_EXIT && !_audit_syscalladded) audit_rule_syscallbyname_data(rule, "all");
    rule->flags = static_cast<std::uint32_t>(list);
    rule->action = static_cast<std::uint32_t>(action);
    p.kind = ParsedLine::Kind::rule;
    p.list = list;
    p.action = action;
    return p;
}

namespace {

class AuditSocket {
public:
    AuditSocket() : fd_(audit_open()) {}
    ~AuditSocket() {
        if (fd_ >= 0) audit_close(fd_);
    }
    int fd() const { return fd_; }

private:
    int fd_;
};

Error netlink_error(int err, const char* what) {
    std::string reason = std::strerror(err);
    if (err == EPERM) reason += " (needs CAP_AUDIT_CONTROL)";
    if (err == ECONNREFUSED) reason += " (audit answers only in the initial user namespace)";
    return Error{err == EPERM ? ErrorCode::permission_denied : ErrorCode::io, std::string(what) + ": " + reason, "audit netlink"};
}

// Waits at most 2 s for the next reply: a kernel that never answers must not hang a scan.
int next_reply(int fd, audit_reply& rep) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) return -ETIMEDOUT;
    return audit_get_reply(fd, &rep, GET_REPLY_NONBLOCKING, 0);
}

constexpr std::size_t kMaxRules = 65536;

}  // namespace

Result<std::vector<RuleForm>> list_loaded_rules() {
    quiet_library();
    AuditSocket s;
    if (s.fd() < 0) return netlink_error(errno, "cannot open the audit socket");
    const int rc = audit_request_rules_list_data(s.fd());
    if (rc <= 0) return netlink_error(rc < 0 ? -rc : EIO, "cannot list the audit rules");
    std::vector<RuleForm> out;
    for (;;) {
        audit_reply rep{};
        const int n = next_reply(s.fd(), rep);
        if (n <= 0) return netlink_error(n < 0 ? -n : EIO, "no complete answer listing the audit rules");
        if (rep.type == NLMSG_DONE) break;
        if (rep.type == NLMSG_ERROR) {
            if (rep.error && rep.error->error) return netlink_error(-rep.error->error, "cannot list the audit rules");
            continue;
        }
        if (rep.type != AUDIT_LIST_RULES || !rep.ruledata) continue;
        if (out.size() == kMaxRules) return Error{ErrorCode::invalid_input, "more than 65536 audit rules", "audit netlink"};
        out.push_back(describe_rule(*rep.ruledata));
    }
    return out;
}

Result<audit_status> read_status() {
    quiet_library();
    AuditSocket s;
    if (s.fd() < 0) return netlink_error(errno, "cannot open the audit socket");
    const int rc = audit_request_status(s.fd());
    if (rc <= 0) return netlink_error(rc < 0 ? -rc : EIO, "cannot read the audit status");
    for (int tries = 0; tries < 16; ++tries) {
        audit_reply rep{};
        const int n = next_reply(s.fd(), rep);
        if (n <= 0) return netlink_error(n < 0 ? -n : EIO, "no answer to the audit status request");
        if (rep.type == NLMSG_ERROR && rep.error && rep.error->error)
            return netlink_error(-rep.error->error, "cannot read the audit status");
        if (rep.type == AUDIT_GET && rep.status) return *rep.status;
    }
    return Error{ErrorCode::io, "no audit status among the kernel's replies", "audit netlink"};
}

}  // namespace triad::scanner::audit
