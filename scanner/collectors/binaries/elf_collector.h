// SPDX-License-Identifier: Apache-2.0
// The `elf` collector: hardening of every ELF executable and shared object under the
// selected paths (kind, PIE, NX, canary, RELRO, FORTIFY, RPATH/RUNPATH, CET, stripped),
// with its exposure: setuid/setgid, file capabilities, and whether it is the binary of a
// process listening on a network socket. Root scope; `listening` needs the live proc
// tree and is false without one (an offline image runs nothing).
#pragma once

#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "scanner/elf/elf_cache.h"
#include "scanner/elf/elf_hardening.h"
#include "scanner/identity/identity.h"
#include "scanner/packages/package_files.h"
#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum ElfField : std::size_t {
    kElfPath, kElfKind, kElfPie, kElfNx, kElfCanary, kElfRelro, kElfFortified, kElfFortifiable, kElfRpath,
    kElfRunpath, kElfUnsafeRpath, kElfCetIbt, kElfCetShstk, kElfStripped, kElfTextrel, kElfInterpreter,
    kElfBits, kElfEndian, kElfMachine, kElfSetuid, kElfSetgid, kElfCapabilities, kElfListening,
    kElfListeningOn, kElfExposed, kElfPackage, kElfFortify, kElfFieldCount
};

// The collector's specs are here rather than in elf_collector.cpp so that a build without
// libelf (TRIAD_WITH_ELF=OFF) still has them: policies that select `elf` then load as usual
// and their checks say the collector is not built (left_out() in scanner/core/collector.h).
inline constexpr FieldSpec kElfFields[] = {
    {"path", ValueKind::string, "path of the binary inside the audited root"},
    {"kind", ValueKind::string, "exec, pie, dso, static or static-pie"},
    {"pie", ValueKind::boolean, "position independent: loaded at a random address (ET_DYN)"},
    {"nx", ValueKind::boolean, "PT_GNU_STACK without PF_X (no PT_GNU_STACK means an executable stack)"},
    {"canary", ValueKind::boolean, "__stack_chk_fail or __stack_chk_guard in .dynsym or .symtab"},
    {"relro", ValueKind::string, "full (PT_GNU_RELRO and BIND_NOW), partial (PT_GNU_RELRO) or none"},
    {"fortified", ValueKind::integer, "distinct glibc __*_chk functions imported"},
    {"fortifiable", ValueKind::integer, "distinct imported functions that have a __*_chk variant (fortified included)"},
    {"rpath", ValueKind::list, "DT_RPATH entries"},
    {"runpath", ValueKind::list, "DT_RUNPATH entries"},
    {"unsafe_rpath", ValueKind::list, "RPATH/RUNPATH entries that are relative, missing or world-writable; absent if none"},
    {"cet_ibt", ValueKind::boolean, "x86 indirect branch tracking (.note.gnu.property)"},
    {"cet_shstk", ValueKind::boolean, "x86 shadow stack (.note.gnu.property)"},
    {"stripped", ValueKind::boolean, "no .symtab"},
    {"textrel", ValueKind::boolean, "text relocations: code pages written at load time"},
    {"interpreter", ValueKind::string, "PT_INTERP (the dynamic loader); absent for static binaries and most libraries"},
    {"bits", ValueKind::integer, "32 or 64"},
    {"endian", ValueKind::string, "little or big"},
    {"machine", ValueKind::string, "x86-64, i386, aarch64, ..."},
    {"setuid", ValueKind::boolean, "set-user-id bit"},
    {"setgid", ValueKind::boolean, "set-group-id bit"},
    {"capabilities", ValueKind::string, "file capabilities as getcap prints them; absent if none"},
    {"listening", ValueKind::boolean, "a running process of this binary listens on a non-loopback address (false without /proc)"},
    {"listening_on", ValueKind::list, "what its processes listen on (\"tcp 0.0.0.0:22\"), loopback included; absent if not listening"},
    {"exposed", ValueKind::boolean, "setuid, setgid, file capabilities or listening: reachable by an attacker"},
    {"package", ValueKind::string, "the installed package that owns the file, from the root's dpkg database (/var/lib/dpkg/info/*.list); absent for a file no package lists"},
    {"fortify", ValueKind::string, "fortified (imports a __*_chk function), not-needed (nothing fortifiable) or unfortified (3 or more fortifiable imports, none checked); undecided below 3 (docs/binaries.md)"},
};
static_assert(std::size(kElfFields) == kElfFieldCount);

inline constexpr ArgSpec kElfArgs[] = {
    {"paths", ArgKind::paths, true, "directories or files to examine"},
    {"recursive", ArgKind::boolean, false, "descend below directories (default: true)"},
    {"names", ArgKind::list, false, "file-name globs to examine, e.g. [\"*.so\", \"*.so.*\"] (default: every file)"},
    {"exclude", ArgKind::globs, false, "path globs to leave out; DIR/** skips the subtree"},
    {"one_filesystem", ArgKind::boolean, false, "stay on each start directory's file system (default: true)"},
};

inline constexpr CollectorEntry kElfCollectorSpec{
    "elf", Scope::root, kElfFields, kElfArgs, nullptr,
    "ELF executables and shared objects: PIE, NX, canary, RELRO, FORTIFY, RPATH, CET, and their exposure\n"
    "\n"
    "One object per ELF executable or shared object found under `paths` (names filtered "
    "by `names`, subtrees left out by `exclude`), read on every core; files that are not "
    "ELF, and relocatable objects, are left out, and symlinks are not followed (their "
    "targets are judged where they live). Exposure is joined in: set-id bits, file "
    "capabilities, and whether a running process of the binary listens on the network, "
    "which needs the running system (`listening` is false without it, as an offline image "
    "runs nothing). A damaged binary or an unreadable file or directory is an error "
    "naming the problem. `package` names the installed package that owns a file (the "
    "root's dpkg database; a file no package lists has none, and an unreadable database "
    "makes the field undecided). `fortify` is undecided when a binary imports fewer than "
    "3 fortifiable functions and no checked one (docs/binaries.md). `triad binaries` "
    "lists the same properties from the command line.",
};

// The spec with its collect function (elf_collector.cpp).
extern const CollectorEntry kElfCollector;

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
                    ElfMemo* memo = nullptr, PackageFilesMemo* packages = nullptr);

// The registry's entry point.
FactSet collect_elf_files(const CollectContext& ctx, const SelectArgs& args);

// RPATH/RUNPATH entries that let someone else choose the libraries: relative (resolved
// against the working directory), missing where someone other than root could create it
// (the first existing ancestor is writable by another user, a group or everyone: the why
// names them, through `ids` when given) or world-writable, each as "ENTRY (why)". A missing
// directory only root can create is no way in. $ORIGIN is the binary's directory.
std::vector<std::string> unsafe_search_paths(const Sysroot& root, const std::string& binary, const ElfInfo& info,
                                             const IdentityTable* ids = nullptr);

// The FORTIFY_SOURCE verdict of a binary from its imports: "fortified" (some __*_chk),
// "not-needed" (nothing fortifiable) or "unfortified" (at least kFortifyDecidableImports
// fortifiable imports, none checked); nullopt below that, where a fortified build whose
// buffer sizes the compiler did not know imports exactly what an unfortified one does.
inline constexpr int kFortifyDecidableImports = 3;
std::optional<std::string> fortify_verdict(const ElfInfo& info);

// The fields of an analysed binary in the collector's layout (exposure fields unset).
Fact elf_info_fact(const std::string& path, const ElfInfo& info);

}  // namespace triad::scanner
