"""Budgets at production scale (DESIGN.md 7), on PostgreSQL.

Seeds 1,000,000 disputes for 300,000 customers over 50 branches (with referrals, evidence rows
and audit events) straight in SQL, once; then, under gunicorn -w 2 with 16 client threads on
the same two cores, measures p50/p95/p99 of what staff, customers and partners wait for, each
beside a bare Django view in the same run:

- the branch staff queue, the head-office queue, the head office's queue filtered by branch and
  state, a customer's case page (one received, one in mediation), a case in mediation as its
  branch's staff see it, the partner API list and the dispute API list;
- EXPLAIN of each page's main query (a sequential scan of a large table is flagged);
- each recurring job over the whole database: time and peak memory.

Budget: p95 under 150 ms for every page at 16 clients; the recurring jobs under 60 s each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale .venv/bin/python bench/scale.py
    ... bench/scale.py --disputes 200000 --customers 60000 --seconds 10   # a smaller run
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
# The production profile shares one cache between the workers (sessions, token lookups and
# counters): the local Redis unless CACHE_URL says otherwise.
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/2")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    raise SystemExit("bench/scale.py measures PostgreSQL: set DATABASE_URL=postgres://...")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.common import Endpoint, gunicorn, measure, report  # noqa: E402
from mediation.models import Dispute  # noqa: E402
from portal import second_factor  # noqa: E402
from portal.api_auth import token_issue, token_issue_for_organisation  # noqa: E402
from portal.models import Branch, PartnerOrganisation, User  # noqa: E402

PORT = 8766
BRANCHES = 50
LARGE_TABLES = (
    "mediation_dispute",
    "portal_user",
    "referrals_referral",
    "mediation_evidenceitem",
    "portal_auditevent",
)

# Open states with their share of the rows (the rest are closed or withdrawn), and the clock
# each carries. One statement per table, all values derived from the row number g.
SEED = """
INSERT INTO portal_branch (code, name, is_head_office, province, city)
SELECT 'B' || lpad(g::text, 3, '0'), '分行' || g, false,
       (ARRAY['上海市', '北京市', '广东省', '浙江省', '四川省'])[1 + g %% 5], '城市' || g
FROM generate_series(1, %(branches)s) g
ON CONFLICT (code) DO NOTHING;
INSERT INTO portal_branch (code, name, is_head_office, province, city)
VALUES ('HQ', '总行', true, '上海市', '上海市')
ON CONFLICT (code) DO NOTHING;
INSERT INTO portal_partnerorganisation
    (name, kind, region, contact_name, contact_phone, contact_email, address,
     cooperation_agreement_ref, is_active)
VALUES ('基准调解中心', 'mediation_centre', '上海', '', '', '', '', '', true)
ON CONFLICT (name) DO NOTHING;
INSERT INTO portal_user
    (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
     date_joined, role, real_name, mobile, recorded_mobile, id_number, partner_role,
     organisation_id, branch_id)
SELECT '!', false, 'bc' || g, '', '', '', false, true, now(), 'customer', '客户' || g,
       '139' || lpad(g::text, 8, '0'), '', '', '', NULL, NULL
FROM generate_series(1, %(customers)s) g;
INSERT INTO portal_user
    (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
     date_joined, role, real_name, mobile, recorded_mobile, id_number, partner_role,
     organisation_id, branch_id)
SELECT '!', false, 'bs-' || b.code, '', '', '', false, true, now(), 'staff', '员工' || b.code,
       NULL, '', '', '', NULL, b.id
FROM portal_branch b;
INSERT INTO portal_user
    (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
     date_joined, role, real_name, mobile, recorded_mobile, id_number, partner_role,
     organisation_id, branch_id)
SELECT '!', false, 'bm', '', '', '', false, true, now(), 'partner', '调解员', NULL, '', '',
       'mediator', o.id, NULL
FROM portal_partnerorganisation o WHERE o.name = '基准调解中心';
CREATE TEMP TABLE bench_customer AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM portal_user WHERE role = 'customer';
CREATE TEMP TABLE bench_branch AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM portal_branch WHERE NOT is_head_office;
CREATE INDEX ON bench_customer (n);
CREATE INDEX ON bench_branch (n);
INSERT INTO mediation_dispute
    (status, reference, category, amount, facts, request, account_number, channel, cause_label,
     urgency, is_complex, fast_lane_eligible, received_at, decision_track, decision_due,
     decision_text, branch_plan, consultation_note, next_deadline, closure_reason, closure_note,
     withdrawn_reason, created_at, updated_at, branch_id, customer_id, closed_at, legal_hold,
     legal_hold_reason, regulator_reference, contract_number, product_code, product_name,
     suggested_cause, suggested_urgency)
SELECT s.status,
       'MD-' || (2020 + g / 1000000) || '-' || lpad((g %% 1000000)::text, 6, '0'),
       (ARRAY['wealth', 'credit_card', 'loans', 'payments', 'deposits', 'other'])[1 + g %% 6],
       (100 + g %% 90000)::numeric(14, 2), '基准测试：事实经过', '基准测试：诉求', '', 'web', '',
       'normal', false, (100 + g %% 90000) <= 50000, r.received_at, 'standard',
       (r.received_at + interval '15 days')::date, '', '', '',
       CASE WHEN s.open THEN (r.received_at + interval '15 days')::date END,
       CASE WHEN s.status = 'closed' THEN 'bank_decision_accepted' ELSE '' END, '', '',
       r.received_at, r.received_at + interval '2 days', b.id, c.id,
       CASE WHEN NOT s.open THEN r.received_at + interval '20 days' END, false, '', '',
       'HT' || lpad((g %% 200000)::text, 8, '0'), 'P' || lpad((g %% 400)::text, 4, '0'),
       '基准产品' || (g %% 400), '', ''
FROM generate_series(1, %(disputes)s) g
JOIN bench_branch b ON b.n = g %% %(branches)s
JOIN bench_customer c ON c.n = g %% %(customers)s
CROSS JOIN LATERAL (
    SELECT now() - (g %% 365) * interval '1 day' - (g %% 86400) * interval '1 second'
        AS received_at
) r
CROSS JOIN LATERAL (
    SELECT (ARRAY['submitted', 'triaged', 'bank_handling', 'fast_lane', 'referred',
                  'in_mediation', 'closed', 'closed', 'closed', 'closed', 'closed',
                  'withdrawn'])[1 + g %% 12] AS status,
           g %% 12 < 6 AS open
) s;
INSERT INTO referrals_referral
    (status, created_at, updated_at, sent_at, reason, conflict_declaration, created_by_id,
     dispute_id, organisation_id, mediation_due)
SELECT CASE WHEN d.status = 'in_mediation' THEN 'accepted' ELSE 'sent' END, d.received_at,
       d.updated_at, d.received_at, '', '', d.customer_id, d.id, o.id, d.next_deadline
FROM mediation_dispute d, portal_partnerorganisation o
WHERE d.status IN ('referred', 'in_mediation') AND o.name = '基准调解中心';
INSERT INTO mediation_evidenceitem
    (title, description, category, original_name, file, content_type, size, sha256,
     page_count, sanitised, uploaded_at, dispute_id, uploaded_by_id)
SELECT '合同', '', 'contract', 'a.pdf', 'evidence/none.pdf', 'application/pdf', 1000,
       repeat('0', 64), 1, '', d.received_at, d.id, d.customer_id
FROM mediation_dispute d WHERE d.id %% 5 = 0;
INSERT INTO portal_auditevent
    (seq, created_at, actor_label, action, target_type, target_id, case_ref, from_state,
     to_state, reason, data, prev_hash, hash, actor_id)
SELECT (SELECT coalesce(max(seq), 0) FROM portal_auditevent) + row_number() OVER (),
       d.received_at + k * interval '1 hour', 'bench', 'dispute.submitted', 'mediation.dispute',
       d.id::text, d.reference, '', d.status, '', '{}', repeat('0', 64), repeat('0', 64), NULL
FROM mediation_dispute d CROSS JOIN generate_series(1, 2) k;
"""


def seed(disputes: int, customers: int) -> None:
    call_command("migrate", verbosity=0)
    have = Dispute.objects.count()
    if have >= disputes:
        print(f"seed: {have:,} disputes already there")
        return
    if have:
        raise SystemExit("seed: the database holds other disputes; use an empty database")
    start = time.perf_counter()
    params = {"disputes": disputes, "customers": customers, "branches": BRANCHES}
    with transaction.atomic(), connection.cursor() as cursor:
        # One statement at a time: with the server binding parameters (portal/settings.py),
        # PostgreSQL refuses several commands in one prepared statement.
        for statement in filter(str.strip, SEED.split(";\n")):
            cursor.execute(statement, params)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # visibility maps set: no autovacuum mid-run
    print(f"seed: {disputes:,} disputes in {time.perf_counter() - start:.0f} s")


def session_cookie(user: User) -> dict[str, str]:
    """A signed-in session for `user`, second factor done, as a Cookie header (no password
    or code needed)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "portal.auth_backends.MobileOrEmailBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    second_factor.mark_verified(store, user)
    store.create()
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}"}


def endpoints() -> list[Endpoint]:
    branch = Branch.objects.filter(is_head_office=False).order_by("pk").first()
    assert branch is not None
    staff = User.objects.get(username=f"bs-{branch.code}")
    head_office = User.objects.get(username="bs-HQ")
    customer = Dispute.objects.order_by("-pk").values_list("customer", flat=True).first()
    case = Dispute.objects.filter(customer=customer).order_by("pk").first()
    busy = Dispute.objects.filter(status="in_mediation").order_by("pk").first()
    assert case is not None and busy is not None
    centre = PartnerOrganisation.objects.get(name="基准调解中心")
    _t, partner_key = token_issue_for_organisation(name="bench", organisation=centre)
    _t, staff_key = token_issue(name="bench", user=staff)
    return [
        Endpoint("bare Django JSON view", "/bench/bare/", {}),
        Endpoint("staff queue (one branch)", "/disputes/queue/", session_cookie(staff)),
        Endpoint("head-office queue", "/disputes/queue/", session_cookie(head_office)),
        Endpoint(
            "head office: branch + state filter",
            f"/disputes/queue/?branch={branch.pk}&status=bank_handling",
            session_cookie(head_office),
        ),
        Endpoint(
            "customer's case page",
            f"/disputes/{case.reference}/",
            session_cookie(User.objects.get(pk=customer)),
        ),
        Endpoint(
            "customer's case in mediation",
            f"/disputes/{busy.reference}/",
            session_cookie(busy.customer),
        ),
        Endpoint(
            "staff: a case in mediation",
            f"/disputes/{busy.reference}/",
            session_cookie(User.objects.get(username=f"bs-{busy.branch.code}")),
        ),
        Endpoint(
            "partner API list (referrals)",
            "/api/v1/referrals/",
            {"Authorization": f"Token {partner_key}"},
        ),
        Endpoint(
            "dispute API list (staff)", "/api/v1/disputes/", {"Authorization": f"Token {staff_key}"}
        ),
    ]


def explain(endpoint: Endpoint) -> list[str]:
    """The page's slowest query, EXPLAINed (ANALYZE), with any sequential scan of a large
    table flagged; and the number of queries the page made."""
    client = Client(HTTP_HOST="127.0.0.1")
    headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in endpoint.headers.items()}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(endpoint.path, **headers)
    assert response.status_code == 200, (endpoint.path, response.status_code)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + slowest["sql"])
        plan = [row[0] for row in cursor.fetchall()]
    seq = [
        line.strip() for line in plan if "Seq Scan" in line and any(t in line for t in LARGE_TABLES)
    ]
    took = float(slowest["time"]) * 1000
    lines = [f"  {endpoint.label}: {len(queries)} queries; slowest {took:.1f} ms"]
    lines += [f"    {line}" for line in plan[:12]]
    lines += [f"    !! sequential scan of a large table: {line}" for line in seq]
    return lines


def recurring_jobs() -> list[str]:
    """Each registered recurring job in its own process: wall time and peak memory."""
    from portal import jobs

    lines = []
    for name, job in jobs.registered().items():
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", JOB_RUNNER, name],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        peak = re.search(r"peak_kb=(\d+)", done.stdout)
        result = done.stdout.strip().splitlines()[0] if done.returncode == 0 else done.stderr[-300:]
        megabytes = int(peak.group(1)) // 1024 if peak else -1
        lines.append(f"  {job.label:<40} {seconds:6.1f} s  peak {megabytes:5d} MB  ({result})")
    return lines


JOB_RUNNER = """
import resource, sys, django
django.setup()
from portal import jobs
done = jobs.registered()[sys.argv[1]].run()
print(f"did {done}; peak_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
"""


def arguments() -> argparse.ArgumentParser:
    """What the benches on this database take (bench/dashboard.py adds its own)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=300_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    return parser


def main() -> None:
    parser = arguments()
    parser.add_argument("--no-jobs", action="store_true", help="skip the recurring jobs")
    args = parser.parse_args()
    seed(args.disputes, args.customers)
    targets = endpoints()
    print("\nEXPLAIN of each page's slowest query:")
    for endpoint in targets[1:]:
        print("\n".join(explain(endpoint)))
    with gunicorn(PORT, workers=args.workers):
        measured = measure(
            PORT, targets, seconds=args.seconds, threads=args.clients, rounds=args.rounds
        )
    customers = User.objects.filter(role="customer").count()
    print(
        f"\n{Dispute.objects.count():,} disputes, {customers:,} customers (PostgreSQL); "
        f"gunicorn -w {args.workers}; {args.clients} clients; {args.seconds:.0f} s per endpoint "
        f"in {args.rounds} interleaved rounds. Budget: p95 < 150 ms."
    )
    print("\n".join(report(measured, args.seconds, "bare Django JSON view")))
    if not args.no_jobs:
        print("\nRecurring jobs over the whole database (budget: 60 s each, flat memory):")
        print("\n".join(recurring_jobs()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"\nbench process peak memory: {peak} MB")


if __name__ == "__main__":
    main()
