// SPDX-License-Identifier: Apache-2.0
// Fixture /sys and /proc trees shaped like the kernel's for block device stacks, since test
// machines have no device-mapper: devices under devices/.../block with class/block/NAME and
// dev/block/MAJ:MIN links to them, dm/name and dm/uuid files (ending in a newline, as the
// kernel writes them), md/level, and slaves/ links to the devices underneath; a proc tree
// with self/mountinfo and swaps.
#pragma once

#include <unistd.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace triad::test {

struct FixtureBlockDevice {
    std::string name;     // dm-0, sda2, md0
    std::string devnum;   // 253:0
    std::string parent;   // a whole disk for a partition (sda for sda2); empty otherwise
    std::string dm_name;  // for device-mapper devices
    std::string dm_uuid;  // CRYPT-LUKS2-<hex>-NAME, LVM-..., CRYPT-PLAIN-NAME
    std::string md_level; // raid1
    std::vector<std::string> slaves;
};

class BlockFixture {
public:
    const std::string& sys() const { return sys_.path(); }
    const std::string& proc() const { return proc_.path(); }

    void add(const FixtureBlockDevice& d) {
        std::string rel;
        if (!d.dm_name.empty() || !d.md_level.empty())
            rel = "devices/virtual/block/" + d.name;
        else if (!d.parent.empty())
            rel = "devices/pci0000:00/0000:00:04.0/block/" + d.parent + "/" + d.name;
        else
            rel = "devices/pci0000:00/0000:00:04.0/block/" + d.name;
        paths_[d.name] = rel;
        const std::string dir = sys_ / rel;
        make_dirs(dir);
        write_file(dir + "/size", "2097152\n");
        write_file(dir + "/dev", d.devnum + "\n");
        write_file(dir + "/uevent", "MAJOR=" + d.devnum.substr(0, d.devnum.find(':')) + "\nDEVNAME=" + d.name + "\n");
        make_dirs(dir + "/holders");
        if (!d.dm_name.empty()) {
            write_file(dir + "/dm/name", d.dm_name + "\n");
            write_file(dir + "/dm/uuid", d.dm_uuid + "\n");
            write_file(dir + "/dm/suspended", "0\n");
        }
        if (!d.md_level.empty()) write_file(dir + "/md/level", d.md_level + "\n");
        if (d.parent.empty()) make_dirs(dir + "/slaves");
        make_dirs(sys_ / "class/block");
        make_dirs(sys_ / "dev/block");
        link("../../" + rel, sys_ / ("class/block/" + d.name));
        link("../../" + rel, sys_ / ("dev/block/" + d.devnum));
        // Slaves are added first, so their place is known: a link up to /sys and down again.
        std::string up = "../";
        for (char c : rel)
            if (c == '/') up += "../";
        for (const std::string& s : d.slaves) link(up + "../" + paths_.at(s), dir + "/slaves/" + s);
    }

    void mountinfo(const std::string& text) { write_file(proc_ / "self/mountinfo", text); }
    void swaps(const std::string& lines) {
        write_file(proc_ / "swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" + lines);
    }

private:
    static void link(const std::string& target, const std::string& at) {
        if (::symlink(target.c_str(), at.c_str()) != 0) throw std::runtime_error("symlink " + at);
    }

    TempDir sys_, proc_;
    std::map<std::string, std::string> paths_;
};

}  // namespace triad::test
