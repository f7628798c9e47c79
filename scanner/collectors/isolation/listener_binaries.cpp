// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/isolation/listener_binaries.h"

#include <set>

#include "scanner/collectors/isolation/listeners.h"
#include "scanner/elf/elf_cache.h"

namespace triad::scanner {
namespace {

int relro_rank(const std::string& relro) { return relro == "full" ? 2 : relro == "partial" ? 1 : 0; }

}  // namespace

void add_binary_hardening(const CollectContext& ctx, const std::vector<ListenerBinary>& binaries, Fact& f) {
    ElfMemo own_memo;
    ElfMemo& elf = ctx.memo ? ctx.memo->get<ElfMemo>() : own_memo;
    bool pie = true, canary = true, nx = true;
    std::string relro = "full";
    std::set<std::string> seen;
    for (const ListenerBinary& b : binaries) {
        std::string error;
        if (!b.exe_error.empty()) error = "cannot read the binary of a process holding it: " + b.exe_error;
        else if (b.exe.empty()) continue;  // a kernel socket owner has no binary
        else if (b.deleted) error = "its binary " + b.exe + " was deleted or replaced since it started (restart it)";
        if (error.empty()) {
            if (!seen.insert(b.exe).second) continue;
            auto info = elf.read(ctx.root, b.exe);
            if (!info) {
                error = "cannot judge its binary " + b.exe + ": " + info.error().message;
            } else {
                pie = pie && info->pie;
                canary = canary && info->canary;
                nx = nx && info->nx;
                if (relro_rank(info->relro) < relro_rank(relro)) relro = info->relro;
            }
        }
        if (!error.empty()) {
            f.fields[kLsnHardeningError] = Value{error};
            return;
        }
    }
    if (seen.empty()) {
        f.fields[kLsnHardeningError] = Value{std::string("no binary of a process holding it is known")};
        return;
    }
    f.fields[kLsnPie] = Value{pie};
    f.fields[kLsnRelro] = Value{relro};
    f.fields[kLsnCanary] = Value{canary};
    f.fields[kLsnNx] = Value{nx};
}

}  // namespace triad::scanner
