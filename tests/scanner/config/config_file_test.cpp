// SPDX-License-Identifier: Apache-2.0
#include "scanner/config/config_file.h"

#include <doctest/doctest.h>

using namespace triad::scanner;

TEST_CASE("config lines in the three common syntaxes") {
    ConfigSyntax syntax;
    auto entries = parse_config(
        "# comment\n"
        "  ; another\n"
        "\n"
        "PASS_MAX_DAYS\t99999\n"
        "KEY=value with spaces  \n"
        "Name: colon\n"
        "spaced = around\n"
        "quoted=\"in quotes\"\n"
        "lonely\n",
        syntax);
    REQUIRE(entries.size() == 6);
    CHECK(entries[0].key == "PASS_MAX_DAYS");
    CHECK(entries[0].value == "99999");
    CHECK(entries[0].line == 4);
    CHECK(entries[1].value == "value with spaces");
    CHECK(entries[2].key == "Name");
    CHECK(entries[2].value == "colon");
    CHECK(entries[3].key == "spaced");
    CHECK(entries[3].value == "around");
    CHECK(entries[4].value == "in quotes");
    CHECK(entries[5].key == "lonely");
    CHECK(entries[5].value.empty());
}

TEST_CASE("a stop keyword ends the global section, as sshd's Match does") {
    ConfigSyntax syntax{ConfigSeparator::whitespace, true, "Match"};
    auto entries = parse_config("PermitRootLogin no\nmatch User bob\nPermitRootLogin yes\n", syntax);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].value == "no");
}

TEST_CASE("logical lines join backslash continuations as PAM and sudoers read them") {
    auto pam = logical_lines("auth required \\\n  pam_unix.so # trailing comment\r\n# whole comment\nlast \\", true);
    REQUIRE(pam.size() == 3);
    CHECK(pam[0].text == "auth required    pam_unix.so ");
    CHECK(pam[0].line == 1);
    CHECK(pam[1].text.empty());
    CHECK(pam[1].line == 3);
    CHECK(pam[2].text == "last  ");  // a backslash on the last line continues nothing
    auto sudoers = logical_lines("#includedir /etc/sudoers.d\nroot ALL=(ALL) \\\r\n ALL\n", false);
    REQUIRE(sudoers.size() == 2);
    CHECK(sudoers[0].text == "#includedir /etc/sudoers.d");
    CHECK(sudoers[1].text == "root ALL=(ALL)   ALL");
    CHECK(sudoers[1].line == 2);
}
