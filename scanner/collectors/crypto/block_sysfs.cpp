// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/crypto/block_sysfs.h"

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>
#include <cctype>

namespace triad::scanner {

Result<std::vector<std::string>> list_directory(const Sysroot& root, const std::string& dir, std::size_t max) {
    auto fd = root.open_path(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, /*follow_final=*/true);
    if (!fd) return fd.error();
    DIR* d = ::fdopendir(fd->get());
    if (!d) return Error{ErrorCode::io, "cannot list the directory", root.display(dir)};
    fd->release();  // owned by d now
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n == "." || n == "..") continue;
        if (names.size() == max) {
            ::closedir(d);
            return Error{ErrorCode::invalid_input, "more than " + std::to_string(max) + " entries", root.display(dir)};
        }
        names.emplace_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

Result<std::string> read_first_line(const Sysroot& root, const std::string& path) {
    auto text = root.read_file(path, 64 * 1024);
    if (!text) return text.error();
    std::string line = text->substr(0, text->find('\n'));
    return line;
}

Result<std::vector<std::string>> list_block_devices(const Sysroot& sys) {
    return list_directory(sys, "/class/block", kMaxBlockDevices);
}

Result<BlockLayer> read_block_layer(const Sysroot& sys, const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
        return Error{ErrorCode::invalid_input, "not a block device name: '" + name + "'", sys.display("/class/block")};
    const std::string dir = "/class/block/" + name;
    auto present = sys.lstat(dir);
    if (!present) return present.error();
    BlockLayer layer;
    layer.name = name;
    if (sys.lstat(dir + "/dm").has_value()) {
        auto dm_name = read_first_line(sys, dir + "/dm/name");
        auto dm_uuid = read_first_line(sys, dir + "/dm/uuid");
        if (!dm_uuid) return dm_uuid.error();
        layer.dm_name = dm_name ? *dm_name : "";
        layer.dm_uuid = *dm_uuid;
    }
    if (auto level = read_first_line(sys, dir + "/md/level")) layer.md_level = *level;
    auto slaves = list_directory(sys, dir + "/slaves", kMaxSlaves);
    if (slaves) {
        layer.slaves = std::move(*slaves);
    } else if (slaves.error().code != ErrorCode::not_found) {
        return slaves.error();  // an unreadable slaves/ hides what is underneath
    }
    return layer;
}

std::string uuid_without_dashes(std::string_view uuid) {
    std::string out;
    for (char c : uuid)
        if (c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<CryptMapping> parse_crypt_uuid(std::string_view dm_uuid) {
    constexpr std::string_view kPrefix = "CRYPT-";
    if (!dm_uuid.starts_with(kPrefix)) return std::nullopt;
    std::string_view rest = dm_uuid.substr(kPrefix.size());
    CryptMapping m;
    const std::size_t dash = rest.find('-');
    m.type = std::string(rest.substr(0, dash));
    if (dash == std::string_view::npos) return m;
    rest = rest.substr(dash + 1);
    // LUKS1/LUKS2 (and LUKS2-OPAL in newer cryptsetup): the next part is 32 hex digits.
    if (m.type.starts_with("LUKS")) {
        if (rest.starts_with("OPAL-")) {
            m.type += "-OPAL";
            rest = rest.substr(5);
        }
        const std::string_view hex = rest.substr(0, rest.find('-'));
        if (hex.size() == 32 && std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
            m.uuid_hex = uuid_without_dashes(hex);
    }
    return m;
}

std::string describe_layer(const BlockLayer& layer) {
    if (auto crypt = parse_crypt_uuid(layer.dm_uuid)) return layer.name + " (crypt " + crypt->type + " " + layer.dm_name + ")";
    if (layer.dm_uuid.starts_with("LVM-")) return layer.name + " (lvm " + layer.dm_name + ")";
    if (!layer.dm_name.empty()) return layer.name + " (dm " + layer.dm_name + ")";
    if (!layer.md_level.empty()) return layer.name + " (" + layer.md_level + ")";
    return layer.name;
}

namespace {

constexpr int kMaxDepth = 16;
constexpr std::size_t kMaxLayers = 256;

class ChainWalker {
public:
    explicit ChainWalker(const Sysroot& sys) : sys_(sys) {}

    // True when every path from `name` down to a leaf passes through dm-crypt.
    bool visit(const std::string& name, int depth, ChainResult& r) {
        if (r.error) return false;
        if (depth > kMaxDepth || ++layers_ > kMaxLayers) {
            r.error = Error{ErrorCode::invalid_input, "the device chain is deeper or wider than triad follows",
                            sys_.display("/class/block/" + name)};
            return false;
        }
        auto layer = read_block_layer(sys_, name);
        if (!layer) {
            r.error = layer.error();
            return false;
        }
        r.chain.push_back(describe_layer(*layer));
        auto crypt = parse_crypt_uuid(layer->dm_uuid);
        const bool is_crypt = crypt && crypt->type != "SUBDEV";
        if (is_crypt && r.crypt_device.empty()) {
            r.crypt_device = layer->dm_name;
            r.crypt_type = crypt->type;
        }
        bool all_below = !layer->slaves.empty();
        for (const std::string& slave : layer->slaves) all_below = visit(slave, depth + 1, r) && all_below;
        return is_crypt || all_below;
    }

private:
    const Sysroot& sys_;
    std::size_t layers_ = 0;
};

}  // namespace

ChainResult walk_device_chain(const Sysroot& sys, const std::string& name) {
    ChainResult r;
    ChainWalker walker(sys);
    r.encrypted = walker.visit(name, 0, r);
    if (r.error) r.encrypted = false;
    return r;
}

std::optional<std::string> block_name_from_devnum(const Sysroot& sys, unsigned major, unsigned minor) {
    auto target = sys.read_link("/dev/block/" + std::to_string(major) + ":" + std::to_string(minor));
    if (!target) return std::nullopt;
    std::string name = target->substr(target->rfind('/') + 1);
    if (name.empty() || name == ".." || !sys.lstat("/class/block/" + name)) return std::nullopt;
    return name;
}

std::optional<std::string> block_name_from_dev_path(const Sysroot& root, const Sysroot& sys, const std::string& path) {
    if (!path.starts_with("/dev/")) return std::nullopt;
    std::string name = path.substr(path.rfind('/') + 1);
    if (auto target = root.read_link(path)) name = target->substr(target->rfind('/') + 1);
    if (name.empty() || name == ".." || !sys.lstat("/class/block/" + name)) return std::nullopt;
    return name;
}

}  // namespace triad::scanner
