// SPDX-License-Identifier: Apache-2.0
// The `containers` and `self` collectors: fixture proc/sys trees shaped like a host that
// runs a privileged docker container, a Kubernetes pod on cgroup v2 with a user namespace,
// an LXC container and a bare namespace sandbox (none of which this machine can run); and
// real namespaces made with unshare(1), a real seccomp filter (libseccomp) and real cgroup
// v1 limits, read back from the live /proc and cross-checked with lsns(8).
#include "scanner/collectors/isolation/containers.h"

#include <doctest/doctest.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/scanner/collectors/isolation/isolation_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::FixtureIsolatedProcess;
using triad::test::IsolationProc;
using triad::test::TempDir;
using triad::test::find_object;
using triad::test::write_file;

namespace {

const std::string kDockerId = "4f6a1d2c9b8e7f60123456789abcdef0123456789abcdef0123456789abcdef0";
const std::string kPodContainer = "9a8b7c6d5e4f30211223344556677889900aabbccddeeff00112233445566778";
const std::string kPodSlice = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234abcd_5678_90ef_1234_567890abcdef.slice";

std::string field(const Fact& f, const char* name) { return triad::test::field_text(f, kContainersCollector.fields, name); }

FactSet collect(const CollectorEntry& entry, const std::string& proc_dir, const std::string& sys_dir) {
    TempDir root;
    auto r = Sysroot::open(root.path()).value();
    auto proc = Sysroot::open(proc_dir).value();
    auto sys = Sysroot::open(sys_dir).value();
    const IdentityTable ids = IdentityTable::load(r);
    CollectContext ctx{r, ids, &proc, &sys};
    return entry.collect(ctx, SelectArgs{});
}

struct HostWithContainers {
    IsolationProc proc;
    TempDir sys;
    HostWithContainers() {
        // The host's own init: every namespace initial, a cgroup no engine owns.
        proc.add({.pid = 1, .name = "init", .cgroup = "0::/init.scope\n"});
        // docker run --privileged --net=host -v /var/run/docker.sock:... -v /:/host (cgroupfs driver, v1).
        const std::string v1 = "12:pids:/docker/" + kDockerId + "\n6:memory:/docker/" + kDockerId + "\n4:cpu,cpuacct:/docker/" +
                               kDockerId + "\n1:name=systemd:/docker/" + kDockerId + "\n0::/system.slice/containerd.service\n";
        const std::string docker_mounts =
            "600 500 0:50 / / rw,relatime master:300 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A,upperdir=/u,workdir=/w\n"
            "601 600 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
            "602 600 0:56 / /dev rw,nosuid - devtmpfs udev rw,size=4014704k,nr_inodes=1003676,mode=755\n"
            "603 600 0:57 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
            "604 600 0:25 /docker.sock /var/run/docker.sock rw,nosuid,nodev - tmpfs tmpfs rw,size=802940k,mode=755\n"
            "605 600 254:1 / /host rw,relatime - ext4 /dev/vda1 rw\n"
            "606 600 254:1 /var/lib/docker/containers/x/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw\n";
        proc.add({.pid = 500, .name = "nginx", .ns = {{"pid", 4026532200}, {"mnt", 4026532201}, {"ipc", 4026532203}, {"uts", 4026532204}},
                  .cgroup = v1, .lsm = "unconfined", .mountinfo = docker_mounts});
        proc.add({.pid = 501, .name = "nginx", .uid = 33, .ns = {{"pid", 4026532200}, {"mnt", 4026532201}, {"ipc", 4026532203}, {"uts", 4026532204}},
                  .cgroup = v1, .cap_eff = "0000000000000000", .seccomp = 2, .lsm = "unconfined", .mountinfo = docker_mounts});
        write_file(sys / ("fs/cgroup/memory/docker/" + kDockerId + "/memory.limit_in_bytes"), "9223372036854771712\n");
        write_file(sys / ("fs/cgroup/pids/docker/" + kDockerId + "/pids.max"), "max\n");
        write_file(sys / ("fs/cgroup/cpu,cpuacct/docker/" + kDockerId + "/cpu.cfs_quota_us"), "-1\n");

        // A Kubernetes pod's container: containerd, systemd driver, cgroup v2, own user namespace.
        const std::string scope = kPodSlice + "/cri-containerd-" + kPodContainer + ".scope";
        proc.add({.pid = 600, .name = "app", .uid = 1000,
                  .ns = {{"pid", 4026532300}, {"mnt", 4026532301}, {"net", 4026532302}, {"ipc", 4026532303}, {"uts", 4026532304},
                         {"user", 4026532305}, {"cgroup", 4026532306}},
                  .cgroup = "0::" + scope + "\n", .cap_eff = "0000000000000000", .cap_bnd = "00000000a80425fb", .seccomp = 2,
                  .no_new_privs = 1, .lsm = "cri-containerd.apparmor.d (enforce)",
                  .uid_map = "         0     100000      65536\n",
                  .mountinfo = "700 650 0:60 / / ro,relatime - overlay overlay rw,lowerdir=/l\n"
                               "701 700 0:61 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
                               "702 701 0:61 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
                               "703 700 0:62 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n"
                               "704 700 0:63 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"
                               "705 700 254:1 /var/lib/kubelet/pods/p/etc-hosts /etc/hosts rw - ext4 /dev/vda1 rw\n"});
        write_file(sys / ("fs/cgroup" + scope + "/memory.max"), "536870912\n");
        write_file(sys / ("fs/cgroup" + scope + "/pids.max"), "max\n");
        write_file(sys / ("fs/cgroup" + scope + "/cpu.max"), "50000 100000\n");
        write_file(sys / ("fs/cgroup" + kPodSlice + "/pids.max"), "1024\n");  // the pod's limit binds its containers

        // LXC 4+ payload cgroup; and a sandbox no cgroup path names.
        proc.add({.pid = 700, .name = "systemd", .ns = {{"pid", 4026532400}, {"mnt", 4026532401}}, .cgroup = "0::/lxc.payload.web/init.scope\n"});
        proc.add({.pid = 800, .name = "sandboxed", .uid = 1000, .ns = {{"pid", 4026532500}, {"mnt", 4026532501}, {"net", 4026532502}},
                  .cgroup = "0::/user.slice/user-1000.slice/session-2.scope\n"});
        proc.self(600);
    }
};

}  // namespace

TEST_CASE("containers: docker, Kubernetes, LXC and a namespace sandbox from a fixture proc tree") {
    HostWithContainers h;
    const FactSet facts = collect(kContainersCollector, h.proc.path(), h.sys.path());
    REQUIRE(facts.size() == 4);  // init is the host, not a container

    const Fact* docker = find_object(facts, "docker " + kDockerId.substr(0, 12));
    REQUIRE(docker);
    CHECK(field(*docker, "engine") == "docker");
    CHECK(field(*docker, "id") == kDockerId);
    CHECK(field(*docker, "pids") == "500 nginx, 501 nginx");
    CHECK(field(*docker, "privileged") == "true");
    CHECK(field(*docker, "dangerous_capabilities").find("sys_admin") != std::string::npos);
    CHECK(field(*docker, "seccomp") == "disabled");  // 500 has none, though 501 has a filter
    CHECK(field(*docker, "no_new_privs") == "false");
    CHECK(field(*docker, "lsm_confined") == "false");
    CHECK(field(*docker, "host_net") == "true");
    CHECK(field(*docker, "host_pid") == "false");
    CHECK(field(*docker, "user_namespace") == "false");
    CHECK(field(*docker, "root_is_host_root") == "true");
    CHECK(field(*docker, "memory_limited") == "false");
    CHECK(field(*docker, "pids_limited") == "false");
    CHECK(field(*docker, "cpu_limited") == "false");
    CHECK(field(*docker, "engine_socket") == "true");
    CHECK(field(*docker, "writable_kernel_fs") == "true");
    CHECK(field(*docker, "host_path_mounts") == "true");
    CHECK(field(*docker, "device_mounts") == "true");
    CHECK(field(*docker, "rootfs_writable") == "true");
    CHECK(field(*docker, "sensitive_mounts") ==
          "device-fs /dev, engine-socket /var/run/docker.sock, host-path / of /dev/vda1 on /host, writable-kernel-fs /proc/sys, "
          "writable-kernel-fs /sys");

    const Fact* pod = find_object(facts, "kubernetes pod 1234abcd-5678-90ef-1234-567890abcdef (containerd " + kPodContainer.substr(0, 12) + ")");
    REQUIRE(pod);
    CHECK(field(*pod, "engine") == "containerd");
    CHECK(field(*pod, "pod") == "1234abcd-5678-90ef-1234-567890abcdef");
    CHECK(field(*pod, "privileged") == "false");
    CHECK(field(*pod, "dangerous_capabilities") == "");
    CHECK(field(*pod, "capabilities") ==
          "chown, dac_override, fowner, fsetid, kill, setgid, setuid, setpcap, net_bind_service, net_raw, sys_chroot, mknod, "
          "audit_write, setfcap");
    CHECK(field(*pod, "seccomp") == "filter");
    CHECK(field(*pod, "no_new_privs") == "true");
    CHECK(field(*pod, "lsm_label") == "cri-containerd.apparmor.d (enforce)");
    CHECK(field(*pod, "lsm_confined") == "true");
    CHECK(field(*pod, "user_namespace") == "true");
    CHECK(field(*pod, "root_is_host_root") == "false");
    CHECK(field(*pod, "uid_map") == "0 100000 65536");
    CHECK(field(*pod, "host_namespaces") == "time");
    CHECK(field(*pod, "memory_limit") == "536870912");
    CHECK(field(*pod, "pids_limit") == "1024");  // from the pod's slice
    CHECK(field(*pod, "cpu_limited") == "true");
    CHECK(field(*pod, "sensitive_mounts") == "");
    CHECK(field(*pod, "rootfs_writable") == "false");

    const Fact* lxc = find_object(facts, "lxc web");
    REQUIRE(lxc);
    CHECK(field(*lxc, "memory_limited") == "false");  // no memory controller governs its cgroup
    const Fact* sandbox = find_object(facts, "namespaces pid:[4026532500] mnt:[4026532501]");
    REQUIRE(sandbox);
    CHECK(field(*sandbox, "engine") == "namespaces");
    CHECK(field(*sandbox, "host_net") == "false");
}

TEST_CASE("self: the process triad runs in, inside a Kubernetes pod's container") {
    HostWithContainers h;
    const FactSet facts = collect(kSelfCollector, h.proc.path(), h.sys.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].object == "self");
    CHECK(field(facts[0], "in_container") == "true");
    CHECK(field(facts[0], "engine") == "containerd");
    CHECK(field(facts[0], "user_namespace") == "true");
    CHECK(field(facts[0], "pids") == "600 app");
}

TEST_CASE("cgroup paths of every engine name their container; host paths name none") {
    const std::string id(64, 'a');
    CHECK(classify_cgroup_path("/docker/" + id).name() == "docker aaaaaaaaaaaa");
    CHECK(classify_cgroup_path("/system.slice/docker-" + id + ".scope").engine == "docker");
    CHECK(classify_cgroup_path("/machine.slice/libpod-" + id + ".scope/container").engine == "podman");
    CHECK(classify_cgroup_path("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + id + ".scope").engine == "podman");
    CHECK(classify_cgroup_path("/kubepods/besteffort/pod0f1e2d3c-0000-1111-2222-333344445555/" + id).name() ==
          "kubernetes pod 0f1e2d3c-0000-1111-2222-333344445555 (containerd aaaaaaaaaaaa)");
    CHECK(classify_cgroup_path("/kubepods.slice/kubepods-pod11_22.slice/crio-" + id + ".scope").engine == "cri-o");
    CHECK(classify_cgroup_path("/lxc/web1").name() == "lxc web1");
    CHECK(classify_cgroup_path("/machine.slice/systemd-nspawn@deb12.service/payload").name() == "systemd-nspawn deb12");
    CHECK(classify_cgroup_path("/machine.slice/machine-deb12.scope").name() == "systemd-nspawn deb12");
    CHECK(classify_cgroup_path("/process_api/0f3a9c").engine.empty());
    CHECK(classify_cgroup_path("/user.slice/user-1000.slice/session-2.scope").engine.empty());
    CHECK(classify_cgroup_path("/system.slice/docker.service").engine.empty());  // the daemon, not a container
    CHECK(classify_cgroup_path("/").engine.empty());
}

TEST_CASE("mountinfo: octal escapes, the covering mount, and what counts as sensitive") {
    auto mounts = parse_mountinfo("36 35 98:0 /my\\040dir /mnt/a\\040b rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
                                  "garbage line\n");
    REQUIRE(mounts.size() == 1);
    CHECK(mounts[0].root == "/my dir");
    CHECK(mounts[0].mount_point == "/mnt/a b");
    CHECK(mounts[0].fstype == "ext3");
    CHECK(mounts[0].has_option("noatime"));
    CHECK_FALSE(mounts[0].has_option("atime"));
    // A read-only remount of /proc/sys hides the rw /proc below it (docker's default).
    auto docker_default = parse_mountinfo("1 0 0:1 / / rw - overlay overlay rw\n2 1 0:2 / /proc rw - proc proc rw\n"
                                          "3 2 0:2 /sys /proc/sys ro - proc proc rw\n4 1 0:3 / /sys ro - sysfs sysfs ro\n");
    CHECK(sensitive_mounts(docker_default).empty());
}

TEST_CASE("id maps and namespace links are parsed as the kernel writes them") {
    auto map = parse_id_map("         0     100000      65536\n     65536          0          1\nbad\n");
    REQUIRE(map.size() == 2);
    CHECK(map[1].inside == 65536);
    CHECK(map[1].outside == 0);
    CHECK(parse_namespace_link("net:[4026531833]") == 4026531833u);
    CHECK_FALSE(parse_namespace_link("net:4026531833").has_value());
    CHECK(initial_namespace_inode("user") == 0xEFFFFFFDu);
}

// ----------------------------------------------------------------------- live kernel objects

namespace {

bool have(const char* tool) { return triad::test::sh(std::string("command -v ") + tool + " >/dev/null").exit_code == 0; }

// `sleep` under a name of its own (the kernel takes a process's name from the path it ran),
// so that tests running side by side find their own process.
struct NamedSleep {
    TempDir dir;
    std::string path;
    explicit NamedSleep(const std::string& name) : path(dir / name) {
        ::chmod(dir.path().c_str(), 0755);  // reachable by nobody too
        std::filesystem::create_symlink(triad::test::sh("command -v sleep").out.substr(0, triad::test::sh("command -v sleep").out.find('\n')), path);
    }
};

// A process started in the background, killed (with its process group) when the test ends.
struct Background {
    pid_t pid = -1;
    explicit Background(std::vector<std::string> argv) {
        pid = ::fork();
        if (pid == 0) {
            ::setpgid(0, 0);
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
    }
    ~Background() {
        if (pid > 0) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

FactSet live(const CollectorEntry& entry) {
    auto root = Sysroot::open("/").value();
    auto proc = Sysroot::open("/proc").value();
    auto sys = Sysroot::open("/sys").value();
    const IdentityTable ids = IdentityTable::load(root);
    CollectContext ctx{root, ids, &proc, &sys};
    return entry.collect(ctx, SelectArgs{});
}

// The container whose process list names `name`, once it appears (unshare needs a moment).
std::optional<Fact> wait_for(const std::string& name) {
    for (int i = 0; i < 100; ++i) {
        for (const Fact& f : live(kContainersCollector))
            if (f.status == FactStatus::ok && field(f, "pids").find(" " + name) != std::string::npos) return f;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("containers: real namespaces made by unshare, cross-checked with lsns") {
    if (::geteuid() != 0 || !have("unshare") || !have("lsns")) {
        MESSAGE("needs root, unshare and lsns to make namespaces");
        return;
    }
    // pid, mount, UTS, IPC and network namespaces; the user namespace stays the host's.
    NamedSleep sleeper("triad-ns-all");
    Background box({"unshare", "-p", "-f", "-m", "-u", "-i", "-n", "--mount-proc", sleeper.path, "117"});
    auto f = wait_for("triad-ns-all");
    REQUIRE(f.has_value());
    CHECK(field(*f, "engine") == "namespaces");
    CHECK(field(*f, "own_namespaces") == "ipc, mnt, net, pid, uts");
    CHECK(field(*f, "host_pid") == "false");
    CHECK(field(*f, "host_net") == "false");
    CHECK(field(*f, "user_namespace") == "false");
    CHECK(field(*f, "root_is_host_root") == "true");
    CHECK(field(*f, "privileged") == field(live(kSelfCollector)[0], "privileged"));  // unshare keeps our capabilities

    // lsns names the same pid namespace, with the same process in it.
    const std::string pid = field(*f, "pids").substr(0, field(*f, "pids").find(' '));
    auto ns = triad::test::sh("lsns -n -t pid -o NS,PID | awk '$2==" + pid + "{print $1}'");
    CHECK(f->object.find("pid:[" + triad::test::sh("readlink /proc/" + pid + "/ns/pid | tr -dc 0-9").out + "]") != std::string::npos);
    auto mine = triad::test::sh("readlink /proc/" + pid + "/ns/pid | tr -dc 0-9");
    CHECK(ns.out.find(mine.out) != std::string::npos);
}

TEST_CASE("containers: a user namespace made by an unprivileged user does not map root to root") {
    if (::geteuid() != 0 || !have("unshare") || !have("setpriv")) {
        MESSAGE("needs root (to become nobody), unshare and setpriv");
        return;
    }
    NamedSleep sleeper("triad-ns-user");
    Background box({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "unshare", "-U", "-r", "-p", "-f", "-m",
                    "--mount-proc", sleeper.path, "118"});
    auto f = wait_for("triad-ns-user");
    REQUIRE(f.has_value());
    CHECK(field(*f, "user_namespace") == "true");
    CHECK(field(*f, "uid_map") == "0 65534 1");
    CHECK(field(*f, "root_is_host_root") == "false");
}

TEST_CASE("containers: real cgroup v1 limits on a namespaced process") {
    const std::string pids_dir = "/sys/fs/cgroup/pids", memory_dir = "/sys/fs/cgroup/memory";
    if (::geteuid() != 0 || !have("unshare") || !std::filesystem::exists(pids_dir + "/cgroup.procs") ||
        !std::filesystem::exists(memory_dir + "/cgroup.procs")) {
        MESSAGE("needs root and cgroup v1 pids and memory hierarchies");
        return;
    }
    const std::string name = "triad-test-" + std::to_string(::getpid());
    // Removes the cgroups even when an assertion stops the test early (once their
    // processes are gone, which `box` below sees to first).
    struct Cgroups {
        std::vector<std::string> dirs;
        ~Cgroups() {
            for (const std::string& d : dirs)
                for (int i = 0; i < 50 && ::rmdir(d.c_str()) != 0 && errno == EBUSY; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    } cgroups{{pids_dir + "/" + name, memory_dir + "/" + name}};
    for (const std::string& d : cgroups.dirs) std::filesystem::create_directory(d);
    {
        NamedSleep sleeper("triad-ns-cg");
        Background box({"unshare", "-p", "-f", "-m", "--mount-proc", sleeper.path, "119"});
        auto before = wait_for("triad-ns-cg");
        REQUIRE(before.has_value());
        CHECK(field(*before, "pids_limited") == "false");  // the root cgroup: nothing limits it
        write_file(pids_dir + "/" + name + "/pids.max", "50");
        write_file(memory_dir + "/" + name + "/memory.limit_in_bytes", "67108864");
        const std::string pid = field(*before, "pids").substr(0, field(*before, "pids").find(' '));
        write_file(pids_dir + "/" + name + "/cgroup.procs", pid);
        write_file(memory_dir + "/" + name + "/cgroup.procs", pid);
        auto after = wait_for("triad-ns-cg");
        REQUIRE(after.has_value());
        CHECK(field(*after, "pids_limit") == "50");
        CHECK(field(*after, "pids_limited") == "true");
        CHECK(field(*after, "memory_limit") == "67108864");
        CHECK(field(*after, "limits_from").find("/sys/fs/cgroup/pids/" + name + "/pids.max") != std::string::npos);
    }
    for (const std::string& d : cgroups.dirs)
        for (int i = 0; i < 50 && ::rmdir(d.c_str()) != 0 && errno == EBUSY; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK_FALSE(std::filesystem::exists(pids_dir + "/" + name));
    CHECK_FALSE(std::filesystem::exists(memory_dir + "/" + name));
}

TEST_CASE("containers: a child with its own mount namespace, a seccomp filter (libseccomp) and NoNewPrivs") {
    if (::geteuid() != 0) {
        MESSAGE("needs root to make a mount namespace");
        return;
    }
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(ready[0]);
        if (::unshare(CLONE_NEWNS) != 0) ::_exit(1);
        ::prctl(PR_SET_NAME, "triad-seccomp");
        scmp_filter_ctx sc = seccomp_init(SCMP_ACT_ALLOW);  // loading it sets NoNewPrivs by default
        if (!sc || seccomp_rule_add(sc, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mkdir), 0) != 0 || seccomp_load(sc) != 0) ::_exit(2);
        seccomp_release(sc);
        (void)!::write(ready[1], "x", 1);
        ::pause();
        ::_exit(0);
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    auto f = wait_for("triad-seccomp");
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    REQUIRE(f.has_value());
    CHECK(field(*f, "own_namespaces") == "mnt");
    CHECK(field(*f, "seccomp") == "filter");
    CHECK(field(*f, "no_new_privs") == "true");
}

TEST_CASE("containers: a process whose namespaces are hidden is an error unless other files place it on the host") {
    IsolationProc proc;
    TempDir sys;
    const std::string mounts = "22 1 254:0 / / rw - ext4 /dev/vda rw\n23 22 0:5 / /proc rw - proc proc rw\n";
    proc.add({.pid = 5, .name = "scanner", .mountinfo = mounts});
    proc.self(5);
    // Hidden, but its NSpid has one level and it sees the scanner's own mounts: a host process.
    proc.add({.pid = 1, .name = "agent", .mountinfo = mounts, .hide_ns = true});
    // Hidden, in a nested pid namespace: whether it is isolated cannot be told.
    proc.add({.pid = 9, .name = "hidden", .mountinfo = mounts, .hide_ns = true, .nspid_levels = 2});
    // Hidden, in the scanner's pid namespace but with mounts of its own.
    proc.add({.pid = 10, .name = "other-mnt", .mountinfo = "90 80 254:0 / / rw - ext4 /dev/vda rw\n", .hide_ns = true});
    const FactSet facts = collect(kContainersCollector, proc.path(), sys.path());
    REQUIRE(facts.size() == 2);
    CHECK(facts[0].object == "9 hidden");
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("cannot tell which namespaces this process is in") != std::string::npos);
    CHECK(facts[1].object == "10 other-mnt");
    CHECK(facts[1].status == FactStatus::error);
}

TEST_CASE("containers: this machine's hidden PID 1 is placed on the host, kernel threads are left out") {
    std::error_code ec;
    (void)std::filesystem::read_symlink("/proc/1/ns/pid", ec);
    if (ec != std::errc::permission_denied) {
        MESSAGE("PID 1's namespaces are readable here (" << ec.message() << "); nothing hidden to place");
        return;
    }
    // lsns cannot read PID 1's namespaces either; triad places it from NSpid and mountinfo.
    for (const Fact& f : live(kContainersCollector)) {
        CAPTURE(f.object);
        CHECK(f.object.rfind("1 ", 0) != 0);
        if (f.status == FactStatus::ok) CHECK(field(f, "pids").find(" kdevtmpfs") == std::string::npos);
    }
}

TEST_CASE("containers: hostile proc files are bounded and make the container an error, never a guess") {
    IsolationProc proc;
    TempDir sys;
    // A cgroup file far beyond any real one (64 KiB limit), and garbage where links and maps belong.
    proc.add({.pid = 300, .name = "huge", .ns = {{"pid", 4026532900}}, .cgroup = std::string(200 * 1024, 'x')});
    proc.add({.pid = 301, .name = "garbage", .ns = {{"pid", 4026532901}}, .cgroup = "no colons here\n::\n",
              .uid_map = "zero one two\n-1 -1 -1\n", .mountinfo = "- - -\n1\n"});
    std::filesystem::remove(proc.path() + "/301/ns/mnt");
    ::symlink("mnt:[not a number]", (proc.path() + "/301/ns/mnt").c_str());
    const FactSet facts = collect(kContainersCollector, proc.path(), sys.path());
    const Fact* huge = find_object(facts, "namespaces pid:[4026532900] mnt:[4026531832]");
    REQUIRE(huge);
    CHECK(huge->status == FactStatus::error);
    CHECK(huge->reason.find("cgroup") != std::string::npos);
    const Fact* garbage = find_object(facts, "namespaces pid:[4026532901] mnt:[?]");
    REQUIRE(garbage);
    CHECK(garbage->status == FactStatus::ok);
    CHECK(field(*garbage, "uid_map") == "");               // no valid range: nothing maps
    CHECK(field(*garbage, "root_is_host_root") == "true");  // no user namespace of its own
    CHECK(field(*garbage, "sensitive_mounts") == "");
    CHECK(field(*garbage, "rootfs_writable") == "(absent)");  // no root mount listed: unknown
}
