"""A surge of filings while staff go on working (PostgreSQL, locust headless).

First a normal mix (customers filing through the API with evidence, staff on their queue and
asking for bundles, partners polling, a yardstick user on the bare view), then customers file
five times as often, a fifth of those filings with a 2-5 MB exhibit, while the staff and
partner load stays the same. Printed per phase: p50/p95/p99 of each kind of request beside the
bare view in the same run, the error rate (target under 0.1%), and the oldest task waiting in
the queue (target under 5 minutes); then that every accepted filing and upload exists once.

Under gunicorn -w 2 and two task workers (manage.py run_worker), all on this machine's two
cores with locust itself. Needs the load group: `./scripts/setup --with-load`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_surge .venv/bin/python bench/surge.py
    ... bench/surge.py --normal 60 --surge 60 --users 14
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import gunicorn  # noqa: E402
from bench.load import PY, locust_command, prepare  # noqa: E402

PORT = 8767
GROUPS = {
    "staff queue page": ("GET /disputes/queue/",),
    "staff bundle request": ("POST /api/v1/bundles/",),
    "partner polling": ("GET /api/v1/referrals/",),
    "filing": ("POST /api/v1/disputes/",),
    "upload (small)": ("POST /api/v1/disputes/<ref>/evidence/",),
    "upload (2-5 MB)": ("POST /api/v1/disputes/<ref>/evidence/ (large)",),
    "bare view (yardstick)": ("GET /bench/bare/ (yardstick)",),
}


def oldest_waiting(stop: threading.Event, seen: list[float]) -> None:
    """Once a second: how long the oldest task still waiting to run has waited."""
    from django.db import close_old_connections
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    while not stop.wait(1):
        close_old_connections()
        oldest = DBTaskResult.objects.ready().order_by("enqueued_at").first()
        seen.append((timezone.now() - oldest.enqueued_at).total_seconds() if oldest else 0.0)


def phase_report(latencies: list[list[object]], phase: str, seconds: float) -> list[str]:
    mine = [row for row in latencies if row[0] == phase]
    lines = []
    for label, names in GROUPS.items():
        times = [float(str(t)) for _p, name, t, _f in mine if name in names]
        if len(times) < 2:
            continue
        cuts = statistics.quantiles(times, n=100)
        failed = sum(1 for _p, name, _t, f in mine if name in names and f)
        rate, median = len(times) / seconds * 60, statistics.median(times)
        lines.append(
            f"  {label:<24} {rate:7.1f}/min  p50 {median:6.0f} ms  p95 {cuts[94]:6.0f} ms  "
            f"p99 {cuts[98]:6.0f} ms  errors {failed}"
        )
    errors = sum(1 for row in mine if row[3])
    lines.append(f"  errors: {errors} of {len(mine)} requests ({errors / max(len(mine), 1):.2%})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warmup", type=float, default=15, help="seconds not measured")
    parser.add_argument("--normal", type=float, default=60, help="seconds before the surge")
    parser.add_argument("--surge", type=float, default=60, help="seconds of surge")
    parser.add_argument("--users", type=int, default=14, help="locust users")
    parser.add_argument("--customers", type=int, default=40)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench/surge.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    work = Path(tempfile.mkdtemp(prefix="portal-surge-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/3"),
        "PRIVATE_STORAGE_ROOT": str(work / "private"),
        "EMAIL_URL": "consolemail://",
        "AUDIT_ANCHOR_PATH": str(work / "audit-anchor.log"),
        "CUSTOMER_MAX_OPEN_DISPUTES": "1000000",
        "CUSTOMER_MAX_STORED_BYTES": str(10**12),
    }
    print(f"surge: logs in {work}")
    fixture = prepare(work, args.customers, env)
    from django.db import connection

    from mediation.models import Dispute, EvidenceItem

    ledger, latencies_file = work / "ledger.jsonl", work / "latencies.json"
    ledger.touch()
    waits: list[float] = []
    stop = threading.Event()
    with ExitStack() as stack:
        stack.enter_context(gunicorn(PORT, workers=2, env=env))
        for n in (1, 2):
            worker = subprocess.Popen(
                [PY, "manage.py", "run_worker", "--worker-id", f"surge{n}", "--interval", "0.5"],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=stack.enter_context(open(work / f"worker{n}.log", "wb")),
                stderr=subprocess.STDOUT,
            )
            stack.callback(worker.wait, 30)
            stack.callback(worker.terminate)
        sampler = threading.Thread(target=oldest_waiting, args=(stop, waits), daemon=True)
        sampler.start()
        subprocess.run(
            locust_command(
                work,
                f"http://127.0.0.1:{PORT}",
                args.users,
                args.warmup + args.normal + args.surge,
            ),
            cwd=ROOT,
            check=True,
            stdout=stack.enter_context(open(work / "locust.log", "wb")),
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "PORTAL_LOAD_FIXTURE": str(fixture),
                "PORTAL_LOAD_LEDGER": str(ledger),
                "PORTAL_LOAD_LATENCIES": str(latencies_file),
                "PORTAL_LOAD_WARMUP": str(args.warmup),
                "PORTAL_LOAD_SURGE_AFTER": str(args.warmup + args.normal),
                "PORTAL_LOAD_SURGE_FACTOR": "5",
                "PORTAL_LOAD_LARGE_SHARE": "0.2",
            },
        )
        stop.set()
        sampler.join()
    connection.close()
    latencies = json.loads(latencies_file.read_text(encoding="utf-8"))
    entries = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]
    filed = {e["reference"] for e in entries if e["kind"] == "dispute"}
    uploaded = {e["id"] for e in entries if e["kind"] == "evidence"}
    print(
        f"surge: {args.users} locust users; {args.normal:.0f} s normal, then {args.surge:.0f} s "
        "with five times the filings (20% with a 2-5 MB exhibit); gunicorn -w 2, two task "
        "workers, PostgreSQL, Redis; all on this machine"
    )
    print("normal:")
    print("\n".join(phase_report(latencies, "normal", args.normal)))
    print("surge:")
    print("\n".join(phase_report(latencies, "surge", args.surge)))
    print(f"oldest task waiting in the queue: {max(waits, default=0):.1f} s at most")
    in_db = set(Dispute.objects.values_list("reference", flat=True))
    evidence = set(EvidenceItem.objects.values_list("pk", flat=True))
    print(
        f"accepted filings {len(filed)}, in the database {len(in_db)}"
        f" ({'same' if in_db == filed else 'DIFFERENT'}); accepted uploads {len(uploaded)}, in"
        f" the database {len(evidence)} ({'same' if evidence == uploaded else 'DIFFERENT'})"
    )
    if in_db != filed or evidence != uploaded:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
