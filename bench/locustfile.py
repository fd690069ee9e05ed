"""The load mix that bench/cluster.py and bench/surge.py drive (locust, headless).

Three kinds of people, as in production:
- customers file disputes through the API, each with an Idempotency-Key, and upload evidence
  to them (a share of the filings carry a large 2-5 MB PDF);
- complaint staff open their queue page, and ask for a bundle of a case that has evidence;
- partners poll their referral list;
- and one yardstick user asks for the bare Django view, to read the others against.

Every create is retried with the same Idempotency-Key when the connection breaks or the answer
is a 5xx (an app host may be killed under it): so an accepted object must exist exactly once.
What was accepted is appended to the ledger (PORTAL_LOAD_LEDGER, one JSON object a line) for
the calling script to check against the database afterwards.

Settings come from the environment: PORTAL_LOAD_FIXTURE (users, tokens and sessions, written
by the calling script), PORTAL_LOAD_LEDGER, PORTAL_LOAD_WARMUP (seconds whose latencies are
kept apart), PORTAL_LOAD_SURGE_AFTER (seconds; from then on
customers file PORTAL_LOAD_SURGE_FACTOR times as often) and PORTAL_LOAD_LARGE_SHARE (the share
of filings during the surge with a 2-5 MB exhibit).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pikepdf
from locust import HttpUser, between, events, task

FIXTURE = json.loads(Path(os.environ["PORTAL_LOAD_FIXTURE"]).read_text(encoding="utf-8"))
LEDGER = os.environ["PORTAL_LOAD_LEDGER"]
WARMUP = float(os.environ.get("PORTAL_LOAD_WARMUP", "0"))
SURGE_AFTER = float(os.environ.get("PORTAL_LOAD_SURGE_AFTER", "inf"))
SURGE_FACTOR = float(os.environ.get("PORTAL_LOAD_SURGE_FACTOR", "5"))
LARGE_SHARE = float(os.environ.get("PORTAL_LOAD_LARGE_SHARE", "0"))
# A customer files about once every FILING_PACE seconds before the surge.
FILING_PACE = float(os.environ.get("PORTAL_LOAD_FILING_PACE", "6"))
STARTED = time.monotonic()
RETRIES = 8

_ledger_lock = threading.Lock()
_customers = itertools.cycle(FIXTURE["customers"])
# Cases with evidence, for staff to bundle: (reference, evidence ids), newest last.
_with_evidence: list[tuple[str, list[int]]] = []


def record(entry: dict[str, Any]) -> None:
    with _ledger_lock, open(LEDGER, "a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(entry) + "\n")


def _pdf(size: int) -> bytes:
    """A one-page PDF of about `size` bytes: its content stream padded with comment lines of
    random digits (which neither compress nor expand)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    filler = b"".join(b"% " + os.urandom(48).hex().encode() + b"\n" for _ in range(size // 99))
    pdf.pages[0].obj["/Contents"] = pikepdf.Stream(pdf, b"BT ET\n" + filler)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


SMALL_PDF = _pdf(20_000)
LARGE_PDFS = [_pdf(mb * 1024 * 1024) for mb in (2, 3, 4, 5)] if LARGE_SHARE else []


def surging() -> bool:
    return time.monotonic() - STARTED >= SURGE_AFTER


# Every request's latency by phase (before and during the surge), for PORTAL_LOAD_LATENCIES.
_latencies: list[tuple[str, str, float, bool]] = []


@events.request.add_listener
def _note(name: str, response_time: float, exception: object, **_kwargs: Any) -> None:
    elapsed = time.monotonic() - STARTED
    phase = "warmup" if elapsed < WARMUP else "surge" if surging() else "normal"
    _latencies.append((phase, name, response_time, bool(exception)))


@events.quitting.add_listener
def _write_latencies(**_kwargs: Any) -> None:
    if path := os.environ.get("PORTAL_LOAD_LATENCIES"):
        Path(path).write_text(json.dumps(_latencies), encoding="utf-8")


class PortalUser(HttpUser):
    abstract = True

    def create(self, name: str, path: str, **kwargs: Any) -> dict[str, Any] | None:
        """POST with one Idempotency-Key, retried on a broken connection or a 5xx; the body of
        the accepted answer, or None when the portal refused it (4xx) or never answered."""
        key = str(uuid.uuid4())
        headers = {**kwargs.pop("headers", {}), "Idempotency-Key": key}
        for attempt in range(RETRIES):
            files = kwargs.get("files_factory")
            sent = {k: v for k, v in kwargs.items() if k != "files_factory"}
            if files:
                sent["files"] = files()
            with self.client.post(
                path, name=name, headers=headers, catch_response=True, **sent
            ) as response:
                if response.status_code in (200, 201, 202):
                    response.success()
                    return dict(response.json())
                if 400 <= response.status_code < 500:
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                    return None
                # 0 (connection broken) or 5xx: the same key again, after a pause.
                response.failure(f"{response.status_code} (attempt {attempt + 1}, retrying)")
            time.sleep(0.5 * (attempt + 1))
        return None


class Customer(PortalUser):
    weight = 6

    def wait_time(self) -> float:
        pace = FILING_PACE / (SURGE_FACTOR if surging() else 1)
        return random.uniform(0.5 * pace, 1.5 * pace)

    def on_start(self) -> None:
        self.me = next(_customers)
        self.auth = {"Authorization": f"Token {self.me['token']}"}

    @task
    def file_with_evidence(self) -> None:
        body = {
            "branch": FIXTURE["branch"],
            "category": random.choice(["credit_card", "loans", "wealth", "payments"]),
            "amount": f"{random.randint(200, 45000)}.00",
            "facts": "负载测试：信用卡年费未按约定减免。",
            "request": "退还年费。",
        }
        dispute = self.create(
            "POST /api/v1/disputes/", "/api/v1/disputes/", json=body, headers=self.auth
        )
        if dispute is None:
            return
        record({"kind": "dispute", "reference": dispute["reference"]})
        large = LARGE_PDFS and surging() and random.random() < LARGE_SHARE
        data = random.choice(LARGE_PDFS) if large else SMALL_PDF
        reference = dispute["reference"]
        item = self.create(
            "POST /api/v1/disputes/<ref>/evidence/ (large)"
            if large
            else "POST /api/v1/disputes/<ref>/evidence/",
            f"/api/v1/disputes/{reference}/evidence/",
            data={"title": "合同", "category": "contract"},
            files_factory=lambda: {"file": ("合同.pdf", data, "application/pdf")},
            headers=self.auth,
        )
        if item is None:
            return
        record({"kind": "evidence", "id": item["id"], "reference": reference})
        statement = self.create(
            "POST /api/v1/disputes/<ref>/evidence/",
            f"/api/v1/disputes/{reference}/evidence/",
            data={"title": "账单", "category": "statement"},
            files_factory=lambda: {"file": ("账单.pdf", SMALL_PDF, "application/pdf")},
            headers=self.auth,
        )
        exhibits = [item["id"]]
        if statement is not None:
            record({"kind": "evidence", "id": statement["id"], "reference": reference})
            exhibits.append(statement["id"])
        _with_evidence.append((reference, exhibits))


class Staff(PortalUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.cookie = {"Cookie": FIXTURE["staff"]["cookie"]}
        self.auth = {"Authorization": f"Token {FIXTURE['staff']['token']}"}

    @task(2)
    def queue(self) -> None:
        self.client.get("/disputes/queue/", name="GET /disputes/queue/", headers=self.cookie)

    @task(1)
    def bundle(self) -> None:
        if not _with_evidence:
            return
        reference, evidence = _with_evidence[-1]
        bundle = self.create(
            "POST /api/v1/bundles/",
            "/api/v1/bundles/",
            json={"case": reference, "recipient_kind": "court", "evidence": evidence},
            headers=self.auth,
        )
        if bundle is not None:
            record({"kind": "bundle", "id": bundle["id"], "reference": reference})


class Partner(PortalUser):
    weight = 1
    wait_time = between(1, 2)

    def on_start(self) -> None:
        self.auth = {"Authorization": f"Token {FIXTURE['partner_token']}"}

    @task
    def poll(self) -> None:
        self.client.get("/api/v1/referrals/", name="GET /api/v1/referrals/", headers=self.auth)


class Yardstick(HttpUser):
    """The bare view (bench/urls.py), measured under the same load."""

    weight = 1
    fixed_count = 1
    wait_time = between(0.5, 1)

    @task
    def bare(self) -> None:
        self.client.get("/bench/bare/", name="GET /bench/bare/ (yardstick)")
