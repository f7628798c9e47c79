// SPDX-License-Identifier: Apache-2.0
#include "scanner/packages/rpm_inventory.h"

#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace triad::scanner {
namespace {

constexpr const char* kDbDirs[] = {"/var/lib/rpm", "/usr/lib/sysimage/rpm"};
// A large installation has a few thousand packages; a header is at most a few MiB.
constexpr std::size_t kMaxPackages = 200000;
// A distribution's largest installations own a few hundred thousand files.
constexpr std::size_t kMaxFiles = 5'000'000;

// An error when the files read so far pass the bound (hostile headers must not exhaust memory).
Status count_files(std::size_t& total, const RpmPackage& p, const Sysroot& root, const std::string& db) {
    total += p.files.size();
    if (total > kMaxFiles) return Error{ErrorCode::invalid_input, "more than 5000000 package files", root.display(db)};
    return ok();
}

// librpm's configuration and macro context are process-wide.
std::mutex& rpm_mutex() {
    static std::mutex m;
    return m;
}

std::string str(const char* s) { return s ? s : ""; }

RpmFile::State state_of(rpmfileState s) {
    switch (s) {
        case RPMFILE_STATE_NORMAL: return RpmFile::State::normal;
        case RPMFILE_STATE_REPLACED: return RpmFile::State::replaced;
        case RPMFILE_STATE_NOTINSTALLED: return RpmFile::State::not_installed;
        case RPMFILE_STATE_NETSHARED: return RpmFile::State::netshared;
        case RPMFILE_STATE_WRONGCOLOR: return RpmFile::State::wrong_color;
        default: return RpmFile::State::missing;
    }
}

// The header's file list through librpm's rpmfiles (the API rpm -V uses), which joins
// DIRNAMES/BASENAMES and decodes the per-file arrays; the digest bytes are written as hex.
std::vector<RpmFile> files_of(Header h) {
    std::vector<RpmFile> out;
    rpmfiles fi = rpmfilesNew(nullptr, h, RPMTAG_BASENAMES, RPMFI_FLAGS_VERIFY);
    if (!fi) return out;
    const int count = static_cast<int>(rpmfilesFC(fi));
    out.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        RpmFile f;
        char* fn = rpmfilesFN(fi, i);
        f.path = str(fn);
        std::free(fn);
        int algo = 0;
        std::size_t len = 0;
        if (const unsigned char* d = rpmfilesFDigest(fi, i, &algo, &len)) {
            static constexpr char kHex[] = "0123456789abcdef";
            for (std::size_t k = 0; k < len; ++k) {
                f.digest += kHex[d[k] >> 4];
                f.digest += kHex[d[k] & 0xf];
            }
            f.digest_algo = algo;
        }
        f.mode = rpmfilesFMode(fi, i);
        f.link = str(rpmfilesFLink(fi, i));
        const rpmfileAttrs attrs = rpmfilesFFlags(fi, i);
        f.config = (attrs & RPMFILE_CONFIG) != 0;
        f.ghost = (attrs & RPMFILE_GHOST) != 0;
        f.missingok = (attrs & RPMFILE_MISSINGOK) != 0;
        const rpmVerifyAttrs vflags = rpmfilesVFlags(fi, i);
        f.verify_digest = (vflags & RPMVERIFY_FILEDIGEST) != 0;
        f.verify_link = (vflags & RPMVERIFY_LINKTO) != 0;
        f.state = state_of(rpmfilesFState(fi, i));
        out.push_back(std::move(f));
    }
    rpmfilesFree(fi);
    return out;
}

RpmPackage from_header(Header h, RpmRead what) {
    RpmPackage p;
    p.name = str(headerGetString(h, RPMTAG_NAME));
    p.version = str(headerGetString(h, RPMTAG_VERSION));
    p.release = str(headerGetString(h, RPMTAG_RELEASE));
    p.arch = str(headerGetString(h, RPMTAG_ARCH));
    p.source_rpm = str(headerGetString(h, RPMTAG_SOURCERPM));
    // headerGetNumber gives 0 for a missing tag as for epoch 0; only a present tag is an epoch.
    if (headerIsEntry(h, RPMTAG_EPOCH)) p.epoch = static_cast<std::int64_t>(headerGetNumber(h, RPMTAG_EPOCH));
    p.nevra = p.name + "-" + (p.epoch ? std::to_string(*p.epoch) + ":" : "") + p.version + "-" + p.release +
              (p.arch.empty() ? "" : "." + p.arch);
    if (what == RpmRead::with_files) p.files = files_of(h);
    return p;
}

// The sqlite rpmdb through the Sysroot's descriptor, opened immutable: no lock, no journal,
// no -shm or -wal file. immutable=1 would ignore rows still in a write-ahead log, so a
// non-empty -wal is an error rather than a silently short inventory.
Result<RpmInventory> read_sqlite(const Sysroot& root, const std::string& db, RpmRead what) {
    auto wal = root.lstat(db + "-wal");
    if (wal && wal->stx_size > 0)
        return Error{ErrorCode::unsupported,
                     "has changes in its write-ahead log (rpmdb.sqlite-wal) that reading without writing cannot see",
                     root.display(db)};
    auto fd = root.open_path(db, O_RDONLY | O_CLOEXEC, /*follow_final=*/false);
    if (!fd) return fd.error();
    const std::string uri = "file:/proc/self/fd/" + std::to_string(fd->get()) + "?immutable=1";
    sqlite3* conn = nullptr;
    const int rc = sqlite3_open_v2(uri.c_str(), &conn, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(conn, sqlite3_close);
    if (rc != SQLITE_OK) return Error{ErrorCode::invalid_input, str(sqlite3_errstr(rc)), root.display(db)};
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(conn, "SELECT hnum, blob FROM Packages", -1, &stmt, nullptr) != SQLITE_OK)
        return Error{ErrorCode::invalid_input, "not an rpmdb: " + str(sqlite3_errmsg(conn)), root.display(db)};
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt_guard(stmt, sqlite3_finalize);
    RpmInventory inv{db, "sqlite", {}};
    std::size_t files = 0;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (inv.packages.size() == kMaxPackages)
            return Error{ErrorCode::invalid_input, "more than 200000 packages", root.display(db)};
        const void* blob = sqlite3_column_blob(stmt, 1);
        const int size = sqlite3_column_bytes(stmt, 1);
        if (!blob || size <= 0)
            return Error{ErrorCode::invalid_input, "row " + std::to_string(sqlite3_column_int64(stmt, 0)) + " has no header",
                         root.display(db)};
        // HEADERIMPORT_COPY: librpm copies the blob and checks its structure.
        Header h = headerImport(const_cast<void*>(blob), static_cast<unsigned>(size), HEADERIMPORT_COPY);
        if (!h)
            return Error{ErrorCode::invalid_input,
                         "row " + std::to_string(sqlite3_column_int64(stmt, 0)) + " is not a valid rpm header",
                         root.display(db)};
        inv.packages.push_back(from_header(h, what));
        headerFree(h);
        if (auto counted = count_files(files, inv.packages.back(), root, db); !counted) return counted.error();
    }
    if (step != SQLITE_DONE) return Error{ErrorCode::invalid_input, str(sqlite3_errmsg(conn)), root.display(db)};
    return inv;
}

// The Berkeley DB rpmdb through librpm's read-only bdb_ro backend, which opens the file
// O_RDONLY and keeps no environment files. librpm opens it by host path: the directory was
// checked not to be a symlink by the caller.
Result<RpmInventory> read_bdb(const Sysroot& root, const std::string& dir, const std::string& apt_root, RpmRead what) {
    std::lock_guard lock(rpm_mutex());
    rpmlogSetMask(RPMLOG_UPTO(RPMLOG_ERR));
    if (rpmReadConfigFiles(nullptr, nullptr) != 0)
        return Error{ErrorCode::unsupported, "librpm could not read its configuration", root.display(dir)};
    rpmPushMacro(nullptr, "_dbpath", nullptr, dir.c_str(), RMIL_CMDLINE);
    rpmPushMacro(nullptr, "_db_backend", nullptr, "bdb_ro", RMIL_CMDLINE);
    rpmts ts = rpmtsCreate();
    rpmtsSetRootDir(ts, apt_root.c_str());
    rpmtsSetVSFlags(ts, RPMVSF_MASK_NOSIGNATURES | RPMVSF_MASK_NODIGESTS);
    RpmInventory inv{dir + "/Packages", "bdb_ro", {}};
    Status status = ok();
    std::size_t files = 0;
    if (rpmtsOpenDB(ts, O_RDONLY) != 0) {
        status = Error{ErrorCode::invalid_input, "librpm could not open the database", root.display(dir + "/Packages")};
    } else {
        rpmdbMatchIterator mi = rpmtsInitIterator(ts, RPMDBI_PACKAGES, nullptr, 0);
        while (Header h = rpmdbNextIterator(mi)) {  // the iterator owns h
            if (inv.packages.size() == kMaxPackages) {
                status = Error{ErrorCode::invalid_input, "more than 200000 packages", root.display(dir + "/Packages")};
                break;
            }
            inv.packages.push_back(from_header(h, what));
            if (status = count_files(files, inv.packages.back(), root, dir + "/Packages"); !status) break;
        }
        rpmdbFreeIterator(mi);
    }
    rpmtsFree(ts);
    rpmFreeMacros(nullptr);
    rpmFreeRpmrc();
    if (!status) return status.error();
    return inv;
}

}  // namespace

Result<RpmInventory> read_rpm_inventory(const Sysroot& root, RpmRead what) {
    for (const char* dir : kDbDirs) {
        const std::string sqlite = std::string(dir) + "/rpmdb.sqlite";
        auto st = root.lstat(sqlite);
        Result<RpmInventory> inv = Error{ErrorCode::not_found, "", ""};
        if (st) {
            inv = read_sqlite(root, sqlite, what);
        } else {
            const std::string bdb = std::string(dir) + "/Packages";
            if (!root.lstat(bdb)) continue;
            // librpm resolves the root and the database path on the host: no symlink on the way.
            for (const std::string& p : {std::string("/var"), std::string("/var/lib"), std::string("/usr"),
                                         std::string("/usr/lib"), std::string("/usr/lib/sysimage"), std::string(dir), bdb}) {
                if (!p.starts_with(dir) && !std::string(dir).starts_with(p + "/")) continue;
                auto lst = root.lstat(p);
                if (lst && S_ISLNK(lst->stx_mode))
                    return Error{ErrorCode::escaped_root, "is a symlink; librpm would resolve it outside the audited root",
                                 root.display(p)};
            }
            char buf[4096];
            std::string real = "/";
            if (!root.is_host()) {
                const std::string magic = "/proc/self/fd/" + std::to_string(root.fd());
                const ssize_t n = ::readlink(magic.c_str(), buf, sizeof buf - 1);
                if (n <= 0) return error_from_errno(errno, root.path());
                real.assign(buf, static_cast<std::size_t>(n));
            }
            inv = read_bdb(root, dir, real, what);
        }
        if (!inv) return inv;
        std::sort(inv->packages.begin(), inv->packages.end(),
                  [](const RpmPackage& a, const RpmPackage& b) { return a.nevra < b.nevra; });
        return inv;
    }
    return Error{ErrorCode::not_found, "no rpmdb (rpmdb.sqlite or Packages in /var/lib/rpm or /usr/lib/sysimage/rpm)",
                 root.display("/var/lib/rpm")};
}

}  // namespace triad::scanner
