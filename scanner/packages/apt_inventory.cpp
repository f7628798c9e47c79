// SPDX-License-Identifier: Apache-2.0
#include "scanner/packages/apt_inventory.h"

#include "scanner/core/sysroot_open.h"

#include <apt-pkg/aptconfiguration.h>
#include <apt-pkg/cachefile.h>
#include <apt-pkg/configuration.h>
#include <apt-pkg/depcache.h>
#include <apt-pkg/error.h>
#include <apt-pkg/fileutl.h>
#include <apt-pkg/hashes.h>
#include <apt-pkg/indexfile.h>
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
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <type_traits>

namespace triad::scanner {
namespace {

// libapt-pkg's configuration, system and error stack are process-wide globals.
std::mutex& apt_mutex() {
    static std::mutex m;
    return m;
}

// pkgInitConfig reads the file named by APT_CONFIG in the environment of triad's own process.
// For the running system that is what apt does; for an offline root a host-side file must not
// change how the image is read. Changing the environment later, while scan threads may call
// getenv, would be a data race, so the variable is taken out of the environment once, while
// the program is still loading (single-threaded), and kept here: pkgInitConfig then never sees
// it, and init_config reads it for the running system only, where apt reads it.
std::optional<std::string> take_apt_config_from_environment() {
    const char* value = std::getenv("APT_CONFIG");
    if (!value) return std::nullopt;
    std::string kept = value;
    ::unsetenv("APT_CONFIG");
    return kept;
}
const std::optional<std::string> kHostAptConfig = take_apt_config_from_environment();

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

// apt's configuration in apt's order: libapt-pkg's defaults, then the APT_CONFIG file (the
// running system only), then the Dir::Etc::parts directory and the Dir::Etc::main file, whose
// names the APT_CONFIG file may change. pkgInitConfig does all of it but takes the APT_CONFIG
// file from the environment (see kHostAptConfig), so it is asked for the defaults only (its
// parts and main file pointed at /dev/null, which it skips) and the rest is read here.
Status init_config(const std::string& apt_root, const Sysroot& root) {
    _config->Clear();
    _error->Discard();
    // Dir before the configuration files, so that the root's apt.conf.d is the one read.
    _config->Set("Dir", apt_root);
    _config->Set("Dir::Etc::parts", "/dev/null");
    _config->Set("Dir::Etc::main", "/dev/null");
    if (!pkgInitConfig(*_config)) return Error{ErrorCode::invalid_input, join(drain_errors(nullptr)), root.display("/etc/apt")};
    // pkgInitConfig's defaults for the two (apt.conf(5)), which the presets above kept it from setting.
    _config->Set("Dir::Etc::parts", "apt.conf.d");
    _config->Set("Dir::Etc::main", "apt.conf");
    if (root.is_host() && kHostAptConfig && !kHostAptConfig->empty()) {
        if (RealFileExists(*kHostAptConfig))
            ReadConfigFile(*_config, *kHostAptConfig);
        else
            _error->Warning("Unable to read %s (APT_CONFIG)", kHostAptConfig->c_str());
    }
    const std::string parts = _config->FindDir("Dir::Etc::parts", "/dev/null");
    if (DirectoryExists(parts))
        ReadConfigDir(*_config, parts);
    else if (!parts.ends_with("/dev/null"))
        _error->Warning("Unable to read %s", parts.c_str());
    const std::string main_file = _config->FindFile("Dir::Etc::main", "/dev/null");
    if (RealFileExists(main_file)) ReadConfigFile(*_config, main_file);
    if (_error->PendingError())
        return Error{ErrorCode::invalid_input, join(drain_errors(nullptr)), root.display("/etc/apt")};
    return ok();
}

// Sets up libapt-pkg's configuration for the root. Paths the root's own configuration might
// point elsewhere (at the host, or at a writable cache) are set again afterwards.
Status init_apt(const std::string& apt_root, const Sysroot& root, AptInventory& inv) {
    if (Status s = init_config(apt_root, root); !s) return s;
    // The binary cache is read on the running system only (see open_cache_file).
    if (root.is_host()) inv.cache_file = _config->FindFile("Dir::Cache::pkgcache");
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
    // No binary cache file for libapt-pkg's own generator, which writes one when it may: the
    // cache is built in memory, or read by open_cache_file, never written to disk.
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

void read_packages(pkgCache* cache, pkgPolicy* policy, AptInventory& inv) {
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

// Larger than any cache apt writes for a real system (tens of MiB).
constexpr std::int64_t kMaxCacheFileBytes = std::int64_t{1} << 30;

std::int64_t nanoseconds(const struct timespec& t) { return std::int64_t{t.tv_sec} * 1000000000 + t.tv_nsec; }

// A file the cache depends on whose inode changed at or after the cache's time: ctime moves
// on every write and, unlike mtime, cannot be set back, so content changed with the mtime
// restored (touch -r, rsync -t, tar) is caught; apt compares only size and mtime. A chmod or
// chown after the cache also counts, which costs a rebuild, never a wrong answer. A tie is
// taken as a change: timestamps are as coarse as the kernel's clock tick.
bool changed_after(const std::string& file, std::int64_t cache_time, std::string& why) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return false;  // apt's comparison decides about a missing file
    if (nanoseconds(st.st_ctim) < cache_time) return false;
    why = "stale: " + file + " changed after the cache";
    return true;
}

// The checks apt 2.6 makes before it uses pkgcache.bin (CheckValidity in pkgcachegen.cc),
// made with libapt-pkg's own calls on the opened cache, and stricter ones. Empty: valid.
//  - not older than the sources list (pkgSourceList::GetLastModifiedTime), and no source
//    file or sources.list.d changed after it (ctime);
//  - built from exactly the repositories and index files apt would read now: each Release
//    file and each index file (with the dpkg status file) found in the cache with the size
//    and mtime it has on disk (their FindInCache), and no file in the cache that is not
//    among them; and none of them changed after the cache (ctime).
// The format, the architectures and the hash were checked when the cache was opened.
std::string check_cache(pkgCache& cache, pkgSourceList& sources, std::int64_t cache_time) {
    if (!sources.GetVolatileFiles().empty()) return "the sources name local package files, which apt never caches";
    if (sources.GetLastModifiedTime() > cache_time / 1000000000)
        return "stale: the sources list changed after the cache";
    std::string why;
    if (changed_after(_config->FindFile("Dir::Etc::sourcelist"), cache_time, why)) return why;
    const std::string sourceparts = _config->FindDir("Dir::Etc::sourceparts");
    if (changed_after(sourceparts, cache_time, why)) return why;  // a file added, removed or renamed
    if (DirectoryExists(sourceparts))
        for (const std::string& f : GetListOfFilesInDir(sourceparts, std::vector<std::string>{"list", "sources"}, true))
            if (changed_after(f, cache_time, why)) return why;

    std::vector<bool> release_seen(cache.Head().ReleaseFileCount);
    std::vector<pkgIndexFile*> indexes;
    for (metaIndex* meta : sources) {
        pkgCache::RlsFileIterator rls = meta->FindInCache(cache, /*ModifyCheck=*/true);
        if (rls.end()) return "stale: the Release file of " + meta->Describe() + " changed after the cache or is not in it";
        release_seen[rls->ID] = true;
        for (pkgIndexFile* index : *meta->GetIndexFiles())
            if (index->HasPackages()) indexes.push_back(index);
    }
    if (std::find(release_seen.begin(), release_seen.end(), false) != release_seen.end())
        return "stale: the cache has a repository the sources list no longer names";
    if (!_system->AddStatusFiles(indexes)) return "libapt-pkg named no dpkg status file";
    std::vector<bool> file_seen(cache.Head().PackageFileCount);
    for (pkgIndexFile* index : indexes) {
        if (!index->Exists()) continue;  // apt skips what `apt update` has not downloaded
        pkgCache::PkgFileIterator file = index->FindInCache(cache);
        // Describe(): the path of the dpkg status file, "URI SUITE/COMPONENT ARCH Packages" of a list.
        if (file.end()) return "stale: " + index->Describe() + " changed after the cache or is not in it";
        file_seen[file->ID] = true;
    }
    if (std::find(file_seen.begin(), file_seen.end(), false) != file_seen.end())
        return "stale: the cache has an index file apt would no longer read";
    // The files the cache was built from are now exactly those apt would read; their ctimes.
    for (pkgCache::RlsFileIterator rls = cache.RlsFileBegin(); !rls.end(); ++rls)
        if (rls->Size != 0 && rls.FileName() && changed_after(rls.FileName(), cache_time, why)) return why;
    for (pkgCache::PkgFileIterator file = cache.FileBegin(); !file.end(); ++file)
        if (file.FileName() && changed_after(file.FileName(), cache_time, why)) return why;
    if (_error->PendingError()) return "not usable: " + join(drain_errors(nullptr));
    return {};
}

// libapt-pkg's pkgCache reads three strings at offsets its header gives (the versioning
// system, the architecture and the architectures list) before it checks the cache's hash, so
// a truncated or damaged file would make it read past the end of the mapping. Each of them is
// first required to be a NUL-terminated string inside the file, reading the header into
// libapt-pkg's own pkgCache::Header. Empty: they are.
std::string header_strings_inside(int fd, off_t size) {
    static_assert(std::is_trivially_copyable_v<pkgCache::Header>);
    pkgCache::Header header;
    if (::pread(fd, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) return "its header cannot be read";
    for (map_stringitem_t item : {header.VerSysName, header.Architecture, header.Architectures}) {
        const off_t at = static_cast<uint32_t>(item);
        char text[256];
        const ssize_t n = at > 0 && at < size ? ::pread(fd, text, sizeof text, at) : -1;
        if (n <= 0 || !std::memchr(text, '\0', static_cast<std::size_t>(n)))
            return "not usable: its header names a string outside the file (truncated or damaged)";
    }
    return {};
}

// Opens apt's binary cache on the running system, or says why it is not used. libapt-pkg's
// own read-only path opens it (pkgCacheFile with pkgCacheFile::Generate false: a read-only
// mapping, the format, architecture and hash checks of pkgCache, and no cache generator, so
// nothing can rebuild or write it; MakeStatusCache, apt's usual path, writes a new cache when
// it finds the old one stale). It opens the descriptor triad checked, through /proc/self/fd,
// so the file checked is the file read.
std::unique_ptr<pkgCacheFile> open_cache_file(const std::string& path, std::string& why) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
        why = errno == ENOENT ? "does not exist" : std::string("cannot be opened: ") + std::strerror(errno);
        return nullptr;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) why = std::string("cannot be read: ") + std::strerror(errno);
    else if (!S_ISREG(st.st_mode)) why = "not a regular file";
    else if (st.st_uid != 0) why = "not owned by root";
    else if (st.st_mode & (S_IWGRP | S_IWOTH)) why = "writable by group or others";
    else if (st.st_size < static_cast<off_t>(sizeof(pkgCache::Header))) why = "truncated: smaller than a cache header";
    else if (st.st_size > kMaxCacheFileBytes) why = "larger than 1 GiB";
    if (why.empty()) why = header_strings_inside(fd.get(), st.st_size);
    if (!why.empty()) return nullptr;
    const std::string by_descriptor = "/proc/self/fd/" + std::to_string(fd.get());
    if (!RealFileExists(by_descriptor)) {
        why = "cannot be opened by descriptor (no /proc)";
        return nullptr;
    }

    auto cf = std::make_unique<pkgCacheFile>();
    _config->Set("pkgCacheFile::Generate", false);
    _config->Set("Dir::Cache::pkgcache", by_descriptor);
    _error->PushToStack();
    const bool opened = cf->BuildCaches(nullptr, /*WithLock=*/false) && !_error->PendingError();
    std::vector<std::string> msgs = drain_errors(nullptr);
    _error->RevertToStack();
    // Back to the in-memory settings of init_apt for everything after this.
    _config->Set("pkgCacheFile::Generate", true);
    _config->Set("Dir::Cache::pkgcache", "");
    if (!opened) {
        why = "not usable: " + (msgs.empty() ? std::string("libapt-pkg could not open it") : join(msgs));
        return nullptr;
    }
    pkgSourceList* sources = cf->GetSourceList();
    if (!sources) {
        why = "the sources list cannot be read: " + join(drain_errors(nullptr));
        return nullptr;
    }
    // The cache's time for the comparisons: its mtime, never later than its own ctime, so a
    // cache whose mtime was set into the future does not make every change look older.
    why = check_cache(*cf->GetPkgCache(), *sources, std::min(nanoseconds(st.st_mtim), nanoseconds(st.st_ctim)));
    if (!why.empty()) return nullptr;
    return cf;
}

}  // namespace

bool is_security_archive(std::string_view origin, std::string_view label, std::string_view codename,
                         std::string_view suite) {
    if (codename.ends_with("-security") || label == "Debian-Security") return true;
    return origin == "Ubuntu" && suite.ends_with("-security");
}

void prepare_apt_hashes() {
    static std::once_flag once;
    std::call_once(once, [] { Hashes first(Hashes::MD5SUM); });
}

Result<AptInventory> read_apt_inventory(const Sysroot& root, const CancelToken* cancel, bool use_cache_file) {
    prepare_apt_hashes();
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

    if (!use_cache_file) inv.cache_file.clear();
    if (!inv.cache_file.empty()) {
        std::string why;
        if (auto cf = open_cache_file(inv.cache_file, why)) {
            bool failed = false;
            if (!cf->BuildPolicy(nullptr) || _error->PendingError())
                return Error{ErrorCode::invalid_input, "libapt-pkg could not read the pinning: " + join(drain_errors(&failed)),
                             root.display("/etc/apt")};
            for (std::string& w : drain_errors(&failed)) inv.warnings.push_back(std::move(w));
            inv.cache_used = true;
            read_packages(cf->GetPkgCache(), cf->GetPolicy(), inv);
            read_releases(*cf->GetSourceList(), *apt_root, inv);
            for (std::string& w : drain_errors(&failed)) inv.warnings.push_back(std::move(w));
            return inv;
        }
        inv.cache_unused = why;
        inv.warnings.push_back("W: " + inv.cache_file + " not used, the cache is built in memory: " + why);
        _error->Discard();
    }

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
    read_packages(cf.GetPkgCache(), cf.GetPolicy(), inv);
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
