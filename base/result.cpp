// SPDX-License-Identifier: Apache-2.0
#include "base/result.h"

#include <cctype>
#include <cerrno>
#include <cstring>

namespace triad {

Error error_from_errno(int err, std::string where) {
    ErrorCode code = ErrorCode::io;
    switch (err) {
        // ESRCH: a /proc/PID file opened while the process lived and read after it exited;
        // the object is gone, as with ENOENT.
        case ENOENT: case ENOTDIR: case ESRCH: code = ErrorCode::not_found; break;
        case EACCES: case EPERM: code = ErrorCode::permission_denied; break;
        case EXDEV: code = ErrorCode::escaped_root; break;
        case ELOOP: case EINVAL: case EFBIG: code = ErrorCode::invalid_input; break;
        default: break;
    }
    std::string message = std::strerror(err);
    if (!message.empty()) message[0] = static_cast<char>(std::tolower(message[0]));
    return Error{code, std::move(message), std::move(where)};
}

}  // namespace triad
