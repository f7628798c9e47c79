// SPDX-License-Identifier: Apache-2.0
#include "scanner/packages/rpm_inventory.h"

#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmdb.h>
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

// librpm's configuration and macro context are process-wide.
std::mutex& rpm_mutex() {
    static std::mutex m;
    return m;
}

std::string str(const char* s) { return s ? s : ""; }

RpmPackage from_header(Header h) {
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
    return p;
}

// The sqlite rpmdb through the Sysroot's descriptor, opened immutable: no lock, no journal,
// no -shm or -wal file. immutable=1 would ignore rows still in a write-ahead log, so a
// non-empty -wal is an error rather than a silently short inventory.
Result<RpmInventory> read_sqlite(const Sysroot& root, const std::string& db) {
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
        inv.packages.push_back(from_header(h));
        headerFree(h);
    }
    if (step != SQLITE_DONE) return Error{ErrorCode::invalid_input, str(sqlite3_errmsg(conn)), root.display(db)};
    return inv;
}

// The Berkeley DB rpmdb through librpm's read-only bdb_ro backend, which opens the file
// O_RDONLY and keeps no environment files. librpm opens it by host path: the directory was
// checked not to be a symlink by the caller.
Result<RpmInventory> read_bdb(const Sysroot& root, const std::string& dir, const std::string& apt_root) {
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
    if (rpmtsOpenDB(ts, O_RDONLY) != 0) {
        status = Error{ErrorCode::invalid_input, "librpm could not open the database", root.display(dir + "/Packages")};
    } else {
        rpmdbMatchIterator mi = rpmtsInitIterator(ts, RPMDBI_PACKAGES, nullptr, 0);
        while (Header h = rpmdbNextIterator(mi)) {  // the iterator owns h
            if (inv.packages.size() == kMaxPackages) {
                status = Error{ErrorCode::invalid_input, "more than 200000 packages", root.display(dir + "/Packages")};
                break;
            }
            inv.packages.push_back(from_header(h));
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

Result<RpmInventory> read_rpm_inventory(const Sysroot& root) {
    for (const char* dir : kDbDirs) {
        const std::string sqlite = std::string(dir) + "/rpmdb.sqlite";
        auto st = root.lstat(sqlite);
        Result<RpmInventory> inv = Error{ErrorCode::not_found, "", ""};
        if (st) {
            inv = read_sqlite(root, sqlite);
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
            inv = read_bdb(root, dir, real);
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
