// SPDX-License-Identifier: Apache-2.0
// The inetd_services collector: inetd.conf entries (update-inetd's `#<off>#` disables), and
// xinetd services from xinetd.conf and its includedir (disable = yes, the defaults'
// disabled list, files xinetd skips).
#include "scanner/collectors/services/inetd_services.h"

#include <doctest/doctest.h>

#include "tests/scanner/collect_root.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& dir) { return triad::test::collect_root(kInetdServicesCollector, dir); }

// "name enabled" for each object, in order.
std::vector<std::string> summary(const FactSet& facts) {
    std::vector<std::string> out;
    for (const Fact& f : facts) {
        if (f.status != FactStatus::ok) {
            out.push_back("error " + f.reason);
            continue;
        }
        out.push_back(field_text(f, kInetdServicesCollector.fields, "daemon") + ":" +
                      field_text(f, kInetdServicesCollector.fields, "name") + " " +
                      field_text(f, kInetdServicesCollector.fields, "enabled"));
    }
    return out;
}

}  // namespace

TEST_CASE("inetd_services: inetd.conf and xinetd services with how each is enabled") {
    TempDir dir;
    write_file(dir / "etc/inetd.conf",
               "# comment\n"
               "telnet  stream  tcp nowait  root  /usr/sbin/tcpd /usr/sbin/in.telnetd\n"
               "#<off># tftp dgram udp wait nobody /usr/sbin/tcpd /usr/sbin/in.tftpd\n"
               "#discard stream tcp nowait root internal\n"
               "127.0.0.1:shell stream tcp nowait root.root /usr/sbin/in.rshd in.rshd\n");
    write_file(dir / "etc/xinetd.conf", "defaults\n{\n  disabled = echo\n}\nincludedir /etc/xinetd.d\n");
    write_file(dir / "etc/xinetd.d/rlogin", "service login\n{\n  socket_type = stream\n  user = root\n  server = /usr/sbin/in.rlogind\n  disable = no\n}\n");
    write_file(dir / "etc/xinetd.d/time", "service time\n{\n  type = INTERNAL\n  disable = yes\n}\n");
    write_file(dir / "etc/xinetd.d/echo", "service echo {\n  type = INTERNAL\n}\n");
    write_file(dir / "etc/xinetd.d/chargen.dpkg-old", "service chargen\n{\n  disable = no\n}\n");  // skipped by xinetd
    FactSet facts = collect(dir.path());
    CHECK(summary(facts) == std::vector<std::string>{"inetd:telnet true", "inetd:tftp false", "inetd:shell true",
                                                     "xinetd:echo false", "xinetd:login true", "xinetd:time false"});
    CHECK(field_text(facts[0], kInetdServicesCollector.fields, "server") == "/usr/sbin/tcpd");
    CHECK(field_text(facts[2], kInetdServicesCollector.fields, "user") == "root");
    CHECK(field_text(facts[4], kInetdServicesCollector.fields, "server") == "/usr/sbin/in.rlogind");
    CHECK(field_text(facts[4], kInetdServicesCollector.fields, "line") == "1");
}

TEST_CASE("inetd_services: no configuration is no service; an unreadable one is an error") {
    TempDir bare;
    CHECK(collect(bare.path()).empty());
    TempDir odd;
    triad::test::make_dirs(odd / "etc/inetd.conf");
    FactSet facts = collect(odd.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("/etc/inetd.conf") != std::string::npos);
}
