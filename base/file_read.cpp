// SPDX-License-Identifier: Apache-2.0
#include "base/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace triad {

Result<std::string> read_all(int fd, std::size_t max_bytes, const std::string& where) {
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return error_from_errno(errno, where);
        }
        if (n == 0) break;
        if (out.size() + static_cast<std::size_t>(n) > max_bytes)
            return Error{ErrorCode::invalid_input,
                         "larger than " + std::to_string(max_bytes) + " bytes; not read", where};
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

Result<std::string> read_regular_file(const std::string& path, std::size_t max_bytes) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) return error_from_errno(errno, path);
    if (!S_ISREG(st.st_mode)) return Error{ErrorCode::invalid_input, "not a regular file", path};
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
        return Error{ErrorCode::invalid_input, "larger than " + std::to_string(max_bytes) + " bytes; not read", path};
    return read_all(fd.get(), max_bytes, path);
}

}  // namespace triad
