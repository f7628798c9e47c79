// SPDX-License-Identifier: Apache-2.0
// The `rpm_packages` collector (see rpm_packages.h).
#include "scanner/collectors/packages/rpm_packages.h"

#include "scanner/packages/rpm_inventory.h"

namespace triad::scanner {
namespace {

FactSet collect_rpm_packages(const CollectContext& ctx, const SelectArgs&) {
    auto inv = read_rpm_inventory(ctx.root);
    if (!inv) {
        const Error& e = inv.error();
        if (e.code == ErrorCode::not_found) return {Fact::not_applicable(e.where, e.describe())};
        return {Fact::error(e.where, e.describe())};
    }
    FactSet out;
    for (const RpmPackage& p : inv->packages) {
        if (ctx.cancelled()) break;
        Fact f;
        f.object = p.nevra;
        f.fields.resize(kRpmFieldCount);
        f.fields[kRpmName] = Value{p.name};
        if (p.epoch) f.fields[kRpmEpoch] = Value{*p.epoch};
        f.fields[kRpmVersion] = Value{p.version};
        f.fields[kRpmRelease] = Value{p.release};
        f.fields[kRpmArch] = Value{p.arch};
        if (!p.source_rpm.empty()) f.fields[kRpmSourceRpm] = Value{p.source_rpm};
        f.fields[kRpmDatabase] = Value{inv->database + " (" + inv->backend + ")"};
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kRpmPackagesCollector = with_collect(kRpmPackagesCollectorSpec, collect_rpm_packages);

}  // namespace triad::scanner
