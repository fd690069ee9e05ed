"""Bundle generation benchmark (issue 4).

Builds one bundle of 100 exhibits / about 200 pages and prints its time and peak memory, with
the time of a plain pikepdf merge of the same pages measured side by side (timings on this
machine are noisy: the ratio is the steadier figure). Then builds N bundles (default 200) in one
process and prints resident memory after bundles 1, 50, 100 and 200, to show it stays flat.

    .venv/bin/python bench/bundle.py            # the full run (~10 minutes)
    .venv/bin/python bench/bundle.py --bundles 20
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

import pikepdf  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from referrals.documents import BundleData, ExhibitData, Party, render_bundle, render_zip  # noqa: E402
from tests.factories.files import pdf_bytes, png_bytes  # noqa: E402


def make_data(exhibits: int = 100) -> BundleData:
    two_pages, image = pdf_bytes(2), png_bytes((1240, 1754))
    items = []
    for n in range(1, exhibits + 1):
        raw, kind = (image, "image/png") if n % 10 == 0 else (two_pages, "application/pdf")
        items.append(
            ExhibitData(
                number=n,
                title=f"证据材料第{n}号（银行流水与合同）",
                submitted_by="申请人（客户）",
                document_date=date(2026, 5, 1),
                category="对账单",
                sha256=f"{n:064x}",
                content_type=kind,
                file_name=f"E{n:03d}.pdf",
                size=len(raw),
                read=lambda raw=raw: raw,
            )
        )
    return BundleData(
        case_reference="MD-2026-000123",
        recipient="上海市金融消费纠纷调解中心",
        recipient_kind="mediation_centre",
        purpose="调解本纠纷",
        version=1,
        generated_at=timezone.now(),
        parties=[
            Party("申请人", "张伟", "110101********6632", "***************3445", "13800000001"),
            Party("被申请人", "本行上海浦东支行"),
        ],
        claim="理财产品：赔偿损失（索赔金额 30,000.00 元）",
        exhibits=items,
    )


def plain_merge(data: BundleData) -> int:
    out = pikepdf.new()
    for exhibit in data.exhibits:
        if exhibit.content_type == "application/pdf":
            src = pikepdf.open(io.BytesIO(exhibit.read()))
            out.pages.extend(src.pages)
        else:
            buf = io.BytesIO()
            Image.open(io.BytesIO(exhibit.read())).convert("RGB").save(buf, format="PDF")
            out.pages.extend(pikepdf.open(io.BytesIO(buf.getvalue())).pages)
    buffer = io.BytesIO()
    out.save(buffer)
    return len(out.pages)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundles", type=int, default=200)
    args = parser.parse_args()
    data = make_data()

    start = time.perf_counter()
    rendered = render_bundle(data)
    render_zip(data)
    bundle_s = time.perf_counter() - start
    start = time.perf_counter()
    merged_pages = plain_merge(data)
    merge_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"one bundle: {len(data.exhibits)} exhibits, {rendered.page_count} pages "
        f"({merged_pages} exhibit pages)"
    )
    print(f"  bundle (cover, index, stamps, bookmarks, zip): {bundle_s:.2f} s")
    print(f"  plain pikepdf merge of the same pages:          {merge_s:.2f} s")
    print(f"  ratio bundle / plain merge:                     {bundle_s / merge_s:.1f}x")
    print(f"  peak memory (max RSS):                          {peak:.0f} MB")

    checkpoints = {1, 50, 100, 200, args.bundles}
    print(f"{args.bundles} bundles in one process:")
    start = time.perf_counter()
    for n in range(1, args.bundles + 1):
        render_bundle(data)
        render_zip(data)
        if n in checkpoints:
            gc.collect()
            print(
                f"  after bundle {n:>3}: RSS {rss_mb():.0f} MB, "
                f"mean {(time.perf_counter() - start) / n:.2f} s/bundle",
                flush=True,
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
