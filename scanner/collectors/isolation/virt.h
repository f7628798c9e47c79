// SPDX-License-Identifier: Apache-2.0
// The `virt` collector: what this system runs on and in, each layer with its evidence.
// The hypervisor from the CPUID hypervisor leaf (live /proc only), /sys/hypervisor, the
// DMI strings and the `hypervisor` CPU flag; the container layer from this process's
// namespaces compared with the kernel's initial ones and from its cgroup path. Markers a
// container engine leaves (/.dockerenv, /run/.containerenv, /run/systemd/container) are
// listed, and one that the namespaces and cgroup contradict is reported as such: a marker
// alone does not make a container. Host scope, one fact "virt".
#pragma once

#include <string>
#include <string_view>

#include "scanner/core/collector.h"

namespace triad::scanner {

enum VirtField : std::size_t {
    kVirtHypervisor, kVirtHypervisorEvidence, kVirtCpuidVendor, kVirtCpuFlag, kVirtContainer, kVirtContainerEvidence,
    kVirtInitialNamespaces, kVirtOwnNamespaces, kVirtCgroup, kVirtMarkers, kVirtContradictingMarkers, kVirtFieldCount
};

// The hypervisor a CPUID vendor signature (leaf 0x40000000) names: "KVMKVMKVM" → kvm.
std::string hypervisor_from_cpuid(std::string_view signature);
// The hypervisor DMI sys_vendor / product_name name; empty if none.
std::string hypervisor_from_dmi(std::string_view vendor, std::string_view product);

extern const CollectorEntry kVirtCollector;

}  // namespace triad::scanner
