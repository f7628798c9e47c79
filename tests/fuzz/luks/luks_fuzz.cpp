// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the LUKS header reader: each input is the start of a device (the
// header area), written into an in-memory file that is then grown, sparse, to 4 MiB so that
// libcryptsetup's minimum-size checks pass and it parses the bytes. A crash, hang, leak or
// undefined behaviour is a finding; an error is the expected outcome for most inputs. The
// reader must never write: the memory file's bytes are compared after each read.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "scanner/collectors/crypto/luks_header.h"

namespace {

constexpr off_t kDeviceBytes = 4 * 1024 * 1024;

int memory_file() {
    static const int fd = ::memfd_create("luks_fuzz", MFD_CLOEXEC);
    return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = memory_file();
    if (fd < 0 || size > static_cast<std::size_t>(kDeviceBytes)) return 0;
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size) ||
        ::ftruncate(fd, kDeviceBytes) != 0)
        return 0;
    auto header = triad::scanner::read_luks_header(fd, "fuzz-input");
    if (header) {
        // What a loaded header claims must be within the format's limits.
        if (header->version != 1 && header->version != 2) __builtin_trap();
        if (header->keyslots.size() > 32) __builtin_trap();
    }
    std::vector<std::uint8_t> after(size);
    if (size > 0 &&
        (::pread(fd, after.data(), size, 0) != static_cast<ssize_t>(size) || std::memcmp(after.data(), data, size) != 0))
        __builtin_trap();  // the reader wrote to the device
    (void)triad::scanner::probe_block_type(fd, "fuzz-input");
    return 0;
}
