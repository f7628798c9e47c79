// SPDX-License-Identifier: Apache-2.0
// The subcommands of `triad`, and what they share: exit codes and policy loading.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rules/load/policy_loader.h"

namespace triad::cli {

// DESIGN.md: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage or policy
// error; 3 the scan could not run.
enum ExitCode { kExitOk = 0, kExitFindings = 1, kExitUsage = 2, kExitCannotRun = 3 };

// argv[first] is the first argument after the subcommand's name.
int run_scan(int argc, char** argv, int first);
int run_policy(int argc, char** argv, int first);
int run_rules(int argc, char** argv, int first);
int run_collectors(int argc, char** argv, int first);
int run_report(int argc, char** argv, int first);
int run_diff(int argc, char** argv, int first);
int run_binaries(int argc, char** argv, int first);
int run_history(int argc, char** argv, int first);
int run_watch(int argc, char** argv, int first);

// The shipped policy directory: $TRIAD_POLICY_DIR, else the installed copy beside the
// executable (../share/triad/policies), else the source tree's rules/policies.
std::string default_policy_dir();

// Loads policies, printing every diagnostic to stderr as FILE:LINE:COL: message.
// Returns false (after printing) when anything was rejected.
bool load_or_report(const std::vector<std::string>& paths, rules::LoadResult& out);

// One-line error on stderr: "triad: message".
void print_error(const std::string& message);
// One line of a diagnostic list (FILE:LINE:COL: message), terminal-safe, to stderr.
void print_diagnostic(const std::string& line);

class Args;
// --jobs N (1..256); 0 (one per core) when absent; nullopt after printing the error.
std::optional<int> jobs_option(const Args& args);
// --fail-on LEVEL, info when absent; nullopt after printing the error.
std::optional<rules::Severity> fail_on_option(const Args& args);

}  // namespace triad::cli
