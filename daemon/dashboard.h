// SPDX-License-Identifier: Apache-2.0
// triadd's dashboard (GET /, docs/daemon.md "Dashboard"): one self-contained page — its CSS
// and script inline, nothing fetched from elsewhere — that reads the JSON endpoints with the
// bearer token the user gives it and follows /v1/events. The page carries no data itself, so
// it is served without a token; every response gets a fresh nonce and a Content-Security-Policy
// that allows only the nonced inline style and script, and fetches to this origin.
#pragma once

#include <Poco/Net/HTTPServerResponse.h>

#include <string>

namespace triad::daemon {

// 128 random bits from getrandom(2), base64: a nonce an attacker cannot predict.
std::string dashboard_nonce();

// The Content-Security-Policy header value for a page carrying this nonce.
std::string dashboard_csp(const std::string& nonce);

// The page, its <style> and <script> elements carrying the nonce.
std::string dashboard_html(const std::string& nonce);

// 200 with the page, the CSP and headers that keep it out of caches, frames and referrers.
void serve_dashboard(Poco::Net::HTTPServerResponse& response);

}  // namespace triad::daemon
