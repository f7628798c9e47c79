// SPDX-License-Identifier: Apache-2.0
#include "store/scan_row_json.h"

#include <Poco/Dynamic/Var.h>

namespace triad::store {

namespace {

Poco::Dynamic::Var score_or_null(const std::optional<double>& score) {
    return score ? Poco::Dynamic::Var(*score) : Poco::Dynamic::Var();
}

}  // namespace

Poco::JSON::Object scan_row_json(const ScanRow& row) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("id", row.id);
    o.set("host", row.host);
    o.set("started_at", row.started_at);
    o.set("duration_ms", row.duration_ms);
    Poco::JSON::Object scores(Poco::JSON_PRESERVE_KEY_ORDER);
    scores.set("confidentiality", score_or_null(row.confidentiality));
    scores.set("integrity", score_or_null(row.integrity));
    scores.set("availability", score_or_null(row.availability));
    scores.set("overall", score_or_null(row.overall));
    o.set("scores", scores);
    Poco::JSON::Object counts(Poco::JSON_PRESERVE_KEY_ORDER);
    counts.set("pass", row.counts.pass);
    counts.set("fail", row.counts.fail);
    counts.set("error", row.counts.error);
    counts.set("not_applicable", row.counts.not_applicable);
    counts.set("waived", row.counts.waived);
    o.set("counts", counts);
    o.set("policies", row.policies);
    return o;
}

}  // namespace triad::store
