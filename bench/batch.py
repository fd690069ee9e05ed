"""A class of problems at the size of the bank document's worked case, on one worker (issue 22).

Seeds the 568 complaints of `mediation/problems/scenario.py` (528 people, 40 twice) with one
two-page exhibit on each person's first case, on a fresh database; then measures, each step in a
process of its own so that its peak memory is its own:

1. the yardstick: one bundle, asked for as the case page asks, built by the worker
   (`manage.py run_worker --batch`: the real worker, which exits once the queue is empty);
2. the offers: the class opened from the hot spot, its rule recorded, 528 offers computed and
   sent (the services head office's page calls), then the worker delivering their notices;
3. the bundles: one per member's case in one batch (`referrals/bundles/batch.py`), then the
   worker building all 528 one after another.

Each line gives the wall time and the process's peak memory (max RSS), and the batch of bundles
beside the single one measured in the same run (timings on this machine are noisy: read the
ratio and the per-bundle mean).

    .venv/bin/python bench/batch.py     # PostgreSQL at DATABASE_URL, or the local bench_batch
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE = "bench_batch"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("PRIVATE_STORAGE_ROOT", tempfile.mkdtemp(prefix="bench-batch-"))
os.environ.setdefault("EMAIL_URL", "filemail://" + tempfile.mkdtemp(prefix="bench-batch-mail-"))
os.environ.setdefault("SMS_BACKEND", "portal.sms.DatabaseBackend")
os.environ.setdefault("CACHE_URL", "locmemcache://")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_database() -> None:
    """Drop and create the benchmark's own database (never the one the portal runs on)."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[-1]
    if name != DATABASE:
        raise SystemExit(f"bench/batch.py drops its database: DATABASE_URL must end in /{DATABASE}")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def worker() -> dict[str, float]:
    """The real worker, run until the queue is empty: its wall time and peak memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"the worker exited with status {status}")
    return {"seconds": time.perf_counter() - start, "peak_mb": usage.ru_maxrss / 1024}


def step(name: str) -> dict[str, float]:
    """Run one step of this script in a process of its own; it prints its figures as JSON."""
    out = subprocess.run(
        [sys.executable, __file__, "--step", name],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def django_setup() -> None:
    import django

    django.setup()


def seed() -> dict[str, float]:
    django_setup()
    from django.core.management import call_command

    from mediation.insight.hotspots import hotspots_raise
    from mediation.problems import scenario
    from mediation.replykit.library import load_library
    from mediation.services.evidence import evidence_upload
    from portal.models import Branch, Role, User
    from tests.factories.files import pdf_bytes

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_calendar", verbosity=0)
    load_library()
    head_office = Branch.objects.create(code="HO", name="总行", is_head_office=True)
    branches = [
        Branch.objects.create(code="SH01", name="上海浦东支行"),
        Branch.objects.create(code="GZ01", name="广州天河支行"),
    ]
    User.objects.create(username="chief", role=Role.STAFF, branch=head_office, real_name="陈静")
    clerk = User.objects.create(
        username="clerk", role=Role.STAFF, branch=branches[0], real_name="王芳"
    )
    case = scenario.build(branches=branches, staff=clerk)
    exhibit = pdf_bytes(2)
    for dispute in case.disputes:
        if dispute.repeat_of_id is None:
            evidence_upload(
                actor=dispute.customer,
                reference=dispute.reference,
                upload=io.BytesIO(exhibit),
                original_name="购买合同.pdf",
                declared_size=None,
                title="购买合同与风险揭示书",
                category="contract",
            )
    hotspots_raise()
    return {"seconds": time.perf_counter() - start, "complaints": case.complaints}


def single() -> dict[str, float]:
    """One bundle, as the case page asks for it."""
    django_setup()
    from mediation.models import Dispute
    from portal.models import User
    from referrals.bundles.services import bundle_request

    chief = User.objects.get(username="chief")
    dispute = Dispute.objects.filter(repeat_of__isnull=True, evidence__isnull=False).first()
    assert dispute is not None
    start = time.perf_counter()
    bundle_request(actor=chief, reference=dispute.reference, recipient_kind="mediation_centre")
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb()}


def offers() -> dict[str, float]:
    django_setup()
    from decimal import Decimal

    from mediation.insight.models import HotSpot
    from mediation.problems import services
    from portal.models import User

    chief = User.objects.get(username="chief")
    spot = HotSpot.objects.get(cut="product", key="GSJ2026A")
    start = time.perf_counter()
    problem = services.class_open(actor=chief, title="固收+产品净值下跌", hotspot_id=spot.pk)
    services.class_set_rule(
        actor=chief,
        class_id=problem.pk,
        root_cause="产品含约35%权益资产，却向R2及以下客户以稳健名义销售。",
        characterisation="违反适当性义务，银行承担70%的损失。",
        citation_tokens=["九民纪要:72"],
        share=Decimal("70"),
        cap=None,
        eligibility="all",
    )
    offered, not_offered = services.class_send_offers(actor=chief, class_id=problem.pk)
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_mb(),
        "people": problem.members.count(),
        "offered": offered,
        "not_offered": not_offered,
    }


def bundles() -> dict[str, float]:
    django_setup()
    from mediation.problems.models import ProblemClass
    from portal.models import User
    from referrals.bundles.batch import class_bundles_request

    chief = User.objects.get(username="chief")
    problem = ProblemClass.objects.get()
    start = time.perf_counter()
    result = class_bundles_request(
        actor=chief,
        class_id=problem.pk,
        who="not_settled",
        recipient_kind="mediation_centre",
    )
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_mb(),
        "requested": result.requested,
        "left_out": sum(result.left_out.values()),
    }


def bundle_figures() -> dict[str, float]:
    django_setup()
    from django.db.models import Count

    from referrals.models import Bundle

    by_status = dict(Bundle.objects.values_list("status").annotate(n=Count("pk")).order_by())
    builds = [
        (b.finished_at - b.started_at).total_seconds()
        for b in Bundle.objects.filter(status="ready").order_by("pk")
        if b.started_at and b.finished_at
    ]
    return {
        **{f"status_{k}": v for k, v in by_status.items()},
        "first_build": builds[0] if builds else 0.0,
        "mean_build": sum(builds) / len(builds) if builds else 0.0,
    }


STEPS = {
    "seed": seed,
    "single": single,
    "offers": offers,
    "bundles": bundles,
    "figures": bundle_figures,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", choices=sorted(STEPS))
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step]()))
        return

    fresh_database()
    seeded = step("seed")
    print(
        f"seeded {seeded['complaints']:.0f} complaints with exhibits in {seeded['seconds']:.0f} s"
    )

    asked = step("single")
    one = worker()
    figures = step("figures")
    print("yardstick: one bundle (case page's request, then the worker)")
    print(
        f"  request {asked['seconds'] * 1000:.0f} ms; worker {one['seconds']:.1f} s wall "
        f"(build {figures['first_build']:.2f} s), peak {one['peak_mb']:.0f} MB"
    )

    sent = step("offers")
    notices = worker()
    print(
        f"offers: class of {sent['people']:.0f} people opened from the hot spot, rule recorded, "
        f"{sent['offered']:.0f} offers sent ({sent['not_offered']:.0f} not offered)"
    )
    print(f"  services {sent['seconds']:.1f} s, peak {sent['peak_mb']:.0f} MB")
    print(f"  the worker delivering the notices {notices['seconds']:.1f} s, ", end="")
    print(f"peak {notices['peak_mb']:.0f} MB")

    batch = step("bundles")
    built = worker()
    figures = step("figures")
    ready = figures.get("status_ready", 0) - 1  # the yardstick's bundle is ready too
    print(
        f"bundles: {batch['requested']:.0f} requested in one batch ({batch['left_out']:.0f} left "
        f"out) in {batch['seconds']:.1f} s, peak {batch['peak_mb']:.0f} MB"
    )
    print(
        f"  worker: {ready:.0f} built, {figures.get('status_failed', 0):.0f} failed, "
        f"{built['seconds']:.0f} s wall, peak {built['peak_mb']:.0f} MB "
        f"(mean build {figures['mean_build']:.2f} s)"
    )
    per_bundle = built["seconds"] / max(ready, 1)
    print(
        f"  beside the yardstick: {per_bundle:.2f} s per bundle in the batch against "
        f"{one['seconds']:.1f} s for one alone (worker start-up included: "
        f"{one['seconds'] / per_bundle:.1f}x); peak memory "
        f"{built['peak_mb'] / one['peak_mb']:.2f}x the single bundle's"
    )


if __name__ == "__main__":
    main()
