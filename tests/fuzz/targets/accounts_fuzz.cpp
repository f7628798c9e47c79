// SPDX-License-Identifier: Apache-2.0
// passwd, shadow and group as the accounts and groups collectors and the identity table read
// them (colon databases, password hash fields, member lists). Input parts: /etc/passwd,
// /etc/shadow, /etc/group, /etc/gshadow, /etc/login.defs.
#include "scanner/collectors/accounts/accounts.h"
#include "scanner/collectors/accounts/accounts_internal.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    static triad::fuzz::FixtureRoot fixture;
    const auto parts = triad::fuzz::split_parts(triad::fuzz::as_text(data, size), 5);
    fixture.put("/etc/passwd", parts[0], /*keep_empty=*/true);
    fixture.put("/etc/shadow", parts[1]);
    fixture.put("/etc/group", parts[2]);
    fixture.put("/etc/gshadow", parts[3]);
    fixture.put("/etc/login.defs", parts[4]);
    const Sysroot root = fixture.open();
    const IdentityTable ids = IdentityTable::load(root);
    const CollectContext ctx{root, ids};
    (void)collect_accounts(ctx, {});
    (void)collect_groups(ctx, {});
    for (const DbLine& line : parse_colon_db(parts[1]))
        if (line.fields.size() > 1) (void)classify_password(line.fields[1]);
    return 0;
}
