"""The management dashboard at production scale (issue 21), on PostgreSQL.

Uses bench/scale.py's database (1,000,000 disputes over a year, 300,000 customers, 50 branches;
seeded once, in SQL), then:

- refreshes the daily roll-ups from nothing (every day of the year counted again) and prints
  the time and peak memory, then a nightly refresh (yesterday and today);
- under gunicorn -w 2 with 16 client threads on the same two cores, measures p50/p95/p99 of
  the head office's dashboard (this month, and the whole year), a branch's dashboard, the
  drill-down to one business line (the heat map of one product category) and the queue a
  heat-map cell opens (one branch's week: the staff queue, whose own budget is
  bench/scale.py's), beside a bare Django view measured in the same run.

Budget: p95 under 300 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale .venv/bin/python bench/dashboard.py
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from django.utils import timezone

from bench.common import Endpoint, gunicorn, measure, report
from bench.scale import arguments, seed, session_cookie
from mediation.insight.models import Rollup, RollupState
from mediation.insight.rollups import rollups_refresh
from mediation.models import Dispute
from portal.models import Branch, User

PORT = 8767


def refresh() -> list[str]:
    """The roll-ups counted again from nothing, then as the nightly job does."""
    Rollup.objects.all().delete()
    RollupState.objects.all().delete()
    start = time.perf_counter()
    days = rollups_refresh()
    full = time.perf_counter() - start
    start = time.perf_counter()
    nightly_days = rollups_refresh()
    nightly = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return [
        f"  every day again: {days} days in {full:.1f} s ({Rollup.objects.count():,} roll-up rows)",
        f"  nightly (changed days only): {nightly_days} days in {nightly:.1f} s",
        f"  peak memory of this process so far: {peak} MB",
    ]


def endpoints() -> list[Endpoint]:
    branch = Branch.objects.filter(is_head_office=False).order_by("pk").first()
    assert branch is not None
    head_office = session_cookie(User.objects.get(username="bs-HQ"))
    manager = session_cookie(User.objects.get(username=f"bs-{branch.code}"))
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)
    return [
        Endpoint("bare Django JSON view", "/bench/bare/", {}),
        Endpoint("head office: this month", "/insight/", head_office),
        Endpoint("head office: the year", f"/insight/?period={today.year}", head_office),
        Endpoint("a branch's dashboard", "/insight/", manager),
        # Down to one business line (seed 4.7): the heat map of one product category.
        Endpoint("drill-down: one business line", "/insight/?heat=wealth", head_office),
        Endpoint(
            "drill-down: a heat-map cell",
            f"/disputes/queue/?branch={branch.pk}&received_from={monday:%Y-%m-%d}"
            f"&received_to={monday + timedelta(days=6):%Y-%m-%d}",
            head_office,
        ),
    ]


def main() -> None:
    parser = arguments()
    parser.add_argument("--no-refresh", action="store_true", help="keep the roll-ups there")
    args = parser.parse_args()
    seed(args.disputes, args.customers)
    if not args.no_refresh or not Rollup.objects.exists():
        print("\nRoll-ups over the whole database:")
        print("\n".join(refresh()))
    targets = endpoints()
    with gunicorn(PORT, workers=args.workers):
        measured = measure(
            PORT, targets, seconds=args.seconds, threads=args.clients, rounds=args.rounds
        )
    print(
        f"\n{Dispute.objects.count():,} disputes (PostgreSQL); gunicorn -w {args.workers}; "
        f"{args.clients} clients; {args.seconds:.0f} s per endpoint in {args.rounds} "
        "interleaved rounds. Budget: p95 < 300 ms."
    )
    print("\n".join(report(measured, args.seconds, "bare Django JSON view")))


if __name__ == "__main__":
    main()
