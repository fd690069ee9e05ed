"""API throughput against a bare Django JSON view, side by side in one run.

Starts gunicorn (2 workers) on loopback with 100,000 disputes in the database, then drives
the dispute list (pages of 50), a dispute's detail and a bare Django view that returns a fixed
JSON body, each for the same time with the same number of client threads, in interleaved
rounds (bare, list, detail, bare, list, ...) so that a slow spell of the machine falls on all
three alike. It prints requests per second, p50/p95 latency and each endpoint's ratio to the
bare view (machine timings are noisy: the ratio is the figure to read). Budget (DESIGN.md 7):
p95 under 150 ms at 16 concurrent clients on PostgreSQL.

    .venv/bin/python bench/api.py                    # 100,000 disputes, 15 s per endpoint
    .venv/bin/python bench/api.py --disputes 20000 --seconds 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_api \
        .venv/bin/python bench/api.py --threads 16  # the budget's load, on PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = ROOT / "var" / "bench-api.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DB}")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
# The production profile shares one cache between the workers (sessions, token lookups and
# counters): the local Redis unless CACHE_URL says otherwise.
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/2")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.common import Endpoint, gunicorn, measure, report  # noqa: E402
from mediation.models import Dispute  # noqa: E402
from portal.api_auth import token_issue  # noqa: E402
from portal.models import Branch, Role, User  # noqa: E402

PORT = 8765


def prepare(count: int) -> str:
    call_command("migrate", verbosity=0)
    head, _ = Branch.objects.get_or_create(
        code="HO", defaults={"name": "总行", "is_head_office": True}
    )
    staff, _ = User.objects.get_or_create(
        username="bench-staff", defaults={"role": Role.STAFF, "branch": head}
    )
    have = Dispute.objects.count()
    if have < count:
        customer, _ = User.objects.get_or_create(
            username="bench-customer", defaults={"role": Role.CUSTOMER}
        )
        now = timezone.now()
        batch = []
        for n in range(have, count):
            batch.append(
                Dispute(
                    reference=f"MD-2099-{n:06d}",
                    customer=customer,
                    branch=head,
                    category="wealth",
                    amount=Decimal("1000.00") + n % 5000,
                    facts="基准测试",
                    request="基准测试",
                    received_at=now - timedelta(minutes=n),
                    next_deadline=(now + timedelta(days=n % 30)).date(),
                    fast_lane_eligible=True,
                )
            )
            if len(batch) == 5000:
                Dispute.objects.bulk_create(batch)
                batch = []
        Dispute.objects.bulk_create(batch)
    _token, key = token_issue(name="bench", user=staff)
    return key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--disputes", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    token = prepare(args.disputes)
    sample = Dispute.objects.order_by("pk").values_list("reference", flat=True)[args.disputes // 2]
    headers = {"Authorization": f"Token {token}"}
    endpoints = [
        Endpoint("bare Django JSON view", "/bench/bare/", headers),
        Endpoint("dispute list (50 per page)", "/api/v1/disputes/?page_size=50", headers),
        Endpoint("dispute detail", f"/api/v1/disputes/{sample}/", headers),
    ]
    with gunicorn(PORT):
        measured = measure(
            PORT, endpoints, seconds=args.seconds, threads=args.threads, rounds=args.rounds
        )
    print(
        f"{Dispute.objects.count():,} disputes ({connection.vendor}); gunicorn -w 2; "
        f"{args.threads} client threads; {args.seconds:.0f} s per endpoint in {args.rounds} "
        "interleaved rounds"
    )
    print("\n".join(report(measured, args.seconds, "bare Django JSON view")))


if __name__ == "__main__":
    main()
