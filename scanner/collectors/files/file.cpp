// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/files/file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "scanner/core/path_glob.h"

namespace triad::scanner {

FactSet collect_file(const Sysroot& root, const IdentityTable& ids, const std::vector<std::string>& paths) {
    FactSet out;
    for (const std::string& pattern : paths) {
        auto expanded = expand_path_glob(root, pattern);
        if (!expanded) {
            out.push_back(Fact::error(pattern, expanded.error().message));
            continue;
        }
        for (const std::string& path : *expanded) {
            auto fd = root.open_path(path, O_PATH, /*follow_final=*/false);
            if (!fd) {
                if (fd.error().code == ErrorCode::not_found) {
                    Fact missing;
                    missing.object = path;
                    missing.status = FactStatus::absent;
                    missing.fields.resize(kFileFieldCount);
                    missing.fields[kFilePath] = Value{path};
                    missing.fields[kFileExists] = Value{false};
                    out.push_back(std::move(missing));
                } else {
                    out.push_back(Fact::error(path, fd.error().message));
                }
                continue;
            }
            struct statx st {};
            if (::statx(fd->get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) != 0) {
                out.push_back(Fact::error(path, error_from_errno(errno, path).message));
                continue;
            }
            FileEntry entry(ids);
            entry.reset(path, fd->get(), "", st);
            out.push_back(entry.to_fact());
        }
    }
    return out;
}

namespace {

constexpr ArgSpec kArgs[] = {
    {"path", ArgKind::paths, true, "path or glob (or a list of them) inside the audited root"},
    {"if_missing", ArgKind::choice, false, "a named path that does not exist is left out (skip, default) or fails the check", "skip|fail"},
    {"program", ArgKind::paths, false,
     "the program the named files belong to (a path or list, /usr/sbin/cron): when none exists in the audited root "
     "the collector is not_applicable, the program not being installed"},
};

FactSet run_file(const CollectContext& ctx, const SelectArgs& args) {
    // Files of a program that is not installed (cron.daily left by packages that drop jobs
    // there for a cron that was never installed) configure nothing that runs.
    if (const StringList programs = args.list("program"); !programs.empty()) {
        bool installed = false;
        std::string names;
        for (const std::string& pattern : programs) {
            names += (names.empty() ? "" : ", ") + pattern;
            auto found = expand_path_glob(ctx.root, pattern);
            if (!found) return {Fact::error(pattern, found.error().message)};
            for (const std::string& path : *found)
                if (ctx.root.lstat(path)) installed = true;
        }
        if (!installed)
            return {Fact::not_applicable(programs.front(), "the program these files configure is not installed: none of " +
                                                               names + " exists")};
    }
    return collect_file(ctx.root, ctx.ids, args.list("path"));
}

}  // namespace

const CollectorEntry kFileCollector{
    "file", Scope::root, file_fields(), kArgs, run_file,
    "named paths: type, mode, owner, ACL, capabilities, attributes\n"
    "\n"
    "One object per path that `path` names, globs expanded inside the audited root; a symlink "
    "is reported as the link itself, never followed. A named path that does not exist is an "
    "object with `exists: false` (see `if_missing`); one that cannot be read is an error "
    "with the reason. With `program`, files of a program that is not installed are "
    "not_applicable as a whole, saying so. Use `files` to judge every object under a directory.",
};

}  // namespace triad::scanner
