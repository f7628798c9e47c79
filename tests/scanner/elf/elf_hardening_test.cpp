// SPDX-License-Identifier: Apache-2.0
// The ELF reader against binaries gcc builds at test time under each hardening flag, every
// property asserted both as the flags intend and as readelf (binutils) reports it; plus
// hand-written ELF files for what this toolchain cannot make (big-endian, 32-bit, no
// section headers, BIND_NOW only in DT_FLAGS_1, a PIE without DT_DEBUG).
#include "scanner/elf/elf_hardening.h"

#include <doctest/doctest.h>

#include <map>
#include <sstream>

#include "scanner/elf/elf_hardening_internal.h"
#include "base/pattern.h"
#include "tests/scanner/elf/elf_builder.h"
#include "tests/test_support.h"

using namespace triad;
using namespace triad::scanner;
using triad::test::build_elf;
using triad::test::ElfSpec;
using triad::test::sh;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

constexpr const char* kProgram = R"(#include <stdio.h>
#include <string.h>
#include <unistd.h>
int triad_work(int argc, char **argv) {
    char buf[64];
    strcpy(buf, argc > 1 ? argv[1] : "triad");
    memcpy(buf + 8, argv[0], argc > 2 ? 4 : 2);
    printf("%s %d\n", buf, argc);
    return read(0, buf, argc > 3 ? sizeof buf : 1) > 0;
}
int main(int argc, char **argv) { return triad_work(argc, argv); }
)";

// gcc flags of each fixture, by name. Every one is built once per test run.
const std::map<std::string, std::string> kVariants = {
    {"hardened", "-O2 -fPIE -pie -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wl,-z,relro,-z,now -Wl,-z,noexecstack"},
    {"nopie", "-O2 -fno-PIE -no-pie -fstack-protector-strong"},
    {"execstack", "-O2 -fPIE -pie -Wl,-z,execstack"},
    {"nossp", "-O2 -fPIE -pie -fno-stack-protector"},
    {"norelro", "-O2 -fPIE -pie -Wl,-z,norelro"},
    {"partial", "-O2 -fPIE -pie -Wl,-z,relro,-z,lazy"},
    {"nofortify", "-O2 -fPIE -pie -U_FORTIFY_SOURCE"},
    {"static", "-O2 -static -fstack-protector-strong"},
    {"staticnow", "-O2 -static -Wl,-z,relro,-z,now"},
    {"staticpie", "-O2 -static-pie -fPIE"},
    {"shared", "-O2 -shared -fPIC -Wl,-z,relro,-z,now -fstack-protector-strong -D_FORTIFY_SOURCE=2"},
    {"rpath", "-O2 -Wl,--disable-new-dtags -Wl,-rpath,/opt/triad/lib"},
    {"runpath", "-O2 -Wl,--enable-new-dtags -Wl,-rpath,'/opt/a:$ORIGIN/../lib'"},
    {"cet", "-O2 -fcf-protection=full -Wl,-z,ibt -Wl,-z,shstk"},
    {"cetfull", "-O2 -fcf-protection=full"},
    {"cetnone", "-O2 -fcf-protection=none"},
    {"stripped", "-O2 -s"},
};

struct Fixtures {
    TempDir dir;
    std::string error;
    Fixtures() {
        write_file(dir / "t.c", kProgram);
        std::string script = "set -e; cd '" + dir.path() + "'; ";
        for (const auto& [name, flags] : kVariants) script += "gcc " + flags + " -o " + name + " t.c; ";
        auto r = sh(script, 300);
        if (r.exit_code != 0) error = r.err;
    }
};

const Fixtures& fixtures() {
    static Fixtures f;
    return f;
}

// What readelf says about a file, the reference the reader must agree with.
struct Readelf {
    std::string all;  // -hlSdsnW
    explicit Readelf(const std::string& file) { all = sh("readelf -hlSdsnW '" + file + "' 2>/dev/null").out; }
    bool has(const std::string& re) const {
        return Regex::compile(re).value().search(all).outcome == triad::MatchOutcome::match;
    }
    std::string relro() const {
        if (!has(R"(GNU_RELRO)")) return "none";
        if (has(R"(There is no dynamic section)")) return got_in_relro() && has("NT_GNU_ABI_TAG") ? "full" : "partial";
        return has(R"(\(BIND_NOW\)|\(FLAGS\)\s+.*\bBIND_NOW\b|\(FLAGS_1\)\s+Flags:.*\bNOW\b)") ? "full" : "partial";
    }
    // Without a dynamic section: is every .got/.got.plt inside the GNU_RELRO segment?
    bool got_in_relro() const {
        std::istringstream in(all);
        std::uint64_t lo = 0, hi = 0;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> gots;
        for (std::string line; std::getline(in, line);) {
            std::istringstream w(line);
            std::vector<std::string> f;
            for (std::string t; w >> t;) f.push_back(t);
            if (f.size() >= 6 && f[0] == "GNU_RELRO") {
                lo = std::stoull(f[2], nullptr, 16);
                hi = lo + std::stoull(f[5], nullptr, 16);
            }
            for (std::size_t i = 0; i + 5 < f.size(); ++i)
                if ((f[i] == ".got" || f[i] == ".got.plt") && f[i + 1] == "PROGBITS")
                    gots.emplace_back(std::stoull(f[i + 2], nullptr, 16), std::stoull(f[i + 4], nullptr, 16));
        }
        for (auto [addr, size] : gots)
            if (addr < lo || addr + size > hi) return false;
        return true;
    }
    bool nx() const { return has(R"(GNU_STACK.* RW  )"); }
    bool canary() const { return has(R"(__stack_chk_fail|__stack_chk_guard)"); }
    bool dyn() const { return has(R"(Type:\s+DYN)"); }
    bool ibt() const { return has(R"(x86 feature:.*IBT)"); }
    bool shstk() const { return has(R"(x86 feature:.*SHSTK)"); }
    bool stripped() const { return !has(R"(\] \.symtab )"); }
    std::string path_list(const char* tag) const {
        const std::string key = std::string("Library ") + tag + ": [";
        const std::size_t at = all.find(key);
        if (at == std::string::npos) return "";
        const std::size_t start = at + key.size();
        return all.substr(start, all.find(']', start) - start);
    }
};

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ":") + s;
    return out;
}

ElfInfo read_fixture(const std::string& name) {
    const Fixtures& f = fixtures();
    auto root = Sysroot::open(f.dir.path());
    REQUIRE(root);
    auto info = read_elf(*root, "/" + name);
    INFO(name << ": " << (info ? "" : info.error().describe()));
    REQUIRE(info);
    return *info;
}

}  // namespace

TEST_CASE("every gcc-built fixture agrees with readelf on every property") {
    const Fixtures& f = fixtures();
    if (!f.error.empty()) {
        MESSAGE("gcc could not build the fixtures: " << f.error);
        FAIL("gcc is a build dependency and must work");
    }
    for (const auto& [name, flags] : kVariants) {
        CAPTURE(name);
        const ElfInfo info = read_fixture(name);
        const Readelf re(f.dir / name);
        CHECK(info.relro == re.relro());
        CHECK(info.nx == re.nx());
        CHECK(info.canary == re.canary());
        CHECK(info.pie == re.dyn());
        CHECK(info.cet_ibt == re.ibt());
        CHECK(info.cet_shstk == re.shstk());
        CHECK(info.stripped == re.stripped());
        CHECK(joined(info.rpath) == re.path_list("rpath"));
        CHECK(joined(info.runpath) == re.path_list("runpath"));
        CHECK(info.bits == 64);
        CHECK_FALSE(info.big_endian);
        CHECK(info.machine == "x86-64");
    }
}

TEST_CASE("each hardening flag has the effect it promises") {
    REQUIRE(fixtures().error.empty());
    const ElfInfo hardened = read_fixture("hardened");
    CHECK(hardened.kind == "pie");
    CHECK(hardened.pie);
    CHECK(hardened.nx);
    CHECK(hardened.canary);
    CHECK(hardened.relro == "full");
    CHECK(hardened.fortified >= 2);  // __strcpy_chk, __memcpy_chk or __read_chk, __printf_chk
    CHECK(hardened.fortifiable >= hardened.fortified);
    CHECK(hardened.interpreter.find("ld-linux") != std::string::npos);
    CHECK_FALSE(hardened.stripped);

    const ElfInfo nopie = read_fixture("nopie");
    CHECK(nopie.kind == "exec");
    CHECK_FALSE(nopie.pie);
    CHECK(nopie.canary);

    CHECK_FALSE(read_fixture("execstack").nx);
    CHECK_FALSE(read_fixture("nossp").canary);
    CHECK(read_fixture("norelro").relro == "none");
    CHECK(read_fixture("partial").relro == "partial");

    const ElfInfo nofortify = read_fixture("nofortify");
    CHECK(nofortify.fortified == 0);
    CHECK(nofortify.fortifiable >= 2);  // strcpy, memcpy, read, printf are all fortifiable

    const ElfInfo st = read_fixture("static");
    CHECK(st.kind == "static");
    CHECK_FALSE(st.pie);
    CHECK(st.interpreter.empty());
    CHECK(st.relro == "partial");  // .got.plt (IFUNC slots) lies outside PT_GNU_RELRO
    CHECK(read_fixture("staticnow").relro == "full");  // -z now moves it inside
    const ElfInfo spie = read_fixture("staticpie");
    CHECK(spie.kind == "static-pie");
    CHECK(spie.pie);

    const ElfInfo so = read_fixture("shared");
    CHECK(so.kind == "dso");
    CHECK(so.pie);
    CHECK(so.relro == "full");
    CHECK(so.canary);
    CHECK(so.fortified >= 1);

    const ElfInfo rpath = read_fixture("rpath");
    CHECK(rpath.rpath == std::vector<std::string>{"/opt/triad/lib"});
    CHECK(rpath.runpath.empty());
    const ElfInfo runpath = read_fixture("runpath");
    CHECK(runpath.rpath.empty());
    CHECK(runpath.runpath == std::vector<std::string>{"/opt/a", "$ORIGIN/../lib"});

    const ElfInfo cet = read_fixture("cet");
    CHECK(cet.cet_ibt);
    CHECK(cet.cet_shstk);
    // Debian 12's crt objects carry no IBT/SHSTK marking, so -fcf-protection alone leaves
    // the AND of all inputs unset (readelf agrees, see the test above).
    const ElfInfo cetfull = read_fixture("cetfull");
    CHECK_FALSE(cetfull.cet_ibt);
    CHECK_FALSE(read_fixture("cetnone").cet_ibt);
    CHECK(read_fixture("stripped").stripped);
}

TEST_CASE("hand-written ELF files: both byte orders, both word sizes") {
    TempDir dir;
    auto root = Sysroot::open(dir.path()).value();
    for (bool is64 : {true, false}) {
        for (bool big : {false, true}) {
            CAPTURE(is64);
            CAPTURE(big);
            ElfSpec s;
            s.is64 = is64;
            s.big_endian = big;
            s.machine = is64 ? EM_X86_64 : EM_386;
            s.interp = "/lib/ld-triad.so.1";
            s.relro = true;
            s.tags = {{DT_FLAGS, DF_BIND_NOW}, {DT_FLAGS_1, DF_1_PIE}};
            s.imports = {"__stack_chk_fail", "__memcpy_chk", "strcpy", "puts"};
            s.rpath = {"/opt/x:/opt/y"};
            s.runpath = {"$ORIGIN/lib"};
            s.property_note = true;
            s.x86_features = GNU_PROPERTY_X86_FEATURE_1_IBT;
            s.symtab = true;
            s.locals = {"helper"};
            const std::string name = std::string("f") + (is64 ? "64" : "32") + (big ? "be" : "le");
            write_file(dir / name, build_elf(s));
            auto info = read_elf(root, name);
            INFO((info ? "" : info.error().describe()));
            REQUIRE(info);
            CHECK(info->bits == (is64 ? 64 : 32));
            CHECK(info->big_endian == big);
            CHECK(info->kind == "pie");
            CHECK(info->nx);
            CHECK(info->canary);
            CHECK(info->relro == "full");
            CHECK(info->fortified == 1);
            CHECK(info->fortifiable == 2);
            CHECK(info->rpath == std::vector<std::string>{"/opt/x", "/opt/y"});
            CHECK(info->runpath == std::vector<std::string>{"$ORIGIN/lib"});
            CHECK(info->cet_ibt);
            CHECK_FALSE(info->cet_shstk);
            CHECK_FALSE(info->stripped);
            CHECK(info->interpreter == "/lib/ld-triad.so.1");
            // readelf reads the same file the same way.
            const Readelf re(dir / name);
            CHECK(re.relro() == "full");
            CHECK(re.canary());
            CHECK(re.ibt());
            CHECK(re.path_list("rpath") == "/opt/x:/opt/y");
        }
    }
}

TEST_CASE("cases checksec gets wrong, decided as readelf shows them") {
    TempDir dir;
    auto root = Sysroot::open(dir.path()).value();
    SUBCASE("BIND_NOW only as DF_1_NOW in DT_FLAGS_1 is full RELRO") {
        ElfSpec s;
        s.interp = "/lib64/ld-linux-x86-64.so.2";
        s.relro = true;
        s.tags = {{DT_FLAGS_1, DF_1_NOW | DF_1_PIE}};
        write_file(dir / "f", build_elf(s));
        CHECK(read_elf(root, "f")->relro == "full");
        CHECK(Readelf(dir / "f").relro() == "full");
    }
    SUBCASE("a PIE without DT_DEBUG is a PIE, not a library") {
        ElfSpec s;
        s.interp = "/lib64/ld-linux-x86-64.so.2";
        s.tags = {{DT_FLAGS_1, DF_1_PIE}};
        write_file(dir / "f", build_elf(s));
        CHECK(read_elf(root, "f")->kind == "pie");
    }
    SUBCASE("without section headers the canary import is found through DT_HASH") {
        ElfSpec s;
        s.interp = "/lib64/ld-linux-x86-64.so.2";
        s.section_headers = false;
        s.imports = {"puts", "__stack_chk_fail"};
        write_file(dir / "f", build_elf(s));
        auto info = read_elf(root, "f");
        REQUIRE(info);
        CHECK(info->canary);
        CHECK(info->stripped);
        CHECK(info->fortifiable == 0);
        // readelf finds the import the same way when told to use the dynamic section.
        CHECK(sh("readelf -D -sW '" + dir / "f" + "'").out.find("UND __stack_chk_fail") != std::string::npos);
    }
    SUBCASE("... and through DT_GNU_HASH") {
        ElfSpec s;
        s.interp = "/lib64/ld-linux-x86-64.so.2";
        s.section_headers = false;
        s.gnu_hash = true;
        s.imports = {"memcpy", "__stack_chk_fail", "__printf_chk"};
        write_file(dir / "f", build_elf(s));
        auto info = read_elf(root, "f");
        REQUIRE(info);
        CHECK(info->canary);
        CHECK(info->fortified == 1);
        CHECK(info->fortifiable == 2);
    }
    SUBCASE("no PT_GNU_STACK means an executable stack") {
        ElfSpec s;
        s.gnu_stack = false;
        write_file(dir / "f", build_elf(s));
        CHECK_FALSE(read_elf(root, "f")->nx);
    }
    SUBCASE("a library without PT_INTERP and with DT_SONAME is a dso; text relocations are seen") {
        ElfSpec s;
        s.tags = {{DT_SONAME, 0}, {DT_TEXTREL, 0}};
        write_file(dir / "f", build_elf(s));
        auto info = read_elf(root, "f");
        REQUIRE(info);
        CHECK(info->kind == "dso");
        CHECK(info->textrel);
    }
}

TEST_CASE("non-binaries are told apart from damaged binaries") {
    TempDir dir;
    auto root = Sysroot::open(dir.path()).value();
    write_file(dir / "script", "#!/bin/sh\necho hi\n");
    auto script = read_elf(root, "script");
    REQUIRE_FALSE(script);
    CHECK(is_not_a_binary(script.error()));
    CHECK(script.error().message == "not an ELF file");

    ElfSpec s;
    s.type = ET_REL;
    write_file(dir / "obj.o", build_elf(s));
    auto obj = read_elf(root, "obj.o");
    REQUIRE_FALSE(obj);
    CHECK(is_not_a_binary(obj.error()));

    write_file(dir / "empty", "");
    CHECK(is_not_a_binary(read_elf(root, "empty").error()));
}

TEST_CASE("pure helpers") {
    using namespace elf_internal;
    SUBCASE("kinds") {
        CHECK(std::string(classify_kind({false, true, true, false, true})) == "exec");
        CHECK(std::string(classify_kind({false, false, false, false, false})) == "static");
        CHECK(std::string(classify_kind({true, true, true, true, false})) == "pie");
        CHECK(std::string(classify_kind({true, false, true, true, true})) == "static-pie");
        CHECK(std::string(classify_kind({true, false, true, false, false})) == "dso");
        // libc.so.6 and pam_cap.so have an interpreter (they can be run): still libraries,
        // as readelf calls them ("Shared object file", not "Position-Independent Executable").
        CHECK(std::string(classify_kind({true, true, true, false, false})) == "dso");
        // An old linker's PIE: no DF_1_PIE, but DT_DEBUG.
        CHECK(std::string(classify_kind({true, true, true, false, true})) == "pie");
    }
    SUBCASE("relro") {
        CHECK(std::string(decide_relro(false, true, true, std::nullopt)) == "none");
        CHECK(std::string(decide_relro(true, true, false, std::nullopt)) == "partial");
        CHECK(std::string(decide_relro(true, true, true, std::nullopt)) == "full");
        CHECK(std::string(decide_relro(true, false, false, true)) == "full");
        CHECK(std::string(decide_relro(true, false, false, false)) == "partial");
        CHECK(std::string(decide_relro(true, false, false, std::nullopt)) == "partial");
    }
    SUBCASE("fortify roles") {
        CHECK(fortify_role("__memcpy_chk") == FortifyRole::fortified);
        CHECK(fortify_role("memcpy") == FortifyRole::fortifiable);
        CHECK(fortify_role("__stpcpy") == FortifyRole::fortifiable);
        CHECK(fortify_role("__stack_chk_fail") == FortifyRole::none);
        CHECK(fortify_role("__foo_chk") == FortifyRole::none);
        CHECK(fortify_role("strlen") == FortifyRole::none);
    }
    SUBCASE("search paths keep empty elements") {
        CHECK(split_search_path("/a::/b") == std::vector<std::string>{"/a", "", "/b"});
        CHECK(split_search_path("") == std::vector<std::string>{""});
    }
    SUBCASE("addresses map only through file-backed bytes of a loadable segment") {
        const LoadSegment loads[] = {{0x1000, 0x0, 0x500}, {0x3000, 0x2000, 0x100}};
        CHECK(vaddr_to_offset(loads, 0x1010, 0x10) == 0x10);
        CHECK(vaddr_to_offset(loads, 0x3050, 0x10) == 0x2050);
        CHECK_FALSE(vaddr_to_offset(loads, 0x14f8, 0x10));  // crosses the end of the file bytes
        CHECK_FALSE(vaddr_to_offset(loads, UINT64_MAX, 2));
    }
    SUBCASE("bounds") {
        CHECK(in_file(0, 10, 10));
        CHECK_FALSE(in_file(1, 10, 10));
        CHECK_FALSE(in_file(UINT64_MAX, 2, 10));
    }
    SUBCASE("property notes: a descriptor past the segment is an error") {
        const unsigned char note[] = {4, 0, 0, 0, 0xff, 0, 0, 0, 5, 0, 0, 0, 'G', 'N', 'U', 0};
        CHECK_FALSE(parse_notes(note, false, true, 8));
    }
    SUBCASE("gnu hash: a chain that never ends is an error") {
        std::vector<unsigned char> table(16 + 8 + 4 + 8, 0);
        table[0] = 1;   // nbuckets
        table[4] = 1;   // symoffset
        table[8] = 1;   // bloom words
        table[24] = 1;  // bucket 0 -> symbol 1
        CHECK_FALSE(gnu_hash_symbol_count(table, false, true));
        table[28] = 1;  // chain[0] ends the chain
        CHECK(gnu_hash_symbol_count(table, false, true).value() == 2);
    }
}
