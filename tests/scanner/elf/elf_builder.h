// SPDX-License-Identifier: Apache-2.0
// Writes small ELF files byte by byte for tests and fuzz seeds: 32- or 64-bit, little- or
// big-endian, with exactly the headers, dynamic entries, symbols and notes asked for. The
// gcc-built fixtures cover what this machine's toolchain makes; these cover the rest
// (other byte orders and word sizes, sections stripped, shapes a linker would not emit).
#pragma once

#include <elf.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace triad::test {

struct ElfSpec {
    bool is64 = true;
    bool big_endian = false;
    std::uint16_t type = ET_DYN;
    std::uint16_t machine = EM_X86_64;
    std::string interp;                // PT_INTERP; empty: none
    bool gnu_stack = true;             // PT_GNU_STACK present
    bool exec_stack = false;           // ... with PF_X
    bool relro = false;                // PT_GNU_RELRO over the dynamic section
    bool dynamic = true;               // PT_DYNAMIC with symbol tables
    std::vector<std::pair<std::int64_t, std::uint64_t>> tags;  // extra dynamic entries
    std::vector<std::string> rpath, runpath;  // one DT_RPATH / DT_RUNPATH entry each
    std::vector<std::string> imports;  // undefined functions in .dynsym
    std::vector<std::string> exports;  // defined functions in .dynsym
    bool property_note = false;        // .note.gnu.property with x86 features
    std::uint32_t x86_features = 0;    // GNU_PROPERTY_X86_FEATURE_1_{IBT,SHSTK}
    bool section_headers = true;       // .dynsym/.dynstr/.shstrtab sections
    bool symtab = false;               // a .symtab (not stripped) listing `locals`
    std::vector<std::string> locals;   // defined functions in .symtab
    bool gnu_hash = false;             // DT_GNU_HASH instead of DT_HASH
};

class ElfWriter {
public:
    ElfWriter(bool is64, bool big) : is64_(is64), big_(big) {}
    std::string bytes;
    void put(std::size_t at, std::uint64_t v, unsigned width) {
        if (bytes.size() < at + width) bytes.resize(at + width);
        for (unsigned i = 0; i < width; ++i)
            bytes[at + i] = static_cast<char>(v >> (8 * (big_ ? width - 1 - i : i)));
    }
    void word(std::size_t& at, std::uint64_t v) { put(at, v, is64_ ? 8 : 4), at += is64_ ? 8 : 4; }
    void u32(std::size_t& at, std::uint64_t v) { put(at, v, 4), at += 4; }
    void u16(std::size_t& at, std::uint64_t v) { put(at, v, 2), at += 2; }
    void u8(std::size_t& at, std::uint64_t v) { put(at, v, 1), at += 1; }
    void raw(std::size_t at, const std::string& s) {
        if (bytes.size() < at + s.size()) bytes.resize(at + s.size());
        bytes.replace(at, s.size(), s);
    }

private:
    bool is64_, big_;
};

inline std::string build_elf(const ElfSpec& s) {
    const bool w64 = s.is64;
    const std::size_t ehsize = w64 ? 64 : 52, phsize = w64 ? 56 : 32, shsize = w64 ? 64 : 40;
    const std::size_t symsize = w64 ? 24 : 16, dynsize = w64 ? 16 : 8;
    const std::uint64_t base = 0x10000;
    auto align = [](std::size_t v, std::size_t a) { return (v + a - 1) / a * a; };

    // String table: "\0" then every name.
    std::string dynstr(1, '\0');
    auto add_str = [](std::string& table, const std::string& str) {
        std::size_t at = table.size();
        table += str;
        table += '\0';
        return at;
    };
    std::vector<std::pair<std::size_t, bool>> syms;  // name offset, defined
    for (const auto& n : s.imports) syms.emplace_back(add_str(dynstr, n), false);
    for (const auto& n : s.exports) syms.emplace_back(add_str(dynstr, n), true);
    std::vector<std::size_t> rpath_at, runpath_at;
    for (const auto& r : s.rpath) rpath_at.push_back(add_str(dynstr, r));
    for (const auto& r : s.runpath) runpath_at.push_back(add_str(dynstr, r));

    std::vector<std::uint32_t> phdr_types{PT_LOAD};
    if (!s.interp.empty()) phdr_types.push_back(PT_INTERP);
    if (s.dynamic) phdr_types.push_back(PT_DYNAMIC);
    if (s.gnu_stack) phdr_types.push_back(PT_GNU_STACK);
    if (s.relro && s.dynamic) phdr_types.push_back(PT_GNU_RELRO);
    if (s.property_note) {
        phdr_types.push_back(PT_NOTE);
        phdr_types.push_back(PT_GNU_PROPERTY);
    }

    // Layout.
    std::size_t at = ehsize;
    const std::size_t phoff = at;
    at += phsize * phdr_types.size();
    const std::size_t interp_off = at = align(at, 8);
    at += s.interp.size() + (s.interp.empty() ? 0 : 1);
    const std::size_t note_off = at = align(at, 8);
    const std::size_t note_desc = w64 ? 16 : 12;
    const std::size_t note_size = s.property_note ? 16 + note_desc : 0;
    at += note_size;
    const std::size_t dynstr_off = at = align(at, 8);
    at += dynstr.size();
    const std::size_t nsyms = syms.size() + 1;
    const std::size_t dynsym_off = at = align(at, 8);
    at += nsyms * symsize;
    const std::size_t hash_off = at = align(at, 8);
    const std::size_t bloom_words = 1;
    const std::size_t hash_size = s.gnu_hash ? 16 + bloom_words * (w64 ? 8 : 4) + 4 + 4 * (nsyms - 1) : 4 * (2 + 1 + nsyms);
    at += hash_size;
    std::vector<std::pair<std::int64_t, std::uint64_t>> dyn{
        {DT_STRTAB, base + dynstr_off}, {DT_STRSZ, dynstr.size()}, {DT_SYMTAB, base + dynsym_off}, {DT_SYMENT, symsize},
        {s.gnu_hash ? DT_GNU_HASH : DT_HASH, base + hash_off}};
    for (auto r : rpath_at) dyn.emplace_back(DT_RPATH, r);
    for (auto r : runpath_at) dyn.emplace_back(DT_RUNPATH, r);
    for (auto t : s.tags) dyn.push_back(t);
    dyn.emplace_back(DT_NULL, 0);
    const std::size_t dynamic_off = at = align(at, 8);
    const std::size_t dynamic_size = s.dynamic ? dyn.size() * dynsize : 0;
    at += dynamic_size;
    std::string strtab(1, '\0');
    std::vector<std::size_t> local_at;
    for (const auto& n : s.locals) local_at.push_back(add_str(strtab, n));
    const std::size_t symtab_off = at = align(at, 8);
    const std::size_t symtab_size = s.symtab ? (local_at.size() + 1) * symsize : 0;
    at += symtab_size;
    const std::size_t strtab_off = at;
    at += s.symtab ? strtab.size() : 0;
    std::string shstr(1, '\0');
    const std::size_t n_dynsym = add_str(shstr, ".dynsym"), n_dynstr = add_str(shstr, ".dynstr"),
                      n_shstr = add_str(shstr, ".shstrtab"), n_symtab = add_str(shstr, ".symtab"),
                      n_strtab = add_str(shstr, ".strtab");
    const std::size_t shstr_off = at;
    at += s.section_headers ? shstr.size() : 0;
    const std::size_t shoff = at = align(at, 8);
    const std::size_t shnum = s.section_headers ? (s.symtab ? 6 : 4) : 0;
    const std::size_t total = shoff + shnum * shsize;

    ElfWriter w(w64, s.big_endian);
    w.bytes.assign(total, '\0');
    // ELF header.
    w.raw(0, std::string("\x7f" "ELF", 4));
    std::size_t p = 4;
    w.u8(p, w64 ? ELFCLASS64 : ELFCLASS32);
    w.u8(p, s.big_endian ? ELFDATA2MSB : ELFDATA2LSB);
    w.u8(p, EV_CURRENT);
    p = 16;
    w.u16(p, s.type);
    w.u16(p, s.machine);
    w.u32(p, EV_CURRENT);
    w.word(p, base + total);  // e_entry: anywhere
    w.word(p, phoff);
    w.word(p, shnum ? shoff : 0);
    w.u32(p, 0);
    w.u16(p, ehsize);
    w.u16(p, phsize);
    w.u16(p, phdr_types.size());
    w.u16(p, shsize);
    w.u16(p, shnum);
    w.u16(p, shnum ? 3 : 0);  // .shstrtab

    auto phdr = [&](std::size_t index, std::uint32_t type, std::uint32_t flags, std::uint64_t off, std::uint64_t size,
                    std::uint64_t alignment) {
        std::size_t q = phoff + index * phsize;
        w.u32(q, type);
        if (w64) w.u32(q, flags);
        w.word(q, off);
        w.word(q, base + off);
        w.word(q, base + off);
        w.word(q, size);
        w.word(q, size);
        if (!w64) w.u32(q, flags);
        w.word(q, alignment);
    };
    for (std::size_t i = 0; i < phdr_types.size(); ++i) {
        switch (phdr_types[i]) {
            case PT_LOAD: phdr(i, PT_LOAD, PF_R | PF_X, 0, total, 0x1000); break;
            case PT_INTERP: phdr(i, PT_INTERP, PF_R, interp_off, s.interp.size() + 1, 1); break;
            case PT_DYNAMIC: phdr(i, PT_DYNAMIC, PF_R | PF_W, dynamic_off, dynamic_size, 8); break;
            case PT_GNU_STACK: phdr(i, PT_GNU_STACK, PF_R | PF_W | (s.exec_stack ? PF_X : 0), 0, 0, 16); break;
            case PT_GNU_RELRO: phdr(i, PT_GNU_RELRO, PF_R, dynamic_off, dynamic_size, 1); break;
            case PT_NOTE: phdr(i, PT_NOTE, PF_R, note_off, note_size, w64 ? 8 : 4); break;
            case PT_GNU_PROPERTY: phdr(i, PT_GNU_PROPERTY, PF_R, note_off, note_size, w64 ? 8 : 4); break;
        }
    }
    if (!s.interp.empty()) w.raw(interp_off, s.interp);
    if (s.property_note) {
        std::size_t q = note_off;
        w.u32(q, 4);
        w.u32(q, note_desc);
        w.u32(q, NT_GNU_PROPERTY_TYPE_0);
        w.raw(q, std::string("GNU\0", 4));
        q += 4;
        w.u32(q, GNU_PROPERTY_X86_FEATURE_1_AND);
        w.u32(q, 4);
        w.u32(q, s.x86_features);
    }
    w.raw(dynstr_off, dynstr);
    auto sym = [&](std::size_t off, std::size_t name, bool defined) {
        std::size_t q = off;
        const unsigned info = (STB_GLOBAL << 4) | STT_FUNC;
        if (w64) {
            w.u32(q, name), w.u8(q, info), w.u8(q, 0), w.u16(q, defined ? 1 : SHN_UNDEF), w.word(q, defined ? base : 0),
                w.word(q, 0);
        } else {
            w.u32(q, name), w.word(q, defined ? base : 0), w.word(q, 0), w.u8(q, info), w.u8(q, 0),
                w.u16(q, defined ? 1 : SHN_UNDEF);
        }
    };
    for (std::size_t i = 0; i < syms.size(); ++i) sym(dynsym_off + (i + 1) * symsize, syms[i].first, syms[i].second);
    {
        std::size_t q = hash_off;
        if (s.gnu_hash) {  // one bucket holding symbols 1..n-1, chain ends on the last
            w.u32(q, 1), w.u32(q, 1), w.u32(q, bloom_words), w.u32(q, 0);
            w.word(q, ~std::uint64_t{0});
            w.u32(q, nsyms > 1 ? 1 : 0);
            for (std::size_t i = 1; i < nsyms; ++i) w.u32(q, i + 1 == nsyms ? 1 : 0);
        } else {
            w.u32(q, 1), w.u32(q, nsyms), w.u32(q, 0);
            for (std::size_t i = 0; i < nsyms; ++i) w.u32(q, 0);
        }
    }
    if (s.dynamic) {
        std::size_t q = dynamic_off;
        for (auto [tag, val] : dyn) w.word(q, static_cast<std::uint64_t>(tag)), w.word(q, val);
    }
    if (s.symtab) {
        for (std::size_t i = 0; i < local_at.size(); ++i) sym(symtab_off + (i + 1) * symsize, local_at[i], true);
        w.raw(strtab_off, strtab);
    }
    if (shnum) {
        w.raw(shstr_off, shstr);
        auto shdr = [&](std::size_t index, std::size_t name, std::uint32_t type, std::uint64_t off, std::uint64_t size,
                        std::uint32_t link, std::uint64_t entsize) {
            std::size_t q = shoff + index * shsize;
            w.u32(q, name), w.u32(q, type), w.word(q, type == SHT_DYNSYM || off == dynstr_off ? SHF_ALLOC : 0);
            w.word(q, type == SHT_DYNSYM || off == dynstr_off ? base + off : 0), w.word(q, off), w.word(q, size);
            w.u32(q, link), w.u32(q, 1), w.word(q, 8), w.word(q, entsize);
        };
        shdr(1, n_dynsym, SHT_DYNSYM, dynsym_off, nsyms * symsize, 2, symsize);
        shdr(2, n_dynstr, SHT_STRTAB, dynstr_off, dynstr.size(), 0, 0);
        shdr(3, n_shstr, SHT_STRTAB, shstr_off, shstr.size(), 0, 0);
        if (s.symtab) {
            shdr(4, n_symtab, SHT_SYMTAB, symtab_off, symtab_size, 5, symsize);
            shdr(5, n_strtab, SHT_STRTAB, strtab_off, strtab.size(), 0, 0);
        }
    }
    return w.bytes;
}

}  // namespace triad::test
