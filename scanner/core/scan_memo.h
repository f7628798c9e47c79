// SPDX-License-Identifier: Apache-2.0
// ScanMemo: what readers remember between collectors, owned by whoever runs the scans —
// the engine for one scan, the daemon across scans — instead of process-wide statics. Each
// reader keeps one object of its own type here (the ELF reader its memo of analysed
// binaries), created on first use. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <typeindex>
#include <unordered_map>

namespace triad::scanner {

class ScanMemo {
public:
    // The one T of this memo; T must be default-constructible and thread-safe itself.
    template <class T>
    T& get() {
        std::lock_guard lock(mutex_);
        std::shared_ptr<void>& slot = slots_[std::type_index(typeid(T))];
        if (!slot) slot = std::make_shared<T>();
        return *static_cast<T*>(slot.get());
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::type_index, std::shared_ptr<void>> slots_;
};

}  // namespace triad::scanner
