// SPDX-License-Identifier: Apache-2.0
// The `kernel_freshness` collector: whether the running kernel is the newest one installed —
// the running release (/proc/sys/kernel/osrelease) against the installed kernel packages
// (linux-image-RELEASE, libapt-pkg's view of the dpkg database) and the images in /boot —
// and whether /run/reboot-required asks for a reboot, with the packages it names. One
// object, `kernel`. Host scope.
#pragma once

#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "scanner/core/collector.h"
#include "scanner/core/fact.h"

namespace triad::scanner {

enum KernelFreshnessField : std::size_t {
    kKernRunning, kKernInstalled, kKernNewest, kKernPackaged, kKernRunningIsNewest, kKernBootImages,
    kKernRebootRequired, kKernRebootPackages, kKernFieldCount
};

inline constexpr FieldSpec kKernelFreshnessFields[] = {
    {"running", ValueKind::string, "release of the running kernel (/proc/sys/kernel/osrelease, as uname -r)"},
    {"installed", ValueKind::list, "releases of the installed kernel packages (linux-image-RELEASE); absent when none"},
    {"newest_installed", ValueKind::string, "the release of the installed kernel package with the highest version; absent when none"},
    {"packaged", ValueKind::boolean, "some kernel package is installed (false: the kernel comes from outside, a VM's or container's host)"},
    {"running_is_newest", ValueKind::boolean, "the running release is the newest installed one; absent when no kernel package is installed"},
    {"boot_images", ValueKind::list, "releases of the /boot/vmlinuz-RELEASE images; absent when none"},
    {"reboot_required", ValueKind::boolean, "/run/reboot-required exists (written by package scripts that need a reboot)"},
    {"reboot_required_packages", ValueKind::list, "the packages /run/reboot-required.pkgs names; absent when none"},
};
static_assert(std::size(kKernelFreshnessFields) == kKernFieldCount);

inline constexpr CollectorEntry kKernelFreshnessCollectorSpec{
    "kernel_freshness", Scope::host, kKernelFreshnessFields, {}, nullptr,
    "the running kernel against the newest installed kernel package, and pending reboots\n"
    "\n"
    "One object, `kernel`. The running release is read from the proc tree; the installed "
    "kernels from the dpkg database through libapt-pkg (packages linux-image-RELEASE, "
    "signed or -unsigned) and /boot. A root without a dpkg status file is not_applicable; "
    "an unreadable osrelease or reboot-required file is an error. Needs the running system.",
};

extern const CollectorEntry kKernelFreshnessCollector;

// "linux-image-6.1.0-28-amd64" -> "6.1.0-28-amd64" (also from "...-amd64-unsigned"); empty
// for anything else (the linux-image-amd64 meta package has no release).
std::string kernel_release_of_package(std::string_view name);

}  // namespace triad::scanner
