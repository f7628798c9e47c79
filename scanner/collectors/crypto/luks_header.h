// SPDX-License-Identifier: Apache-2.0
// Reading a LUKS header (LUKS1 or LUKS2) from an open file or block device, with
// libcryptsetup, without ever writing to it, and probing a device's type with libblkid.
//
// Why this is careful: libcryptsetup repairs a damaged LUKS2 header copy *by writing it*
// while it loads the header (so do `cryptsetup luksDump` and `cryptsetup isLuks`), and on a
// file it opens the image read-write to take a lock. Here metadata locking is switched off
// before every load, which makes the library skip the repair ("Disabling header
// auto-recovery due to locking being disabled") and open the device read-only; it is handed
// /proc/self/fd/N of a descriptor triad opened O_RDONLY inside the audited root, so it never
// resolves a path of the audited system itself. tests/scanner/collectors/crypto proves the
// bytes of a damaged image do not change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace triad::scanner {

struct LuksKeyslot {
    int slot = 0;
    std::string pbkdf;        // pbkdf2, argon2i, argon2id
    std::string hash;         // pbkdf2 only (sha256); empty for argon2
    std::int64_t iterations = 0;  // pbkdf2 iterations; argon2 time cost
    std::int64_t memory_kib = 0;  // argon2 memory cost; 0 for pbkdf2
    std::int64_t parallel = 0;    // argon2 threads; 0 for pbkdf2
    std::string priority;     // normal, prefer, ignore (LUKS2); normal for LUKS1
    std::string encryption;   // the keyslot's own cipher (aes-xts-plain64)
};

struct LuksHeader {
    int version = 0;  // 1 or 2
    std::string uuid;
    std::string label;  // LUKS2 only
    std::string cipher;       // aes
    std::string cipher_mode;  // xts-plain64
    std::int64_t key_bits = 0;
    std::int64_t data_offset_bytes = 0;
    // LUKS2: both header copies are intact and agree. libcryptsetup reads both and would
    // rewrite a bad one; with the repair disabled it says so in its debug log, which is
    // how this is known. Always true for LUKS1, which has a single header.
    bool header_copies_valid = true;
    std::string header_problem;  // what the library found wrong with a copy, when it did
    std::vector<LuksKeyslot> keyslots;  // active ones, by slot number
};

// Reads the header of `fd` (open for reading). `display` names the file or device in
// messages. Not LUKS, damaged beyond use, truncated: an Error with libcryptsetup's reason.
// Calls are serialised: libcryptsetup's log and locking settings are process-wide.
Result<LuksHeader> read_luks_header(int fd, const std::string& display);

struct BlkidProbe {
    std::string type;     // crypto_LUKS, ext4, swap...; empty when nothing was recognised
    std::string uuid;
    std::string version;  // "1" / "2" for LUKS
};

// libblkid's low-level probe of the superblock of `fd` (it only reads).
Result<BlkidProbe> probe_block_type(int fd, const std::string& display);

}  // namespace triad::scanner
