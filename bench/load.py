"""What bench/cluster.py and bench/surge.py share: the users and tokens the load needs, the
locust command line (bench/locustfile.py, headless) and its summary."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")


def prepare(work: Path, customers: int, env: dict[str, str]) -> Path:
    """Migrate, then the users the load needs; their tokens and sessions in a fixture file."""
    subprocess.run(
        [PY, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env={**os.environ, **env}
    )
    import django

    os.environ.update(env)
    django.setup()
    from bench.scale import session_cookie
    from portal.api_auth import token_issue, token_issue_for_organisation
    from portal.models import Branch, OrganisationKind, PartnerOrganisation, Role, User

    if Branch.objects.filter(code="B001").exists():
        raise SystemExit("the database was used by an earlier run: give an empty one")
    branch = Branch.objects.create(code="B001", name="集群测试分行")
    centre = PartnerOrganisation.objects.create(
        name="集群测试调解中心", kind=OrganisationKind.MEDIATION_CENTRE, region="上海"
    )
    staff = User.objects.create(
        username="cl-staff", role=Role.STAFF, branch=branch, real_name="集群员工"
    )
    fixture: dict[str, Any] = {"branch": branch.code, "customers": []}
    for n in range(customers):
        user = User.objects.create(
            username=f"cl-c{n}",
            role=Role.CUSTOMER,
            real_name=f"集群客户{n}",
            mobile=f"1390000{n:04d}",
        )
        fixture["customers"].append(
            {"id": user.pk, "token": token_issue(name="load", user=user)[1]}
        )
    fixture["staff"] = {
        "cookie": session_cookie(staff)["Cookie"],
        "token": token_issue(name="load", user=staff)[1],
    }
    fixture["partner_token"] = token_issue_for_organisation(name="load", organisation=centre)[1]
    path = work / "fixture.json"
    path.write_text(json.dumps(fixture), encoding="utf-8")
    return path


def locust_command(work: Path, host: str, users: int, seconds: float) -> list[str]:
    """locust, headless, on bench/locustfile.py: its CSV files under `work`/locust_*."""
    return [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        "bench/locustfile.py",
        "--headless",
        "-u",
        str(users),
        "-r",
        "4",
        "-t",
        f"{seconds:.0f}s",
        "--host",
        host,
        "--csv",
        str(work / "locust"),
        "--stop-timeout",  # at the end, running tasks finish: every create gets its answer
        "120",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]


def locust_summary(prefix: Path) -> list[str]:
    lines = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            lines.append(
                f"  {row['Name'][:48]:<48} {int(row['Request Count']):6d} req "
                f"{int(row['Failure Count']):4d} failed  p50 {row['50%']:>5} ms  "
                f"p95 {row['95%']:>5} ms  p99 {row['99%']:>5} ms"
            )
    return lines
