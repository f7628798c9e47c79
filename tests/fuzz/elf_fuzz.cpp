// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the ELF reader: every input goes through both of its entry points
// (elf_memory on a private copy, and elf_begin on a file descriptor, the path scans take)
// and through the byte-level parsers of notes and GNU hash tables. Any crash, hang, leak or
// undefined behaviour is a finding; errors are the expected outcome for most inputs.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "scanner/elf/elf_hardening.h"
#include "scanner/elf/elf_hardening_internal.h"

namespace {

int memory_file() {
    static const int fd = ::memfd_create("elf_fuzz", MFD_CLOEXEC);
    return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    const std::span<const char> image(reinterpret_cast<const char*>(data), size);
    auto in_memory = analyze_elf_image(image, "fuzz");

    const int fd = memory_file();
    if (fd >= 0 && ::ftruncate(fd, 0) == 0 && ::pwrite(fd, data, size, 0) == static_cast<ssize_t>(size)) {
        auto from_fd = analyze_elf_fd(fd, size, "fuzz");
        // Both paths read the same bytes: they must reach the same verdict.
        if (in_memory.has_value() != from_fd.has_value()) __builtin_trap();
        if (in_memory && (in_memory->kind != from_fd->kind || in_memory->relro != from_fd->relro ||
                          in_memory->canary != from_fd->canary || in_memory->fortified != from_fd->fortified))
            __builtin_trap();
    }

    const std::span<const unsigned char> bytes(data, size);
    const bool big = size > 0 && (data[0] & 1), wide = size > 0 && (data[0] & 2);
    (void)elf_internal::parse_notes(bytes, big, wide, wide ? 8 : 4);
    (void)elf_internal::gnu_hash_symbol_count(bytes, big, wide);
    return 0;
}
