// SPDX-License-Identifier: Apache-2.0
#include "daemon/dashboard.h"

#include <Poco/Base64Encoder.h>
#include <sys/random.h>

#include <cerrno>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace triad::daemon {
namespace {

// The page. Rules it keeps (the test checks them in a browser):
//  - nothing from elsewhere: no URL with a scheme, no src/href; the SVG namespace is taken
//    from the inline <svg> element rather than written out;
//  - data from results reaches the DOM only through textContent and setAttribute of
//    numbers: the CSP's `require-trusted-types-for 'script'` makes any innerHTML string an
//    error, so a slip would break the page rather than open it;
//  - the token lives in sessionStorage (gone with the tab) and is sent only as
//    `Authorization: Bearer` to this origin. EventSource cannot send that header, so the event
//    stream is read with fetch() and parsed here (`data:` lines, blank-line separated).
constexpr std::string_view kPage = R"PAGE(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>triadd</title>
<style nonce="@NONCE@">
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; background: #fafafa; }
h1 { font-size: 1.3em; margin: 0 0 .3em; } h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
#meta, #status { color: #555; } #status.down { color: #a40000; }
#scores { display: flex; gap: 1em; margin: 0; flex-wrap: wrap; }
.score { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .5em 1em; min-width: 9em; }
.score dt { color: #555; } .score dd { margin: 0; font-size: 1.8em; font-weight: 600; }
#trend { width: 100%; max-width: 760px; height: 220px; background: #fff; border: 1px solid #ddd; }
#trend .grid { stroke: #e4e4e4; } #trend text { font-size: 10px; fill: #777; }
#trend polyline { fill: none; stroke-width: 2; }
.p-confidentiality { stroke: #1f6fb2; fill: #1f6fb2; } .p-integrity { stroke: #2e8b57; fill: #2e8b57; }
.p-availability { stroke: #c77c02; fill: #c77c02; } .p-overall { stroke: #222; fill: #222; }
#legend span { margin-right: 1em; } #legend .swatch { display: inline-block; width: .8em; height: .8em; margin-right: .3em; }
.s-confidentiality { background: #1f6fb2; } .s-integrity { background: #2e8b57; }
.s-availability { background: #c77c02; } .s-overall { background: #222; }
table { border-collapse: collapse; background: #fff; } td, th { border: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; }
.sev-critical, .sev-high { color: #a40000; font-weight: 600; }
#live { list-style: none; padding: 0; font-family: ui-monospace, monospace; font-size: 13px; }
#live li { padding: .15em 0; border-bottom: 1px solid #eee; } #live .e-drift { background: #fff4d6; }
#live .e-finding { color: #a40000; }
form { margin: 1em 0; }
</style>
</head>
<body>
<h1>triadd</h1>
<p id="meta">no scan loaded</p>
<p id="status">starting</p>
<form id="login" hidden>
<label>Bearer token <input id="token" type="password" autocomplete="off" size="40"></label>
<button type="submit">Use</button>
</form>
<h2>Latest scores</h2>
<dl id="scores"></dl>
<h2>Trend</h2>
<svg id="trend" viewBox="0 0 760 220" role="img" aria-label="scores per pillar over the stored scans"></svg>
<div id="legend"></div>
<h2>Failing checks <span id="failing-count"></span></h2>
<table><thead><tr><th>Check</th><th>Severity</th><th>Title</th><th>Reason</th></tr></thead><tbody id="failing"></tbody></table>
<h2>Live</h2>
<ol id="live"></ol>
<script nonce="@NONCE@">
'use strict';
const PILLARS = ['confidentiality', 'integrity', 'availability', 'overall'];
const TOKEN_KEY = 'triadd-token';
const LIVE_MAX = 200;
const $ = (id) => document.getElementById(id);
const SVG_NS = $('trend').namespaceURI;
let token = sessionStorage.getItem(TOKEN_KEY) || '';

// A token handed over in the fragment (#token=...; never sent to the server) is kept for the
// session and removed from the address bar and history at once.
if (location.hash.startsWith('#token=')) {
  token = decodeURIComponent(location.hash.slice(7));
  sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(null, '', location.pathname + location.search);
}

class NeedToken extends Error {}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function svg(tag, attrs, cls) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (cls) e.setAttribute('class', cls);
  return e;
}
function setStatus(text, down) {
  $('status').textContent = text;
  $('status').className = down ? 'down' : '';
}
function askToken() {
  setStatus('a bearer token is required', true);
  $('login').hidden = false;
  $('token').focus();
}
$('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  token = $('token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  $('login').hidden = true;
  start();
});

async function getJSON(path) {
  const r = await fetch(path, { headers: token ? { Authorization: 'Bearer ' + token } : {}, cache: 'no-store' });
  if (r.status === 401) throw new NeedToken();
  if (r.status === 404) return null;
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}

function scoreText(v) { return typeof v === 'number' ? v.toFixed(1) : 'undecided'; }

function showScores(scores) {
  const list = $('scores');
  list.replaceChildren();
  for (const p of PILLARS) {
    const box = el('div', undefined, 'score');
    box.dataset.pillar = p;
    box.append(el('dt', p));
    const dd = el('dd', scoreText(scores ? scores[p] : null));
    dd.id = 'score-' + p;
    box.append(dd);
    list.append(box);
  }
}

function showLatest(result) {
  if (!result) {
    $('meta').textContent = 'no scan stored yet';
    showScores(null);
    return;
  }
  const c = result.counts || {};
  $('meta').textContent = 'scan of ' + ((result.target && result.target.hostname) || (result.target && result.target.root) || 'this host') +
    ' started ' + result.started_at + ' took ' + result.duration_ms + ' ms: ' + c.pass + ' passed, ' + c.fail +
    ' failed, ' + c.error + ' errors, ' + c.not_applicable + ' not applicable, ' + c.waived + ' waived';
  $('meta').dataset.startedAt = result.started_at;
  showScores(result.scores);
  const body = $('failing');
  body.replaceChildren();
  const failing = (result.results || []).filter((r) => r.verdict === 'fail');
  for (const r of failing) {
    const tr = el('tr');
    tr.dataset.check = r.id;
    tr.append(el('td', r.id), el('td', r.severity, 'sev-' + r.severity), el('td', r.title), el('td', r.reason));
    body.append(tr);
  }
  $('failing-count').textContent = '(' + failing.length + ')';
}

// Scores of the stored scans, oldest on the left; a pillar without a decided score leaves a gap.
function showTrend(scans) {
  const chart = $('trend');
  chart.replaceChildren();
  const W = 760, H = 220, L = 36, R = 12, T = 10, B = 24;
  const y = (v) => T + (100 - v) * (H - T - B) / 100;
  for (const v of [0, 25, 50, 75, 100]) {
    chart.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v) }, 'grid'));
    const label = svg('text', { x: 4, y: y(v) + 3 });
    label.textContent = String(v);
    chart.append(label);
  }
  const list = (scans || []).slice().reverse();
  chart.dataset.points = String(list.length);
  if (list.length === 0) return;
  const x = (i) => list.length === 1 ? (L + W - R) / 2 : L + i * (W - L - R) / (list.length - 1);
  const first = svg('text', { x: L, y: H - 6 });
  first.textContent = list[0].started_at;
  chart.append(first);
  if (list.length > 1) {
    const last = svg('text', { x: W - R, y: H - 6, 'text-anchor': 'end' });
    last.textContent = list[list.length - 1].started_at;
    chart.append(last);
  }
  for (const p of PILLARS) {
    let run = [];
    const flush = () => {
      if (run.length > 1) chart.append(svg('polyline', { points: run.join(' ') }, 'p-' + p));
      run = [];
    };
    list.forEach((s, i) => {
      const v = s.scores ? s.scores[p] : null;
      if (typeof v !== 'number') return flush();
      run.push(x(i).toFixed(1) + ',' + y(v).toFixed(1));
      const dot = svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3 }, 'p-' + p);
      dot.dataset.scan = String(s.id);
      const tip = svg('title', {});
      tip.textContent = p + ' ' + scoreText(v) + ' at ' + s.started_at;
      dot.append(tip);
      chart.append(dot);
    });
    flush();
  }
}

function showLegend() {
  const legend = $('legend');
  for (const p of PILLARS) {
    const item = el('span');
    item.append(el('span', undefined, 'swatch s-' + p), document.createTextNode(p));
    legend.append(item);
  }
}

async function refresh() {
  const [latest, scans] = await Promise.all([getJSON('/v1/results/latest'), getJSON('/v1/scans?limit=100')]);
  showLatest(latest);
  showTrend(scans ? scans.scans : []);
  return latest;
}

function live(kind, text, check) {
  const item = el('li', new Date().toLocaleTimeString() + '  ' + text, 'e-' + kind);
  item.dataset.event = kind;
  if (check) item.dataset.check = check;
  const list = $('live');
  list.prepend(item);
  while (list.children.length > LIVE_MAX) list.lastChild.remove();
  return item;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The store write follows scan_finished: read until the newest stored scan is this one.
async function refreshAfter(startedAt) {
  for (let attempt = 0; attempt < 20; ++attempt) {
    const latest = await refresh();
    if (latest && latest.started_at === startedAt) return;
    await sleep(500);
  }
}

function onEvent(e) {
  switch (e.event) {
  case 'scan_started':
    live('scan_started', 'scan started: ' + e.checks + ' checks');
    break;
  case 'finding':
    // Only what needs attention; every check's finding is in the table after the scan.
    if (e.result && (e.result.verdict === 'fail' || e.result.verdict === 'error'))
      live('finding', e.result.verdict + ' ' + e.result.id + ' (' + e.result.severity + '): ' + e.result.title, e.result.id);
    break;
  case 'drift': {
    // A check can drift in its evidence alone (other failing objects, other observed values).
    const changed = Array.isArray(e.changed) ? e.changed.map(String) : ['verdict'];
    const what = changed.includes('verdict') ? '' : ' (evidence changed)';
    live('drift', 'drift ' + e.check + ': ' + e.old + ' \u2192 ' + e.new + what, e.check).dataset.changed = changed.join(' ');
    break;
  }
  case 'scan_finished':
    live('scan_finished', 'scan finished: overall ' + scoreText(e.scores && e.scores.overall));
    if (e.scores) showScores(e.scores);
    refreshAfter(e.started_at).catch(failed);
    break;
  case 'lost':
    live('lost', e.count + ' events lost (this page read too slowly)');
    break;
  case 'reload_failed':
    live('reload_failed', 'reload failed: ' + e.error);
    break;
  default:
    live('other', String(e.event));
  }
}

// Server-sent events over fetch: blocks end with a blank line; the data is the `data:` lines.
async function follow() {
  for (;;) {
    try {
      const r = await fetch('/v1/events', { headers: token ? { Authorization: 'Bearer ' + token } : {}, cache: 'no-store' });
      if (r.status === 401) return askToken();
      if (!r.ok || !r.body) throw new Error('HTTP ' + r.status);
      setStatus('live', false);
      $('status').dataset.live = 'yes';
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        for (let end; (end = buffer.indexOf('\n\n')) >= 0;) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5)).join('\n');
          if (!data) continue;
          try { onEvent(JSON.parse(data)); } catch (err) { live('other', 'unreadable event'); }
        }
      }
    } catch (err) {
      if (err instanceof NeedToken) return askToken();
    }
    $('status').dataset.live = 'no';
    setStatus('event stream closed; reconnecting in 5 s', true);
    await sleep(5000);
  }
}

function failed(err) {
  if (err instanceof NeedToken) return askToken();
  setStatus(String(err && err.message ? err.message : err), true);
}

let following = false;
async function start() {
  try {
    setStatus('loading', false);
    await refresh();
    if (!following) {
      following = true;
      follow().finally(() => { following = false; });
    }
  } catch (err) {
    failed(err);
  }
}

showLegend();
showScores(null);
start();
</script>
</body>
</html>
)PAGE";

}  // namespace

std::string dashboard_nonce() {
    unsigned char bytes[16];
    std::size_t got = 0;
    while (got < sizeof bytes) {
        const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed");  // no predictable nonce instead
        }
        got += static_cast<std::size_t>(n);
    }
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.write(reinterpret_cast<const char*>(bytes), sizeof bytes);
    encoder.close();
    return out.str();
}

std::string dashboard_csp(const std::string& nonce) {
    const std::string n = "'nonce-" + nonce + "'";
    // default-src 'none' covers everything not named (images, fonts, frames, workers, media).
    return "default-src 'none'; script-src " + n + "; style-src " + n +
           "; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
           "require-trusted-types-for 'script'; trusted-types 'none'";
}

std::string dashboard_html(const std::string& nonce) {
    std::string page(kPage);
    constexpr std::string_view marker = "@NONCE@";
    for (auto at = page.find(marker); at != std::string::npos; at = page.find(marker, at + nonce.size()))
        page.replace(at, marker.size(), nonce);
    return page;
}

void serve_dashboard(Poco::Net::HTTPServerResponse& response) {
    const std::string nonce = dashboard_nonce();
    const std::string body = dashboard_html(nonce);
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("text/html; charset=utf-8");
    response.set("Content-Security-Policy", dashboard_csp(nonce));
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Cache-Control", "no-store");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
}

}  // namespace triad::daemon
