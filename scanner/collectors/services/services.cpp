// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/services/services.h"

#include <algorithm>

#include "scanner/collectors/services/exposure.h"
#include "scanner/collectors/services/unit_files.h"

namespace triad::scanner {
namespace {

enum ServiceField : std::size_t {
    kName, kKind, kPath, kDropins, kTemplate, kInstances, kMasked, kEnabled, kWantedBy, kAliases,
    kLoadError, kUser, kExecStart, kExposure, kExposureTenths, kExposureLevel, kWeakSettings,
    kNoNewPrivileges, kProtectSystem, kProtectHome, kPrivateTmp, kPrivateDevices, kPrivateNetwork,
    kSystemCallFilter, kDefaultDependencies, kType, kFieldCount
};
constexpr FieldSpec kFields[] = {
    {"name", ValueKind::string, "the unit name (`ssh.service`; a template is `getty@.service`)"},
    {"kind", ValueKind::string, "`service` or `socket`"},
    {"path", ValueKind::string, "the unit file that defines it (absent when masked)"},
    {"dropins", ValueKind::list, "the drop-in files applied, in order"},
    {"template", ValueKind::boolean, "a template unit (`NAME@.service`)"},
    {"instances", ValueKind::list, "a template's instances enabled by .wants/.requires links"},
    {"masked", ValueKind::boolean, "linked to /dev/null (or an empty file): systemd will not start it"},
    {"enabled", ValueKind::boolean, "some .wants/.requires directory links it (or, for a template, one of its instances)"},
    {"wanted_by", ValueKind::list, "the units whose .wants/.requires directories link it"},
    {"aliases", ValueKind::list, "other names linked to its unit file"},
    {"load_error", ValueKind::string, "why systemd would refuse to load the service (absent when it loads)"},
    {"user", ValueKind::string, "User= after systemd's implied settings (root when unset)"},
    {"exec_start", ValueKind::string, "the first ExecStart= command"},
    {"exposure", ValueKind::string, "the exposure `systemd-analyze security` gives it, 0.0 to 10.0 (services that load)"},
    {"exposure_tenths", ValueKind::integer, "the exposure in tenths, 0 to 100, for comparisons"},
    {"exposure_level", ValueKind::string, "PERFECT, SAFE, OK, MEDIUM, EXPOSED, UNSAFE or DANGEROUS"},
    {"weak_settings", ValueKind::list, "the assessor rows with any badness, as systemd-analyze's JSON names them"},
    {"no_new_privileges", ValueKind::boolean, "NoNewPrivileges= (or implied by DynamicUser=)"},
    {"protect_system", ValueKind::string, "ProtectSystem=: no, yes, full or strict"},
    {"protect_home", ValueKind::string, "ProtectHome=: no, yes, read-only or tmpfs"},
    {"private_tmp", ValueKind::boolean, "PrivateTmp="},
    {"private_devices", ValueKind::boolean, "PrivateDevices="},
    {"private_network", ValueKind::boolean, "PrivateNetwork="},
    {"system_call_filter", ValueKind::boolean, "a SystemCallFilter= allow or deny list is in effect"},
    {"default_dependencies", ValueKind::boolean, "DefaultDependencies= (early-boot services say no)"},
    {"type", ValueKind::string, "Type= of a service: simple, exec, forking, oneshot, dbus, notify, idle"},
};
static_assert(std::size(kFields) == kFieldCount);

StringList with_template_enablement(const units::UnitIndex& index, const std::string& name) {
    auto it = index.wanted_by.find(name);
    return it == index.wanted_by.end() ? StringList{} : it->second;
}

Fact unit_fact(const Sysroot& root, const units::UnitIndex& index, const std::string& name,
               const StringList& aliases) {
    units::LoadedUnit u = units::load_unit(root, index, name);
    if (!u.error.empty() && !u.masked) return Fact::error(name, u.error);
    Fact f;
    f.object = name;
    f.fields.resize(kFieldCount);
    const bool is_service = name.ends_with(".service");
    const bool is_template = units::template_of(name) == name && name.find('@') != std::string::npos;
    f.fields[kName] = Value{name};
    f.fields[kKind] = Value{std::string(is_service ? "service" : "socket")};
    if (!u.fragment.empty()) f.fields[kPath] = Value{u.fragment};
    f.fields[kDropins] = Value{StringList(u.dropins)};
    f.fields[kTemplate] = Value{is_template};
    auto inst = index.instances.find(name);
    f.fields[kInstances] = Value{inst == index.instances.end() ? StringList{} : inst->second};
    f.fields[kMasked] = Value{u.masked};
    const StringList wanted = with_template_enablement(index, name);
    f.fields[kEnabled] = Value{!u.masked && !wanted.empty()};
    f.fields[kWantedBy] = Value{wanted};
    f.fields[kAliases] = Value{aliases};
    if (u.masked || !is_service) return f;

    std::string load_error;
    units::ServiceContext c = units::resolve_service(u.settings, name, &load_error);
    f.fields[kUser] = Value{c.user.empty() ? std::string("root") : c.user};
    if (!c.exec_start.empty()) f.fields[kExecStart] = Value{c.exec_start.front()};
    f.fields[kNoNewPrivileges] = Value{c.no_new_privileges};
    f.fields[kProtectSystem] = Value{c.protect_system};
    f.fields[kProtectHome] = Value{c.protect_home};
    f.fields[kPrivateTmp] = Value{c.private_tmp};
    f.fields[kPrivateDevices] = Value{c.private_devices};
    f.fields[kPrivateNetwork] = Value{c.private_network};
    f.fields[kSystemCallFilter] = Value{c.syscall_allow_list || !c.syscall_filter.empty()};
    f.fields[kDefaultDependencies] = Value{c.default_dependencies};
    f.fields[kType] = Value{c.type};
    if (!load_error.empty()) {
        f.fields[kLoadError] = Value{load_error};
        return f;
    }
    units::Exposure e = units::assess_exposure(c);
    f.fields[kExposure] = Value{units::exposure_text(e.tenths)};
    f.fields[kExposureTenths] = Value{static_cast<std::int64_t>(e.tenths)};
    f.fields[kExposureLevel] = Value{e.level};
    StringList weak;
    for (const units::ExposureRow& r : e.rows)
        if (r.badness != units::kNotApplicable && r.badness > 0) weak.emplace_back(r.json_field);
    f.fields[kWeakSettings] = Value{weak};
    return f;
}

FactSet collect_services(const CollectContext& ctx, const SelectArgs&) {
    units::UnitIndex index = units::index_units(ctx.root, {".service", ".socket"});
    bool any_dir = false;
    for (const std::string& d : units::search_dirs())
        if (ctx.root.lstat(d)) any_dir = true;
    if (!any_dir && index.entries.empty())
        return {Fact::not_applicable("systemd units",
                                     "no systemd unit directory exists (/etc/systemd/system, /lib/systemd/system, ...)")};
    FactSet out;
    for (const std::string& e : index.errors) out.push_back(Fact::error(e.substr(0, e.find(':')), e));

    // Aliases first: a link whose name differs from its target's is another name of that unit.
    std::map<std::string, StringList> aliases;
    std::vector<std::string> names;
    for (const auto& [name, paths] : index.entries) {
        if (ctx.cancelled()) break;
        auto st = ctx.root.lstat(paths.front());
        if (st && S_ISLNK(st->stx_mode)) {
            auto target = ctx.root.read_link(paths.front());
            if (target && *target != "/dev/null") {
                const std::string base = target->substr(target->rfind('/') + 1);
                if (base != name) {
                    aliases[base].push_back(name);
                    continue;
                }
            }
        }
        names.push_back(name);
    }
    for (const std::string& name : names) {
        if (ctx.cancelled()) break;
        out.push_back(unit_fact(ctx.root, index, name, aliases[name]));
    }
    return out;
}

}  // namespace

const CollectorEntry kServicesCollector{
    "services", Scope::root, kFields, {}, collect_services,
    "each systemd service and socket unit, its enablement and its exposure score\n"
    "\n"
    "One object per unit found in the audited root's unit directories (/etc/systemd/system, "
    "/run/systemd/system, /usr/local/lib/systemd/system, /lib/systemd/system, "
    "/usr/lib/systemd/system; the first directory that has a name defines it), named by the "
    "unit. Drop-ins, masks (links to /dev/null), aliases and the .wants/.requires links that "
    "enable a unit are read as systemd reads them, without running systemd. A service that "
    "loads gets the exposure `systemd-analyze security` computes (docs/services.md); one that "
    "systemd would refuse (no ExecStart=) has `load_error` instead. An unreadable unit file "
    "is an error naming it; a root without any unit directory is not_applicable.",
};

}  // namespace triad::scanner
