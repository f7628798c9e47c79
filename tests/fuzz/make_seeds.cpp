// SPDX-License-Identifier: Apache-2.0
// Writes the fuzzer's seed corpus into the directory given: hand-built ELF files of every
// word size and byte order with each part the reader looks at (the gcc-built seeds are
// added by CMake). Built and run at build time; no binary is committed.
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/scanner/elf/elf_builder.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    using triad::test::ElfSpec;
    int n = 0;
    auto emit = [&](const ElfSpec& s) {
        std::ofstream(std::string(argv[1]) + "/synthetic-" + std::to_string(n++) + ".elf", std::ios::binary)
            << triad::test::build_elf(s);
    };
    for (bool is64 : {true, false}) {
        for (bool big : {false, true}) {
            ElfSpec s;
            s.is64 = is64;
            s.big_endian = big;
            s.machine = is64 ? EM_X86_64 : EM_386;
            s.interp = "/lib/ld.so";
            s.relro = true;
            s.tags = {{DT_FLAGS, DF_BIND_NOW}, {DT_FLAGS_1, DF_1_PIE}, {DT_DEBUG, 0}};
            s.imports = {"__stack_chk_fail", "__memcpy_chk", "strcpy"};
            s.rpath = {"/a:$ORIGIN/b"};
            s.runpath = {"/c"};
            s.property_note = true;
            s.x86_features = 3;
            s.symtab = true;
            s.locals = {"main", "helper"};
            emit(s);
            s.section_headers = false;
            s.symtab = false;
            emit(s);
            s.gnu_hash = true;
            emit(s);
            ElfSpec lib;
            lib.is64 = is64;
            lib.big_endian = big;
            lib.tags = {{DT_SONAME, 0}, {DT_TEXTREL, 0}};
            lib.exports = {"lib_fn"};
            lib.gnu_stack = false;
            emit(lib);
            ElfSpec st;
            st.is64 = is64;
            st.big_endian = big;
            st.type = ET_EXEC;
            st.dynamic = false;
            st.symtab = true;
            st.locals = {"__stack_chk_fail", "__printf_chk", "memcpy"};
            emit(st);
        }
    }
    std::printf("%d seeds\n", n);
    return 0;
}
