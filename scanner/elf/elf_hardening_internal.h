// SPDX-License-Identifier: Apache-2.0
// Pure helpers of the ELF reader: byte-level parsing and the decisions that turn raw ELF
// facts into hardening properties. Kept apart so tests can drive them with exact inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace triad::scanner::elf_internal {

// A PT_LOAD segment, enough to turn a virtual address from the dynamic section into a
// file offset.
struct LoadSegment {
    std::uint64_t vaddr = 0;
    std::uint64_t offset = 0;
    std::uint64_t filesz = 0;
};

// offset + size lies within a file of file_size bytes (without overflowing).
inline bool in_file(std::uint64_t offset, std::uint64_t size, std::uint64_t file_size) {
    return offset <= file_size && size <= file_size - offset;
}

// The file offset of [vaddr, vaddr + size) when one loadable segment holds all of it in
// the file (not in its zero-filled tail).
std::optional<std::uint64_t> vaddr_to_offset(std::span<const LoadSegment> loads, std::uint64_t vaddr,
                                             std::uint64_t size);

// Reads an unsigned integer of `width` bytes (2, 4 or 8) in the file's byte order.
std::uint64_t read_uint(const unsigned char* p, unsigned width, bool big_endian);

struct NoteInfo {
    bool ibt = false;          // GNU_PROPERTY_X86_FEATURE_1_AND: IBT
    bool shstk = false;        // ... SHSTK
    bool gnu_abi_tag = false;  // NT_GNU_ABI_TAG: glibc's start files were linked in
};

// Walks the notes of a PT_NOTE segment (`align` is its p_align: 4 or 8), reading
// GNU_PROPERTY_X86_FEATURE_1_AND from an NT_GNU_PROPERTY_TYPE_0 "GNU" note and noting an
// NT_GNU_ABI_TAG. A note or property that runs past the segment is an error naming it.
Result<NoteInfo> parse_notes(std::span<const unsigned char> notes, bool big_endian, bool is64, std::uint64_t align);

// The number of symbols a DT_GNU_HASH table implies: one past the highest index any
// bucket chain reaches. `table` runs from the table's start to the end of its segment.
Result<std::uint64_t> gnu_hash_symbol_count(std::span<const unsigned char> table, bool big_endian, bool is64);

// exec | pie | dso | static | static-pie, from the header type and what the dynamic
// section says. Only ET_EXEC and ET_DYN reach this.
struct KindInputs {
    bool et_dyn = false;
    bool has_interp = false;   // PT_INTERP
    bool has_dynamic = false;  // PT_DYNAMIC
    bool flag_pie = false;     // DF_1_PIE in DT_FLAGS_1
    bool has_debug = false;    // DT_DEBUG: ld adds it to executables, not to libraries
};
const char* classify_kind(const KindInputs& in);

// full | partial | none. Dynamic objects need PT_GNU_RELRO and BIND_NOW. An object
// without a dynamic section cannot record BIND_NOW: it is full when its GOT lies inside
// the RELRO segment and its runtime write-protects that segment (got_in_relro; nullopt
// when section headers cannot tell).
const char* decide_relro(bool relro_segment, bool has_dynamic, bool bind_now, std::optional<bool> got_in_relro);

// __stack_chk_fail, __stack_chk_guard (and the i386 local variant) mark canary code.
bool is_canary_symbol(std::string_view name);

enum class FortifyRole { none, fortified, fortifiable };
// fortified: a glibc __X_chk function; fortifiable: a plain X (or an underscore alias of
// it, __stpcpy) that has one.
FortifyRole fortify_role(std::string_view name);

// DT_RPATH / DT_RUNPATH value split at ':' (an empty element means the working directory
// to ld.so, so it is kept as "").
std::vector<std::string> split_search_path(std::string_view value);

}  // namespace triad::scanner::elf_internal
