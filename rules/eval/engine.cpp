// SPDX-License-Identifier: Apache-2.0
#include "rules/eval/engine.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include "rules/eval/condition.h"
#include "scanner/walk/file_entry.h"
#include "scanner/walk/file_walk.h"
#include "scanner/identity/identity.h"
#include "scanner/core/registry.h"

namespace triad::rules {
namespace {

using scanner::FieldSource;

std::string expected_text(const Check& check);

// What a check has seen of its objects so far. Thread-safe: walk threads feed it at once.
class Outcome {
public:
    explicit Outcome(const Check& check) : check_(check) {}

    void selected() { std::lock_guard l(mutex_); ++selected_; }
    void satisfied() { std::lock_guard l(mutex_); ++satisfied_; }
    void missing(const std::string& object) {
        std::lock_guard l(mutex_);
        if (missing_.size() < 3) missing_.push_back(object);
        ++missing_total_;
    }

    void failed(Evidence e) {
        std::lock_guard l(mutex_);
        ++failures_;
        keep(failing_, std::move(e));
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

    CheckResult finish(const Condition* condition) {
        CheckResult r;
        r.check = check_.info;
        r.expected = expected_text(check_);
        auto by_object = [](const Evidence& a, const Evidence& b) { return a.object < b.object; };
        std::sort(failing_.begin(), failing_.end(), by_object);
        std::sort(errors_list_.begin(), errors_list_.end(), by_object);
        const bool any = check_.expect.objects == Quantifier::any;
        if (failures_ > 0 && !(any && satisfied_ > 0)) {
            r.verdict = Verdict::fail;
            r.evidence = std::move(failing_);
            r.evidence_total = failures_;
            if (check_.expect.objects == Quantifier::none)
                r.reason = plural(failures_, "object") + " selected where none may be";
            else if (any)
                r.reason = "no selected object satisfies " + describe(*condition);
            else
                r.reason = plural(failures_, "object") + " fail " + describe(*condition);
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
            if (any) {
                r.verdict = Verdict::fail;
                r.reason = "nothing selected";
            } else {
                r.verdict = Verdict::not_applicable;
                r.reason = missing_total_ > 0 ? "does not exist: " + join(missing_) : "nothing selected";
            }
        } else {
            r.verdict = Verdict::pass;
        }
        return r;
    }

private:
    static std::string plural(std::uint64_t n, const char* word) {
        return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
    }
    static std::string join(const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
        return out;
    }
    // Keeps the kMaxEvidence smallest objects, so the listed evidence does not depend on
    // the order parallel walk threads happened to find things in.
    static void keep(std::vector<Evidence>& list, Evidence e) {
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

    const Check& check_;
    std::mutex mutex_;
    std::uint64_t selected_ = 0, satisfied_ = 0, failures_ = 0, errors_ = 0, missing_total_ = 0;
    std::vector<std::string> missing_;
    std::string inapplicable_;  // the first reason a collector gave for having nothing to judge
    std::vector<Evidence> failing_, errors_list_;
};

std::string expected_text(const Check& check) {
    if (check.expect.objects == Quantifier::none)
        return check.select.where ? "no object where " + describe(*check.select.where) : "no object selected";
    return (check.expect.objects == Quantifier::any ? "some object: " : "") + describe(*check.expect.condition);
}

Evidence make_evidence(const Check& check, const FieldSource& object,
                       std::vector<std::pair<std::string, std::string>> observed) {
    const auto fields = check.select.collector->fields;
    for (std::size_t f : check.evidence_fields) {
        std::string name = fields[f].name;
        if (std::any_of(observed.begin(), observed.end(), [&](const auto& o) { return o.first == name; })) continue;
        auto v = object.field(f);
        observed.emplace_back(std::move(name), v ? v->to_string() : "(absent)");
    }
    return Evidence{std::string(object.object_name()), std::move(observed)};
}

// Decides one object that the check has selected.
void judge(const Check& check, const FieldSource& object, Outcome& out) {
    out.selected();
    if (check.expect.objects == Quantifier::none) {
        out.failed(make_evidence(check, object, {}));
        return;
    }
    std::vector<std::pair<std::string, std::string>> observed;
    if (evaluate(*check.expect.condition, object, &observed)) out.satisfied();
    else out.failed(make_evidence(check, object, std::move(observed)));
}

// "DIR/**" excludes are a prefix test; other globs need a pattern match.
bool excluded_subtree(const Check& check, std::string_view path) {
    for (const auto& g : check.select.exclude) {
        const auto& sub = g.subtree();
        if (sub && path.size() > sub->size() && path.starts_with(*sub) && path[sub->size()] == '/') return true;
    }
    return false;
}

bool excluded_pattern(const Check& check, std::string_view path) {
    for (const auto& g : check.select.exclude)
        if (!g.subtree() && g.matches(path)) return true;
    return false;
}

bool is_excluded(const Check& check, std::string_view path) {
    return excluded_subtree(check, path) || excluded_pattern(check, path);
}

// Checks often share a select (a policy's PIE, NX, canary and RELRO checks all look at the
// same binaries; several checks read one sshd_config): each distinct select is collected
// once per scan and its facts are shared.
class FactCache {
public:
    const scanner::FactSet& get(const Selection& select, const scanner::CollectContext& ctx) {
        std::string key = select.collector->name;
        for (const auto& [name, value] : select.args.values) {
            key += '\0';
            key += name;
            key += '=';
            std::visit([&key](const auto& v) { append(key, v); }, value);
        }
        auto it = cache_.find(key);
        if (it == cache_.end()) it = cache_.emplace(std::move(key), select.collector->collect(ctx, select.args)).first;
        return it->second;
    }

private:
    static void append(std::string& key, bool b) { key += b ? "true" : "false"; }
    static void append(std::string& key, std::int64_t i) { key += std::to_string(i); }
    static void append(std::string& key, const std::string& s) { key += s; }
    static void append(std::string& key, const scanner::StringList& l) {
        for (const auto& s : l) {
            key += s;
            key += '\x1f';
        }
    }
    std::map<std::string, scanner::FactSet> cache_;
};

CheckResult run_collected(const Check& check, const scanner::CollectContext& ctx, FactCache& cache) {
    Outcome out(check);
    const scanner::FactSet& facts = cache.get(check.select, ctx);
    const bool file_collector = check.select.collector->fields.data() == scanner::file_fields().data();
    for (const scanner::Fact& fact : facts) {
        if (fact.status == scanner::FactStatus::not_applicable) {
            out.inapplicable(fact.reason);
            continue;
        }
        if (fact.status == scanner::FactStatus::error) {
            out.errored(fact.object, fact.reason);
            continue;
        }
        if (file_collector) {
            auto exists = fact.field(scanner::kFileExists);
            if (exists && !std::get<bool>(exists->data)) {
                if (check.select.if_missing == IfMissing::fail) {
                    out.selected();
                    out.failed(Evidence{fact.object, {{"exists", "false"}}});
                } else {
                    out.missing(fact.object);
                }
                continue;
            }
        }
        if (is_excluded(check, fact.object)) continue;
        if (check.select.where && !evaluate(*check.select.where, fact)) continue;
        judge(check, fact, out);
    }
    return out.finish(check.expect.condition ? &*check.expect.condition : nullptr);
}

// One `files` check's view of the shared walk.
struct WalkCheck {
    WalkCheck(const Check& c, std::vector<std::string> r, int depth)
        : check(&c), roots(std::move(r)), max_depth(depth), outcome(c) {}
    const Check* check;
    std::vector<std::string> roots;
    int max_depth;  // below its roots; -1 unlimited
    Outcome outcome;

    // The file system of each root (0 when it does not exist): with one_filesystem, only
    // entries on it are in scope, whatever else the shared walk crossed into for others.
    std::vector<std::uint64_t> root_devices;
    bool one_filesystem = true;
    bool whole_tree = false;  // roots == {"/"} without a depth limit: every path is in scope

    // -1 when the path is outside every root, else its depth below the root it is under.
    // With a device, an entry on another file system than that root is out of scope.
    int depth_in_scope(std::string_view path, std::optional<std::uint64_t> device = std::nullopt) const {
        if (whole_tree) return device && one_filesystem && path != "/" && *device != root_devices[0] ? -1 : 0;
        for (std::size_t i = 0; i < roots.size(); ++i) {
            const std::string& r = roots[i];
            int depth = -1;
            if (r == "/" && max_depth < 0) depth = path == "/" ? 0 : 1;  // no limit: no need to count
            else if (r == "/") depth = static_cast<int>(std::count(path.begin(), path.end(), '/')) - (path == "/" ? 1 : 0);
            else if (path == r) depth = 0;
            else if (path.size() > r.size() && path.starts_with(r) && path[r.size()] == '/')
                depth = static_cast<int>(std::count(path.begin() + static_cast<long>(r.size()), path.end(), '/'));
            if (depth < 0) continue;
            // The root itself counts even when it is a mount point of another file system.
            if (device && one_filesystem && depth > 0 && *device != root_devices[i]) return -1;
            return depth;
        }
        return -1;
    }
};

std::string normalize_root(std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

bool under(const std::string& path, const std::string& root) {
    return root == "/" || path == root || (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/');
}

void run_walk(std::vector<std::unique_ptr<WalkCheck>>& checks, const scanner::Sysroot& root,
              const scanner::IdentityTable& ids, const EngineOptions& options) {
    scanner::WalkOptions walk;
    walk.jobs = options.jobs;
    walk.roots.clear();
    bool unlimited = false;
    int deepest = 0;
    for (const auto& wc : checks) {
        for (const std::string& r : wc->roots) {
            walk.roots.push_back(r);
            walk.targets.push_back(r);
            auto st = root.lstat(r);
            wc->root_devices.push_back(st ? (std::uint64_t{st->stx_dev_major} << 32) | st->stx_dev_minor : 0);
        }
        if (wc->max_depth < 0) unlimited = true;
        deepest = std::max(deepest, wc->max_depth);
        wc->one_filesystem = wc->check->select.args.boolean("one_filesystem").value_or(true);
        wc->whole_tree = wc->roots == std::vector<std::string>{"/"} && wc->max_depth < 0;
        if (!wc->one_filesystem) walk.one_filesystem = false;
    }
    // Start only at roots no other root contains; depth limits then count from there.
    std::sort(walk.roots.begin(), walk.roots.end());
    walk.roots.erase(std::unique(walk.roots.begin(), walk.roots.end()), walk.roots.end());
    std::vector<std::string> outer;
    for (const std::string& r : walk.roots)
        if (std::none_of(outer.begin(), outer.end(), [&](const std::string& o) { return under(r, o); })) outer.push_back(r);
    bool nested = outer.size() != walk.roots.size();
    walk.roots = outer;
    walk.max_depth = unlimited || nested ? -1 : deepest;

    // A subtree every check excludes is not read at all. A check whose roots neither
    // contain nor lie inside the subtree (paths: [/var/log] for /var/lib/docker/**) never
    // looks there, so it does not keep the subtree in the walk.
    for (const auto& candidate : checks) {
        for (const auto& g : candidate->check->select.exclude) {
            if (!g.subtree()) continue;
            const std::string& sub = *g.subtree();
            bool all = std::all_of(checks.begin(), checks.end(), [&](const auto& wc) {
                bool disjoint = std::none_of(wc->roots.begin(), wc->roots.end(), [&](const std::string& r) {
                    return under(sub, r) || under(r, sub);
                });
                return disjoint ||
                       std::any_of(wc->check->select.exclude.begin(), wc->check->select.exclude.end(),
                                   [&](const Glob& o) { return o.subtree() && under(sub, *o.subtree()); });
            });
            if (all) walk.prune.push_back(sub);
        }
    }

    std::atomic<std::uint64_t> seen{0};
    auto on_entry = [&](const scanner::FileEntry& entry) {
        const std::string& path = entry.path();
        for (const auto& wc : checks) {
            int depth = wc->depth_in_scope(path, entry.device());
            if (depth < 0 || (wc->max_depth >= 0 && depth > wc->max_depth)) continue;
            const Check& check = *wc->check;
            // `where` first: it is cheap and rejects almost every entry. A subtree that every
            // check excludes was pruned from the walk, so exclusion rarely has work to do.
            if (check.select.where && !evaluate(*check.select.where, entry)) continue;
            if (is_excluded(check, path)) continue;
            judge(check, entry, wc->outcome);
        }
        if (options.on_walk_progress && (++seen & 0x3fff) == 0) options.on_walk_progress(seen.load());
    };
    auto on_error = [&](const std::string& path, const std::string& reason) {
        for (const auto& wc : checks)
            if (wc->depth_in_scope(path) >= 0 && !is_excluded(*wc->check, path)) wc->outcome.errored(path, reason);
    };
    scanner::walk_files(root, ids, walk, on_entry, on_error, options.cancel);
}

// Owner and group names come from the audited root's passwd and group. When those cannot
// be read, a check that asks for a name, or whether one is unknown, cannot be decided:
// every file would look unowned. Empty when the check can run.
std::string identity_problem(const Check& check, const scanner::IdentityTable& ids) {
    if (check.select.collector->fields.data() != scanner::file_fields().data()) return {};
    std::vector<std::size_t> used;
    if (check.select.where) referenced_fields(*check.select.where, used);
    if (check.expect.condition) referenced_fields(*check.expect.condition, used);
    auto uses = [&](std::size_t f) { return std::find(used.begin(), used.end(), f) != used.end(); };
    if (!ids.users_error().empty() && (uses(scanner::kFileOwner) || uses(scanner::kFileUnowned)))
        return "cannot resolve user names: " + ids.users_error();
    if (!ids.groups_error().empty() && (uses(scanner::kFileGroup) || uses(scanner::kFileUngrouped)))
        return "cannot resolve group names: " + ids.groups_error();
    return {};
}

}  // namespace

std::vector<CheckResult> run_checks(std::span<const Check* const> checks, const scanner::Sysroot& root,
                                    const EngineOptions& options, const FindingSink& on_finding) {
    std::vector<CheckResult> results(checks.size());
    const scanner::IdentityTable ids = scanner::IdentityTable::load(root);
    const scanner::CollectContext ctx{root, ids, options.proc, options.sys};
    FactCache facts;

    std::vector<std::unique_ptr<WalkCheck>> walk_checks;
    std::vector<std::size_t> walk_slots;
    for (std::size_t i = 0; i < checks.size(); ++i) {
        const Check& check = *checks[i];
        const scanner::CollectorEntry& collector = *check.select.collector;
        if (std::string why = scanner::not_built_reason(collector); !why.empty()) {
            results[i].check = check.info;
            results[i].verdict = Verdict::error;
            results[i].reason = std::move(why);
        } else if (collector.scope == scanner::Scope::host && !options.proc) {
            results[i].check = check.info;
            results[i].verdict = Verdict::not_applicable;
            results[i].reason = "needs the running system (/proc); not available for an offline root";
        } else if (std::string why = identity_problem(check, ids); !why.empty()) {
            results[i].check = check.info;
            results[i].verdict = Verdict::error;
            results[i].reason = std::move(why);
        } else if (!collector.collect) {
            std::vector<std::string> roots;
            for (std::string r : check.select.args.list("paths")) roots.push_back(normalize_root(std::move(r)));
            if (roots.empty()) roots.push_back("/");
            int depth = static_cast<int>(check.select.args.integer("max_depth").value_or(-1));
            walk_checks.push_back(std::make_unique<WalkCheck>(check, roots, depth));
            walk_slots.push_back(i);
            continue;
        } else {
            results[i] = run_collected(check, ctx, facts);
        }
        if (on_finding) on_finding(results[i]);
    }
    if (!walk_checks.empty()) {
        run_walk(walk_checks, root, ids, options);
        for (std::size_t k = 0; k < walk_checks.size(); ++k) {
            const Check& check = *walk_checks[k]->check;
            CheckResult& r = results[walk_slots[k]];
            r = walk_checks[k]->outcome.finish(check.expect.condition ? &*check.expect.condition : nullptr);
            if (options.cancel && options.cancel->load()) {
                r.verdict = Verdict::error;
                r.reason = "scan cancelled before the walk finished";
            }
            if (on_finding) on_finding(r);
        }
    }
    return results;
}

std::vector<const Check*> select_checks(std::span<const Policy> policies, const std::vector<std::string>& only,
                                        const std::vector<std::string>& skip, std::vector<std::string>* unmatched) {
    auto matches = [](const Check& c, const std::string& term) {
        if (::fnmatch(term.c_str(), c.info.id.c_str(), 0) == 0) return true;
        return std::find(c.info.tags.begin(), c.info.tags.end(), term) != c.info.tags.end();
    };
    std::vector<const Check*> out;
    std::vector<bool> used_only(only.size()), used_skip(skip.size());
    for (const Policy& p : policies) {
        for (const Check& c : p.checks) {
            bool keep = only.empty();
            for (std::size_t i = 0; i < only.size(); ++i)
                if (matches(c, only[i])) keep = used_only[i] = true;
            for (std::size_t i = 0; i < skip.size(); ++i)
                if (matches(c, skip[i])) {
                    used_skip[i] = true;
                    keep = false;
                }
            if (keep) out.push_back(&c);
        }
    }
    if (unmatched) {
        for (std::size_t i = 0; i < only.size(); ++i)
            if (!used_only[i]) unmatched->push_back(only[i]);
        for (std::size_t i = 0; i < skip.size(); ++i)
            if (!used_skip[i]) unmatched->push_back(skip[i]);
    }
    return out;
}

}  // namespace triad::rules
