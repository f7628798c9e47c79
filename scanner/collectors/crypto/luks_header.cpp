// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/crypto/luks_header.h"

#include <blkid/blkid.h>
#include <libcryptsetup.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string_view>

namespace triad::scanner {
namespace {

// libcryptsetup's log callback, debug level and locking switch are process-wide: one load
// at a time, and the sink below belongs to the load in progress.
std::mutex g_cryptsetup_mutex;

// What the library said during one load. Messages are kept up to a bound (a hostile header
// cannot make the library say much, but nothing here grows without limit).
struct LogSink {
    std::string errors;          // error and normal messages, for the reason of a failure
    std::string header_problem;  // what made a LUKS2 copy need recovery
    bool copy_needs_recovery = false;
};
LogSink* g_sink = nullptr;
constexpr std::size_t kMaxLogBytes = 2048;

void append_bounded(std::string& to, std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text.empty() || to.size() >= kMaxLogBytes) return;
    if (!to.empty()) to += "; ";
    to.append(text.substr(0, kMaxLogBytes - to.size()));
}

void log_callback(int level, const char* message, void*) {
    if (!g_sink || !message) return;
    std::string_view m = message;
    if (level == CRYPT_LOG_DEBUG || level == CRYPT_LOG_DEBUG_JSON) {
        // The library's own finding about the two LUKS2 copies (luks2_disk_metadata.c):
        // "LUKS2 header checksum error (offset N)", "Primary/Secondary LUKS2 header requires
        // recovery". With locking disabled it reports and does not repair.
        if (m.find("header requires recovery") != std::string_view::npos) {
            g_sink->copy_needs_recovery = true;
            append_bounded(g_sink->header_problem, m);
        } else if (m.find("header checksum error") != std::string_view::npos ||
                   m.find("differs to expected offset") != std::string_view::npos) {
            append_bounded(g_sink->header_problem, m);
        }
        return;
    }
    append_bounded(g_sink->errors, m);
}

struct CryptDevice {
    crypt_device* cd = nullptr;
    ~CryptDevice() {
        if (cd) crypt_free(cd);
    }
};

std::string describe_load_error(int rc, const LogSink& sink) {
    std::string why;
    if (rc == -EINVAL)
        why = "no valid LUKS header (not LUKS, or every header copy is damaged)";
    else if (rc == -EIO)
        why = "cannot read a LUKS header (the file is empty or cut short)";
    else
        why = std::string("libcryptsetup could not load the header: ") + std::strerror(-rc);
    if (!sink.errors.empty()) why += " (" + sink.errors + ")";
    return why;
}

std::string priority_name(crypt_keyslot_priority p) {
    switch (p) {
        case CRYPT_SLOT_PRIORITY_IGNORE: return "ignore";
        case CRYPT_SLOT_PRIORITY_PREFER: return "prefer";
        case CRYPT_SLOT_PRIORITY_NORMAL: return "normal";
        default: return "invalid";
    }
}

std::string or_empty(const char* s) { return s ? s : ""; }

}  // namespace

Result<LuksHeader> read_luks_header(int fd, const std::string& display) {
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    std::lock_guard lock(g_cryptsetup_mutex);
    LogSink sink;
    g_sink = &sink;
    crypt_set_log_callback(nullptr, log_callback, nullptr);
    // Off before crypt_init: no flock, no /run/cryptsetup lock file, a read-only open, and
    // no header repair (which libcryptsetup only does under an exclusive lock).
    crypt_metadata_locking(nullptr, 0);
    crypt_set_debug_level(CRYPT_DEBUG_ALL);
    struct Restore {
        ~Restore() {
            crypt_set_debug_level(CRYPT_DEBUG_NONE);
            g_sink = nullptr;
        }
    } restore;

    CryptDevice dev;
    int rc = crypt_init(&dev.cd, path.c_str());
    if (rc < 0) {
        dev.cd = nullptr;
        return Error{ErrorCode::io, "libcryptsetup cannot open it: " + std::string(std::strerror(-rc)), display};
    }
    rc = crypt_load(dev.cd, CRYPT_LUKS, nullptr);
    if (rc < 0) return Error{ErrorCode::invalid_input, describe_load_error(rc, sink), display};

    LuksHeader h;
    const std::string type = or_empty(crypt_get_type(dev.cd));
    if (type == CRYPT_LUKS1)
        h.version = 1;
    else if (type == CRYPT_LUKS2)
        h.version = 2;
    else
        return Error{ErrorCode::invalid_input, "libcryptsetup loaded an unexpected type '" + type + "'", display};
    h.uuid = or_empty(crypt_get_uuid(dev.cd));
    h.label = or_empty(crypt_get_label(dev.cd));
    h.cipher = or_empty(crypt_get_cipher(dev.cd));
    h.cipher_mode = or_empty(crypt_get_cipher_mode(dev.cd));
    h.key_bits = std::int64_t{crypt_get_volume_key_size(dev.cd)} * 8;
    h.data_offset_bytes = static_cast<std::int64_t>(crypt_get_data_offset(dev.cd) * 512);
    h.header_copies_valid = !sink.copy_needs_recovery;
    h.header_problem = sink.header_problem;

    const int max_slots = crypt_keyslot_max(type.c_str());
    for (int slot = 0; slot < max_slots && slot < 64; ++slot) {
        const crypt_keyslot_info st = crypt_keyslot_status(dev.cd, slot);
        if (st != CRYPT_SLOT_ACTIVE && st != CRYPT_SLOT_ACTIVE_LAST) continue;
        LuksKeyslot k;
        k.slot = slot;
        crypt_pbkdf_type pbkdf{};
        if (crypt_keyslot_get_pbkdf(dev.cd, slot, &pbkdf) == 0) {
            k.pbkdf = or_empty(pbkdf.type);
            k.hash = or_empty(pbkdf.hash);
            k.iterations = pbkdf.iterations;
            k.memory_kib = pbkdf.max_memory_kb;
            k.parallel = pbkdf.parallel_threads;
        }
        k.priority = h.version == 2 ? priority_name(crypt_keyslot_get_priority(dev.cd, slot)) : "normal";
        std::size_t key_bytes = 0;
        k.encryption = or_empty(crypt_keyslot_get_encryption(dev.cd, slot, &key_bytes));
        h.keyslots.push_back(std::move(k));
    }
    return h;
}

Result<BlkidProbe> probe_block_type(int fd, const std::string& display) {
    blkid_probe pr = blkid_new_probe();
    if (!pr) return Error{ErrorCode::io, "libblkid cannot allocate a probe", display};
    struct Free {
        blkid_probe p;
        ~Free() { blkid_free_probe(p); }
    } free_probe{pr};
    if (blkid_probe_set_device(pr, fd, 0, 0) != 0)
        return Error{ErrorCode::io, "libblkid cannot use the device: " + std::string(std::strerror(errno)), display};
    blkid_probe_enable_superblocks(pr, 1);
    blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID | BLKID_SUBLKS_VERSION);
    const int rc = blkid_do_safeprobe(pr);
    BlkidProbe out;
    if (rc == -1) return Error{ErrorCode::io, "libblkid could not probe it", display};
    if (rc == -2) return Error{ErrorCode::invalid_input, "libblkid found more than one signature (ambivalent)", display};
    if (rc == 1) return out;
    const char* v = nullptr;
    if (blkid_probe_lookup_value(pr, "TYPE", &v, nullptr) == 0 && v) out.type = v;
    if (blkid_probe_lookup_value(pr, "UUID", &v, nullptr) == 0 && v) out.uuid = v;
    if (blkid_probe_lookup_value(pr, "VERSION", &v, nullptr) == 0 && v) out.version = v;
    return out;
}

}  // namespace triad::scanner
