// SPDX-License-Identifier: Apache-2.0
// The `config` collector: one key of a key/value configuration file (`KEY VALUE`,
// `KEY=VALUE`, `KEY: VALUE`, parsed by scanner/config/config_file.h), with the repeat rule
// of the program that reads it (sshd: first wins; login.defs, sysctl.d: last wins). One
// fact per select. Root scope.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scanner/config/config_file.h"
#include "scanner/core/collector.h"
#include "scanner/core/fact.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

enum ConfigField : std::size_t {
    kConfigFileExists, kConfigExists, kConfigValue, kConfigValues, kConfigFile, kConfigLine,
    kConfigDefaulted, kConfigFieldCount
};

enum class ConfigRepeat { first, last };

struct ConfigQuery {
    std::vector<std::string> paths;  // globs allowed; files read in sorted order as one stream
    std::string key;
    ConfigSyntax syntax;
    ConfigRepeat repeat = ConfigRepeat::last;
    std::optional<std::string> default_value;  // the program's built-in default
};

FactSet collect_config(const Sysroot& root, const ConfigQuery& query);

extern const CollectorEntry kConfigCollector;

}  // namespace triad::scanner
