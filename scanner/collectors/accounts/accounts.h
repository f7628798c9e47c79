// SPDX-License-Identifier: Apache-2.0
// The `accounts` and `groups` collectors: one fact per entry of the audited root's
// /etc/passwd (joined with /etc/shadow and group membership) and of /etc/group (joined with
// /etc/gshadow). A password hash never leaves this file: it is reported only as its
// algorithm and cost. Root scope.
#pragma once

#include <span>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum AccountField : std::size_t {
    kAcctName, kAcctUid, kAcctGid, kAcctGroup, kAcctGroupExists, kAcctHome, kAcctShell, kAcctLoginShell,
    kAcctSystem, kAcctShadowed, kAcctInShadow, kAcctPassword, kAcctHashAlgorithm, kAcctHashCost,
    kAcctLastChange, kAcctLastChangeInFuture, kAcctMinDays, kAcctMaxDays, kAcctWarnDays, kAcctInactiveDays,
    kAcctExpireDate, kAcctGroups, kAcctDuplicateUid, kAcctDuplicateName, kAcctFieldCount
};

enum GroupField : std::size_t {
    kGrpName, kGrpGid, kGrpMembers, kGrpPrimaryMembers, kGrpDuplicateGid, kGrpDuplicateName, kGrpInGshadow,
    kGrpPassword, kGrpHashAlgorithm, kGrpFieldCount
};

std::span<const FieldSpec> account_fields();
std::span<const FieldSpec> group_fields();

FactSet collect_accounts(const CollectContext& ctx, const SelectArgs& args);
FactSet collect_groups(const CollectContext& ctx, const SelectArgs& args);

extern const CollectorEntry kAccountsCollector;
extern const CollectorEntry kGroupsCollector;

}  // namespace triad::scanner
