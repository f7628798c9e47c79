// SPDX-License-Identifier: Apache-2.0
#include "scanner/proc/mac_processes.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

#include "scanner/proc/proc_table.h"

namespace triad::scanner {

bool is_loopback_socket(std::string_view describe) {
    std::size_t sp = describe.find(' ');
    std::string_view local = sp == std::string_view::npos ? describe : describe.substr(sp + 1);
    std::string addr;
    if (local.starts_with("[")) {
        addr = std::string(local.substr(1, local.find(']') - 1));
        in6_addr a6{};
        if (::inet_pton(AF_INET6, addr.c_str(), &a6) != 1) return false;
        if (IN6_IS_ADDR_LOOPBACK(&a6)) return true;
        return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
    }
    addr = std::string(local.substr(0, local.rfind(':')));
    in_addr a4{};
    return ::inet_pton(AF_INET, addr.c_str(), &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

std::vector<MacProcess> read_mac_processes(const Sysroot& proc, const std::vector<std::string>& label_files) {
    std::vector<MacProcess> out;
    for (const ProcessInfo& p : read_processes(proc)) {
        if (p.exe.empty() && p.exe_error.empty()) continue;  // kernel thread
        MacProcess m;
        m.pid = p.pid;
        m.name = p.name;
        m.exe = p.exe;
        m.sockets = p.listening;
        m.listens_on_network = std::any_of(m.sockets.begin(), m.sockets.end(),
                                           [](const std::string& s) { return !is_loopback_socket(s); });
        const std::string dir = "/" + std::to_string(p.pid) + "/";
        for (const std::string& attr : label_files) {
            // A kernel without this LSM answers EINVAL: no label, not an error.
            auto label = proc.read_file(dir + attr, 4096);
            if (!label) continue;
            std::string text = *label;
            while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
            if (!text.empty()) {
                m.label = std::move(text);
                break;
            }
        }
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace triad::scanner
