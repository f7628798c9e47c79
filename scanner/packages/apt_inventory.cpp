// SPDX-License-Identifier: Apache-2.0
#include "scanner/packages/apt_inventory.h"

#include "scanner/core/sysroot_open.h"

#include <apt-pkg/aptconfiguration.h>
#include <apt-pkg/cachefile.h>
#include <apt-pkg/configuration.h>
#include <apt-pkg/depcache.h>
#include <apt-pkg/error.h>
#include <apt-pkg/fileutl.h>
#include <apt-pkg/init.h>
#include <apt-pkg/metaindex.h>
#include <apt-pkg/pkgcache.h>
#include <apt-pkg/pkgsystem.h>
#include <apt-pkg/policy.h>
#include <apt-pkg/progress.h>
#include <apt-pkg/sourcelist.h>
#include <apt-pkg/strutl.h>
#include <apt-pkg/tagfile.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>

namespace triad::scanner {
namespace {

// libapt-pkg's configuration, system and error stack are process-wide globals.
std::mutex& apt_mutex() {
    static std::mutex m;
    return m;
}

// Bounds on what the root may make us list; a real system has a few dozen of each.
constexpr std::size_t kMaxDirEntries = 4096;
constexpr std::size_t kMaxArchBytes = 64 * 1024;
// The files libapt-pkg reads by path (kAptFiles): the dpkg status budget of package_integrity.
constexpr std::size_t kMaxAptFileBytes = 64 * 1024 * 1024;

// The directories whose files libapt-pkg reads while building its cache, and the files it
// reads outside them. Dir::Cache is not among them: the cache is never read or written.
constexpr std::array kAptDirs = {"/etc/apt", "/etc/apt/apt.conf.d", "/etc/apt/sources.list.d",
                                 "/etc/apt/preferences.d", "/var/lib/apt", "/var/lib/apt/lists", "/var/lib/dpkg"};
constexpr std::array kAptFiles = {"/etc/apt/apt.conf", "/etc/apt/sources.list", "/etc/apt/preferences",
                                  "/var/lib/apt/extended_states", "/var/lib/dpkg/status", "/var/lib/dpkg/arch"};

Status refuse_if_symlink(const Sysroot& root, const std::string& path) {
    auto st = root.lstat(path);
    if (!st) return st.error().code == ErrorCode::not_found ? ok() : Status(st.error());
    if (S_ISLNK(st->stx_mode))
        return Error{ErrorCode::escaped_root,
                     "is a symlink; libapt-pkg would resolve it outside the audited root, so it is not read",
                     root.display(path)};
    return ok();
}

// libapt-pkg opens files by their host path. Inside the root every component it will pass
// through must therefore be a real directory and every file it reads a real file.
Status check_apt_paths(const Sysroot& root) {
    for (const char* dir : kAptDirs) {
        std::string prefix;
        std::string_view rest = dir;
        while (!rest.empty()) {
            rest.remove_prefix(1);
            const std::size_t slash = rest.find('/');
            prefix += "/" + std::string(rest.substr(0, slash));
            rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
            if (Status s = refuse_if_symlink(root, prefix); !s) return s;
        }
        auto fd = root.open_path(dir, O_RDONLY | O_DIRECTORY, /*follow_final=*/false);
        if (!fd) {
            if (fd.error().code == ErrorCode::not_found) continue;
            return fd.error();
        }
        DIR* d = ::fdopendir(fd->get());
        if (!d) return error_from_errno(errno, root.display(dir));
        fd->release();
        std::size_t seen = 0;
        Status result = ok();
        while (dirent* e = ::readdir(d)) {
            if (++seen > kMaxDirEntries) {
                result = Error{ErrorCode::invalid_input, "more than 4096 entries", root.display(dir)};
                break;
            }
            if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue;
            if (Status s = refuse_if_symlink(root, std::string(dir) + "/" + e->d_name); !s) {
                result = s;
                break;
            }
        }
        ::closedir(d);
        if (!result) return result;
    }
    for (const char* file : kAptFiles) {
        if (Status s = refuse_if_symlink(root, file); !s) return s;
        // What libapt-pkg will open by path must be what Sysroot::read_file would read: a
        // regular file (never a FIFO or device), not on a procfs mounted inside the root, and
        // within the dpkg status budget. A rename between this look and libapt-pkg's open is
        // the one window left (libapt-pkg takes paths, not descriptors).
        auto opened = open_regular_file(root, file, std::numeric_limits<std::size_t>::max(), /*follow_final=*/false);
        if (!opened && opened.error().code != ErrorCode::not_found) return opened.error();
        if (opened && opened->size > kMaxAptFileBytes)
            return Error{ErrorCode::invalid_input,
                         "larger than 64 MiB (the budget of the files libapt-pkg reads, as the dpkg status budget); "
                         "not read",
                         root.display(file)};
    }
    return ok();
}

// The directory the Sysroot holds, as a path libapt-pkg can use: the host's "/" for the
// running system, else the real path of the opened directory (the user's path may contain
// symlinks or be relative).
Result<std::string> apt_root_dir(const Sysroot& root) {
    if (root.is_host()) return std::string("/");
    char buf[4096];
    const std::string magic = "/proc/self/fd/" + std::to_string(root.fd());
    const ssize_t n = ::readlink(magic.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return error_from_errno(errno, root.path());
    std::string dir(buf, static_cast<std::size_t>(n));
    if (dir.empty() || dir.front() != '/')
        return Error{ErrorCode::unsupported, "the root directory has no path libapt-pkg can open", root.path()};
    if (dir.back() != '/') dir += '/';
    return dir;
}

// The root's dpkg architecture: the Architecture of its installed `dpkg` package, which is
// what `dpkg --print-architecture` reports (dpkg is built for the native architecture).
std::string native_architecture(const std::string& status_path) {
    FileFd fd;
    if (!fd.Open(status_path, FileFd::ReadOnly)) return {};
    pkgTagFile tags(&fd);
    pkgTagSection section;
    while (tags.Step(section)) {
        if (section.FindS("Package") != "dpkg") continue;
        if (section.FindS("Status").ends_with(" installed")) return section.FindS("Architecture");
    }
    return {};
}

std::vector<std::string> foreign_architectures(const Sysroot& root, const std::string& native) {
    std::vector<std::string> out;
    auto text = root.read_file("/var/lib/dpkg/arch", kMaxArchBytes);
    if (!text) return out;
    std::size_t pos = 0;
    while (pos < text->size()) {
        std::size_t end = text->find('\n', pos);
        if (end == std::string::npos) end = text->size();
        std::string arch = text->substr(pos, end - pos);
        pos = end + 1;
        arch.erase(std::remove_if(arch.begin(), arch.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; }),
                   arch.end());
        if (!arch.empty() && arch != native && std::find(out.begin(), out.end(), arch) == out.end()) out.push_back(arch);
    }
    return out;
}

// Everything libapt-pkg reported since the last call, oldest first.
std::vector<std::string> drain_errors(bool* had_error) {
    std::vector<std::string> out;
    while (!_error->empty()) {
        std::string msg;
        const bool is_error = _error->PopMessage(msg);
        if (is_error && had_error) *had_error = true;
        out.push_back((is_error ? "E: " : "W: ") + msg);
    }
    return out;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
}

std::string in_root(const std::string& apt_root, const std::string& path) {
    if (apt_root == "/" || !path.starts_with(apt_root)) return path;
    return path.substr(apt_root.size() - 1);
}

const char* state_name(unsigned char state) {
    switch (state) {
        case pkgCache::State::NotInstalled: return "not-installed";
        case pkgCache::State::UnPacked: return "unpacked";
        case pkgCache::State::HalfConfigured: return "half-configured";
        case pkgCache::State::HalfInstalled: return "half-installed";
        case pkgCache::State::ConfigFiles: return "config-files";
        case pkgCache::State::Installed: return "installed";
        case pkgCache::State::TriggersAwaited: return "triggers-awaited";
        case pkgCache::State::TriggersPending: return "triggers-pending";
    }
    return "unknown";
}

std::string str(const char* s) { return s ? s : ""; }

// libapt-pkg reports progress many times a second while it parses the lists; that is the
// one place a cancelled scan can stop it. The exception unwinds through libapt-pkg's own
// C++ frames (pkgCacheFile and the generator free what they hold in their destructors).
struct AptCancelled {};
class CancelProgress : public OpProgress {
public:
    explicit CancelProgress(const CancelToken* cancel) : cancel_(cancel) {}

protected:
    void Update() override {
        if (cancel_ && cancel_->cancelled()) throw AptCancelled{};
    }

private:
    const CancelToken* cancel_;
};

// Sets up libapt-pkg's configuration for the root. Paths the root's own configuration might
// point elsewhere (at the host, or at a writable cache) are set again afterwards.
Status init_apt(const std::string& apt_root, const Sysroot& root, AptInventory& inv) {
    _config->Clear();
    _error->Discard();
    // Dir before pkgInitConfig, so that the root's apt.conf.d is the one read.
    _config->Set("Dir", apt_root);
    if (!pkgInitConfig(*_config)) return Error{ErrorCode::invalid_input, join(drain_errors(nullptr)), root.display("/etc/apt")};
    _config->Set("Dir", apt_root);
    _config->Set("Dir::State", "var/lib/apt/");
    _config->Set("Dir::State::lists", "lists/");
    _config->Set("Dir::State::extended_states", "extended_states");
    _config->Set("Dir::State::status", apt_root + "var/lib/dpkg/status");  // absolute by default
    _config->Set("Dir::Etc", "etc/apt/");
    _config->Set("Dir::Etc::sourcelist", "sources.list");
    _config->Set("Dir::Etc::sourceparts", "sources.list.d");
    _config->Set("Dir::Etc::preferences", "preferences");
    _config->Set("Dir::Etc::preferencesparts", "preferences.d");
    // No binary cache file: built in memory, never read from or written to disk.
    _config->Set("Dir::Cache::pkgcache", "");
    _config->Set("Dir::Cache::srcpkgcache", "");
    // The architectures from the root's dpkg database, so libapt-pkg does not run the host's
    // dpkg --print-foreign-architectures (a command, and the wrong system's answer).
    inv.native_architecture = native_architecture(apt_root + "var/lib/dpkg/status");
    if (inv.native_architecture.empty()) inv.native_architecture = _config->Find("APT::Architecture");
    inv.foreign_architectures = foreign_architectures(root, inv.native_architecture);
    _config->Set("APT::Architecture", inv.native_architecture);
    _config->Clear("APT::Architectures");
    _config->Set("APT::Architectures::", inv.native_architecture);
    for (const std::string& a : inv.foreign_architectures) _config->Set("APT::Architectures::", a);
    if (!pkgInitSystem(*_config, _system))
        return Error{ErrorCode::invalid_input, join(drain_errors(nullptr)), root.display("/var/lib/dpkg")};
    // libapt-pkg keeps these answers in process-wide caches computed on first use; a previous
    // root (one without sources leaves the compression types empty) must not decide for this
    // one, so they are computed again from this root's configuration.
    APT::Configuration::getArchitectures(/*Cached=*/false);
    APT::Configuration::getCompressors(/*Cached=*/false);
    APT::Configuration::getCompressionTypes(/*Cached=*/false);
    APT::Configuration::getLanguages(/*All=*/false, /*Cached=*/false);
    APT::Configuration::getLanguages(/*All=*/true, /*Cached=*/false);
    return ok();
}

void read_periodic(AptInventory& inv) {
    for (const char* tree : {"APT::Periodic", "Unattended-Upgrade"}) {
        const Configuration::Item* top = _config->Tree(tree);
        if (!top) continue;
        std::size_t count = 0;
        for (const Configuration::Item* i = top->Child; i && count < 256; i = i->Next, ++count)
            if (!i->Value.empty()) inv.periodic.emplace_back(std::string(tree) + "::" + i->Tag, i->Value);
    }
}

// Where `apt update` stores a repository's Release file in the lists directory (what
// metaIndex::MetaIndexFile computes; that member is not public in libapt-pkg 2.6).
std::string release_file_path(const metaIndex& meta, const char* name) {
    const std::string& dist = meta.GetDist();
    const std::string sub = dist == "/" ? "" : dist.ends_with("/") ? dist : "dists/" + dist + "/";
    return _config->FindDir("Dir::State::lists") + URItoFileName(meta.GetURI() + sub + name);
}

void read_releases(pkgSourceList& sources, const std::string& apt_root, AptInventory& inv) {
    for (metaIndex* meta : sources) {
        AptRelease r;
        r.uri = meta->GetURI();
        r.dist = meta->GetDist();
        if (meta->GetLoadedSuccessfully() != metaIndex::TRI_YES) {
            for (const char* name : {"InRelease", "Release"}) {
                const std::string file = release_file_path(*meta, name);
                if (!RealFileExists(file)) continue;
                std::string why;
                if (meta->Load(file, &why)) break;
                inv.warnings.push_back(in_root(apt_root, file) + ": " + why);
            }
        }
        if (meta->GetLoadedSuccessfully() == metaIndex::TRI_YES) {
            r.downloaded = true;
            for (const char* name : {"InRelease", "Release"}) {
                const std::string file = release_file_path(*meta, name);
                if (RealFileExists(file)) {
                    r.release_file = in_root(apt_root, file);
                    break;
                }
            }
            r.origin = meta->GetOrigin();
            r.label = meta->GetLabel();
            r.suite = meta->GetSuite();
            r.codename = meta->GetCodename();
            r.version = meta->GetVersion();
            r.date = meta->GetDate();
            r.valid_until = meta->GetValidUntil();
            r.security = is_security_archive(r.origin, r.label, r.codename, r.suite);
        }
        inv.releases.push_back(std::move(r));
    }
}

// apt's extended_states: the packages marked as installed automatically, read as
// pkgDepCache::readStateFile reads them (a stanza without Architecture marks every
// architecture of the package that has a version), so that the dependency cache, whose
// dependency pass over every package of every list costs about a third of the whole
// reading, is never built: triad needs only each installed package's candidate and flag.
std::vector<bool> auto_installed(pkgCache& cache) {
    std::vector<bool> marked(cache.Head().PackageCount);
    const std::string file = _config->FindFile("Dir::State::extended_states");
    if (!RealFileExists(file)) return marked;
    FileFd fd;
    if (!fd.Open(file, FileFd::ReadOnly, FileFd::Extension)) return marked;
    pkgTagFile tags(&fd);
    pkgTagSection section;
    while (tags.Step(section)) {
        std::string arch = section.FindS("Architecture");
        if (arch.empty()) arch = "any";
        pkgCache::PkgIterator p = cache.FindPkg(section.FindS("Package"), arch);
        if (p.end() || p->VersionList == 0 || section.FindI("Auto-Installed", 0) <= 0) continue;
        marked[p->ID] = true;
        if (arch != "any") continue;
        pkgCache::GrpIterator group = p.Group();
        for (pkgCache::PkgIterator other = group.NextPkg(p); !other.end(); other = group.NextPkg(other))
            if (other->VersionList != 0) marked[other->ID] = true;
    }
    return marked;
}

void read_packages(pkgCacheFile& cf, AptInventory& inv) {
    pkgCache* cache = cf.GetPkgCache();
    pkgPolicy* policy = cf.GetPolicy();
    const std::vector<bool> marked_auto = auto_installed(*cache);
    for (pkgCache::PkgIterator p = cache->PkgBegin(); !p.end(); ++p) {
        pkgCache::VerIterator cur = p.CurrentVer();
        if (cur.end()) continue;
        AptPackage pkg;
        pkg.name = p.FullName(/*Pretty=*/true);
        pkg.architecture = str(cur.Arch());
        pkg.version = str(cur.VerStr());
        pkg.source = str(cur.SourcePkgName());
        pkg.source_version = str(cur.SourceVerStr());
        pkg.state = state_name(p->CurrentState);
        pkg.held = p->SelectedState == pkgCache::State::Hold;
        pkg.auto_installed = marked_auto[p->ID];
        // The candidate pkgDepCache would take from the same policy, and the test `apt list
        // --upgradable` makes (StateCache::Upgradable): the candidate comes after the installed
        // version in the package's version list, which libapt-pkg keeps newest first.
        pkgCache::VerIterator cand = policy->GetCandidateVer(p);
        pkg.upgradable = !cand.end() && cand != cur && cand.CompareVer(cur) >= 1;
        if (!cand.end()) pkg.candidate = str(cand.VerStr());
        if (!cand.end()) pkg.candidate_source_version = str(cand.SourceVerStr());
        if (pkg.upgradable && !cand.end()) {
            for (pkgCache::VerFileIterator vf = cand.FileList(); !vf.end(); ++vf) {
                pkgCache::PkgFileIterator file = vf.File();
                if (file.Flagged(pkgCache::Flag::NotSource)) continue;  // the dpkg status file
                pkg.candidate_archives.push_back(str(file.Origin()) + "/" +
                                                 str(file.Codename() ? file.Codename() : file.Archive()));
                if (is_security_archive(str(file.Origin()), str(file.Label()), str(file.Codename()), str(file.Archive())))
                    pkg.security_update = true;
            }
        }
        // As apt's ?obsolete pattern: no version of the package comes from a repository.
        for (pkgCache::VerIterator v = p.VersionList(); !v.end() && !pkg.provided; ++v)
            for (pkgCache::VerFileIterator vf = v.FileList(); !vf.end(); ++vf)
                if (!vf.File().Flagged(pkgCache::Flag::NotSource)) {
                    pkg.provided = true;
                    break;
                }
        inv.packages.push_back(std::move(pkg));
    }
    std::sort(inv.packages.begin(), inv.packages.end(),
              [](const AptPackage& a, const AptPackage& b) { return a.name < b.name; });
}

}  // namespace

bool is_security_archive(std::string_view origin, std::string_view label, std::string_view codename,
                         std::string_view suite) {
    if (codename.ends_with("-security") || label == "Debian-Security") return true;
    return origin == "Ubuntu" && suite.ends_with("-security");
}

Result<AptInventory> read_apt_inventory(const Sysroot& root, const CancelToken* cancel) {
    auto status = root.lstat("/var/lib/dpkg/status");
    if (!status) {
        if (status.error().code == ErrorCode::not_found)
            return Error{ErrorCode::not_found, "no dpkg status file: not a Debian-family system",
                         root.display("/var/lib/dpkg/status")};
        return status.error();
    }
    auto apt_root = apt_root_dir(root);
    if (!apt_root) return apt_root.error();
    if (!root.is_host())
        if (Status s = check_apt_paths(root); !s) return s.error();

    std::lock_guard lock(apt_mutex());
    AptInventory inv;
    if (Status s = init_apt(*apt_root, root, inv); !s) return s.error();
    read_periodic(inv);

    pkgCacheFile cf;
    bool failed = false;
    CancelProgress progress(cancel);
    bool opened = false;
    try {
        // The caches and the policy only: not the dependency cache (see auto_installed).
        opened = cf.BuildCaches(&progress, /*WithLock=*/false) && cf.BuildPolicy(&progress);
    } catch (const AptCancelled&) {
        _error->Discard();
        return Error{ErrorCode::cancelled, "cancelled while libapt-pkg built its cache", root.display("/var/lib/apt")};
    }
    if (!opened || _error->PendingError()) {
        std::vector<std::string> msgs = drain_errors(&failed);
        return Error{ErrorCode::invalid_input, "libapt-pkg could not build its cache: " + join(msgs),
                     root.display("/var/lib/apt")};
    }
    for (std::string& w : drain_errors(&failed)) inv.warnings.push_back(std::move(w));
    read_packages(cf, inv);
    if (pkgSourceList* sources = cf.GetSourceList()) read_releases(*sources, *apt_root, inv);
    for (std::string& w : drain_errors(&failed)) inv.warnings.push_back(std::move(w));
    return inv;
}

namespace {

// A memo entry stays valid while the files it was read from are unchanged (a daemon keeps
// its memo across scans; a scan reads the inventory once).
struct AptStamp {
    std::int64_t status_mtime = 0, lists_mtime = 0, sources_mtime = 0;
    bool operator==(const AptStamp&) const = default;
};

AptStamp stamp_of(const Sysroot& root) {
    AptStamp s;
    auto mtime = [&](const char* path) -> std::int64_t {
        auto st = root.lstat(path);
        return st ? std::int64_t{st->stx_mtime.tv_sec} * 1000000000 + st->stx_mtime.tv_nsec : -1;
    };
    s.status_mtime = mtime("/var/lib/dpkg/status");
    s.lists_mtime = mtime("/var/lib/apt/lists");
    s.sources_mtime = mtime("/etc/apt/sources.list.d") ^ mtime("/etc/apt/sources.list");
    return s;
}

struct AptMemo {
    std::mutex mutex;
    std::string root_path;
    AptStamp stamp;
    std::shared_ptr<const Result<AptInventory>> value;
};

}  // namespace

std::shared_ptr<const Result<AptInventory>> apt_inventory(const Sysroot& root, ScanMemo* memo,
                                                          const CancelToken* cancel) {
    if (!memo) return std::make_shared<const Result<AptInventory>>(read_apt_inventory(root, cancel));
    AptMemo& m = memo->get<AptMemo>();
    std::lock_guard lock(m.mutex);
    const AptStamp now = stamp_of(root);
    if (!m.value || m.root_path != root.path() || !(m.stamp == now)) {
        auto value = std::make_shared<const Result<AptInventory>>(read_apt_inventory(root, cancel));
        // A cancelled reading is no answer: the next scan reads again.
        if (!*value && value->error().code == ErrorCode::cancelled) return value;
        m.value = std::move(value);
        m.root_path = root.path();
        m.stamp = now;
    }
    return m.value;
}

}  // namespace triad::scanner
