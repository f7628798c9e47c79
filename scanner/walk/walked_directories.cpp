// SPDX-License-Identifier: Apache-2.0
#include "scanner/walk/walked_directories.h"

namespace triad::scanner {

WalkedDirectories::Key::Key(const struct statx& st)
    : device((std::uint64_t{st.stx_dev_major} << 32) | st.stx_dev_minor), inode(st.stx_ino) {}

void WalkedDirectories::listed(std::uint64_t device, std::uint64_t inode, std::vector<std::string> privileged) {
    std::lock_guard lock(mutex_);
    // A directory reached twice (bind-mounted at two places) keeps its first listing, which a
    // reader may already hold.
    directories_.try_emplace(Key(device, inode), std::move(privileged));
}

bool WalkedDirectories::wait(Executor& executor, const CancelToken* cancel) const {
    if (state_.load() == kIdle) return false;
    executor.help_until([&] { return state_.load() == kFinished || (cancel && cancel->cancelled()); });
    return state_.load() == kFinished && !(cancel && cancel->cancelled());
}

const std::vector<std::string>* WalkedDirectories::privileged_in(const struct statx& directory) const {
    if (state_.load() != kFinished) return nullptr;
    std::lock_guard lock(mutex_);
    const auto found = directories_.find(Key(directory));
    return found == directories_.end() ? nullptr : &found->second;
}

std::size_t WalkedDirectories::size() const {
    std::lock_guard lock(mutex_);
    return directories_.size();
}

}  // namespace triad::scanner
