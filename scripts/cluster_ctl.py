"""Helpers for scripts/cluster.sh: free ports, the demo sites, waiting for a service, stopping
process trees, and finding anything the cluster left running.

Every process the cluster starts carries NEWSMILL_CLUSTER=<cluster dir> in its environment, so
`down` can find and stop a straggler (a task process re-parented to init after its worker died)
that no pid file names.

    python scripts/cluster_ctl.py ports N
    python scripts/cluster_ctl.py demo --port P --sites-out FILE
    python scripts/cluster_ctl.py wait-url URL [--timeout S] [--pidfile F]
    python scripts/cluster_ctl.py wait-log FILE TEXT [--timeout S] [--pidfile F]
    python scripts/cluster_ctl.py wait-dags API_URL PASSWORDS_FILE DAG_ID... [--timeout S]
    python scripts/cluster_ctl.py bucket S3_URI
    python scripts/cluster_ctl.py stop PIDFILE... [--grace S] [--signal KILL]
    python scripts/cluster_ctl.py sweep CLUSTER_DIR [--check]
    python scripts/cluster_ctl.py alive PIDFILE
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

MARKER = "NEWSMILL_CLUSTER"


def free_ports(n: int) -> list[int]:
    """`n` distinct TCP ports free on 127.0.0.1 right now (the OS picks them)."""
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def serve_demo(port: int, sites_out: str) -> None:
    """Serve the demo news sites on loopback until SIGTERM, with their sites file written."""
    from newsmill.pipeline.demo.server import DemoServer

    stop = False

    def on_term(_sig: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    with DemoServer(port=port) as server:
        server.write_sites_file(Path(sites_out))
        print(f"demo sites on port {server.port}; sites file {sites_out}", flush=True)
        while not stop:
            time.sleep(0.2)


def read_pid(pidfile: str) -> int | None:
    try:
        return int(Path(pidfile).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _check_running(pidfile: str | None, what: str) -> None:
    if pidfile and not alive(read_pid(pidfile)):
        sys.exit(f"{what}: its process ({pidfile}) is not running; see its log")


def wait_url(url: str, timeout: float, pidfile: str | None) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        _check_running(pidfile, url)
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
            last = str(exc)
        except OSError as exc:
            last = str(exc)
        time.sleep(0.5)
    sys.exit(f"{url} not answering after {timeout:.0f} s: {last}")


def wait_log(path: str, text: str, timeout: float, pidfile: str | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _check_running(pidfile, path)
        with contextlib.suppress(OSError):
            if text in Path(path).read_text(errors="replace"):
                return
        time.sleep(0.5)
    sys.exit(f"{text!r} not in {path} after {timeout:.0f} s")


def wait_dags(api_url: str, passwords: str, dag_ids: list[str], timeout: float) -> None:
    """Wait until the DAG processor has parsed `dag_ids` and the API server lists them."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from cluster_api import AirflowApi, ApiError

    api = AirflowApi(api_url, passwords)
    deadline = time.monotonic() + timeout
    missing = set(dag_ids)
    while time.monotonic() < deadline:
        try:
            missing = set(dag_ids) - api.dag_ids()
        except (ApiError, OSError) as exc:
            print(f"waiting for the API: {exc}", file=sys.stderr)
        if not missing:
            return
        time.sleep(1)
    sys.exit(f"DAGs not parsed after {timeout:.0f} s: {', '.join(sorted(missing))}")


def make_bucket(uri: str) -> None:
    import boto3

    bucket = uri.removeprefix("s3://").split("/", 1)[0]
    client = boto3.client("s3")
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def stop(pidfiles: list[str], grace: float, sig: signal.Signals) -> None:
    """Signal every process tree named by the pid files, then KILL what outlives `grace`.

    The tree is collected before signalling: once a parent dies its children are re-parented
    and can no longer be found from it.
    """
    procs: list[psutil.Process] = []
    for pidfile in pidfiles:
        pid = read_pid(pidfile)
        if pid:
            procs.extend(_tree(pid))
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.send_signal(sig)
    _gone, left = psutil.wait_procs(procs, timeout=grace if sig != signal.SIGKILL else 5)
    for p in left:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(left, timeout=5)


def cluster_processes(cluster_dir: str) -> list[psutil.Process]:
    """Live processes started by the cluster in `cluster_dir` (by their environment marker)."""
    found = []
    me = os.getpid()
    for p in psutil.process_iter(["pid"]):
        if p.pid == me:
            continue
        try:
            if p.environ().get(MARKER) == cluster_dir and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except psutil.Error:
            continue
    return found


def sweep(cluster_dir: str, check: bool) -> int:
    left = cluster_processes(cluster_dir)
    for p in left:
        with contextlib.suppress(psutil.Error):
            what = "left running" if check else "killing"
            print(f"{what}: {p.pid} {' '.join(p.cmdline())[:160]}")
            if not check:
                p.kill()
    if not check:
        psutil.wait_procs(left, timeout=5)
        left = cluster_processes(cluster_dir)
    return len(left)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="cluster_ctl")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("ports").add_argument("n", type=int)
    p = sub.add_parser("demo")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--sites-out", required=True)
    for name in ("wait-url", "wait-log"):
        p = sub.add_parser(name)
        p.add_argument("target")
        if name == "wait-log":
            p.add_argument("text")
        p.add_argument("--timeout", type=float, default=120)
        p.add_argument("--pidfile")
    p = sub.add_parser("wait-dags")
    p.add_argument("api_url")
    p.add_argument("passwords")
    p.add_argument("dag_ids", nargs="+")
    p.add_argument("--timeout", type=float, default=180)
    sub.add_parser("bucket").add_argument("uri")
    p = sub.add_parser("stop")
    p.add_argument("pidfiles", nargs="+")
    p.add_argument("--grace", type=float, default=20)
    p.add_argument("--signal", default="TERM")
    p = sub.add_parser("sweep")
    p.add_argument("cluster_dir")
    p.add_argument("--check", action="store_true")
    sub.add_parser("alive").add_argument("pidfile")
    args = ap.parse_args(argv)

    if args.cmd == "ports":
        print(" ".join(str(p) for p in free_ports(args.n)))
    elif args.cmd == "demo":
        serve_demo(args.port, args.sites_out)
    elif args.cmd == "wait-url":
        wait_url(args.target, args.timeout, args.pidfile)
    elif args.cmd == "wait-log":
        wait_log(args.target, args.text, args.timeout, args.pidfile)
    elif args.cmd == "wait-dags":
        wait_dags(args.api_url, args.passwords, args.dag_ids, args.timeout)
    elif args.cmd == "bucket":
        make_bucket(args.uri)
    elif args.cmd == "stop":
        stop(args.pidfiles, args.grace, signal.Signals[f"SIG{args.signal.upper()}"])
    elif args.cmd == "sweep":
        return 1 if sweep(args.cluster_dir, args.check) else 0
    elif args.cmd == "alive":
        return 0 if alive(read_pid(args.pidfile)) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
