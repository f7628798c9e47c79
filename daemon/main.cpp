// SPDX-License-Identifier: Apache-2.0
// triadd: scans on a schedule, keeps every result in the store, streams each scan's events
// to the subscribers of its Unix socket. docs/daemon.md describes the configuration.
#include <Poco/Util/OptionException.h>
#include <Poco/Util/ServerApplication.h>

#include <csignal>
#include <ctime>
#include <iostream>

#include "daemon/config.h"
#include "daemon/http_server.h"
#include "daemon/service.h"

namespace {

constexpr const char* kUsage = R"(usage: triadd [--config FILE] [--foreground]

Scans this machine (or the configured root) on a schedule, stores every scan and check
result (SQLite, or a fleet's PostgreSQL: store: postgresql://USER@HOST:PORT/DB), and
streams each scan's events as newline-delimited JSON on a Unix socket. With an `http`
key in the configuration it also serves, by default on 127.0.0.1:9410:
GET /v1/events (server-sent events), GET /v1/results/latest, GET /v1/scans[?limit=N],
GET /v1/scans/ID, POST /v1/scans, GET /metrics (Prometheus), GET /healthz. When
http.token_file names a token (an owner-only file), every path but /healthz needs
`Authorization: Bearer TOKEN`; a non-loopback address is refused without one.

options:
  --config FILE   the configuration (YAML; default /etc/triad/triadd.yml)
  --foreground    stay in the foreground (triadd always does: run it under a service
                  manager, which keeps its stderr log)
  --help          this text

signals: SIGTERM/SIGINT cancel the scan in flight and exit 0; SIGHUP reloads the
configuration and policies (a failing one keeps the running set); SIGUSR1 scans now.
exit codes: 0 stopped by a signal, 2 usage, configuration or policy error,
            3 the store, socket or HTTP port cannot be opened
)";

class Triadd final : public Poco::Util::ServerApplication {
protected:
    void defineOptions(Poco::Util::OptionSet& options) override {
        // Not ServerApplication's own options: its --daemon, --pidfile and --umask act only
        // through ServerApplication::run(argc, argv), which main() does not use (it would
        // turn option errors into exit 78); triadd stays in the foreground.
        Application::defineOptions(options);
        options.addOption(Poco::Util::Option("config", "c", "configuration file").argument("FILE").repeatable(false));
        options.addOption(Poco::Util::Option("foreground", "f", "stay in the foreground"));
        options.addOption(Poco::Util::Option("help", "h", "usage"));
    }
    void handleOption(const std::string& name, const std::string& value) override {
        Application::handleOption(name, value);
        if (name == "config") config_path_ = value;
        if (name == "help") {
            help_ = true;
            stopOptionsProcessing();
        }
    }
    int main(const std::vector<std::string>& args) override;

private:
    std::string config_path_ = triad::daemon::kDefaultConfigPath;
    bool help_ = false;
};

int Triadd::main(const std::vector<std::string>& args) {
    using namespace triad::daemon;
    if (help_) {
        std::cout << kUsage;
        return 0;
    }
    if (!args.empty()) {
        log("unexpected argument '" + args.front() + "' (see 'triadd --help')");
        return 2;
    }
    std::string error;
    auto config = load_config(config_path_, error);
    if (!config) {
        log(error);
        return 2;
    }
    for (const std::string& key : config->ignored)
        log(config_path_ + ": '" + key + "' is not implemented in this version and is ignored");
    // The signals are taken synchronously by this thread alone: blocked before any other
    // thread starts, so that none of them is interrupted and none is lost.
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, s);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto service = Service::start(std::move(*config));
    if (!service) {
        log(service.error().describe());
        return service.error().code == triad::ErrorCode::usage ? 2 : 3;
    }
    Service& svc = **service;
    std::unique_ptr<HttpServer> http;
    if (svc.config().http.enabled) {
        auto started = HttpServer::start(svc.config().http, svc.config().store, svc);
        if (!started) {
            log(started.error().describe());
            svc.stop();
            return 3;
        }
        http = std::move(*started);
        log("http listening on " + http->address() +
            (svc.config().http.token.empty() ? " (no token: loopback only)" : " (bearer token required)"));
    }
    log("started: host " + svc.config().host_id + ", store " + triad::store::redact_store_url(svc.config().store) + ", socket " +
        svc.config().socket_path + ", schedule \"" + svc.config().schedule.text() + "\"");
    auto next = svc.config().schedule.next(std::chrono::system_clock::now());
    for (;;) {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::system_clock::now());
        if (wait.count() <= 0) {
            svc.request_scan();
            next = svc.config().schedule.next(std::chrono::system_clock::now());
            continue;
        }
        // Woken at least every minute, so that a clock change moves the next scan with it.
        auto ms = std::min<long long>(wait.count(), 60'000);
        timespec timeout{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1'000'000};
        int sig = sigtimedwait(&signals, nullptr, &timeout);
        if (sig == SIGTERM || sig == SIGINT) {
            log("stopping");
            http.reset();  // its handlers use the service: they end first
            svc.stop();
            return 0;
        }
        if (sig == SIGHUP) {
            svc.reload();
            next = svc.config().schedule.next(std::chrono::system_clock::now());
        }
        if (sig == SIGUSR1) svc.request_scan();
    }
}

}  // namespace

int main(int argc, char** argv) {
    Triadd app;
    try {
        app.init(argc, argv);
    } catch (const Poco::Exception& e) {
        std::cerr << "triadd: " << e.displayText() << " (see 'triadd --help')\n";
        return 2;
    }
    // Through Application: ServerApplication::run(argc, argv) would report option errors
    // with its own exit code (78) instead of the usage code 2.
    return static_cast<Poco::Util::Application&>(app).run();
}
