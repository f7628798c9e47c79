// SPDX-License-Identifier: Apache-2.0
// What a check has seen of its objects so far, and the verdict that follows: the quantifier
// (all, any, none), failures with bounded evidence (grouped by a field when the check says), errors, objects that do not exist, and a
// collector's reason for having nothing to judge. Thread-safe: walk threads feed it at once.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "rules/model/policy.h"
#include "rules/model/result.h"

namespace triad::rules {

class Outcome {
public:
    explicit Outcome(const Check& check) : check_(check) {}

    void selected() { std::lock_guard l(mutex_); ++selected_; }
    void satisfied() { std::lock_guard l(mutex_); ++satisfied_; }
    // An object the collector gave, before `where`: counted so that "nothing selected" can say
    // how many objects there were to choose from (collected checks only; the walk does not count).
    void seen() { std::lock_guard l(mutex_); ++seen_; }
    // A named object that does not exist, with the collector's reason when it gave one (the
    // kernel has no such parameter: the Yama LSM is not in this kernel).
    void missing(const std::string& object, const std::string& reason = {}) {
        std::lock_guard l(mutex_);
        if (missing_.size() < 3) missing_.push_back(reason.empty() ? object : object + " (" + reason + ")");
        ++missing_total_;
    }

    // `group`: the value of the check's group_by field for this object (ignored without one).
    void failed(Evidence e, std::string group = {}) {
        std::lock_guard l(mutex_);
        ++failures_;
        if (check_.group_by) add_to_group(std::move(e), std::move(group));
        else keep(failing_, std::move(e));
    }

    void inapplicable(const std::string& reason) {
        std::lock_guard l(mutex_);
        if (inapplicable_.empty()) inapplicable_ = reason;
    }

    void errored(const std::string& object, const std::string& reason) {
        std::lock_guard l(mutex_);
        ++errors_;
        keep(errors_list_, Evidence{object, {{"error", reason}}});
    }

    // The verdict, with the reason and the evidence kept.
    CheckResult finish(const Condition* condition);

private:
    // Keeps the kMaxEvidence smallest objects, so the listed evidence does not depend on
    // the order parallel walk threads happened to find things in.
    static void keep(std::vector<Evidence>& list, Evidence e);
    void add_to_group(Evidence e, std::string group);
    // Grouped failures as one evidence entry per group: files, examples, every object.
    std::vector<Evidence> grouped_evidence();

    const Check& check_;
    std::mutex mutex_;
    std::uint64_t selected_ = 0, satisfied_ = 0, failures_ = 0, errors_ = 0, missing_total_ = 0, seen_ = 0;
    std::vector<std::string> missing_;
    std::string inapplicable_;  // the first reason a collector gave for having nothing to judge
    std::vector<Evidence> failing_, errors_list_;
    std::map<std::string, std::vector<std::string>> groups_;  // group_by value -> failing objects
};

// What every failing object was held to ("mode at_most 0640"), for the result.
std::string expected_text(const Check& check);

// Why a check selected nothing, said specifically: what was looked for (the collector and
// its arguments), how many objects it gave (`seen`, when counted), and the `where` none of
// them met. A walk check (`walked`) names the paths walked instead of a count.
std::string nothing_selected_reason(const Check& check, std::uint64_t seen, bool walked);

}  // namespace triad::rules
