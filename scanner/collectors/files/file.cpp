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

}  // namespace triad::scanner
