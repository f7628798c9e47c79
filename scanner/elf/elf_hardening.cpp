// SPDX-License-Identifier: Apache-2.0
// The ELF reader (see elf_hardening.h). libelf reads and byte-swaps headers, the dynamic
// section and symbols; every offset and size is checked here against the file size
// before libelf is asked for it, so a hostile file ends in an Error that names the part.
#include "scanner/elf/elf_hardening.h"

#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>

#include "scanner/elf/elf_hardening_internal.h"
#include "scanner/core/sysroot_open.h"

namespace triad::scanner {
namespace {

using namespace elf_internal;

// Bounds on what one file may make us read; real binaries stay far below them.
constexpr std::uint64_t kMaxInterpBytes = 4096;
constexpr std::uint64_t kMaxNoteBytes = 64 * 1024;
constexpr std::size_t kMaxNoteSegments = 16;
constexpr std::uint64_t kMaxTableBytes = std::uint64_t{32} << 20;  // one symbol or string table
constexpr std::uint64_t kMaxDynamicBytes = 1 << 20;                 // real ones are under 1 KiB
constexpr std::uint64_t kMaxSections = 65535;
constexpr std::uint64_t kMaxProgramHeaders = 65535;

// libelf (elfutils, built without thread safety) needs elf_version once per process
// before any elf_begin; each thread then works on its own Elf*.
bool libelf_ready() {
    static std::once_flag once;
    static bool ready = false;
    std::call_once(once, [] { ready = elf_version(EV_CURRENT) != EV_NONE; });
    return ready;
}

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string libelf_message() {
    const char* m = elf_errmsg(-1);
    return m ? m : "unknown libelf error";
}

std::string machine_name(unsigned machine) {
    switch (machine) {
        case EM_X86_64: return "x86-64";
        case EM_386: return "i386";
        case EM_AARCH64: return "aarch64";
        case EM_ARM: return "arm";
        case EM_PPC64: return "ppc64";
        case EM_PPC: return "ppc";
        case EM_S390: return "s390";
        case EM_MIPS: return "mips";
        case EM_RISCV: return "riscv";
        case EM_SPARCV9: return "sparc64";
        case 258: return "loongarch";  // EM_LOONGARCH, newer than some <elf.h>
    }
    return "machine " + std::to_string(machine);
}

struct Table {
    bool present = false;
    std::uint64_t offset = 0, size = 0;          // symbols
    std::uint64_t str_offset = 0, str_size = 0;  // their names
};

class Analyzer {
public:
    Analyzer(Elf* elf, std::uint64_t file_size, const std::string& where)
        : elf_(elf), size_(file_size), where_(where) {}

    Result<ElfInfo> run();

private:
    Error bad(std::string message) const { return Error{ErrorCode::invalid_input, std::move(message), where_}; }

    // A chunk of the file, converted to host order as `type`; bounds checked first.
    Result<Elf_Data*> chunk(std::uint64_t offset, std::uint64_t size, Elf_Type type, const std::string& what);
    Status read_program_headers();
    Status read_dynamic();
    Status read_sections();
    Status read_dynamic_strings();
    Status locate_dynamic_symbols();
    Status scan_symbols(const Table& table, bool is_dynsym, const char* what);
    Status read_notes();

    Elf* elf_;
    std::uint64_t size_;
    const std::string& where_;
    GElf_Ehdr ehdr_{};
    bool is64_ = true, big_ = false;
    ElfInfo info_;

    std::vector<LoadSegment> loads_;
    std::vector<GElf_Phdr> notes_;
    bool has_dynamic_ = false, has_relro_ = false, has_stack_ = false, exec_stack_ = false;
    GElf_Phdr dynamic_{}, relro_{};

    std::uint64_t flags_ = 0, flags_1_ = 0;
    bool bind_now_tag_ = false, debug_tag_ = false;
    bool gnu_abi_tag_ = false;
    std::vector<std::uint64_t> rpath_at_, runpath_at_;  // offsets into the dynamic strings
    std::optional<std::uint64_t> strtab_, strsz_, symtab_, hash_, gnu_hash_;
    const char* dynstr_ = nullptr;
    std::uint64_t dynstr_size_ = 0;

    Table dynsym_, symtab_section_;
    std::optional<bool> got_in_relro_;
    bool canary_ = false;
    std::set<std::string_view> fortified_, fortifiable_;
};

Result<Elf_Data*> Analyzer::chunk(std::uint64_t offset, std::uint64_t size, Elf_Type type, const std::string& what) {
    if (!in_file(offset, size, size_))
        return bad(what + " (offset " + hex(offset) + ", " + std::to_string(size) + " bytes) extends past the end of the file (" +
                   std::to_string(size_) + " bytes)");
    Elf_Data* data = elf_getdata_rawchunk(elf_, static_cast<std::int64_t>(offset), size, type);
    if (!data) return bad("cannot read " + what + ": " + libelf_message());
    return data;
}

Status Analyzer::read_program_headers() {
    // The header's own numbers are checked before libelf reads the table: its errors are
    // vaguer ("invalid data"), and some it does not report at all.
    std::size_t count = ehdr_.e_phnum;
    if (count == 0) return bad("no program headers: not loadable");
    const std::size_t entry = gelf_fsize(elf_, ELF_T_PHDR, 1, EV_CURRENT);
    if (ehdr_.e_phentsize != entry)
        return bad("program header entry size " + std::to_string(ehdr_.e_phentsize) + ", expected " + std::to_string(entry));
    if (count == PN_XNUM) {  // the real count is in section 0's sh_info
        if (elf_getphdrnum(elf_, &count) != 0) return bad("program header count PN_XNUM: " + libelf_message());
        if (count == 0) return bad("program header count PN_XNUM, but section 0 gives none");
    }
    if (count > size_ / entry || !in_file(ehdr_.e_phoff, count * entry, size_))
        return bad("program header table (offset " + hex(ehdr_.e_phoff) + ", " + std::to_string(count) +
                   " entries) extends past the end of the file (" + std::to_string(size_) + " bytes)");
    bool interp_seen = false;
    for (std::size_t i = 0; i < count; ++i) {
        GElf_Phdr ph{};
        if (!gelf_getphdr(elf_, static_cast<int>(i), &ph)) return bad("program header " + std::to_string(i) + ": " + libelf_message());
        switch (ph.p_type) {
            case PT_LOAD:
                if (!in_file(ph.p_offset, ph.p_filesz, size_))
                    return bad("loadable segment " + std::to_string(i) + " extends past the end of the file");
                loads_.push_back({ph.p_vaddr, ph.p_offset, ph.p_filesz});
                break;
            case PT_INTERP: {
                if (interp_seen) break;
                interp_seen = true;
                if (ph.p_filesz == 0 || ph.p_filesz > kMaxInterpBytes)
                    return bad("PT_INTERP of " + std::to_string(ph.p_filesz) + " bytes");
                auto data = chunk(ph.p_offset, ph.p_filesz, ELF_T_BYTE, "PT_INTERP");
                if (!data) return data.error();
                const char* s = static_cast<const char*>((*data)->d_buf);
                info_.interpreter.assign(s, strnlen(s, ph.p_filesz));
                if (info_.interpreter.empty()) return bad("PT_INTERP is empty");
                break;
            }
            case PT_DYNAMIC:
                if (!has_dynamic_) dynamic_ = ph;
                has_dynamic_ = true;
                break;
            case PT_GNU_RELRO:
                if (!has_relro_) relro_ = ph;
                has_relro_ = true;
                break;
            case PT_GNU_STACK:
                has_stack_ = true;
                exec_stack_ = (ph.p_flags & PF_X) != 0;
                break;
            case PT_NOTE:
                if (notes_.size() < kMaxNoteSegments) notes_.push_back(ph);
                break;
            default: break;
        }
    }
    return ok();
}

Status Analyzer::read_dynamic() {
    if (!has_dynamic_) return ok();
    const std::size_t entry = gelf_fsize(elf_, ELF_T_DYN, 1, EV_CURRENT);
    const std::uint64_t bytes = dynamic_.p_filesz / entry * entry;
    if (bytes == 0) return bad("PT_DYNAMIC holds no entries");
    if (bytes > kMaxDynamicBytes) return bad("dynamic section of " + std::to_string(bytes) + " bytes; not read");
    auto data = chunk(dynamic_.p_offset, bytes, ELF_T_DYN, "dynamic section");
    if (!data) return data.error();
    for (std::uint64_t i = 0; i < bytes / entry; ++i) {
        GElf_Dyn d{};
        if (!gelf_getdyn(*data, static_cast<int>(i), &d)) return bad("dynamic entry " + std::to_string(i) + ": " + libelf_message());
        const std::uint64_t v = d.d_un.d_val;
        switch (d.d_tag) {
            case DT_NULL: return ok();
            case DT_FLAGS: flags_ |= v; break;
            case DT_FLAGS_1: flags_1_ |= v; break;
            case DT_BIND_NOW: bind_now_tag_ = true; break;
            case DT_DEBUG: debug_tag_ = true; break;
            case DT_TEXTREL: info_.textrel = true; break;
            case DT_RPATH: rpath_at_.push_back(v); break;
            case DT_RUNPATH: runpath_at_.push_back(v); break;
            case DT_STRTAB: strtab_ = v; break;
            case DT_STRSZ: strsz_ = v; break;
            case DT_SYMTAB: symtab_ = v; break;
            case DT_HASH: hash_ = v; break;
            case DT_GNU_HASH: gnu_hash_ = v; break;
            default: break;
        }
    }
    return ok();
}

Status Analyzer::read_dynamic_strings() {
    if (dynstr_ || !strtab_) return ok();
    if (!strsz_) return bad("DT_STRTAB without DT_STRSZ");
    if (*strsz_ > kMaxTableBytes) return bad("dynamic string table of " + std::to_string(*strsz_) + " bytes; not read");
    auto offset = vaddr_to_offset(loads_, *strtab_, *strsz_);
    if (!offset) return bad("DT_STRTAB " + hex(*strtab_) + " (" + std::to_string(*strsz_) + " bytes) lies in no loadable segment");
    auto data = chunk(*offset, *strsz_, ELF_T_BYTE, "dynamic string table");
    if (!data) return data.error();
    dynstr_ = static_cast<const char*>((*data)->d_buf);
    dynstr_size_ = *strsz_;
    return ok();
}

Status Analyzer::read_sections() {
    if (ehdr_.e_shoff == 0) return ok();  // no section headers (sstrip): nothing to read
    const std::size_t entry = gelf_fsize(elf_, ELF_T_SHDR, 1, EV_CURRENT);
    if (ehdr_.e_shentsize != entry)
        return bad("section header entry size " + std::to_string(ehdr_.e_shentsize) + ", expected " + std::to_string(entry));
    // e_shnum 0 with a table means the count is in section 0 (more than 65279 sections);
    // section 0 itself must then be inside the file.
    std::size_t count = ehdr_.e_shnum;
    if (count == 0) {
        if (!in_file(ehdr_.e_shoff, entry, size_))
            return bad("section header table (offset " + hex(ehdr_.e_shoff) + ") extends past the end of the file (" +
                       std::to_string(size_) + " bytes)");
        if (elf_getshdrnum(elf_, &count) != 0) return bad("section header count: " + libelf_message());
        if (count == 0) return ok();
    }
    if (count > size_ / entry || !in_file(ehdr_.e_shoff, count * entry, size_))
        return bad("section header table (offset " + hex(ehdr_.e_shoff) + ", " + std::to_string(count) +
                   " entries) extends past the end of the file (" + std::to_string(size_) + " bytes)");
    // Without a dynamic section RELRO depends on where the GOT is; that needs names.
    std::size_t names = 0;
    const bool want_got = !has_dynamic_ && has_relro_ && elf_getshdrstrndx(elf_, &names) == 0;
    if (want_got) got_in_relro_ = true;
    const std::size_t sym_entry = gelf_fsize(elf_, ELF_T_SYM, 1, EV_CURRENT);
    for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
        GElf_Shdr sh{};
        if (!gelf_getshdr(scn, &sh)) return bad("section header: " + libelf_message());
        if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
            Table& t = sh.sh_type == SHT_SYMTAB ? symtab_section_ : dynsym_;
            if (t.present) continue;
            const char* what = sh.sh_type == SHT_SYMTAB ? ".symtab" : ".dynsym";
            if (sh.sh_entsize != sym_entry) return bad(std::string(what) + " entry size " + std::to_string(sh.sh_entsize));
            GElf_Shdr str{};
            Elf_Scn* link = elf_getscn(elf_, sh.sh_link);
            if (!link || !gelf_getshdr(link, &str) || str.sh_type != SHT_STRTAB)
                return bad(std::string(what) + " links to section " + std::to_string(sh.sh_link) + ", not a string table");
            if (!in_file(sh.sh_offset, sh.sh_size, size_) || !in_file(str.sh_offset, str.sh_size, size_))
                return bad(std::string(what) + " or its strings extend past the end of the file");
            t = Table{true, sh.sh_offset, sh.sh_size / sym_entry * sym_entry, str.sh_offset, str.sh_size};
            if (sh.sh_type == SHT_SYMTAB) info_.stripped = false;
        } else if (want_got && (sh.sh_flags & SHF_ALLOC)) {
            const char* name = elf_strptr(elf_, names, sh.sh_name);
            if (name && (std::strcmp(name, ".got") == 0 || std::strcmp(name, ".got.plt") == 0)) {
                const bool inside = sh.sh_addr >= relro_.p_vaddr && sh.sh_size <= relro_.p_memsz &&
                                    sh.sh_addr - relro_.p_vaddr <= relro_.p_memsz - sh.sh_size;
                if (!inside) got_in_relro_ = false;
            }
        }
    }
    return ok();
}

// Without section headers the dynamic symbols are found as ld.so finds them: DT_SYMTAB,
// with their number taken from DT_HASH's nchain or the DT_GNU_HASH chains.
Status Analyzer::locate_dynamic_symbols() {
    if (dynsym_.present || !symtab_ || !strtab_) return ok();
    if (auto s = read_dynamic_strings(); !s) return s;
    std::uint64_t count = 0;
    if (hash_) {
        auto offset = vaddr_to_offset(loads_, *hash_, 8);
        if (!offset) return bad("DT_HASH " + hex(*hash_) + " lies in no loadable segment");
        auto data = chunk(*offset, 8, ELF_T_WORD, "DT_HASH header");
        if (!data) return data.error();
        count = static_cast<const std::uint32_t*>((*data)->d_buf)[1];
    } else if (gnu_hash_) {
        auto offset = vaddr_to_offset(loads_, *gnu_hash_, 16);
        if (!offset) return bad("DT_GNU_HASH " + hex(*gnu_hash_) + " lies in no loadable segment");
        std::uint64_t avail = 0;  // from the table to the end of its segment, capped
        for (const LoadSegment& s : loads_)
            if (*offset >= s.offset && *offset - s.offset < s.filesz) avail = s.filesz - (*offset - s.offset);
        avail = std::min(avail, kMaxTableBytes);
        auto data = chunk(*offset, avail, ELF_T_BYTE, "DT_GNU_HASH table");
        if (!data) return data.error();
        auto n = gnu_hash_symbol_count({static_cast<const unsigned char*>((*data)->d_buf), avail}, big_, is64_);
        if (!n) return bad(n.error().message);
        count = *n;
    } else {
        return ok();  // nothing says how many symbols there are; a linker always emits a hash
    }
    const std::uint64_t entry = gelf_fsize(elf_, ELF_T_SYM, 1, EV_CURRENT);
    if (count > kMaxTableBytes / entry) return bad("dynamic symbol count " + std::to_string(count) + " is implausible");
    auto offset = vaddr_to_offset(loads_, *symtab_, count * entry);
    if (!offset) return bad("DT_SYMTAB " + hex(*symtab_) + " (" + std::to_string(count) + " symbols) lies in no loadable segment");
    dynsym_ = Table{true, *offset, count * entry, 0, 0};
    return ok();
}

Status Analyzer::scan_symbols(const Table& table, bool is_dynsym, const char* what) {
    if (table.size > kMaxTableBytes) return bad(std::string(what) + " of " + std::to_string(table.size) + " bytes; not read");
    auto syms = chunk(table.offset, table.size, ELF_T_SYM, what);
    if (!syms) return syms.error();
    const char* strings = nullptr;
    std::uint64_t strings_size = 0;
    if (table.str_size > 0 || table.str_offset > 0) {
        if (table.str_size > kMaxTableBytes) return bad(std::string(what) + " strings of " + std::to_string(table.str_size) + " bytes; not read");
        auto str = chunk(table.str_offset, table.str_size, ELF_T_BYTE, std::string(what) + " strings");
        if (!str) return str.error();
        strings = static_cast<const char*>((*str)->d_buf);
        strings_size = table.str_size;
    } else {  // located through the dynamic section: names are in DT_STRTAB
        if (auto s = read_dynamic_strings(); !s) return s;
        strings = dynstr_;
        strings_size = dynstr_size_;
    }
    const std::uint64_t count = table.size / gelf_fsize(elf_, ELF_T_SYM, 1, EV_CURRENT);
    // Only imports are calls that FORTIFY could have redirected; a static binary has no
    // imports, so its own (libc's) definitions are what it links in.
    const bool static_object = !has_dynamic_;
    for (std::uint64_t i = 1; i < count; ++i) {  // entry 0 is the null symbol
        GElf_Sym sym{};
        if (!gelf_getsym(*syms, static_cast<int>(i), &sym)) return bad(std::string(what) + " entry " + std::to_string(i) + ": " + libelf_message());
        if (sym.st_name == 0) continue;
        if (sym.st_name >= strings_size) return bad(std::string(what) + " symbol " + std::to_string(i) + " names offset " + hex(sym.st_name) + " past its string table");
        const char* p = strings + sym.st_name;
        const void* nul = std::memchr(p, 0, strings_size - sym.st_name);
        if (!nul) return bad(std::string(what) + " symbol " + std::to_string(i) + " has an unterminated name");
        const std::string_view name(p, static_cast<const char*>(nul) - p);
        if (is_canary_symbol(name)) canary_ = true;
        const bool counts = static_object ? (sym.st_shndx != SHN_UNDEF && GELF_ST_TYPE(sym.st_info) == STT_FUNC)
                                          : (is_dynsym && sym.st_shndx == SHN_UNDEF);
        if (!counts) continue;
        switch (fortify_role(name)) {
            case FortifyRole::fortified: fortified_.insert(name); break;
            case FortifyRole::fortifiable: fortifiable_.insert(name); break;
            case FortifyRole::none: break;
        }
    }
    return ok();
}

// Notes carry CET (x86 only) and the glibc ABI tag. PT_GNU_PROPERTY repeats a range of a
// PT_NOTE segment, so the PT_NOTE segments alone are walked.
Status Analyzer::read_notes() {
    const bool x86 = ehdr_.e_machine == EM_X86_64 || ehdr_.e_machine == EM_386;
    for (const GElf_Phdr& ph : notes_) {
        if (ph.p_type != PT_NOTE || ph.p_filesz == 0) continue;
        if (ph.p_filesz > kMaxNoteBytes) return bad("note segment of " + std::to_string(ph.p_filesz) + " bytes; not read");
        auto data = chunk(ph.p_offset, ph.p_filesz, ELF_T_BYTE, "note segment");
        if (!data) return data.error();
        auto notes = parse_notes({static_cast<const unsigned char*>((*data)->d_buf), ph.p_filesz}, big_, is64_, ph.p_align);
        if (!notes) return bad(notes.error().message);
        if (x86) {
            info_.cet_ibt = info_.cet_ibt || notes->ibt;
            info_.cet_shstk = info_.cet_shstk || notes->shstk;
        }
        gnu_abi_tag_ = gnu_abi_tag_ || notes->gnu_abi_tag;
    }
    return ok();
}

Result<ElfInfo> Analyzer::run() {
    if (!gelf_getehdr(elf_, &ehdr_)) return bad("ELF header: " + libelf_message());
    is64_ = ehdr_.e_ident[EI_CLASS] == ELFCLASS64;
    big_ = ehdr_.e_ident[EI_DATA] == ELFDATA2MSB;
    info_.bits = is64_ ? 64 : 32;
    info_.big_endian = big_;
    info_.machine = machine_name(ehdr_.e_machine);
    if (ehdr_.e_type != ET_EXEC && ehdr_.e_type != ET_DYN) {
        const char* what = ehdr_.e_type == ET_REL ? "a relocatable object" : ehdr_.e_type == ET_CORE ? "a core dump" : "of an unknown type";
        return Error{ErrorCode::unsupported, std::string("ELF file ") + what + ", not an executable or shared object", where_};
    }
    for (auto step : {&Analyzer::read_program_headers, &Analyzer::read_dynamic, &Analyzer::read_sections,
                      &Analyzer::locate_dynamic_symbols, &Analyzer::read_notes})
        if (auto s = (this->*step)(); !s) return s.error();
    if (dynsym_.present)
        if (auto s = scan_symbols(dynsym_, true, ".dynsym"); !s) return s.error();
    // .symtab adds what a dynamic table cannot show: a static binary's symbols, or a
    // canary used only through a local helper.
    if (symtab_section_.present && (!canary_ || !dynsym_.present))
        if (auto s = scan_symbols(symtab_section_, false, ".symtab"); !s) return s.error();
    if (!rpath_at_.empty() || !runpath_at_.empty()) {
        if (!strtab_) return bad("DT_RPATH/DT_RUNPATH without DT_STRTAB");
        if (auto s = read_dynamic_strings(); !s) return s.error();
        for (auto [offsets, out] : {std::pair{&rpath_at_, &info_.rpath}, std::pair{&runpath_at_, &info_.runpath}}) {
            for (std::uint64_t at : *offsets) {
                if (at >= dynstr_size_) return bad("DT_RPATH/DT_RUNPATH string offset " + hex(at) + " past DT_STRSZ");
                const char* p = dynstr_ + at;
                const std::size_t len = strnlen(p, dynstr_size_ - at);
                for (std::string& e : split_search_path({p, len})) out->push_back(std::move(e));
            }
        }
    }

    const bool et_dyn = ehdr_.e_type == ET_DYN;
    info_.kind = classify_kind({et_dyn, !info_.interpreter.empty(), has_dynamic_, (flags_1_ & DF_1_PIE) != 0,
                                debug_tag_});
    info_.pie = et_dyn;
    // No PT_GNU_STACK: the kernel and ld.so fall back to an executable stack.
    info_.nx = has_stack_ && !exec_stack_;
    info_.canary = canary_;
    const bool bind_now = bind_now_tag_ || (flags_ & DF_BIND_NOW) || (flags_1_ & DF_1_NOW);
    // Without a dynamic loader, only glibc's static start-up (marked by its ABI tag) applies
    // PT_GNU_RELRO; other runtimes (valgrind's tools, Free Pascal, musl) leave it writable.
    std::optional<bool> got = got_in_relro_;
    if (got && *got && !gnu_abi_tag_) got = false;
    info_.relro = decide_relro(has_relro_, has_dynamic_, bind_now, got);
    info_.textrel = info_.textrel || (flags_ & DF_TEXTREL);
    info_.fortified = static_cast<int>(fortified_.size());
    info_.fortifiable = static_cast<int>(fortified_.size() + fortifiable_.size());
    return std::move(info_);
}

// The identification bytes, checked before libelf sees the file: a wrong class or byte
// order gets a precise message, and a non-ELF file costs one small read.
Status check_ident(std::span<const unsigned char> head, std::uint64_t size, const std::string& where) {
    if (size < SELFMAG || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0)
        return Error{ErrorCode::unsupported, "not an ELF file", where};
    auto bad = [&](std::string m) { return Error{ErrorCode::invalid_input, std::move(m), where}; };
    if (size < EI_NIDENT) return bad("truncated ELF identification (" + std::to_string(size) + " bytes)");
    const unsigned cls = head[EI_CLASS], data = head[EI_DATA];
    if (cls != ELFCLASS32 && cls != ELFCLASS64) return bad("unknown ELF class " + std::to_string(cls));
    if (data != ELFDATA2LSB && data != ELFDATA2MSB) return bad("unknown ELF byte order " + std::to_string(data));
    if (head[EI_VERSION] != EV_CURRENT) return bad("unknown ELF version " + std::to_string(head[EI_VERSION]));
    const std::uint64_t need = cls == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (size < need) return bad("truncated ELF header (" + std::to_string(size) + " bytes, needs " + std::to_string(need) + ")");
    return ok();
}

// Before elf_begin: libelf allocates its section table from the header's count up front,
// so a count no linked binary has (or a core dump, which can be huge) is refused here.
// `read_at` reads file bytes at an offset; false when they are not all there.
template <class ReadAt>
Status check_header(std::span<const unsigned char> head, std::uint64_t size, const std::string& where, ReadAt read_at) {
    if (auto s = check_ident(head, size, where); !s) return s;
    const bool w64 = head[EI_CLASS] == ELFCLASS64, big = head[EI_DATA] == ELFDATA2MSB;
    const std::uint64_t type = read_uint(&head[16], 2, big);
    if (type != ET_EXEC && type != ET_DYN) {
        const char* what = type == ET_REL ? "a relocatable object" : type == ET_CORE ? "a core dump" : "of an unknown type";
        return Error{ErrorCode::unsupported, std::string("ELF file ") + what + ", not an executable or shared object", where};
    }
    const std::uint64_t shoff = read_uint(&head[w64 ? 40 : 32], w64 ? 8 : 4, big);
    const std::uint64_t shnum = read_uint(&head[w64 ? 60 : 48], 2, big);
    const std::uint64_t phnum = read_uint(&head[w64 ? 56 : 44], 2, big);
    if (shoff == 0 || (shnum != 0 && phnum != PN_XNUM)) return ok();
    // Extended numbering: section 0 holds the real counts (sh_size, sh_info).
    unsigned char s0[64];
    const std::size_t s0_size = w64 ? 64 : 40;
    if (!in_file(shoff, s0_size, size) || !read_at(shoff, s0, s0_size))
        return Error{ErrorCode::invalid_input, "section header table (offset " + hex(shoff) + ") extends past the end of the file", where};
    const std::uint64_t real_shnum = read_uint(&s0[w64 ? 32 : 20], w64 ? 8 : 4, big);
    const std::uint64_t real_phnum = read_uint(&s0[w64 ? 44 : 28], 4, big);
    if (shnum == 0 && real_shnum > kMaxSections)
        return Error{ErrorCode::invalid_input, std::to_string(real_shnum) + " sections: more than a linked binary has; not read", where};
    if (phnum == PN_XNUM && real_phnum > kMaxProgramHeaders)
        return Error{ErrorCode::invalid_input, std::to_string(real_phnum) + " program headers: more than a loader accepts; not read", where};
    return ok();
}

Result<ElfInfo> analyze(Elf* elf, std::uint64_t size, const std::string& where) {
    if (!elf) return Error{ErrorCode::invalid_input, "libelf cannot open it: " + libelf_message(), where};
    Result<ElfInfo> out = Analyzer(elf, size, where).run();
    elf_end(elf);
    return out;
}

Result<ElfInfo> open_and_analyze(const Sysroot& root, std::string_view path, bool follow) {
    const std::string where = root.display(path);
    auto probe = root.open_path(path, O_PATH, follow);
    if (!probe) return probe.error();
    struct statx st {};
    if (::statx(probe->get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) != 0)
        return error_from_errno(errno, where);
    if (S_ISLNK(st.stx_mode)) return Error{ErrorCode::unsupported, "is a symbolic link; not followed", where};
    if (S_ISDIR(st.stx_mode)) return Error{ErrorCode::unsupported, "is a directory", where};
    // Opening a FIFO would block and opening a device can act on it: look, do not touch.
    if (!S_ISREG(st.stx_mode)) return Error{ErrorCode::unsupported, "not a regular file; not opened", where};
    // libelf reads the descriptor itself, past Sysroot::read_file: the same refusal of a
    // procfs or sysfs mounted inside the root (/proc/self/exe would be triad, not the image).
    if (Status s = refuse_pseudo_filesystem(root, probe->get(), where); !s) return s.error();
    // Reopen the very inode we looked at (no second path lookup to race with).
    const std::string self = "/proc/self/fd/" + std::to_string(probe->get());
    UniqueFd fd(::open(self.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno != ENOENT) return error_from_errno(errno, where);
        auto reopened = root.open_path(path, O_RDONLY | O_NONBLOCK | O_NOCTTY, follow);  // no /proc mounted
        if (!reopened) return reopened.error();
        fd = std::move(*reopened);
    }
    struct statx again {};
    if (::statx(fd.get(), "", AT_EMPTY_PATH, STATX_BASIC_STATS, &again) != 0) return error_from_errno(errno, where);
    if (!S_ISREG(again.stx_mode) || again.stx_ino != st.stx_ino || again.stx_dev_minor != st.stx_dev_minor ||
        again.stx_dev_major != st.stx_dev_major)
        return Error{ErrorCode::invalid_input, "changed while being opened; not read", where};
    return analyze_elf_fd(fd.get(), again.stx_size, where);
}

}  // namespace

bool has_elf_magic(std::span<const char> head) {
    return head.size() >= SELFMAG && std::memcmp(head.data(), ELFMAG, SELFMAG) == 0;
}

Result<ElfInfo> analyze_elf_image(std::span<const char> image, const std::string& where) {
    auto head = std::span(reinterpret_cast<const unsigned char*>(image.data()), std::min<std::size_t>(image.size(), 64));
    auto read_at = [&](std::uint64_t off, void* buf, std::size_t len) {
        std::memcpy(buf, image.data() + off, len);  // check_header bounds off + len first
        return true;
    };
    if (auto s = check_header(head, image.size(), where, read_at); !s) return s.error();
    if (!libelf_ready()) return Error{ErrorCode::unsupported, "libelf failed to initialise", where};
    // elf_memory takes a mutable image; give it a private copy.
    std::vector<char> copy(image.begin(), image.end());
    return analyze(elf_memory(copy.data(), copy.size()), copy.size(), where);
}

Result<ElfInfo> analyze_elf_fd(int fd, std::uint64_t size, const std::string& where) {
    unsigned char head[64] = {};
    const ssize_t n = ::pread(fd, head, sizeof head, 0);
    if (n < 0) return error_from_errno(errno, where);
    const std::uint64_t seen = std::min<std::uint64_t>(size, static_cast<std::uint64_t>(n));
    auto read_at = [&](std::uint64_t off, void* buf, std::size_t len) {
        return ::pread(fd, buf, len, static_cast<off_t>(off)) == static_cast<ssize_t>(len);
    };
    // The identification is judged on what was read; the header's offsets against the size.
    if (auto s = check_ident({head, static_cast<std::size_t>(seen)}, seen, where); !s) return s.error();
    if (auto s = check_header({head, static_cast<std::size_t>(seen)}, size, where, read_at); !s) return s.error();
    if (!libelf_ready()) return Error{ErrorCode::unsupported, "libelf failed to initialise", where};
    // ELF_C_READ: libelf preads only the parts asked for, nothing is mapped (a file
    // truncated under a mapping would kill us with SIGBUS).
    return analyze(elf_begin(fd, ELF_C_READ, nullptr), size, where);
}

Result<ElfInfo> read_elf(const Sysroot& root, std::string_view path) { return open_and_analyze(root, path, false); }

Result<ElfInfo> read_elf_following(const Sysroot& root, std::string_view path) {
    return open_and_analyze(root, path, true);
}

}  // namespace triad::scanner
