// SPDX-License-Identifier: Apache-2.0
#include "rules/eval/outcome.h"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "rules/eval/condition.h"

namespace triad::rules {
namespace {

std::string plural(std::uint64_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// "service=common-password, type=password": the arguments that say what was looked for.
std::string describe_args(const scanner::SelectArgs& args) {
    std::string out;
    for (const auto& [name, value] : args.values) {
        std::string text;
        std::visit(
            [&text](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, bool>) text = v ? "true" : "false";
                else if constexpr (std::is_same_v<T, std::int64_t>) text = std::to_string(v);
                else if constexpr (std::is_same_v<T, std::string>) text = v;
                else
                    for (const auto& item : v) text += (text.empty() ? "" : ",") + item;
            },
            value);
        out += (out.empty() ? "" : ", ") + name + "=" + text;
    }
    return out;
}

}  // namespace

std::string nothing_selected_reason(const Check& check, std::uint64_t seen, bool walked) {
    const Selection& s = check.select;
    std::string source = "the " + std::string(s.collector->name) + " collector";
    if (std::string args = describe_args(s.args); !args.empty()) source += " (" + args + ")";
    std::string out = "nothing selected: ";
    if (walked) {
        out += "no object that " + source + " walked";
        out += s.where ? " has " + describe(*s.where) : std::string(" was found");
        return out;
    }
    if (seen == 0) return out + source + " found no object to judge";
    if (seen == 1) {
        out += "the one object that " + source + " gave";
        out += s.where ? " does not have " + describe(*s.where) : std::string(" was excluded");
    } else {
        out += "none of the " + plural(seen, "object") + " that " + source + " gave";
        out += s.where ? " has " + describe(*s.where) : std::string(" was left after exclusions");
    }
    // A field that is absent for a reason (no grub.cfg, no sys root) says when in its
    // description: that is the "why" a reader needs.
    if (s.where) {
        std::vector<std::size_t> used;
        referenced_fields(*s.where, used);
        std::string why;
        for (std::size_t f : used) {
            const scanner::FieldSpec& spec = s.collector->fields[f];
            if (std::string_view(spec.doc).find("absent") == std::string_view::npos) continue;
            why += (why.empty() ? "" : "; ") + std::string(spec.name) + ": " + spec.doc;
        }
        if (!why.empty()) out += " (" + why + ")";
    }
    return out;
}

void Outcome::keep(std::vector<Evidence>& list, Evidence e) {
    auto cmp = [](const Evidence& a, const Evidence& b) { return a.object < b.object; };
    if (list.size() < kMaxEvidence) {
        list.push_back(std::move(e));
        std::push_heap(list.begin(), list.end(), cmp);
    } else if (e.object < list.front().object) {
        std::pop_heap(list.begin(), list.end(), cmp);
        list.back() = std::move(e);
        std::push_heap(list.begin(), list.end(), cmp);
    }
}

void Outcome::add_to_group(Evidence e, std::string group) {
    std::vector<std::string>& objects = groups_[std::move(group)];
    if (objects.size() < kMaxEvidence) objects.push_back(std::move(e.object));
}

std::vector<Evidence> Outcome::grouped_evidence() {
    constexpr std::size_t kExamples = 3;
    std::vector<Evidence> out;
    for (auto& [group, objects] : groups_) {
        std::sort(objects.begin(), objects.end());
        std::string examples;
        for (std::size_t i = 0; i < objects.size() && i < kExamples; ++i)
            examples += (i ? ", " : "") + objects[i];
        Evidence e{group, {{"files", std::to_string(objects.size())}, {"examples", std::move(examples)}}, std::move(objects)};
        out.push_back(std::move(e));
    }
    return out;  // sorted by group: the map's order
}

CheckResult Outcome::finish(const Condition* condition) {
    CheckResult r;
    r.check = check_.info;
    r.expected = expected_text(check_);
    auto by_object = [](const Evidence& a, const Evidence& b) { return a.object < b.object; };
    std::sort(failing_.begin(), failing_.end(), by_object);
    std::sort(errors_list_.begin(), errors_list_.end(), by_object);
    const bool any = check_.expect.objects == Quantifier::any;
    if (failures_ > 0 && !(any && satisfied_ > 0)) {
        r.verdict = Verdict::fail;
        r.evidence = check_.group_by ? grouped_evidence() : std::move(failing_);
        r.evidence_total = check_.group_by ? r.evidence.size() : failures_;
        const std::string in_groups = check_.group_by
            ? " in " + plural(r.evidence.size(), check_.select.collector->fields[*check_.group_by].name)
            : std::string();
        if (check_.expect.objects == Quantifier::none)
            r.reason = plural(failures_, "object") + in_groups + " selected where none may be";
        else if (any)
            r.reason = "no selected object satisfies " + describe(*condition);
        else
            r.reason = plural(failures_, "object") + in_groups + " fail " + describe(*condition);
        // Objects that could not be decided are not failures, but the verdict must not hide
        // them (FORTIFY that the imports cannot tell, an unreadable file among the failing).
        if (errors_ > 0 && !errors_list_.empty())
            r.reason += "; " + plural(errors_, "more object") + " undecided (" + errors_list_.front().object + ": " +
                        errors_list_.front().observed.front().second + ")";
    } else if (any && satisfied_ > 0) {
        r.verdict = Verdict::pass;
    } else if (errors_ > 0) {
        r.verdict = Verdict::error;
        r.reason = plural(errors_, "object") + " could not be read: " + errors_list_.front().object + ": " +
                   errors_list_.front().observed.front().second;
        r.evidence = std::move(errors_list_);
        r.evidence_total = errors_;
    } else if (selected_ == 0 && !inapplicable_.empty()) {
        r.verdict = Verdict::not_applicable;
        r.reason = inapplicable_;
    } else if (selected_ == 0 && check_.expect.objects != Quantifier::none) {
        const bool walked = check_.select.collector->walk != nullptr;
        if (any) {
            r.verdict = Verdict::fail;
            r.reason = missing_total_ > 0 ? "does not exist: " + join(missing_)
                                          : nothing_selected_reason(check_, seen_, walked);
        } else {
            r.verdict = Verdict::not_applicable;
            r.reason = missing_total_ > 0 ? "does not exist: " + join(missing_)
                                          : nothing_selected_reason(check_, seen_, walked);
        }
    } else {
        r.verdict = Verdict::pass;
    }
    return r;
}

std::string expected_text(const Check& check) {
    if (check.expect.objects == Quantifier::none)
        return check.select.where ? "no object where " + describe(*check.select.where) : "no object selected";
    return (check.expect.objects == Quantifier::any ? "some object: " : "") + describe(*check.expect.condition);
}

}  // namespace triad::rules
