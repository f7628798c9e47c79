// SPDX-License-Identifier: Apache-2.0
#include "daemon/event_socket_filter.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/URI.h>

#include <sstream>

namespace triad::daemon {
namespace {

std::optional<rules::Pillar> parse_pillar(std::string_view s) {
    using rules::Pillar;
    if (s == "confidentiality" || s == "c") return Pillar::confidentiality;
    if (s == "integrity" || s == "i") return Pillar::integrity;
    if (s == "availability" || s == "a") return Pillar::availability;
    return std::nullopt;
}

bool add_value(EventFilter& filter, const std::string& key, const std::string& value, std::string& error) {
    if (value.empty()) {
        error = "empty value for '" + key + "'";
        return false;
    }
    if (key == "severity") {
        auto s = rules::parse_severity(value);
        if (!s) error = "unknown severity '" + value + "' (info, low, medium, high, critical)";
        else filter.severities.insert(*s);
        return s.has_value();
    }
    if (key == "pillar") {
        auto p = parse_pillar(value);
        if (!p) error = "unknown pillar '" + value + "' (confidentiality, integrity, availability)";
        else filter.pillars.insert(*p);
        return p.has_value();
    }
    if (key == "verdict") {
        auto v = rules::parse_verdict(value);
        if (!v) error = "unknown verdict '" + value + "' (pass, fail, error, not_applicable, waived)";
        else filter.verdicts.insert(*v);
        return v.has_value();
    }
    if (key == "tag") {
        filter.tags.insert(value);
        return true;
    }
    error = "unknown filter key '" + key + "' (severity, pillar, tag, verdict)";
    return false;
}

}  // namespace

bool EventFilter::matches(const EventFacts* facts) const {
    if (!facts) return true;
    if (!severities.empty() && !severities.contains(facts->severity)) return false;
    if (!pillars.empty()) {
        bool bears = false;
        for (rules::Pillar p : pillars) bears = bears || facts->impact.of(p) != rules::Impact::none;
        if (!bears) return false;
    }
    if (!tags.empty()) {
        bool tagged = false;
        if (facts->tags)
            for (const std::string& t : *facts->tags) tagged = tagged || tags.contains(t);
        if (!tagged) return false;
    }
    if (!verdicts.empty() && !verdicts.contains(facts->verdict) &&
        !(facts->old_verdict && verdicts.contains(*facts->old_verdict)))
        return false;
    return true;
}

std::string EventFilter::json() const {
    Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
    auto list = [&](const char* key, const auto& values) {
        if (values.empty()) return;
        Poco::JSON::Array a;
        for (const auto& v : values) a.add(std::string(rules::to_string(v)));
        out.set(key, a);
    };
    list("severity", severities);
    list("pillar", pillars);
    if (!tags.empty()) {
        Poco::JSON::Array a;
        for (const auto& t : tags) a.add(t);
        out.set("tag", a);
    }
    list("verdict", verdicts);
    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(out, text);
    return text.str();
}

std::optional<EventFilter> parse_filter_line(const std::string& line, std::string& error) {
    Poco::JSON::Object::Ptr root;
    try {
        root = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        error = "the first line is not a JSON object: " + e.displayText();
        return std::nullopt;
    }
    if (!root || root->size() != 1 || !root->has("filter") || !root->isObject("filter")) {
        error = "expected {\"filter\":{...}} as the first line";
        return std::nullopt;
    }
    EventFilter filter;
    auto spec = root->getObject("filter");
    for (const auto& [key, value] : *spec) {
        if (!spec->isArray(key)) {
            error = "'" + key + "' must be a list of strings";
            return std::nullopt;
        }
        auto values = spec->getArray(key);
        for (std::size_t k = 0; k < values->size(); ++k) {
            if (!values->get(k).isString()) {
                error = "'" + key + "' must be a list of strings";
                return std::nullopt;
            }
            if (!add_value(filter, key, values->getElement<std::string>(k), error)) return std::nullopt;
        }
        if (values->size() == 0 && !add_value(filter, key, "", error)) return std::nullopt;
    }
    return filter;
}

bool add_filter_values(EventFilter& filter, const std::string& key, const std::string& values, std::string& error) {
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = values.find(',', start);
        if (!add_value(filter, key, values.substr(start, comma == std::string::npos ? comma : comma - start), error))
            return false;
        if (comma == std::string::npos) return true;
        start = comma + 1;
    }
}

std::optional<EventFilter> filter_from_query(const std::string& target, std::string& error) {
    EventFilter filter;
    try {
        for (const auto& [key, values] : Poco::URI(target).getQueryParameters())
            if (!add_filter_values(filter, key, values, error)) return std::nullopt;
    } catch (const Poco::Exception& e) {
        error = "bad query: " + e.displayText();
        return std::nullopt;
    }
    return filter;
}

}  // namespace triad::daemon
