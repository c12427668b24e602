#!/usr/bin/python3
"""tests/e2e/cri/scenarios.py: the CRI scenarios of issue 18, as kubelet
would drive them, against the private containerd that cri.sh started.

cri.sh runs this inside that containerd's mount, network and pid
namespaces, so the pids the CRI reports are the pids of this /proc. One
pod, host network (no CNI), its containers sharing the sandbox's pid
namespace (shareProcessNamespace: true) unless said otherwise:

  1. a container leaves 50 orphans: the sandbox reaps them; a second
     container of the pod sees no zombie;
  2. ExecSync leaves 50 orphans in a running container: reaped (by the
     sandbox; and by pidone as the init of a container with its own pid
     namespace);
  3. the sandbox is PID 1 of the pod, runs as 65535, is confined;
  4. pidone as an app container's init (its own pid namespace): its
     command starts a daemon that traps SIGTERM; StopContainer with
     kubelet's 10 s: the daemon got SIGTERM, the container stopped by
     itself well inside the timeout, with the command's status;
  5. StopPodSandbox and RemovePodSandbox leave nothing behind.

--mode pidone: the sandbox image is pidone's pause image and the app
container's ENTRYPOINT is pidone. --mode control: the sandbox is busybox
sleep and the app command runs as PID 1 by itself. Each check prints
`ok - NAME` or `not ok - NAME (why)`, like run.sh; a check of what pidone
does must fail in the control, and then prints
`ok - control: NAME # failed as it must: why`. Exit status 0 when the run
got to the end (the lines say what passed), 1 when it could not.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import time

ARGS = argparse.ArgumentParser()
for opt in ("gen", "mode", "socket", "runc-root", "logs", "cgroup-parent", "sum", "run",
            "app", "sandbox"):
    ARGS.add_argument("--" + opt, required=True)
A = ARGS.parse_args()
sys.path.insert(0, A.gen)  # cri_pb2*.py, compiled from cri.proto by cri.sh

import grpc  # noqa: E402 (Debian's python3-grpcio)
import cri_pb2 as pb  # noqa: E402
import cri_pb2_grpc  # noqa: E402

PIDONE = A.mode == "pidone"
LABEL = "cri" if PIDONE else "cri (control)"
CALL = 30          # seconds: the limit of every CRI call
STOP_TIMEOUT = 10  # StopContainer's timeout: kubelet passes the pod's grace period

channel = grpc.insecure_channel("unix://" + A.socket)
runtime = cri_pb2_grpc.RuntimeServiceStub(channel)
images = cri_pb2_grpc.ImageServiceStub(channel)

# ---- reporting ------------------------------------------------------------


def say(line):
    print(line, flush=True)


def holds(name, why):
    """What the runtime does: must hold whatever the sandbox."""
    name = f"{LABEL}: {name}"
    say(f"ok - {name}" if why is None else f"not ok - {name} ({why})")


def pidone_does(name, why):
    """What pidone does: must hold with pidone, and fail in the control."""
    if PIDONE:
        holds(name, why)
    elif why is None:
        say(f"not ok - control: cri: {name} (passed without a working init: the check cannot fail)")
    else:
        say(f"ok - control: cri: {name} # failed as it must: {why}")


def expect(want, got, what="got"):
    return None if got == want else f"{what} {got!r}, expected {want!r}"


class Scenario:
    """Times a scenario; an exception (a CRI call that failed) is a failure
    of the scenario, whatever the mode."""

    def __init__(self, title):
        self.title = title

    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, kind, err, tb):
        ms = (time.monotonic() - self.t0) * 1000
        if err is not None:
            holds(f"{self.title}: runs to the end", f"{kind.__name__}: {str(err)[:300]}")
        say(f"# {LABEL}: {self.title}: {ms:.0f} ms")
        return not isinstance(err, (KeyboardInterrupt, SystemExit))


# ---- the CRI, as kubelet calls it ------------------------------------------------


def wait_for(seconds, poll):
    """Bounded poll: poll() returns a value or None."""
    deadline = time.monotonic() + seconds
    while True:
        got = poll()
        if got is not None or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def image_known(ref):
    def poll():
        img = images.ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=ref)),
                                 timeout=CALL).image
        return img if img.id else None
    return wait_for(10, poll)


def namespaces(pid):
    return pb.NamespaceOption(network=pb.NODE, pid=pid, ipc=pb.POD)


POD_CONFIG = pb.PodSandboxConfig(
    # A host-network pod: no CNI, and no hostname (it would need its own uts
    # namespace, which containerd does not make for such a pod).
    metadata=pb.PodSandboxMetadata(name=f"{A.run}-{A.mode}", uid=f"{A.run}-{A.mode}-uid",
                                   namespace="pidone-e2e"),
    log_directory=A.logs,
    linux=pb.LinuxPodSandboxConfig(
        cgroup_parent=A.cgroup_parent,
        security_context=pb.LinuxSandboxSecurityContext(namespace_options=namespaces(pb.POD))))


def run_pod():
    return runtime.RunPodSandbox(pb.RunPodSandboxRequest(config=POD_CONFIG),
                                 timeout=CALL).pod_sandbox_id


def start(pod, name, command=(), args=(), pid=pb.POD):
    """CreateContainer + StartContainer of the app image; command replaces
    its ENTRYPOINT (pidone --), args its CMD."""
    config = pb.ContainerConfig(
        metadata=pb.ContainerMetadata(name=name), image=pb.ImageSpec(image=A.app),
        command=list(command), args=list(args), log_path=f"{name}.log",
        linux=pb.LinuxContainerConfig(security_context=pb.LinuxContainerSecurityContext(
            namespace_options=namespaces(pid))))
    cid = runtime.CreateContainer(pb.CreateContainerRequest(
        pod_sandbox_id=pod, config=config, sandbox_config=POD_CONFIG), timeout=CALL).container_id
    runtime.StartContainer(pb.StartContainerRequest(container_id=cid), timeout=CALL)
    return cid


def status(cid):
    return runtime.ContainerStatus(pb.ContainerStatusRequest(container_id=cid),
                                   timeout=CALL).status


def exited(cid, seconds):
    def poll():
        st = status(cid)
        return st if st.state == pb.CONTAINER_EXITED else None
    return wait_for(seconds, poll)


def exec_sync(cid, *cmd, seconds=20):
    r = runtime.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=list(cmd), timeout=seconds),
                         timeout=seconds + CALL)
    return r.exit_code, r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")


def log(name):
    """The container's output: the CRI log file, less each line's
    timestamp, stream and tag."""
    try:
        with open(os.path.join(A.logs, f"{name}.log"), encoding="utf-8", errors="replace") as f:
            return [line.rstrip("\n").split(" ", 3)[-1] for line in f]
    except FileNotFoundError:
        return []


def log_has(name, regex, seconds=0):
    got = wait_for(seconds, lambda: next(
        (line for line in log(name) if re.search(regex, line)), None))
    return None if got is not None else f"no line /{regex}/ in {name}'s log: {'|'.join(log(name)[-3:])}"


def output_has(out, regex):
    if re.search(regex, out, re.M):
        return None
    return f"no line /{regex}/ in the output: {'|'.join(out.strip().splitlines()[-3:])}"


def sandbox_pid(pod):
    info = runtime.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pod, verbose=True),
                                    timeout=CALL).info
    return json.loads(info["info"])["pid"]


def proc_status(pid):
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def processes():
    """(pid, state, cmdline) of every process of this pid namespace
    (containerd's: the pods' are inside it)."""
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat", encoding="utf-8", errors="replace") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        yield int(p), state, cmd


# ---- the scenarios -----------------------------------------------------------------


def confined(pid):
    """pidone confines itself right after its set-up, so a moment after
    RunPodSandbox returns: look again for up to 2 s."""
    want, got = ("2", "1", {}), None

    def poll():
        nonlocal got
        st = proc_status(pid)
        held = {k: st[k] for k in ("CapInh", "CapPrm", "CapEff", "CapAmb") if int(st[k], 16)}
        got = (st["Seccomp"], st["NoNewPrivs"], held)
        return got if got == want else None
    wait_for(2, poll)
    return expect(want, got, "Seccomp, NoNewPrivs, capabilities held")


def sandbox_is_pid1_of_pod(pod):
    """Scenario 3: the sandbox's process, seen from here."""
    pid = sandbox_pid(pod)
    # RunPodSandbox may return while the process is still runc's init, a
    # moment before it execs the image's entrypoint.
    wait_for(5, lambda: None if proc_status(pid)["Name"].startswith("runc") else pid)
    st = proc_status(pid)
    try:
        with open(f"/proc/{pid}/exe", "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()
    except OSError as e:
        got = f"unreadable ({e})"
    pidone_does("the sandbox's process is pidone (sha256 of /proc/PID/exe)",
                expect(A.sum, got, "sha256"))
    holds("the sandbox is PID 1 of the pod's pid namespace",
          expect("1", st["NSpid"].split()[-1], "NSpid's last field"))
    holds("the sandbox runs as uid and gid 65535 (the image's USER)",
          expect(["65535"] * 8, st["Uid"].split() + st["Gid"].split(), "Uid and Gid"))
    pidone_does("the sandbox is confined: Seccomp 2 (a filter), NoNewPrivs 1, no capability",
                confined(pid))


def container_orphans_reaped(pod, witness):
    """Scenario 1: a container of the pod leaves 50 orphans."""
    cid = start(pod, "orphans", command=["/bin/orphans", "50"])
    st = exited(cid, 20)
    holds("a container of the pod runs /bin/orphans 50 to its end",
          None if st else "still running after 20 s")
    pidone_does("its 50 orphans are reaped by the sandbox while it runs",
                log_has("orphans", r"^orphans 50 unreaped 0 zombies 0$"))
    code, out = exec_sync(witness, "/bin/zombies")
    pidone_does("a second container of the pod sees no zombie once it is gone",
                output_has(out, r"^zombies 0$"))
    code, out = exec_sync(witness, "cat", "/proc/1/comm")
    pidone_does("the pod's containers see the sandbox, pidone as pause, as their PID 1",
                expect("pause", out.strip(), "/proc/1/comm"))


def exec_orphans_reaped(cid, who):
    """Scenario 2: ExecSync leaves 50 orphans in a running container."""
    code, out = exec_sync(cid, "/bin/orphans", "50")
    pidone_does(f"ExecSync of /bin/orphans 50 into a running container: reaped by {who}",
                output_has(out, r"^orphans 50 unreaped 0 zombies 0$") or expect(0, code, "exit code"))


def app_init_stops_cleanly(pod):
    """Scenario 4: the app container's own init (its own pid namespace)."""
    script = "/bin/daemon; exec sleep 60"
    if PIDONE:  # the image's ENTRYPOINT: /sbin/pidone --
        cid = start(pod, "app", args=["sh", "-c", script], pid=pb.CONTAINER)
    else:
        cid = start(pod, "app", command=["/bin/sh", "-c", script], pid=pb.CONTAINER)
    holds("the app container's daemon is ready", log_has("app", r"^daemon ready$", 10))
    exec_orphans_reaped(cid, "pidone as the app container's init (own pid namespace)")
    t0 = time.monotonic()
    runtime.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=STOP_TIMEOUT),
                          timeout=STOP_TIMEOUT + CALL)
    ms = (time.monotonic() - t0) * 1000
    st = status(cid)
    pidone_does(f"StopContainer (timeout {STOP_TIMEOUT} s): the daemon got SIGTERM and finished",
                log_has("app", r"^daemon got TERM$", 2))
    pidone_does(f"StopContainer (timeout {STOP_TIMEOUT} s): the container stopped by itself "
                "in under 2 s", None if ms < 2000 else f"took {ms:.0f} ms")
    pidone_does("... with the command's status, 143 (sleep ended by the SIGTERM it was passed)",
                expect(143, st.exit_code, "exit code"))
    say(f"# {LABEL}: StopContainer took {ms:.0f} ms, exit code {st.exit_code}")


def pod_leaves_nothing(pod, cids):
    """Scenario 5: StopPodSandbox and RemovePodSandbox."""
    ids = [pod] + cids
    t0 = time.monotonic()
    runtime.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pod), timeout=CALL)
    runtime.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod), timeout=CALL)
    say(f"# {LABEL}: StopPodSandbox and RemovePodSandbox took {(time.monotonic() - t0) * 1000:.0f} ms")
    left = [s.id for s in runtime.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=CALL).items]
    left += [c.id for c in runtime.ListContainers(pb.ListContainersRequest(), timeout=CALL).containers]
    holds("after RemovePodSandbox the CRI lists no sandbox and no container", expect([], left, "listed"))
    # This pid namespace is containerd's: its PID 1 (pidone, see cri.sh),
    # containerd and this client are all that may be left, and no zombie.
    procs = [f"{p}:{state}:{cmd[:50]}" for p, state, cmd in processes()
             if state == "Z" or not (p in (1, os.getpid()) or cmd.startswith("containerd "))]
    holds("... no process of the pod is left, no shim, no zombie", expect([], procs, "processes"))
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        mounts = [line.split()[4] for line in f if any(i in line for i in ids)]
    holds("... no mount of the pod is left (containerd's mount namespace)",
          expect([], mounts, "mounts"))
    roots = ["/sys/fs/cgroup"] + [f"/sys/fs/cgroup/{c}" for c in os.listdir("/sys/fs/cgroup")]
    cgroups = [d for d in (f"{r}{A.cgroup_parent}/{i}" for r in roots for i in ids)
               if os.path.isdir(d)]
    holds("... no cgroup of the pod is left", expect([], cgroups, "cgroups"))
    state = sorted(os.listdir(A.runc_root)) if os.path.isdir(A.runc_root) else []
    holds("... no runc state is left", expect([], state, "runc state"))


def version():
    """The CRI plugin answers "not initialized yet" for a moment after
    containerd's socket does: ask again, for up to 20 s."""
    def poll():
        try:
            return runtime.Version(pb.VersionRequest(version="v1"), timeout=CALL)
        except grpc.RpcError as e:
            version.error = e
            return None
    v = wait_for(20, poll)
    if v is None:
        raise version.error
    return v


def main():
    v = version()
    say(f"# {LABEL}: {v.runtime_name} {v.runtime_version}, CRI {v.runtime_api_version}, "
        f"sandbox image {A.sandbox}")
    missing = [ref for ref in (A.sandbox, A.app) if image_known(ref) is None]
    holds("the CRI image service knows the imported images", expect([], missing, "missing"))
    pod = witness = None
    try:
        with Scenario("RunPodSandbox"):
            pod = run_pod()
        if pod is None:
            return
        with Scenario("scenario 3 (the sandbox)"):
            sandbox_is_pid1_of_pod(pod)
        with Scenario("scenario 1 (orphans of a container, shared pid namespace)"):
            witness = start(pod, "witness", command=["/bin/sleep", "3600"])
            container_orphans_reaped(pod, witness)
        with Scenario("scenario 2 (orphans of ExecSync)"):
            exec_orphans_reaped(witness, "the sandbox (shared pid namespace)")
        with Scenario("scenario 4 (the app container's init, StopContainer)"):
            app_init_stops_cleanly(pod)
        with Scenario("scenario 5 (StopPodSandbox, RemovePodSandbox)"):
            cids = [c.id for c in runtime.ListContainers(pb.ListContainersRequest(),
                                                         timeout=CALL).containers]
            pod_leaves_nothing(pod, cids)
            pod = None
    finally:
        if pod is not None:  # a scenario failed half-way: remove what it left
            for call, request in ((runtime.StopPodSandbox, pb.StopPodSandboxRequest),
                                  (runtime.RemovePodSandbox, pb.RemovePodSandboxRequest)):
                try:
                    call(request(pod_sandbox_id=pod), timeout=CALL)
                except grpc.RpcError as e:
                    print(f"cleanup: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
