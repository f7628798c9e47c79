// SPDX-License-Identifier: Apache-2.0
// A hostile corpus built at test time: truncated files, offsets past the end, 65535 program
// headers, garbage after the magic, a FIFO, a symlink loop, symlinks out of the root, a
// directory named x.so, a mode-000 file. Each is an error entry naming the file and what is
// wrong (or is skipped as not a binary); the reader and the collector always finish, and
// nothing outside the audited root is read.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "scanner/collectors/binaries/elf_collector.h"
#include "scanner/elf/elf_hardening.h"
#include "scanner/identity/identity.h"
#include "tests/scanner/elf/elf_builder.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::build_elf;
using triad::test::ElfSpec;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

// A well-formed little-endian ELF64 PIE with every part the reader looks at.
std::string base_image() {
    ElfSpec s;
    s.interp = "/lib64/ld-linux-x86-64.so.2";
    s.relro = true;
    s.tags = {{DT_FLAGS_1, DF_1_PIE}};
    s.imports = {"__stack_chk_fail", "memcpy"};
    s.rpath = {"/opt/lib"};
    s.property_note = true;
    s.x86_features = 3;
    s.symtab = true;
    s.locals = {"main"};
    return build_elf(s);
}

void put(std::string& img, std::size_t at, std::uint64_t v, unsigned width) {
    for (unsigned i = 0; i < width; ++i) img[at + i] = static_cast<char>(v >> (8 * i));
}

std::uint64_t get(const std::string& img, std::size_t at, unsigned width) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) v |= std::uint64_t(static_cast<unsigned char>(img[at + i])) << (8 * i);
    return v;
}

// Offset of the program header of `type` in an ELF64 image.
std::size_t phdr_of(const std::string& img, std::uint32_t type) {
    const std::size_t phoff = get(img, 32, 8), phnum = get(img, 56, 2);
    for (std::size_t i = 0; i < phnum; ++i)
        if (get(img, phoff + i * 56, 4) == type) return phoff + i * 56;
    FAIL("no program header of type " << type);
    return 0;
}

// Offset of the dynamic entry `tag`'s value.
std::size_t dyn_value_of(const std::string& img, std::int64_t tag) {
    const std::size_t dyn = get(img, phdr_of(img, PT_DYNAMIC) + 8, 8);
    for (std::size_t at = dyn;; at += 16) {
        const std::uint64_t t = get(img, at, 8);
        if (t == static_cast<std::uint64_t>(tag)) return at + 8;
        if (t == DT_NULL) FAIL("no dynamic entry " << tag);
    }
}

struct Case {
    const char* name;
    std::string image;
    const char* expect;  // a phrase the error must contain
};

std::vector<Case> damaged_images() {
    const std::string base = base_image();
    std::vector<Case> cases;
    auto mutate = [&](const char* name, const char* expect, auto&& fn) {
        std::string img = base;
        fn(img);
        cases.push_back({name, img, expect});
    };
    cases.push_back({"trunc-ident", base.substr(0, 10), "truncated ELF identification"});
    cases.push_back({"trunc-header", base.substr(0, 40), "truncated ELF header"});
    cases.push_back({"trunc-phdrs", base.substr(0, 100), "program header table"});
    cases.push_back({"trunc-tail", base.substr(0, base.size() - 1), "loadable segment 0 extends past the end"});
    mutate("phoff-past-eof", "program header table", [](std::string& i) { put(i, 32, 1u << 30, 8); });
    mutate("phoff-overflow", "program header table", [](std::string& i) { put(i, 32, ~0ull - 8, 8); });
    mutate("phnum-65535", "program header", [](std::string& i) { put(i, 56, 0xffff, 2); });
    mutate("phentsize", "program header entry size", [](std::string& i) { put(i, 54, 12, 2); });
    mutate("shoff-past-eof", "section header", [](std::string& i) { put(i, 40, 1u << 30, 8); });
    mutate("shnum-huge", "section header", [](std::string& i) { put(i, 60, 0xfeff, 2); });
    // Extended numbering: the counts in section 0, checked before libelf allocates for them.
    mutate("shnum-extended", "sections: more than a linked binary has", [](std::string& i) {
        put(i, 60, 0, 2);
        put(i, get(i, 40, 8) + 32, 10000000, 8);
    });
    mutate("phnum-extended", "program headers: more than a loader accepts", [](std::string& i) {
        put(i, 56, PN_XNUM, 2);
        put(i, get(i, 40, 8) + 44, 10000000, 4);
    });
    mutate("dynamic-huge", "dynamic section of", [](std::string& i) {
        put(i, phdr_of(i, PT_DYNAMIC) + 8, i.size(), 8);
        put(i, phdr_of(i, PT_DYNAMIC) + 32, 2 << 20, 8);
        i.resize(i.size() + (2 << 20), '\0');
    });
    mutate("class", "unknown ELF class", [](std::string& i) { i[4] = 7; });
    mutate("byte-order", "unknown ELF byte order", [](std::string& i) { i[5] = 9; });
    mutate("version", "unknown ELF version", [](std::string& i) { i[6] = 2; });
    mutate("load-past-eof", "loadable segment", [](std::string& i) { put(i, phdr_of(i, PT_LOAD) + 32, 1u << 30, 8); });
    mutate("interp-huge", "PT_INTERP", [](std::string& i) { put(i, phdr_of(i, PT_INTERP) + 32, 1u << 20, 8); });
    mutate("interp-past-eof", "PT_INTERP", [](std::string& i) { put(i, phdr_of(i, PT_INTERP) + 8, 1u << 30, 8); });
    mutate("dynamic-past-eof", "dynamic section", [](std::string& i) { put(i, phdr_of(i, PT_DYNAMIC) + 8, 1u << 30, 8); });
    mutate("strtab-unmapped", "DT_STRTAB", [](std::string& i) { put(i, dyn_value_of(i, DT_STRTAB), 0x7fff0000, 8); });
    mutate("strsz-huge", "string table", [](std::string& i) { put(i, dyn_value_of(i, DT_STRSZ), 1u << 30, 8); });
    mutate("rpath-offset", "DT_RPATH", [](std::string& i) { put(i, dyn_value_of(i, DT_RPATH), 1u << 20, 8); });
    mutate("note-descsz", "note", [](std::string& i) {
        const std::size_t note = get(i, phdr_of(i, PT_GNU_PROPERTY) + 8, 8);
        put(i, note + 4, 0xffffff, 4);
    });
    mutate("property-size", "GNU property", [](std::string& i) {
        const std::size_t note = get(i, phdr_of(i, PT_GNU_PROPERTY) + 8, 8);
        put(i, note + 16 + 4, 0xfff0, 4);
    });
    // Garbage after the magic: deterministic noise with a valid identification.
    std::mt19937 rng(42);
    for (int n = 0; n < 3; ++n) {
        std::string img = base;
        for (std::size_t k = 16; k < img.size(); ++k) img[k] = static_cast<char>(rng());
        cases.push_back({"garbage", img, ""});
    }
    return cases;
}

}  // namespace

TEST_CASE("damaged ELF images are errors naming the file and the part") {
    TempDir dir;
    auto root = Sysroot::open(dir.path()).value();
    for (const Case& c : damaged_images()) {
        const std::string name = c.name;
        CAPTURE(name);
        write_file(dir / c.name, c.image);
        auto info = read_elf(root, c.name);
        INFO((info ? std::string("(read fine)") : info.error().describe()));
        if (std::string(c.name) == "garbage") {
            // Noise may happen to parse; it must never crash, and an error must say where.
            if (!info) CHECK(info.error().where.find(c.name) != std::string::npos);
            continue;
        }
        REQUIRE_FALSE(info);
        CHECK(info.error().code == triad::ErrorCode::invalid_input);
        CHECK(info.error().where == root.display(c.name));
        CHECK(info.error().message.find(c.expect) != std::string::npos);
        // The in-memory path (the fuzzer's) decides the same way.
        auto mem = analyze_elf_image(c.image, c.name);
        REQUIRE_FALSE(mem);
        CHECK(mem.error().message == info.error().message);
    }
}

TEST_CASE("a program header table of 65534 entries is read within bounds") {
    std::string img = base_image();
    const std::size_t phoff = img.size();
    img.resize(phoff + 65534 * 56, '\0');  // PT_NULL entries after the real ones
    std::memcpy(&img[phoff], &img[get(img, 32, 8)], get(img, 56, 2) * 56);
    put(img, 32, phoff, 8);
    put(img, 56, 65534, 2);
    auto info = analyze_elf_image(img, "many-phdrs");
    REQUIRE(info);
    CHECK(info->kind == "pie");
}

TEST_CASE("the collector finishes on a hostile tree and reads nothing outside the root") {
    TempDir outside;
    TempDir dir;
    const std::string root_dir = dir / "root";
    // An ELF file outside the root, and a non-ELF at the same path inside it: resolution
    // that stays inside the root finds "not an ELF file".
    write_file(outside / "secret.so", base_image());
    write_file(root_dir + "/" + outside.path() + "/secret.so", "not elf\n");
    write_file(root_dir + "/lib/good.so", base_image());
    for (const Case& c : damaged_images())
        if (std::string(c.name) != "garbage") write_file(root_dir + "/lib/" + c.name + ".so", c.image);
    REQUIRE(::mkfifo((root_dir + "/lib/fifo.so").c_str(), 0644) == 0);
    REQUIRE(::symlink("loop-b.so", (root_dir + "/lib/loop-a.so").c_str()) == 0);
    REQUIRE(::symlink("loop-a.so", (root_dir + "/lib/loop-b.so").c_str()) == 0);
    REQUIRE(::symlink((outside / "secret.so").c_str(), (root_dir + "/lib/abs-escape.so").c_str()) == 0);
    REQUIRE(::symlink("../../../../../../../../../../..", (root_dir + "/lib/up.so").c_str()) == 0);
    triad::test::make_dirs(root_dir + "/lib/x.so");
    write_file(root_dir + "/lib/locked.so", base_image(), 0000);

    auto root = Sysroot::open(root_dir).value();
    auto ids = IdentityTable::load(root);
    ElfQuery q;
    q.paths = {"/lib", outside.path()};
    q.names = {"*.so"};
    FactSet facts = collect_elf(root, ids, nullptr, q);

    std::map<std::string, const Fact*> by_path;
    for (const Fact& f : facts) by_path[f.object] = &f;
    REQUIRE(by_path.count("/lib/good.so"));
    CHECK(by_path["/lib/good.so"]->status == FactStatus::ok);
    // Every damaged file is an error fact with its reason.
    for (const Case& c : damaged_images()) {
        if (std::string(c.name) == "garbage") continue;
        const std::string p = "/lib/" + std::string(c.name) + ".so";
        CAPTURE(p);
        REQUIRE(by_path.count(p));
        CHECK(by_path[p]->status == FactStatus::error);
        CAPTURE(by_path[p]->reason);
        CHECK(by_path[p]->reason.find(c.expect) != std::string::npos);
    }
    // FIFO, symlinks and the directory are not binaries: never opened, never listed.
    for (const char* p : {"/lib/fifo.so", "/lib/loop-a.so", "/lib/abs-escape.so", "/lib/up.so", "/lib/x.so"})
        CHECK_MESSAGE(by_path.count(p) == 0, p);
    // As root a mode-000 file is still readable; as anyone else it is an error, not a hang.
    REQUIRE(by_path.count("/lib/locked.so"));
    if (::geteuid() == 0) CHECK(by_path["/lib/locked.so"]->status == FactStatus::ok);
    else CHECK(by_path["/lib/locked.so"]->status == FactStatus::error);
    // The outside path, looked up inside the root, is the decoy there: skipped as non-ELF.
    CHECK(by_path.count(outside.path() + "/secret.so") == 0);

    // Following symlinks (for names a user typed) still stays inside the root: the
    // absolute target resolves to the decoy inside it, never to the ELF file outside.
    auto escape = read_elf_following(root, "/lib/abs-escape.so");
    REQUIRE_FALSE(escape);
    CHECK(escape.error().message == "not an ELF file");
    auto loop = read_elf_following(root, "/lib/loop-a.so");
    REQUIRE_FALSE(loop);
    CHECK(loop.error().code == triad::ErrorCode::invalid_input);  // ELOOP
    auto up = read_elf_following(root, "/lib/up.so");
    REQUIRE_FALSE(up);
    CHECK(up.error().message == "is a directory");  // ../.. stops at the root
    auto fifo = read_elf(root, "/lib/fifo.so");
    REQUIRE_FALSE(fifo);
    CHECK(fifo.error().message.find("not a regular file") != std::string::npos);
}
