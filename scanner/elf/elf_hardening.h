// SPDX-License-Identifier: Apache-2.0
// The ELF reader: hardening properties of one executable or shared object (PIE, NX,
// canary, RELRO, FORTIFY, RPATH/RUNPATH, CET, stripped, interpreter), through libelf.
// Reads only headers, program headers, the dynamic section, symbols and notes, every
// offset checked against the file size; a hostile file gives an error, never a crash.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

struct ElfInfo {
    std::string kind;        // exec | pie | dso | static | static-pie
    bool pie = false;        // loaded at a random address (ET_DYN)
    bool nx = false;         // PT_GNU_STACK without PF_X
    bool canary = false;     // __stack_chk_fail / __stack_chk_guard referenced or defined
    std::string relro;       // full | partial | none
    int fortified = 0;       // distinct __X_chk functions imported
    int fortifiable = 0;     // distinct imported functions that have a __X_chk variant
    std::vector<std::string> rpath;    // DT_RPATH entries, in order
    std::vector<std::string> runpath;  // DT_RUNPATH entries, in order
    bool cet_ibt = false;    // .note.gnu.property: x86 IBT
    bool cet_shstk = false;  // .note.gnu.property: x86 shadow stack
    bool stripped = true;    // no .symtab
    bool textrel = false;    // DT_TEXTREL / DF_TEXTREL: code pages patched at load time
    std::string interpreter; // PT_INTERP; empty when none
    int bits = 64;           // 32 or 64
    bool big_endian = false;
    std::string machine;     // "x86-64", "i386", "aarch64", ... or "machine N"
};

// Error codes that mean "not a binary to judge" rather than "a damaged binary".
// ErrorCode::unsupported: not an ELF file, or an ELF file that is neither an executable
// nor a shared object (relocatable objects, core files).
inline bool is_not_a_binary(const Error& e) { return e.code == ErrorCode::unsupported; }

// Analyses an ELF image held in memory (tests, the fuzzer). `where` names it in errors.
Result<ElfInfo> analyze_elf_image(std::span<const char> image, const std::string& where);

// Analyses an open regular file of `size` bytes, reading only what it needs.
Result<ElfInfo> analyze_elf_fd(int fd, std::uint64_t size, const std::string& where);

// Opens `path` inside the root and analyses it. A symlink is not followed (error
// unsupported: "is a symbolic link"); a FIFO, device, socket or directory is refused
// without being opened for reading.
Result<ElfInfo> read_elf(const Sysroot& root, std::string_view path);

// As read_elf, but a final symlink is followed (inside the root): for names a user typed.
Result<ElfInfo> read_elf_following(const Sysroot& root, std::string_view path);

// The first bytes are "\x7fELF".
bool has_elf_magic(std::span<const char> head);

}  // namespace triad::scanner
