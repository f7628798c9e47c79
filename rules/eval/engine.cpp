// SPDX-License-Identifier: Apache-2.0
#include "rules/eval/engine.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>

#include "rules/eval/condition.h"
#include "rules/eval/outcome.h"
#include "scanner/core/registry.h"
#include "scanner/identity/identity.h"
#include "scanner/packages/package_files.h"
#include "scanner/walk/shared_walk.h"
#include "scanner/walk/walked_directories.h"

namespace triad::rules {
namespace {

using scanner::FieldSource;



// Where the observed values come from, as one more observed entry, `source`: the origin
// they share ("/etc/login.defs:12", "default (not set in /etc/default/useradd)"), or each
// field's own when they differ ("permitrootlogin: /etc/ssh/sshd_config:3; ..."). Nothing is
// added when the collector gives no origin, or when the collector has a field named source.
void add_source(std::span<const scanner::FieldSpec> fields, const FieldSource& object,
                std::vector<std::pair<std::string, std::string>>& observed) {
    std::vector<std::pair<std::string, std::string>> origins;  // field -> origin text
    for (const auto& [name, value] : observed) {
        if (name == "source") return;
        auto f = scanner::find_field(fields, name);
        if (!f) continue;
        if (const scanner::ValueOrigin* o = object.field_origin(*f)) origins.emplace_back(name, o->to_string());
    }
    if (origins.empty()) return;
    const bool shared = std::all_of(origins.begin(), origins.end(), [&](const auto& o) { return o.second == origins.front().second; });
    std::string text;
    for (const auto& [name, origin] : origins) {
        if (shared) {
            text = origin;
            break;
        }
        text += (text.empty() ? "" : "; ") + name + ": " + origin;
    }
    observed.emplace_back("source", std::move(text));
}

Evidence make_evidence(const Check& check, const FieldSource& object,
                       std::vector<std::pair<std::string, std::string>> observed) {
    const auto fields = check.select.collector->fields;
    for (std::size_t f : check.evidence_fields) {
        std::string name = fields[f].name;
        if (std::any_of(observed.begin(), observed.end(), [&](const auto& o) { return o.first == name; })) continue;
        auto v = object.field(f);
        const std::string* unreadable = v ? nullptr : object.field_error(f);
        observed.emplace_back(std::move(name), v ? v->to_string() : unreadable ? "(unreadable: " + *unreadable + ")" : "(absent)");
    }
    add_source(fields, object, observed);
    return Evidence{std::string(object.object_name()), std::move(observed)};
}

// The value of the check's group_by field for an object ("(none)" when it has none).
std::string group_of(const Check& check, const FieldSource& object) {
    if (!check.group_by) return {};
    const scanner::Value* v = object.field(*check.group_by);
    return v ? v->to_string() : "(none)";
}

// Decides one object that the check has selected.
void judge(const Check& check, const FieldSource& object, Outcome& out) {
    out.selected();
    if (check.expect.objects == Quantifier::none) {
        out.failed(make_evidence(check, object, {}), group_of(check, object));
        return;
    }
    std::vector<std::pair<std::string, std::string>> observed;
    std::string why_unknown;
    switch (evaluate(*check.expect.condition, object, &why_unknown, &observed)) {
        case Truth::yes: out.satisfied(); break;
        case Truth::no: out.failed(make_evidence(check, object, std::move(observed)), group_of(check, object)); break;
        case Truth::unknown: out.errored(std::string(object.object_name()), why_unknown); break;
    }
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

// The key under which a select's facts are collected once per scan: checks often share a
// select (a policy's PIE, NX, canary and RELRO checks all look at the same binaries;
// several checks read one sshd_config).
std::string select_key(const Selection& select) {
    std::string key = select.collector->name;
    auto append = [&key](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) key += v ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::int64_t>) key += std::to_string(v);
        else if constexpr (std::is_same_v<T, std::string>) key += v;
        else
            for (const auto& item : v) {
                key += item;
                key += '\x1f';
            }
    };
    for (const auto& [name, value] : select.args.values) {
        key += '\0';
        key += name;
        key += '=';
        std::visit(append, value);
    }
    return key;
}

// Runs a collector, turning an exception (out of memory, a library that throws) into an
// error fact: one collector's failure is its checks' error, never the end of the scan.
scanner::FactSet collect_guarded(const Selection& select, const scanner::CollectContext& ctx) {
    try {
        return select.collector->collect(ctx, select.args);
    } catch (const std::exception& e) {
        return {scanner::Fact::error(select.collector->name, std::string("collector failed: ") + e.what())};
    }
}

CheckResult run_collected(const Check& check, const scanner::FactSet& facts) {
    Outcome out(check);
    for (const scanner::Fact& fact : facts) {
        switch (fact.status) {
            case scanner::FactStatus::not_applicable: out.inapplicable(fact.reason); continue;
            case scanner::FactStatus::error: out.errored(fact.object, fact.reason); continue;
            case scanner::FactStatus::absent:
                if (check.select.if_missing == IfMissing::fail) {
                    out.selected();
                    std::vector<std::pair<std::string, std::string>> observed{{"exists", "false"}};
                    if (!fact.reason.empty()) observed.emplace_back("reason", fact.reason);
                    out.failed(Evidence{fact.object, std::move(observed)});
                } else {
                    out.missing(fact.object, fact.reason);
                }
                continue;
            case scanner::FactStatus::ok: break;
        }
        if (is_excluded(check, fact.object)) continue;
        out.seen();
        if (check.select.where) {
            std::string why_unknown;
            const Truth selected = evaluate(*check.select.where, fact, &why_unknown);
            if (selected == Truth::unknown) out.errored(fact.object, why_unknown);  // it may be one the check is about
            if (selected != Truth::yes) continue;
        }
        judge(check, fact, out);
    }
    return out.finish(check.expect.condition ? &*check.expect.condition : nullptr);
}

// One walk collector check's share of the shared walk.
struct WalkCheck {
    explicit WalkCheck(const Check& c) : check(&c), outcome(c) {}
    const Check* check;
    Outcome outcome;
};

scanner::WalkRequest walk_request(const Check& check) {
    scanner::WalkRequest request;
    request.scope = check.select.collector->walk(check.select.args);
    for (const Glob& g : check.select.exclude)
        if (g.subtree()) request.skip_subtrees.push_back(*g.subtree());
    return request;
}

void run_walk(std::vector<std::unique_ptr<WalkCheck>>& checks, const scanner::Sysroot& root,
              const scanner::IdentityTable& ids, Executor& executor, const EngineOptions& options,
              scanner::WalkedDirectories* record) {
    // Collectors waiting for the record wait only once this is said, and always see it end:
    // the walk says so when it has read all it will, this guard when it failed before.
    if (record) record->started();
    struct Finish {
        scanner::WalkedDirectories* record;
        ~Finish() {
            if (record) record->finished();
        }
    } finish{record};
    std::vector<scanner::WalkRequest> requests;
    for (const auto& wc : checks) requests.push_back(walk_request(*wc->check));
    auto on_entry = [&](std::size_t i, const scanner::FileEntry& entry) {
        const Check& check = *checks[i]->check;
        const std::string& path = entry.path();
        // `where` first: it is cheap and rejects almost every entry. A subtree that every
        // check excludes was pruned from the walk, so exclusion rarely has work to do.
        if (check.select.where) {
            std::string why_unknown;
            const Truth selected = evaluate(*check.select.where, entry, &why_unknown);
            if (selected == Truth::unknown && !is_excluded(check, path)) checks[i]->outcome.errored(path, why_unknown);
            if (selected != Truth::yes) return;
        }
        if (is_excluded(check, path)) return;
        judge(check, entry, checks[i]->outcome);
    };
    auto on_error = [&](std::size_t i, const scanner::WalkError& error) {
        if (!is_excluded(*checks[i]->check, error.path)) checks[i]->outcome.errored(error.path, error.reason);
    };
    scanner::SharedWalkOptions walk;
    walk.executor = &executor;
    walk.cancel = options.cancel;
    walk.on_progress = options.on_walk_progress;
    walk.record = record;
    try {
        scanner::run_shared_walk(root, ids, requests, on_entry, on_error, walk);
    } catch (const std::exception& e) {
        for (auto& wc : checks) wc->outcome.errored("/", std::string("the walk failed: ") + e.what());
    }
}

// Owner and group names come from the audited root's passwd and group. When those cannot
// be read, a check that asks for a name, or whether one is unknown, cannot be decided:
// every file would look unowned. Empty when the check can run.
std::string identity_problem(const Check& check, const scanner::IdentityTable& ids) {
    std::vector<std::size_t> used;
    if (check.select.where) referenced_fields(*check.select.where, used);
    if (check.expect.condition) referenced_fields(*check.expect.condition, used);
    const auto fields = check.select.collector->fields;
    for (std::size_t f : used) {
        if (fields[f].needs == scanner::FieldNeeds::user_names && !ids.users_error().empty())
            return "cannot resolve user names: " + ids.users_error();
        if (fields[f].needs == scanner::FieldNeeds::group_names && !ids.groups_error().empty())
            return "cannot resolve group names: " + ids.groups_error();
    }
    return {};
}

// Loads the dpkg owner index into the scan's memo ahead of the ELF collector, which takes it
// from there. Only a head start: whatever fails here fails again there and is reported by it.
void warm_owner_index(const scanner::CollectContext& ctx) {
    try {
        (void)ctx.memo->get<scanner::PackageFilesMemo>().get(ctx.root, ctx.cancel);
    } catch (const std::exception&) {
    }
}

// One unit of the collection phase.
struct Task {
    enum Kind { walk, owner_index, collect } kind;
    std::size_t select = 0;  // into the plan's selects, for Kind::collect
};

// Readings that take long alone and that several collectors share through the scan's memo.
// libapt-pkg's cache (built in memory, about a second on a full system) serves every collector
// named in kAptReaders; the dpkg file lists' owner index serves the ELF collector, which
// otherwise reads it only after its own walk of the binaries.
constexpr std::string_view kAptReaders[] = {"packages", "package_sources", "automatic_updates", "security_support",
                                            "kernel_freshness"};
constexpr std::string_view kOwnerIndexReaders[] = {"elf"};

bool reads(std::span<const std::string_view> readers, const Selection& select) {
    return std::find(readers.begin(), readers.end(), std::string_view(select.collector->name)) != readers.end();
}

bool waits_for_walk(const Selection& select) {
    const scanner::CollectorEntry& c = *select.collector;
    return c.waits_for_walk && c.waits_for_walk(select.args);
}

// The order in which the scan's threads take the collection tasks, longest first, so that
// nothing long starts last and leaves the other threads idle at the end:
//  1. one select of libapt-pkg's readers: it builds the cache at scan start, beside the walk;
//  2. the shared walk, which the other threads join once they run out of tasks;
//  3. the dpkg owner index when the ELF collector runs, so it is ready when the ELF walk ends;
//  4. the other selects, in policy order;
//  5. the other selects of libapt-pkg's readers: they take the cache the first one built
//     instead of waiting for it on a thread that could work meanwhile;
//  6. selects that wait for the walk's record (CollectorEntry::waits_for_walk) last: once one
//     is taken nothing else is left to hold back, and the walk was taken before it, which the
//     wait relies on (on one thread the walk has then ended; it never waits for a walk that
//     has not started).
std::vector<Task> collection_order(std::span<const Selection* const> selects, bool walk) {
    std::vector<Task> order, apt_followers, walk_readers;
    bool apt_started = false, owners = false;
    for (std::size_t i = 0; i < selects.size(); ++i) {
        if (!reads(kAptReaders, *selects[i])) continue;
        if (!apt_started) order.push_back(Task{Task::collect, i});
        else apt_followers.push_back(Task{Task::collect, i});
        apt_started = true;
    }
    if (walk) order.push_back(Task{Task::walk});
    for (const Selection* s : selects) owners = owners || reads(kOwnerIndexReaders, *s);
    if (owners) order.push_back(Task{Task::owner_index});
    for (std::size_t i = 0; i < selects.size(); ++i) {
        if (reads(kAptReaders, *selects[i])) continue;
        (walk && waits_for_walk(*selects[i]) ? walk_readers : order).push_back(Task{Task::collect, i});
    }
    order.insert(order.end(), apt_followers.begin(), apt_followers.end());
    order.insert(order.end(), walk_readers.begin(), walk_readers.end());
    return order;
}

}  // namespace

std::vector<CheckResult> run_checks(std::span<const Check* const> checks, const scanner::Sysroot& root,
                                    const EngineOptions& options, const FindingSink& on_finding) {
    std::vector<CheckResult> results(checks.size());
    std::vector<bool> decided(checks.size());
    const scanner::IdentityTable ids = scanner::IdentityTable::load(root);
    Executor local(options.executor ? 1 : options.jobs);
    Executor& executor = options.executor ? *options.executor : local;
    scanner::ScanMemo scan_memo;
    scanner::WalkedDirectories walked;
    scanner::CollectContext ctx{root, ids, options.proc, options.sys, options.cancel,
                                &executor, options.memo ? options.memo : &scan_memo};

    // Plan: what each check needs. Checks decided without collecting anything come first.
    std::vector<std::unique_ptr<WalkCheck>> walk_checks;
    std::vector<std::size_t> walk_slots;
    std::map<std::string, std::size_t> select_index;  // select key -> slot in `selects`
    std::vector<const Selection*> selects;
    std::vector<std::size_t> select_of(checks.size());
    for (std::size_t i = 0; i < checks.size(); ++i) {
        const Check& check = *checks[i];
        const scanner::CollectorEntry& collector = *check.select.collector;
        if (std::string why = scanner::not_built_reason(collector); !why.empty()) {
            results[i].check = check.info;
            results[i].verdict = Verdict::error;
            results[i].reason = std::move(why);
            decided[i] = true;
        } else if (collector.scope == scanner::Scope::host && !options.proc) {
            results[i].check = check.info;
            results[i].verdict = Verdict::not_applicable;
            results[i].reason = "the " + std::string(collector.name) +
                                " collector reads the running system (/proc), which an offline root does not have";
            decided[i] = true;
        } else if (std::string why = identity_problem(check, ids); !why.empty()) {
            results[i].check = check.info;
            results[i].verdict = Verdict::error;
            results[i].reason = std::move(why);
            decided[i] = true;
        } else if (collector.walk) {
            walk_checks.push_back(std::make_unique<WalkCheck>(check));
            walk_slots.push_back(i);
        } else {
            auto [it, fresh] = select_index.emplace(select_key(check.select), selects.size());
            if (fresh) selects.push_back(&check.select);
            select_of[i] = it->second;
        }
    }

    // Collect: every distinct select and the one shared walk, side by side on the executor,
    // in the order that keeps every thread busy to the end (see collection_order).
    std::vector<scanner::FactSet> facts(selects.size());
    // The walk records what it listed only for a select that reads it (a cost of about 2 MiB
    // on a full system otherwise spent for nothing).
    const bool record = !walk_checks.empty() &&
                        std::any_of(selects.begin(), selects.end(), [](const Selection* s) { return waits_for_walk(*s); });
    if (record) ctx.walked = &walked;
    const std::vector<Task> tasks = collection_order(selects, !walk_checks.empty());
    executor.parallel_for(tasks.size(), options.cancel, [&](std::size_t t) {
        const Task& task = tasks[t];
        switch (task.kind) {
            case Task::walk: run_walk(walk_checks, root, ids, executor, options, record ? &walked : nullptr); break;
            case Task::owner_index: warm_owner_index(ctx); break;
            case Task::collect: facts[task.select] = collect_guarded(*selects[task.select], ctx); break;
        }
    });

    // Decide, and report in the order of `checks`.
    for (std::size_t k = 0; k < walk_slots.size(); ++k) {
        const Check& check = *walk_checks[k]->check;
        results[walk_slots[k]] = walk_checks[k]->outcome.finish(check.expect.condition ? &*check.expect.condition : nullptr);
        decided[walk_slots[k]] = true;
    }
    const bool cancelled = options.cancel && options.cancel->cancelled();
    for (std::size_t i = 0; i < checks.size(); ++i) {
        if (!decided[i]) results[i] = run_collected(*checks[i], facts[select_of[i]]);
        if (cancelled) {
            results[i].check = checks[i]->info;
            results[i].verdict = Verdict::error;
            results[i].reason = "scan cancelled before this check was decided";
        }
        if (on_finding) on_finding(results[i]);
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
