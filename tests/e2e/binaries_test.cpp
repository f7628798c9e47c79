// SPDX-License-Identifier: Apache-2.0
// `triad binaries` end to end: the JSON schema key by key, directories only with -r,
// symlinks listed as links and never followed inside directories, non-ELF files left out of
// directories but errors when named, damaged files as error entries, a FIFO never opened,
// and the table format.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <map>

#include "tests/scanner/elf/elf_builder.h"
#include "tests/test_support.h"

using triad::test::build_elf;
using triad::test::ElfSpec;
using triad::test::run_triad;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

struct Listing {
    int exit_code = -1;
    std::string err;
    Poco::JSON::Object::Ptr json;
    std::map<std::string, Poco::JSON::Object::Ptr> by_path;
};

Listing list(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"binaries", "--format", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_triad(argv, 60);
    Listing l;
    l.exit_code = r.exit_code;
    l.err = r.err;
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(/*preserveObjectOrder=*/true));
    l.json = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
    auto files = l.json->getArray("files");
    for (std::size_t i = 0; i < files->size(); ++i) {
        auto o = files->getObject(static_cast<unsigned>(i));
        l.by_path[o->getValue<std::string>("path")] = o;
    }
    return l;
}

struct Tree {
    TempDir dir;
    Tree() {
        ElfSpec pie;
        pie.interp = "/lib64/ld-linux-x86-64.so.2";
        pie.relro = true;
        pie.tags = {{DT_FLAGS, DF_BIND_NOW}, {DT_FLAGS_1, DF_1_PIE}};
        pie.imports = {"__stack_chk_fail", "__printf_chk", "memcpy"};
        pie.runpath = {"/opt/x:/opt/y"};
        pie.property_note = true;
        pie.x86_features = GNU_PROPERTY_X86_FEATURE_1_IBT | GNU_PROPERTY_X86_FEATURE_1_SHSTK;
        write_file(dir / "bin/tool", build_elf(pie), 0755);
        ElfSpec exec;
        exec.type = ET_EXEC;
        exec.interp = "/lib/ld-linux.so.2";
        exec.is64 = false;
        exec.machine = EM_386;
        exec.gnu_stack = false;
        exec.rpath = {"/old"};
        exec.symtab = true;
        exec.locals = {"main"};
        write_file(dir / "bin/sub/old32", build_elf(exec), 0755);
        write_file(dir / "bin/script", "#!/bin/sh\n", 0755);
        write_file(dir / "bin/broken", build_elf(pie).substr(0, 200), 0755);
        ::symlink("tool", (dir / "bin/alias").c_str());
        ::symlink("/nonexistent", (dir / "bin/dangling").c_str());
        ::mkfifo((dir / "bin/fifo").c_str(), 0644);
    }
};

}  // namespace

TEST_CASE("triad binaries: the triad.binaries/1 schema, -r, symlinks as links, errors as entries") {
    Tree t;
    const Listing l = list({"-r", t.dir / "bin"});
    INFO(l.err);
    CHECK(l.exit_code == 1);  // bin/broken is an error entry
    CHECK(l.json->getValue<std::string>("schema") == "triad.binaries/1");
    REQUIRE(l.by_path.size() == 5);  // tool, sub/old32, broken, alias, dangling; not script, not fifo

    auto tool = l.by_path.at(t.dir / "bin/tool");
    std::vector<std::string> keys;
    for (const auto& k : tool->getNames()) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"path", "kind", "pie", "nx", "canary", "relro", "fortify", "rpath", "runpath",
                                           "cet", "stripped", "error"});
    CHECK(tool->getValue<std::string>("kind") == "pie");
    CHECK(tool->getValue<bool>("pie"));
    CHECK(tool->getValue<bool>("nx"));
    CHECK(tool->getValue<bool>("canary"));
    CHECK(tool->getValue<std::string>("relro") == "full");
    CHECK(tool->getObject("fortify")->getValue<int>("fortified") == 1);
    CHECK(tool->getObject("fortify")->getValue<int>("fortifiable") == 2);
    CHECK(tool->getArray("rpath")->size() == 0);
    REQUIRE(tool->getArray("runpath")->size() == 2);
    CHECK(tool->getArray("runpath")->getElement<std::string>(1) == "/opt/y");
    CHECK(tool->getObject("cet")->getValue<bool>("ibt"));
    CHECK(tool->getObject("cet")->getValue<bool>("shstk"));
    CHECK(tool->getValue<bool>("stripped"));
    CHECK(tool->isNull("error"));

    auto old = l.by_path.at(t.dir / "bin/sub/old32");
    CHECK(old->getValue<std::string>("kind") == "exec");
    CHECK_FALSE(old->getValue<bool>("pie"));
    CHECK_FALSE(old->getValue<bool>("nx"));  // no PT_GNU_STACK
    CHECK(old->getValue<std::string>("relro") == "none");
    CHECK_FALSE(old->getValue<bool>("stripped"));
    CHECK(old->getArray("rpath")->getElement<std::string>(0) == "/old");

    auto alias = l.by_path.at(t.dir / "bin/alias");
    CHECK(alias->getValue<std::string>("kind") == "symlink");
    CHECK(alias->getValue<std::string>("link_target") == "tool");
    CHECK(alias->isNull("relro"));
    CHECK(alias->isNull("error"));
    CHECK(l.by_path.at(t.dir / "bin/dangling")->getValue<std::string>("link_target") == "/nonexistent");

    auto broken = l.by_path.at(t.dir / "bin/broken");
    CHECK(broken->isNull("kind"));
    CHECK(broken->getValue<std::string>("error").find("extends past the end of the file") != std::string::npos);
}

TEST_CASE("triad binaries: operands are followed, directories need -r, non-ELF operands are errors") {
    Tree t;
    const Listing named = list({t.dir / "bin/alias", t.dir / "bin/script", t.dir / "bin", t.dir / "bin/missing"});
    REQUIRE(named.by_path.size() == 4);
    CHECK(named.by_path.at(t.dir / "bin/alias")->getValue<std::string>("kind") == "pie");  // an operand symlink is followed
    CHECK(named.by_path.at(t.dir / "bin/script")->getValue<std::string>("error") == "not an ELF file");
    CHECK(named.by_path.at(t.dir / "bin")->getValue<std::string>("error") == "is a directory (use -r)");
    CHECK_FALSE(named.by_path.at(t.dir / "bin/missing")->isNull("error"));
    CHECK(named.exit_code == 1);

    const Listing good = list({t.dir / "bin/tool"});
    CHECK(good.exit_code == 0);

    // A symlink to a directory named on the command line is walked under the name given.
    ::symlink((t.dir / "bin").c_str(), (t.dir / "via").c_str());
    const Listing via = list({"-r", t.dir / "via"});
    CHECK(via.by_path.count(t.dir / "via/tool") == 1);
}

TEST_CASE("triad binaries: table format and usage errors") {
    Tree t;
    auto r = run_triad({"binaries", "-r", t.dir / "bin"}, 60);
    CHECK(r.out.find("KIND") == 0);
    CHECK(r.out.find("pie        full     yes    yes  yes  1/2      ibt,shstk  yes      " + t.dir / "bin/tool  runpath=/opt/x:/opt/y") !=
          std::string::npos);
    CHECK(r.out.find("symlink    " + t.dir / "bin/alias -> tool") != std::string::npos);
    CHECK(r.out.find("error      " + t.dir / "bin/broken: ") != std::string::npos);
    CHECK(run_triad({"binaries"}).exit_code == 2);
    CHECK(run_triad({"binaries", "--format", "xml", "/"}).exit_code == 2);
    CHECK(run_triad({"binaries", "--help"}).out.find("usage: triad binaries") == 0);
}
