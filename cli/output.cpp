// SPDX-License-Identifier: Apache-2.0
#include "cli/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace triad::cli {

Status write_file_atomic(const std::string& path, const std::string& bytes, unsigned mode) {
    // Renaming over a device or a FIFO (say --output /dev/null) would replace the node itself.
    struct stat existing {};
    if (::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode))
        return Error{ErrorCode::invalid_input, "exists and is not a regular file; not replaced", path};
    std::string dir = ".";
    if (auto slash = path.rfind('/'); slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
    std::string tmp = path + ".tmp-XXXXXX";
    UniqueFd fd(::mkstemp(tmp.data()));
    if (!fd.valid()) return error_from_errno(errno, path);
    auto fail = [&](int err) {
        ::unlink(tmp.c_str());
        return Status(error_from_errno(err, path));
    };
    if (::fchmod(fd.get(), mode) != 0) return fail(errno);
    for (std::size_t done = 0; done < bytes.size();) {
        ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(errno);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return fail(errno);
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(errno);
    // Make the rename itself durable.
    UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.valid()) ::fsync(dfd.get());
    return ok();
}

}  // namespace triad::cli
