// SPDX-License-Identifier: Apache-2.0
// Pure helpers of the ELF reader (see elf_hardening_internal.h): byte-order-aware parsing
// of property notes and GNU hash tables, and the rules that name kind, RELRO and FORTIFY.
#include "scanner/elf/elf_hardening_internal.h"

#include <elf.h>

#include <algorithm>
#include <array>

namespace triad::scanner::elf_internal {
namespace {

// glibc's fortified functions: the __X_chk entry points glibc 2.36 (Debian 12) exports and
// its headers call under _FORTIFY_SOURCE. strlcpy and friends are left out: before glibc
// 2.38 they come from libbsd, which has no checked variants. Sorted for binary search.
constexpr std::array<std::string_view, 79> kFortifiable = {
    "asprintf", "confstr", "dprintf", "explicit_bzero", "fdelt", "fgets", "fgets_unlocked", "fgetws",
    "fgetws_unlocked", "fprintf", "fread", "fread_unlocked", "fwprintf", "getcwd", "getdomainname", "getgroups",
    "gethostname", "getlogin_r", "gets", "getwd", "longjmp", "mbsnrtowcs", "mbsrtowcs", "mbstowcs", "memcpy",
    "memmove", "mempcpy", "memset", "obstack_printf", "obstack_vprintf", "poll", "ppoll", "pread", "pread64",
    "printf", "ptsname_r", "read", "readlink", "readlinkat", "realpath", "recv", "recvfrom", "snprintf",
    "sprintf", "stpcpy", "stpncpy", "strcat", "strcpy", "strncat", "strncpy", "swprintf", "syslog", "ttyname_r",
    "vasprintf", "vdprintf", "vfprintf", "vfwprintf", "vprintf", "vsnprintf", "vsprintf", "vswprintf",
    "vsyslog", "vwprintf", "wcpcpy", "wcpncpy", "wcrtomb", "wcscat", "wcscpy", "wcsncat", "wcsncpy",
    "wcsnrtombs", "wcsrtombs", "wcstombs", "wctomb", "wmemcpy", "wmemmove", "wmempcpy", "wmemset", "wprintf",
};

static_assert(std::is_sorted(kFortifiable.begin(), kFortifiable.end()));

bool is_fortifiable_base(std::string_view name) {
    return std::binary_search(kFortifiable.begin(), kFortifiable.end(), name);
}

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace

std::optional<std::uint64_t> vaddr_to_offset(std::span<const LoadSegment> loads, std::uint64_t vaddr,
                                             std::uint64_t size) {
    for (const LoadSegment& s : loads) {
        if (vaddr < s.vaddr) continue;
        const std::uint64_t delta = vaddr - s.vaddr;
        if (delta > s.filesz || size > s.filesz - delta) continue;
        if (s.offset > UINT64_MAX - delta) continue;
        return s.offset + delta;
    }
    return std::nullopt;
}

std::uint64_t read_uint(const unsigned char* p, unsigned width, bool big_endian) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) {
        const unsigned shift = 8 * (big_endian ? width - 1 - i : i);
        v |= std::uint64_t{p[i]} << shift;
    }
    return v;
}

Result<NoteInfo> parse_notes(std::span<const unsigned char> notes, bool big_endian, bool is64, std::uint64_t align) {
    NoteInfo bits;
    // Notes in an 8-aligned segment pad name and descriptor to 8 (gABI for 64-bit
    // property notes); everything else pads to 4.
    const std::uint64_t pad = align == 8 ? 8 : 4;
    const std::uint64_t prop_pad = is64 ? 8 : 4;
    std::uint64_t off = 0;
    while (off < notes.size()) {
        if (notes.size() - off < 12) return Error{ErrorCode::invalid_input, "note header runs past its segment", ""};
        const unsigned char* h = notes.data() + off;
        const std::uint64_t namesz = read_uint(h, 4, big_endian);
        const std::uint64_t descsz = read_uint(h + 4, 4, big_endian);
        const std::uint64_t type = read_uint(h + 8, 4, big_endian);
        const std::uint64_t name_off = off + 12;
        // Padding aligns the descriptor and the next note to `pad` within the segment.
        const std::uint64_t desc_off = align_up(name_off + namesz, pad);
        const std::uint64_t next = align_up(desc_off + descsz, pad);
        if (desc_off > notes.size() || descsz > notes.size() - desc_off)
            return Error{ErrorCode::invalid_input, "note name or descriptor runs past its segment", ""};
        const bool gnu = namesz == 4 && std::equal(h + 12, h + 16, reinterpret_cast<const unsigned char*>("GNU\0"));
        if (gnu && type == NT_GNU_ABI_TAG) bits.gnu_abi_tag = true;
        if (gnu && type == NT_GNU_PROPERTY_TYPE_0) {
            const unsigned char* d = notes.data() + desc_off;
            std::uint64_t p = 0;
            while (p < descsz) {
                if (descsz - p < 8) return Error{ErrorCode::invalid_input, "GNU property header runs past its note", ""};
                const std::uint64_t pr_type = read_uint(d + p, 4, big_endian);
                const std::uint64_t pr_size = read_uint(d + p + 4, 4, big_endian);
                if (pr_size > descsz - p - 8)
                    return Error{ErrorCode::invalid_input, "GNU property data runs past its note", ""};
                if (pr_type == GNU_PROPERTY_X86_FEATURE_1_AND && pr_size >= 4) {
                    const std::uint64_t features = read_uint(d + p + 8, 4, big_endian);
                    bits.ibt = features & GNU_PROPERTY_X86_FEATURE_1_IBT;
                    bits.shstk = features & GNU_PROPERTY_X86_FEATURE_1_SHSTK;
                }
                p += 8 + align_up(pr_size, prop_pad);
            }
        }
        if (next <= off) break;  // cannot happen with the checks above; guards the loop anyway
        off = next;
    }
    return bits;
}

Result<std::uint64_t> gnu_hash_symbol_count(std::span<const unsigned char> table, bool big_endian, bool is64) {
    auto malformed = [](const char* what) { return Error{ErrorCode::invalid_input, what, ""}; };
    if (table.size() < 16) return malformed("DT_GNU_HASH header runs past its segment");
    const std::uint64_t nbuckets = read_uint(table.data(), 4, big_endian);
    const std::uint64_t symoffset = read_uint(table.data() + 4, 4, big_endian);
    const std::uint64_t bloom_size = read_uint(table.data() + 8, 4, big_endian);
    const std::uint64_t word = is64 ? 8 : 4;
    const std::uint64_t buckets_off = 16 + bloom_size * word;  // both factors < 2^32: no overflow
    if (buckets_off > table.size() || nbuckets > (table.size() - buckets_off) / 4)
        return malformed("DT_GNU_HASH buckets run past their segment");
    std::uint64_t highest = 0;
    for (std::uint64_t i = 0; i < nbuckets; ++i)
        highest = std::max(highest, read_uint(table.data() + buckets_off + 4 * i, 4, big_endian));
    if (highest < symoffset) return symoffset;  // every bucket empty
    // Follow the chain of the highest bucket to its end (low bit set).
    const std::uint64_t chain_off = buckets_off + 4 * nbuckets;
    for (std::uint64_t index = highest;; ++index) {
        const std::uint64_t at = chain_off + 4 * (index - symoffset);
        if (at < chain_off || at > table.size() || table.size() - at < 4)
            return malformed("DT_GNU_HASH chain runs past its segment");
        if (read_uint(table.data() + at, 4, big_endian) & 1) return index + 1;
    }
}

const char* classify_kind(const KindInputs& in) {
    if (!in.et_dyn) return in.has_interp ? "exec" : "static";
    // readelf's rule (DF_1_PIE) first; DT_DEBUG, which ld gives executables only, for
    // binaries linked before DF_1_PIE existed. An interpreter alone does not make a PIE:
    // libc.so.6 and pam_cap.so can be run, and are still libraries.
    const bool executable = in.flag_pie || in.has_debug;
    if (!executable) return "dso";
    return in.has_interp ? "pie" : "static-pie";
}

const char* decide_relro(bool relro_segment, bool has_dynamic, bool bind_now, std::optional<bool> got_in_relro) {
    if (!relro_segment) return "none";
    if (has_dynamic) return bind_now ? "full" : "partial";
    return got_in_relro.value_or(false) ? "full" : "partial";
}

bool is_canary_symbol(std::string_view name) {
    return name == "__stack_chk_fail" || name == "__stack_chk_guard" || name == "__stack_chk_fail_local";
}

FortifyRole fortify_role(std::string_view name) {
    if (name.size() > 6 && name.starts_with("__") && name.ends_with("_chk") &&
        is_fortifiable_base(name.substr(2, name.size() - 6)))
        return FortifyRole::fortified;
    // glibc's underscore aliases (__stpcpy, __mempcpy, _longjmp) are the same calls.
    std::string_view plain = name;
    while (plain.starts_with('_')) plain.remove_prefix(1);
    if (is_fortifiable_base(plain)) return FortifyRole::fortifiable;
    return FortifyRole::none;
}

std::vector<std::string> split_search_path(std::string_view value) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t colon = value.find(':', start);
        out.emplace_back(value.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    return out;
}

}  // namespace triad::scanner::elf_internal
