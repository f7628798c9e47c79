// SPDX-License-Identifier: Apache-2.0
// The `elf` collector: hardening of every ELF executable and shared object under the
// selected paths (kind, PIE, NX, canary, RELRO, FORTIFY, RPATH/RUNPATH, CET, stripped),
// with its exposure: setuid/setgid, file capabilities, and whether it is the binary of a
// process listening on a network socket. Root scope; `listening` needs the live proc
// tree and is false without one (an offline image runs nothing).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "scanner/elf/elf_cache.h"
#include "scanner/elf/elf_hardening.h"
#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum ElfField : std::size_t {
    kElfPath, kElfKind, kElfPie, kElfNx, kElfCanary, kElfRelro, kElfFortified, kElfFortifiable, kElfRpath,
    kElfRunpath, kElfUnsafeRpath, kElfCetIbt, kElfCetShstk, kElfStripped, kElfTextrel, kElfInterpreter,
    kElfBits, kElfEndian, kElfMachine, kElfSetuid, kElfSetgid, kElfCapabilities, kElfListening,
    kElfListeningOn, kElfExposed, kElfFieldCount
};

std::span<const FieldSpec> elf_fields();
std::span<const ArgSpec> elf_args();

struct ElfQuery {
    std::vector<std::string> paths;    // directories or files inside the root
    bool recursive = true;             // below directories; false: their direct entries
    std::vector<std::string> names;    // file-name globs ("*.so*"); empty: every file
    std::vector<std::string> exclude;  // path globs left out (DIR/** skips a subtree)
    bool one_filesystem = true;
};

// One fact per ELF executable or shared object found; files that are not ELF (or are
// relocatable objects) are left out; a damaged one is an error fact naming the problem.
// Symlinks are not followed: their targets are judged where they live.
// Reads on `executor`'s threads through `memo` (null: a memo for this call); stops taking
// files once `cancel` is set.
FactSet collect_elf(const Sysroot& root, const IdentityTable& ids, const Sysroot* proc, const ElfQuery& query,
                    Executor& executor = Executor::serial(), const CancelToken* cancel = nullptr,
                    ElfMemo* memo = nullptr);

// The registry's entry point.
FactSet collect_elf_files(const CollectContext& ctx, const SelectArgs& args);

// RPATH/RUNPATH entries that let someone else choose the libraries: relative (resolved
// against the working directory), missing (whoever creates it first wins) or
// world-writable, each as "ENTRY (why)". $ORIGIN is the binary's directory.
std::vector<std::string> unsafe_search_paths(const Sysroot& root, const std::string& binary, const ElfInfo& info);

// The fields of an analysed binary in the collector's layout (exposure fields unset).
Fact elf_info_fact(const std::string& path, const ElfInfo& info);

}  // namespace triad::scanner
