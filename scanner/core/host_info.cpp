// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/host_info.h"

#include <sys/utsname.h>

#include "scanner/config/config_file.h"

namespace triad::scanner {
namespace {

std::string first_line(std::string text) {
    std::size_t nl = text.find('\n');
    if (nl != std::string::npos) text.resize(nl);
    return text;
}

}  // namespace

HostInfo read_host_info(const Sysroot& root) {
    HostInfo info;
    if (root.is_host()) {
        utsname u{};
        if (::uname(&u) == 0) {
            info.hostname = u.nodename;
            info.kernel = u.release;
        }
    } else if (auto name = root.read_file("/etc/hostname", 4096)) {
        info.hostname = first_line(*name);
    }
    for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
        auto text = root.read_file(path, 64 * 1024);
        if (!text) continue;
        for (const ConfigEntry& e : parse_config(*text, ConfigSyntax{ConfigSeparator::equals, false, ""}))
            if (e.key == "PRETTY_NAME") info.os = e.value;
        break;
    }
    return info;
}

}  // namespace triad::scanner
