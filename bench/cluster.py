"""Several hosts on one machine: two app hosts and two worker hosts in network namespaces this
script makes, the shared PostgreSQL, Redis and S3 server (moto) in a fifth, one load-balanced
address in front, driven by locust. Mid-run it SIGKILLs one worker in the middle of a bundle and
one app host (gunicorn and its workers) in the middle of requests; afterwards it checks that
every accepted dispute, upload and bundle exists exactly once, that every bundle was built (a
killed build is requeued by the recurring job and built by the other worker), and that the
audit chain still verifies.

Needs root (namespaces), the load group (`./scripts/setup --with-load`: locust, and the Debian
PostgreSQL and Redis servers). Traffic goes only to the 10.231.0.0/24 addresses made here; the
namespaces, the bridge and every process are removed at the end, also after a failure.

    .venv/bin/python bench/cluster.py                    # 90 s of load
    .venv/bin/python bench/cluster.py --seconds 60 --users 12
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import PY, locust_command, locust_summary, prepare  # noqa: E402

NET = "10.231.0"
BRIDGE = ("pcl-br0", f"{NET}.1")
HOSTS = {
    "db": f"{NET}.2",
    "app1": f"{NET}.11",
    "app2": f"{NET}.12",
    "work1": f"{NET}.21",
    "work2": f"{NET}.22",
}
LB_PORT = 8000
DB = HOSTS["db"]

ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": f"postgres://postgres@{DB}:5432/portal",
    "CACHE_URL": f"redis://{DB}:6379/0",
    "OBJECT_STORAGE_BUCKET": "portal",
    "OBJECT_STORAGE_ENDPOINT": f"http://{DB}:5000",
    "OBJECT_STORAGE_REGION": "us-east-1",
    "OBJECT_STORAGE_ACCESS_KEY": "cluster",
    "OBJECT_STORAGE_SECRET_KEY": "cluster-secret",
    "ALLOWED_HOSTS": f"{BRIDGE[1]},{HOSTS['app1']},{HOSTS['app2']}",
    "EMAIL_URL": "consolemail://",
    "AUDIT_KEY": "cluster-audit-key-not-for-production",
    "CUSTOMER_MAX_OPEN_DISPUTES": "1000000",
    "CUSTOMER_MAX_STORED_BYTES": str(10**12),
    # Short enough that a killed build is requeued within the run.
    "BUNDLE_MAX_SECONDS": "20",
    "BUNDLE_STALE_AFTER_SECONDS": "25",
}


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=check, capture_output=True, text=True)


def in_ns(host: str, *args: str) -> list[str]:
    return ["ip", "netns", "exec", f"pcl-{host}", *args]


@contextmanager
def network() -> Iterator[None]:
    """A bridge in this namespace and one namespace a host, each with a veth on the bridge."""
    if os.geteuid() != 0:
        raise SystemExit("bench/cluster.py makes network namespaces: run it as root")
    teardown_network()
    sh("ip", "link", "add", BRIDGE[0], "type", "bridge")
    sh("ip", "addr", "add", f"{BRIDGE[1]}/24", "dev", BRIDGE[0])
    sh("ip", "link", "set", BRIDGE[0], "up")
    try:
        for host, address in HOSTS.items():
            ns = f"pcl-{host}"
            # `ip netns exec` mounts these over /etc: each host resolves its own name and has
            # no name server (the machine's is not reachable from here, and every lookup
            # would wait for its timeout).
            etc = Path("/etc/netns") / ns
            etc.mkdir(parents=True, exist_ok=True)
            (etc / "hosts").write_text(
                f"127.0.0.1 localhost\n{address} {ns} {socket.gethostname()}\n"
            )
            (etc / "resolv.conf").write_text("")
            sh("ip", "netns", "add", ns)
            sh(
                "ip",
                "link",
                "add",
                f"pcl-{host}-h",
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                ns,
            )
            sh("ip", "link", "set", f"pcl-{host}-h", "master", BRIDGE[0], "up")
            sh(*in_ns(host, "ip", "addr", "add", f"{address}/24", "dev", "eth0"))
            sh(*in_ns(host, "ip", "link", "set", "eth0", "up"))
            sh(*in_ns(host, "ip", "link", "set", "lo", "up"))
        yield
    finally:
        teardown_network()


def teardown_network() -> None:
    for host in HOSTS:
        sh("ip", "netns", "pids", f"pcl-{host}", check=False)
        for pid in sh("ip", "netns", "pids", f"pcl-{host}", check=False).stdout.split():
            with suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        sh("ip", "netns", "del", f"pcl-{host}", check=False)
        sh("ip", "link", "del", f"pcl-{host}-h", check=False)
        shutil.rmtree(Path("/etc/netns") / f"pcl-{host}", ignore_errors=True)
    sh("ip", "link", "del", BRIDGE[0], check=False)


class Processes:
    """Started processes, each in its own session (so a host's whole group can be killed)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(
        self,
        name: str,
        host: str,
        *args: str,
        env: dict[str, str] | None = None,
        user: str | None = None,
    ) -> subprocess.Popen[bytes]:
        command = in_ns(host, *(["runuser", "-u", user, "--"] if user else []), *args)
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **ENV, **(env or {})},
        )
        self.running[name] = process
        return process

    def kill(self, name: str) -> None:
        process = self.running[name]
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for name, process in reversed(self.running.items()):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(name)


def wait_for_port(host: str, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{host}:{port} did not come up")


def start_services(procs: Processes, work: Path) -> None:
    """PostgreSQL (a new cluster), Redis and moto's S3 server, in the db namespace."""
    bin_dir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
    data = work / "pg"
    data.mkdir()
    shutil.chown(data, "postgres", "postgres")
    sh(
        "runuser",
        "-u",
        "postgres",
        "--",
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        "postgres",
        "--no-sync",
        "-E",
        "UTF8",
    )
    with open(data / "pg_hba.conf", "a") as hba:
        hba.write(f"host all all {NET}.0/24 trust\n")
    procs.start(
        "postgres",
        "db",
        str(bin_dir / "postgres"),
        "-D",
        str(data),
        "-c",
        f"listen_addresses={DB}",
        "-c",
        f"unix_socket_directories={data}",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "max_connections=200",
        user="postgres",
    )
    procs.start(
        "redis",
        "db",
        "redis-server",
        "--bind",
        DB,
        "--port",
        "6379",
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "no",
    )
    procs.start("s3", "db", str(ROOT / ".venv/bin/moto_server"), "-H", DB, "-p", "5000")
    for port in (5432, 6379, 5000):
        wait_for_port(DB, port)
    time.sleep(1)  # PostgreSQL accepts connections a moment after it listens
    import psycopg

    with psycopg.connect(f"host={DB} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute("CREATE DATABASE portal")
    import boto3

    boto3.client(
        "s3",
        endpoint_url=ENV["OBJECT_STORAGE_ENDPOINT"],
        region_name="us-east-1",
        aws_access_key_id="cluster",
        aws_secret_access_key="cluster-secret",
    ).create_bucket(Bucket="portal")


class LoadBalancer:
    """One address in front of the app hosts: each new connection goes to the next host, and
    to the one after when that one refuses (a killed host is skipped from then on)."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.turn = itertools.cycle(range(len(backends)))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(len(self.backends)):
            backend = self.backends[next(self.turn)]
            try:
                up_reader, up_writer = await asyncio.open_connection(backend, 8000)
            except OSError:
                continue
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            return
        writer.close()

    def __enter__(self) -> LoadBalancer:
        server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, BRIDGE[1], LB_PORT), self.loop
        )
        self.thread.start()
        self.server = server.result(timeout=10)
        return self

    async def _shutdown(self) -> None:
        self.server.close()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for connection in pending:
            connection.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def kill_a_worker_mid_bundle(procs: Processes, deadline: float) -> tuple[str, int | None]:
    """Wait for a bundle task running on a worker host, then SIGKILL that worker; what
    happened, and the bundle whose build was killed."""
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    while time.monotonic() < deadline:
        close_old_connections()
        running = DBTaskResult.objects.running().filter(task_path__endswith="build_bundle")
        for result in running:
            if result.worker_ids and result.worker_ids[-1] in ("work1", "work2"):
                worker = result.worker_ids[-1]
                procs.kill(worker)
                (bundle,) = result.args_kwargs["args"]
                return f"SIGKILL worker {worker} while it built bundle {bundle}", bundle
        time.sleep(0.02)
    return "no bundle was being built before the deadline: no worker killed", None


def check(ledger: Path, killed: int | None, drain_seconds: float) -> tuple[list[str], bool]:
    """Everything accepted exists exactly once; every bundle gets built."""
    from django.core.files.storage import default_storage
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    from mediation.models import Dispute, EvidenceItem
    from portal.models import AuditEvent
    from referrals.models import Bundle, BundleStatus

    entries = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]
    accepted = {
        kind: Counter(
            str(e.get("reference") if kind == "dispute" else e["id"])
            for e in entries
            if e["kind"] == kind
        )
        for kind in ("dispute", "evidence", "bundle")
    }
    deadline = time.monotonic() + drain_seconds
    while time.monotonic() < deadline:
        close_old_connections()
        if not Bundle.objects.filter(status__in=[BundleStatus.QUEUED, BundleStatus.BUILDING]):
            break
        time.sleep(1)
    lines, ok = [], True

    def verdict(label: str, good: bool, detail: str) -> None:
        nonlocal ok
        ok = ok and good
        lines.append(f"  {'ok  ' if good else 'FAIL'} {label}: {detail}")

    disputes = Dispute.objects.filter(customer__username__startswith="cl-c")
    verdict(
        "disputes",
        disputes.count() == len(accepted["dispute"])
        and set(disputes.values_list("reference", flat=True)) == set(accepted["dispute"]),
        f"{len(accepted['dispute'])} accepted, {disputes.count()} in the database",
    )
    evidence = EvidenceItem.objects.filter(dispute__in=disputes)
    ids = {str(i) for i in evidence.values_list("pk", flat=True)}
    missing_files = [e.pk for e in evidence if not default_storage.exists(e.file.name)]
    verdict(
        "evidence",
        ids == set(accepted["evidence"]) and not missing_files,
        f"{len(accepted['evidence'])} accepted, {len(ids)} in the database, "
        f"{len(missing_files)} without their file in S3",
    )
    bundles = Bundle.objects.filter(dispute__in=disputes)
    states = Counter(bundles.values_list("status", flat=True))
    bundle_ids = {str(i) for i in bundles.values_list("pk", flat=True)}
    generated = Counter(
        AuditEvent.objects.filter(action="bundle.generated").values_list("target_id", flat=True)
    )
    twice = [pk for pk, n in generated.items() if n > 1]
    verdict(
        "bundles",
        bundle_ids == set(accepted["bundle"]) and set(states) <= {"ready"} and not twice,
        f"{len(accepted['bundle'])} accepted, {len(bundle_ids)} in the database, states "
        f"{dict(states)}, built twice: {len(twice)}, rebuilt after a crash: "
        f"{bundles.filter(attempts__gt=1).count()}",
    )
    if killed is not None:
        rebuilt = Bundle.objects.get(pk=killed)
        orphans = DBTaskResult.objects.running().filter(task_path__endswith="build_bundle")
        verdict(
            "the killed build",
            rebuilt.status == BundleStatus.READY,
            f"bundle {killed} is {rebuilt.status} (attempt {rebuilt.attempts}; requeued by the "
            f"recurring job, built by the other worker); {orphans.count()} task result(s) "
            "still marked running by the dead worker",
        )
    duplicates = [k for c in accepted.values() for k, n in c.items() if n > 1]
    verdict(
        "acknowledged once",
        not duplicates,
        f"{len(duplicates)} objects acknowledged to two different requests",
    )
    audit = subprocess.run(
        [PY, "manage.py", "verify_audit"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
    )
    verdict(
        "audit chain",
        audit.returncode == 0,
        (audit.stdout or audit.stderr).strip().splitlines()[-1]
        if (audit.stdout or audit.stderr)
        else "",
    )
    return lines, ok


def run_scheduler(seconds: float) -> None:
    """The recurring jobs every 5 s (what cron does in production), for `seconds` at most."""
    import django
    from django.core.management import call_command

    django.setup()
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        call_command("run_scheduled_jobs")
        time.sleep(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--users", type=int, default=12, help="locust users")
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--scheduler", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scheduler:
        return run_scheduler(args.scheduler)
    if not shutil.which("locust", path=str(ROOT / ".venv/bin")):
        raise SystemExit("locust is missing: ./scripts/setup --with-load")
    work = Path(tempfile.mkdtemp(prefix="portal-cluster-"))
    os.chmod(work, 0o755)
    print(f"cluster: logs in {work}")
    # Every host appends to one anchor (one filesystem here; in production each ships its own
    # to write-once storage), new with this run's new database.
    ENV["AUDIT_ANCHOR_PATH"] = str(work / "audit-anchor.log")
    events: list[str] = []
    procs = Processes(work)
    with ExitStack() as stack:
        stack.enter_context(network())
        stack.callback(procs.stop_all)
        start_services(procs, work)
        fixture = prepare(work, args.customers, ENV)
        for app in ("app1", "app2"):
            procs.start(
                app,
                app,
                PY,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "-w",
                "2",
                "-b",
                f"{HOSTS[app]}:8000",
                "--preload",
                "--timeout",
                "60",
            )
        for worker in ("work1", "work2"):
            procs.start(
                worker,
                worker,
                PY,
                "manage.py",
                "run_worker",
                "--worker-id",
                worker,
                "--interval",
                "0.5",
                "--no-startup-delay",
            )
        budget = args.seconds + 240
        procs.start("scheduler", "work2", PY, "bench/cluster.py", "--scheduler", str(budget))
        for app in ("app1", "app2"):
            wait_for_port(HOSTS[app], 8000)
        stack.enter_context(LoadBalancer([HOSTS["app1"], HOSTS["app2"]]))
        ledger = work / "ledger.jsonl"
        ledger.touch()
        started = time.monotonic()
        load = subprocess.Popen(
            locust_command(work, f"http://{BRIDGE[1]}:{LB_PORT}", args.users, args.seconds),
            cwd=ROOT,
            stdout=stack.enter_context(open(work / "locust.log", "wb")),
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "PORTAL_LOAD_FIXTURE": str(fixture),
                "PORTAL_LOAD_LEDGER": str(ledger),
                "PORTAL_LOAD_FILING_PACE": "3",
            },
        )
        event, killed = kill_a_worker_mid_bundle(procs, started + args.seconds * 0.8)
        events.append(f"{event} at {time.monotonic() - started:.0f} s")
        time.sleep(max(0.0, started + args.seconds * 0.5 - time.monotonic()))
        procs.kill("app1")
        events.append(
            f"SIGKILL app host app1 (gunicorn and its workers) at "
            f"{time.monotonic() - started:.0f} s"
        )
        load.wait(timeout=args.seconds + 120)
        lines, ok = check(ledger, killed, drain_seconds=180)
        print(
            "cluster: 2 app hosts, 2 worker hosts, PostgreSQL + Redis + S3 (moto) on a fifth,"
            f" {args.users} locust users for {args.seconds} s"
        )
        for event in events:
            print(f"  event: {event}")
        print("load (through the balancer; failures include the retried broken connections):")
        print("\n".join(locust_summary(work / "locust")))
        print("after the run:")
        print("\n".join(lines))
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
