// SPDX-License-Identifier: Apache-2.0
// The Debian Security Tracker JSON reader (see cve_feed.h). RapidJSON's SAX reader does the
// JSON; this file follows its events through the feed's five levels (source → issue →
// fields → releases → one release) and keeps what the query asks for. The input stream is
// ours only to count lines for error positions and to read the file in bounded chunks.
#include "scanner/packages/cve_feed.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "base/unique_fd.h"

namespace triad::scanner {
namespace {

constexpr std::uint64_t kMaxFeedBytes = 1024ull * 1024 * 1024;
constexpr std::size_t kChunkBytes = 256 * 1024;
constexpr std::size_t kMaxDescription = 300;

// A RapidJSON input stream over a file descriptor or a block of memory, that knows the line
// and column of every byte it hands out. RapidJSON reads '\0' as the end of input.
class CountingStream {
public:
    using Ch = char;

    explicit CountingStream(std::string_view text) : data_(text.data()), size_(text.size()), fd_(-1) {}
    explicit CountingStream(int fd) : fd_(fd), buffer_(kChunkBytes) { refill(); }

    Ch Peek() {
        if (pos_ == size_ && !refill()) return '\0';
        return data_[pos_];
    }
    Ch Take() {
        if (pos_ == size_ && !refill()) return '\0';
        const char c = data_[pos_++];
        ++offset_;
        if (c == '\n') {
            ++line_;
            line_start_ = offset_;
        }
        return c;
    }
    std::size_t Tell() const { return offset_; }
    // Only for in-situ parsing, which is not used.
    Ch* PutBegin() { return nullptr; }
    void Put(Ch) {}
    void Flush() {}
    std::size_t PutEnd(Ch*) { return 0; }

    std::uint64_t line() const { return line_; }
    std::uint64_t line_start() const { return line_start_; }
    bool at_end() { return Peek() == '\0' && (pos_ == size_); }
    const std::string& read_error() const { return read_error_; }
    bool too_large() const { return too_large_; }

private:
    bool refill() {
        if (fd_ < 0 || eof_) return false;
        for (;;) {
            const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                read_error_ = std::strerror(errno);
                eof_ = true;
                return false;
            }
            if (n == 0) {
                eof_ = true;
                return false;
            }
            total_ += static_cast<std::uint64_t>(n);
            if (total_ > kMaxFeedBytes) {
                too_large_ = true;
                eof_ = true;
                return false;
            }
            data_ = buffer_.data();
            size_ = static_cast<std::size_t>(n);
            pos_ = 0;
            return true;
        }
    }

    const char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t pos_ = 0;
    int fd_;
    std::vector<char> buffer_;
    bool eof_ = false;
    bool too_large_ = false;
    std::string read_error_;
    std::uint64_t total_ = 0;
    std::uint64_t offset_ = 0;
    std::uint64_t line_ = 1;
    std::uint64_t line_start_ = 0;
};

// Where the feed's structure is: what the keys of the object being read name.
enum class Level { top, sources, issues, issue, releases, release };

class FeedHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FeedHandler> {
public:
    FeedHandler(const CveFeedQuery& query, CveFeed& out, const CancelToken* cancel)
        : query_(query), out_(out), cancel_(cancel) {}

    // Why the handler stopped the reader (a shape the feed must not have), or empty.
    const std::string& problem() const { return problem_; }
    bool cancelled() const { return cancelled_; }

    bool StartObject() { return open(true); }
    bool StartArray() { return open(false); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    bool Key(const char* s, rapidjson::SizeType n, bool) {
        if (skip_) return true;
        key_.assign(s, n);
        if (levels_.back() == Level::sources) {
            source_.assign(s, n);
            wanted_ = query_.sources.find(source_) != query_.sources.end();
            ++out_.sources;
            if (cancel_ && cancel_->cancelled()) {
                cancelled_ = true;
                return false;
            }
        } else if (levels_.back() == Level::issues) {
            issue_.assign(s, n);
        }
        return true;
    }

    bool String(const char* s, rapidjson::SizeType n, bool) { return scalar(std::string_view(s, n), true); }
    bool Default() { return scalar({}, false); }  // numbers, booleans and null

private:
    std::string where_now() const {
        std::string w = source_;
        if (levels_.size() > 2 && !issue_.empty()) w += " " + issue_;
        return w;
    }
    bool fail(std::string why) {
        problem_ = std::move(why);
        return false;
    }

    bool open(bool object) {
        if (skip_) {
            ++skip_;
            return true;
        }
        const Level at = levels_.back();
        auto need_object = [&](const std::string& what) {
            return object || fail(what + ": expected an object");
        };
        switch (at) {
            case Level::top:
                if (!object) return fail("the feed is not a JSON object keyed by source package");
                levels_.push_back(Level::sources);
                return true;
            case Level::sources:
                if (!need_object("source package " + source_)) return false;
                levels_.push_back(Level::issues);
                return true;
            case Level::issues:
                if (!need_object(where_now())) return false;
                levels_.push_back(Level::issue);
                entry_ = CveEntry{};
                return true;
            case Level::issue:
                if (key_ == "releases") {
                    if (!need_object(where_now() + " releases")) return false;
                    levels_.push_back(Level::releases);
                    return true;
                }
                skip_ = 1;  // a field of another shape than this reader uses
                return true;
            case Level::releases:
                if (!need_object(where_now() + " release " + key_)) return false;
                if (key_ == query_.release) {
                    out_.release_seen = true;
                    levels_.push_back(Level::release);
                    in_release_ = wanted_;
                    release_ = CveEntry{};
                    return true;
                }
                skip_ = 1;
                return true;
            case Level::release:
                skip_ = 1;  // repositories
                return true;
        }
        return true;
    }

    bool close() {
        if (skip_) {
            --skip_;
            return true;
        }
        const Level at = levels_.back();
        levels_.pop_back();
        if (at == Level::release && in_release_) {
            release_.source = source_;
            release_.id = issue_;
            pending_.push_back(std::move(release_));
            in_release_ = false;
        } else if (at == Level::issue) {
            // The issue's own fields may come after its releases: complete them now.
            for (CveEntry& e : pending_) {
                e.description = entry_.description;
                e.scope = entry_.scope;
                out_.entries.push_back(std::move(e));
            }
            pending_.clear();
        }
        return true;
    }

    bool scalar(std::string_view text, bool is_string) {
        if (skip_) return true;
        auto need_string = [&](const std::string& what) {
            return is_string || fail(what + ": expected a string");
        };
        switch (levels_.back()) {
            case Level::top: return fail("the feed is not a JSON object keyed by source package");
            case Level::sources: return fail("source package " + source_ + ": expected an object");
            case Level::issues: return fail(where_now() + ": expected an object");
            case Level::releases: return fail(where_now() + " release " + key_ + ": expected an object");
            case Level::issue:
                if (key_ == "releases") return fail(where_now() + " releases: expected an object");
                if (!wanted_) return true;
                if (key_ == "description") {
                    if (!need_string(where_now() + " description")) return false;
                    std::size_t cut = std::min(text.size(), kMaxDescription);
                    // Never cut inside a UTF-8 sequence.
                    while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
                    entry_.description = std::string(text.substr(0, cut));
                } else if (key_ == "scope") {
                    if (!need_string(where_now() + " scope")) return false;
                    entry_.scope = std::string(text);
                }
                return true;
            case Level::release: {
                const bool known = key_ == "status" || key_ == "fixed_version" || key_ == "urgency" || key_ == "nodsa";
                if (!known || !in_release_) {
                    if (known && !is_string) return fail(where_now() + " " + query_.release + " " + key_ + ": expected a string");
                    return true;
                }
                if (!need_string(where_now() + " " + query_.release + " " + key_)) return false;
                if (key_ == "status") release_.status = std::string(text);
                if (key_ == "urgency") release_.urgency = std::string(text);
                if (key_ == "nodsa") release_.nodsa = std::string(text);
                if (key_ == "fixed_version") {
                    release_.fixed_version = std::string(text);
                    release_.has_fixed_version = true;
                }
                return true;
            }
        }
        return true;
    }

    const CveFeedQuery& query_;
    CveFeed& out_;
    const CancelToken* cancel_;
    std::vector<Level> levels_{Level::top};
    std::uint64_t skip_ = 0;  // depth inside a value this reader does not use
    std::string key_, source_, issue_;
    bool wanted_ = false;
    bool in_release_ = false;
    CveEntry entry_, release_;
    std::vector<CveEntry> pending_;  // this issue's kept release entry, until its fields are read
    std::string problem_;
    bool cancelled_ = false;
};

Result<CveFeed> parse_stream(CountingStream& in, const CveFeedQuery& query, const std::string& where,
                             const CancelToken* cancel) {
    CveFeed feed;
    FeedHandler handler(query, feed, cancel);
    rapidjson::Reader reader;
    constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
    const rapidjson::ParseResult ok = reader.Parse<kFlags>(in, handler);
    if (handler.cancelled()) return Error{ErrorCode::cancelled, "cancelled", where};
    auto position = [&](std::uint64_t offset) {
        std::string at = where + ":" + std::to_string(in.line());
        if (offset >= in.line_start()) at += ":" + std::to_string(offset - in.line_start() + 1);
        return at;
    };
    if (!in.read_error().empty()) return Error{ErrorCode::io, "read failed: " + in.read_error(), where};
    if (in.too_large()) return Error{ErrorCode::invalid_input, "larger than 1 GiB: not a tracker feed", where};
    if (!ok) {
        const std::uint64_t offset = reader.GetErrorOffset();
        std::string why = !handler.problem().empty() ? handler.problem() : rapidjson::GetParseError_En(ok.Code());
        if (handler.problem().empty() && in.at_end() && offset >= in.Tell())
            why += " (the feed ends there: truncated?)";
        return Error{ErrorCode::invalid_input, why + " (byte " + std::to_string(offset) + ")", position(offset)};
    }
    // RapidJSON stops at a NUL byte as if the input ended there.
    if (!in.at_end())
        return Error{ErrorCode::invalid_input, "a NUL byte after the document (byte " + std::to_string(in.Tell()) + ")",
                     position(in.Tell())};
    return feed;
}

}  // namespace

Result<CveFeed> parse_cve_feed(std::string_view text, const CveFeedQuery& query, const std::string& where,
                               const CancelToken* cancel) {
    CountingStream in(text);
    return parse_stream(in, query, where, cancel);
}

Result<CveFeed> read_cve_feed(const std::string& path, const CveFeedQuery& query, const CancelToken* cancel) {
    // O_NONBLOCK: a FIFO named as the feed must not block the open.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) return error_from_errno(errno, path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return error_from_errno(errno, path);
    if (!S_ISREG(st.st_mode)) return Error{ErrorCode::invalid_input, "not a regular file", path};
    if (static_cast<std::uint64_t>(st.st_size) > kMaxFeedBytes)
        return Error{ErrorCode::invalid_input, "larger than 1 GiB: not a tracker feed", path};
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    CountingStream in(fd.get());
    return parse_stream(in, query, path, cancel);
}

}  // namespace triad::scanner
