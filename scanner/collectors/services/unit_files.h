// SPDX-License-Identifier: Apache-2.0
// systemd unit files read without systemd: the unit directories of an audited root, which
// file defines a unit (the first directory in systemd's search order that has it), its
// drop-ins, whether it is masked, aliased or enabled through a .wants/.requires link, and
// the settings of its files in the order systemd applies them. Bounded: a hostile root with
// huge or countless files gets an error naming the file, never a hang.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/sysroot.h"

namespace triad::scanner::units {

// One `Key=Value` assignment of a unit file, with where it was written.
struct Setting {
    std::string section;  // "Service", "Unit", "Install", ...
    std::string key;
    std::string value;
    std::string file;
    int line = 0;
};

// Parses one unit file (systemd's syntax: [Section] headers, Key=Value lines, '#' and ';'
// comment lines, a trailing backslash continues a line). Lines that are none of these are
// skipped, as systemd skips them with a warning. `error` is set for a file that is not a
// unit file at all (an assignment before any section header counts as that, as in systemd).
std::vector<Setting> parse_unit_text(std::string_view text, const std::string& file, std::string* error);

// The directories systemd's system manager searches, highest priority first (Debian 12
// keeps /lib a link to /usr/lib; both are listed so an unmerged root is read too).
const std::vector<std::string>& search_dirs();

// What the unit directories of a root hold, gathered once for all units.
struct UnitIndex {
    // unit name -> every directory entry of that name, in search order (dir/name).
    std::map<std::string, std::vector<std::string>> entries;
    // drop-in directory name ("ssh.service.d", "service.d") -> its *.conf files (dir/name).d/x.conf
    std::map<std::string, std::vector<std::string>> dropin_dirs;
    // unit name -> the targets whose .wants/.requires directory links it (instances count
    // for their template: "getty@tty1.service" enables "getty@.service").
    std::map<std::string, std::vector<std::string>> wanted_by;
    // template name -> instances enabled by links ("tty1").
    std::map<std::string, std::vector<std::string>> instances;
    std::vector<std::string> errors;  // directories that could not be read, or limits hit
};

// Unit types the index keeps (".service", ".socket").
UnitIndex index_units(const Sysroot& root, const std::vector<std::string>& suffixes);

// A unit resolved from the index: the file that defines it and the settings of that file
// and its drop-ins, in systemd's order.
struct LoadedUnit {
    std::string name;
    std::string fragment;           // the defining file ("" when masked)
    bool masked = false;            // linked to /dev/null, or an empty file
    std::string alias_of;           // set when the entry is a link to a unit of another name
    std::vector<std::string> dropins;
    std::vector<Setting> settings;
    std::string error;              // unreadable or malformed file, with its name
};

LoadedUnit load_unit(const Sysroot& root, const UnitIndex& index, const std::string& name);

// "getty@.service" for "getty@tty1.service"; the name itself otherwise.
std::string template_of(const std::string& name);

}  // namespace triad::scanner::units
