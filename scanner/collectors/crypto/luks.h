// SPDX-License-Identifier: Apache-2.0
// The LUKS collectors (libcryptsetup, libblkid; TRIAD_WITH_CRYPTSETUP):
//   luks           — one object per LUKS device or image: format version, cipher, key size,
//                    the weakest key-derivation function of its active keyslots, whether both
//                    LUKS2 header copies are intact, whether a dm-crypt mapping uses it.
//   luks_keyslots  — one object per active keyslot (`PATH#SLOT`) with its PBKDF and costs.
// Without `images`, every block device the sys root lists (/sys/class/block) is probed with
// libblkid and the crypto_LUKS ones are read from the audited root's /dev; with `images`,
// those files inside the audited root are read. Headers are read without ever being
// written (luks_header.h says how). Root scope: images work offline; block devices need
// the sys root of a running system.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

// The specs are here so that a build without libcryptsetup still has them (left_out()).
inline constexpr FieldSpec kLuksFields[] = {
    {"path", ValueKind::string, "the device node (/dev/vda2) or image file inside the audited root"},
    {"uuid", ValueKind::string, "the LUKS header's UUID"},
    {"version", ValueKind::integer, "LUKS format version: 1 or 2"},
    {"cipher", ValueKind::string, "data cipher (aes)"},
    {"cipher_mode", ValueKind::string, "cipher mode with IV generator (xts-plain64)"},
    {"key_bits", ValueKind::integer, "volume key size in bits (512 for aes-xts with two 256-bit keys)"},
    {"active_keyslots", ValueKind::integer, "number of keyslots holding a key"},
    {"weakest_pbkdf", ValueKind::string,
     "the weakest key-derivation function among the active keyslots: pbkdf2, then argon2i, then argon2id; absent without an active keyslot"},
    {"min_pbkdf2_iterations", ValueKind::integer, "the lowest iteration count of an active pbkdf2 keyslot; absent when none uses pbkdf2"},
    {"min_argon2_memory_kib", ValueKind::integer, "the lowest memory cost (KiB) of an active argon2 keyslot; absent when none uses argon2"},
    {"header_copies_valid", ValueKind::boolean,
     "LUKS2: both header copies pass libcryptsetup's checks and agree (it would otherwise repair one; triad only reports it). Always true for LUKS1, which has one header"},
    {"open", ValueKind::boolean,
     "a dm-crypt mapping in the sys root carries this header's UUID (dm/uuid CRYPT-LUKSn-UUID-NAME); absent without a sys root"},
    {"mapped_as", ValueKind::string, "the name of that mapping (/dev/mapper/NAME); absent when not open"},
    {"label", ValueKind::string, "LUKS2 label; absent when none"},
    {"header_problem", ValueKind::string, "what libcryptsetup found wrong with a header copy; absent when nothing"},
    {"kind", ValueKind::string, "block_device or image"},
};

inline constexpr FieldSpec kLuksKeyslotFields[] = {
    {"path", ValueKind::string, "the device or image the keyslot belongs to"},
    {"slot", ValueKind::integer, "keyslot number"},
    {"pbkdf", ValueKind::string, "key-derivation function: pbkdf2, argon2i or argon2id"},
    {"iterations", ValueKind::integer, "pbkdf2 iterations, or the argon2 time cost"},
    {"memory_kib", ValueKind::integer, "argon2 memory cost in KiB; 0 for pbkdf2"},
    {"parallel", ValueKind::integer, "argon2 threads; 0 for pbkdf2"},
    {"priority", ValueKind::string, "LUKS2 keyslot priority: normal, prefer or ignore (normal for LUKS1)"},
    {"hash", ValueKind::string, "pbkdf2's hash (sha256); absent for argon2"},
    {"encryption", ValueKind::string, "the cipher protecting the keyslot's key material (aes-xts-plain64)"},
    {"version", ValueKind::integer, "LUKS format version of the header: 1 or 2"},
};

inline constexpr ArgSpec kLuksArgs[] = {
    {"images", ArgKind::paths, false,
     "LUKS image files (or detached headers) inside the audited root, globs allowed, to read instead of the block devices"},
};

inline constexpr CollectorEntry kLuksCollectorSpec{
    "luks", Scope::root, kLuksFields, kLuksArgs, nullptr,
    "LUKS headers of block devices or image files: version, cipher, key size, weakest PBKDF, header copies\n"
    "\n"
    "One object per LUKS header, named by its path. Without `images`, every block device "
    "the sys root lists (except empty ones and those mounted as a file system, which "
    "cannot be LUKS) is probed with libblkid and each crypto_LUKS one is read with "
    "libcryptsetup from the audited root's /dev; with `images`, those files are read. "
    "Nothing is written: metadata locking is off, so libcryptsetup neither locks nor repairs "
    "a damaged LUKS2 copy, and the damage is reported in `header_copies_valid`. Block "
    "devices need a running system's sys root (not_applicable under an offline root); a "
    "header that cannot be loaded (not LUKS, truncated, both copies damaged) is an error "
    "naming the file.",
};

inline constexpr CollectorEntry kLuksKeyslotsCollectorSpec{
    "luks_keyslots", Scope::root, kLuksKeyslotFields, kLuksArgs, nullptr,
    "each active LUKS keyslot: PBKDF (pbkdf2, argon2i, argon2id), its iterations, memory and threads\n"
    "\n"
    "One object per active keyslot, named PATH#SLOT, of the same headers the `luks` "
    "collector reads (block devices, or the files `images` names). A header that cannot be "
    "loaded is an error naming the file.",
};

extern const CollectorEntry kLuksCollector;
extern const CollectorEntry kLuksKeyslotsCollector;

}  // namespace triad::scanner
