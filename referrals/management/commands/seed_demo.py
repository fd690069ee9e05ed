"""Demo data: one user per role, partner organisations, and disputes in every state.

Idempotent: users and organisations are created once (their demo passwords are reset each run so
the printed logins always work); disputes are created only when the demo customer has none.
Everything goes through the same services as the pages. The command lives in the top layer
because the demo data goes through every layer: portal's accounts (`portal/demo.py`),
mediation's disputes (`mediation/demo.py`) and the cases with outside bodies
(`referrals/demo.py`).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mediation import demo as mediation_demo
from mediation.insight.history import seed_history
from mediation.insight.hotspots import hotspots_raise
from mediation.insight.models import WhitePaper
from mediation.insight.opinion import opinion_record
from mediation.insight.rollups import rollups_refresh
from mediation.insight.white_paper import white_paper_request
from mediation.models import Dispute
from mediation.problems import scenario as problems_scenario
from mediation.replykit import demo as replykit_demo
from portal import demo as portal_demo
from referrals import demo as referrals_demo


class Command(BaseCommand):
    help = "Create demo users, partners and disputes in every state (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="do not print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = portal_demo.seed_accounts()
        if not Dispute.objects.filter(customer=accounts.users["customer"]).exists():
            cases = mediation_demo.DemoCases(accounts)
            mediation_demo.seed_disputes(cases)
            referrals_demo.seed(cases)
            replykit_demo.seed(cases)
            imported = seed_history(actor=accounts.users["admin"])
            self.stdout.write(f"demo: a year of history imported ({imported} past complaints)")
            # The bank document's worked case (seed chapter 5), with 李娜 among its customers:
            # head office finds its hot spot, opens the class and sends the offers.
            case = problems_scenario.build(
                branches=[accounts.branches["SH01"], accounts.branches["BJ01"]],
                staff=accounts.users["staff"],
                known=[accounts.users["customer2"]],
            )
            self.stdout.write(
                f"demo: {case.complaints} complaints about {case.product.name} "
                f"from {len(case.people)} people (seed chapter 5)"
            )
            # Five of them authorised one agent (seed 4.4: organised complaint agents).
            problems_scenario.one_agent_for(case, count=5)
            # What was said in public about it (seed 4.5): a short video and a post, seen by
            # head office and linked to some of the cases (demo links, example.com).
            for platform, title, views, about in (
                ("douyin", "“固收+”理财亏损维权视频", 186_000, case.disputes[:3]),
                ("weibo", "代销理财亏损，银行称风险自担", 42_500, case.disputes[3:5]),
            ):
                opinion_record(
                    actor=accounts.users["headoffice"],
                    platform=platform,
                    url=f"https://example.com/{platform}/demo",
                    title=title,
                    first_seen=timezone.localdate(),
                    views=views,
                    references=[d.reference for d in about],
                )
            portal_demo.settle_notifications(accounts)
            self.stdout.write(f"demo: {Dispute.objects.count()} disputes created")
        else:
            self.stdout.write("demo: disputes already present, left as they are")
        # The dashboards read roll-ups: count them now rather than at the first scheduled run.
        rollups_refresh()
        # Hot spots over the last six weeks of history (the daily job looks at yesterday).
        hotspots_raise(days_back=42)
        # This year's white paper, asked for by head office: the worker builds it and it waits
        # for the administrator to publish it.
        if not WhitePaper.objects.exists():
            paper = white_paper_request(
                actor=accounts.users["headoffice"], year=timezone.localdate().year
            )
            self.stdout.write(f"demo: white paper {paper.year} v{paper.version} asked for")
        if not options["quiet"]:
            self.stdout.write("\n".join(portal_demo.login_lines()))
