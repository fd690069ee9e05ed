"""What the HTTP benchmarks share: a gunicorn server on loopback, a closed-loop driver with
N client threads, and a report of each endpoint beside the bare Django view measured in the
same run (machine timings are noisy: read the ratios and percentiles side by side)."""

from __future__ import annotations

import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def gunicorn(port: int, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[None]:
    """gunicorn serving the portal (bench.settings: the bare view at /bench/bare/) on
    127.0.0.1:`port`, stopped when the block ends."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--preload",  # the app loaded before the workers fork: no slow first request
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", **(env or {})},
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def drive(
    port: int, path: str, headers: dict[str, str], seconds: float, threads: int
) -> list[float]:
    """`threads` clients, each sending GET `path` again as soon as it has the answer, for
    `seconds`: every latency in seconds. Any answer but 200 stops the run."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                with lock:
                    errors.append(f"{path}: HTTP {response.status}")
                return
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise SystemExit(f"failed requests: {errors[:3]}")
    return latencies


@dataclass
class Endpoint:
    label: str
    path: str
    headers: dict[str, str]


def measure(
    port: int, endpoints: list[Endpoint], *, seconds: float, threads: int, rounds: int
) -> dict[str, list[float]]:
    """Each endpoint for `seconds` in all, in `rounds` interleaved rounds (bare, a, b, bare,
    a, b...) so that a slow spell of the machine falls on all of them alike. Each endpoint is
    driven for a second first and not measured: a worker's first requests of a page compile
    its templates and its database connection's first runs of a statement are not prepared,
    which is once in a worker's life, not what a page costs (it was the staff queue's p99)."""
    for e in endpoints:
        drive(port, e.path, e.headers, 1, threads)
    measured: dict[str, list[float]] = {e.label: [] for e in endpoints}
    for _round in range(rounds):
        for e in endpoints:
            measured[e.label] += drive(port, e.path, e.headers, seconds / rounds, threads)
    return measured


def report(measured: dict[str, list[float]], seconds: float, yardstick: str) -> list[str]:
    """One line an endpoint: requests per second, p50/p95/p99 in ms, ratio to the yardstick."""
    base = len(measured[yardstick]) / seconds
    lines = []
    for label, lat in measured.items():
        rps = len(lat) / seconds
        cuts = statistics.quantiles(lat, n=100)
        lines.append(
            f"  {label:<34} {rps:8.1f} req/s  p50 {statistics.median(lat) * 1000:7.1f} ms  "
            f"p95 {cuts[94] * 1000:7.1f} ms  p99 {cuts[98] * 1000:7.1f} ms  "
            f"ratio to bare {rps / base:.2f}"
        )
    return lines
