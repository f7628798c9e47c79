// SPDX-License-Identifier: Apache-2.0
#include "scanner/elf/binary_walk.h"

#include <sys/stat.h>

namespace triad::scanner {

void walk_binaries(const Sysroot& root, const IdentityTable& ids, const BinaryWalk& request, ElfMemo& memo,
                   Executor& executor, const CancelToken* cancel,
                   const std::function<void(FoundBinary&&)>& on_found, const WalkErrorVisitor& on_error) {
    WalkOptions walk;
    walk.roots = {request.start};
    walk.max_depth = request.max_depth;
    walk.one_filesystem = request.one_filesystem;
    walk.prune = request.prune;
    walk_files(
        root, ids, walk,
        [&](const FileEntry& e) {
            const std::uint32_t mode = e.stat().stx_mode;
            if (S_ISLNK(mode) && request.links) {
                const Value* target = e.field(kFileLinkTarget);
                on_found(FoundBinary{e.path(), mode, target ? target->to_string() : "", std::nullopt});
                return;
            }
            // Directories, FIFOs, devices, sockets: not binaries, and never opened.
            if (!S_ISREG(mode) || (request.wanted && !request.wanted(e.path()))) return;
            Result<ElfInfo> info = memo.read(root, e.path());
            if (!info && (is_not_a_binary(info.error()) || info.error().code == ErrorCode::not_found)) return;
            on_found(FoundBinary{e.path(), mode, std::nullopt, std::move(info)});
        },
        on_error, executor, cancel);
}

}  // namespace triad::scanner
