// SPDX-License-Identifier: Apache-2.0
#include "scanner/elf/elf_cache.h"

#include <fcntl.h>
#include <sys/stat.h>

namespace triad::scanner {
namespace {

// Far more binaries than a system has; past it the memo starts over rather than grow.
constexpr std::size_t kMaxEntries = 200000;

}  // namespace

Result<ElfInfo> ElfMemo::read(const Sysroot& root, std::string_view path) {
    auto fd = root.open_path(path, O_PATH, /*follow_final=*/false);
    if (!fd) return fd.error();
    struct statx st {};
    constexpr unsigned kMask = STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MTIME | STATX_CTIME;
    if (::statx(fd->get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, kMask, &st) != 0 || !S_ISREG(st.stx_mode))
        return read_elf(root, path);  // read_elf names the problem
    const Key key{(std::uint64_t{st.stx_dev_major} << 32) | st.stx_dev_minor, st.stx_ino, st.stx_size,
                  st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec, st.stx_ctime.tv_sec, st.stx_ctime.tv_nsec};
    {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(key); it != entries_.end()) {
            Result<ElfInfo> hit = it->second;
            if (!hit) {  // the memo holds an error about this file under another name, maybe
                Error e = hit.error();
                e.where = root.display(path);
                return e;
            }
            return hit;
        }
    }
    Result<ElfInfo> result = read_elf(root, path);
    // Only answers about the content are kept: a failed open may succeed next time.
    if (!result && result.error().code != ErrorCode::invalid_input && result.error().code != ErrorCode::unsupported)
        return result;
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.emplace(key, result);
    return result;
}

}  // namespace triad::scanner
