"""Demo accounts: the branches, partner organisations and one login per role that every demo
case is built on (`manage.py seed_demo`). Idempotent: accounts are created once and their demo
passwords reset on each run, so the printed logins always work."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone
from weasyprint import HTML

from portal import second_factor
from portal.models import Branch, OrganisationKind, PartnerOrganisation, PartnerRole, Role, User

DEMO_PASSWORD = "Demo-2026-portal"  # noqa: S105 - printed demo logins, DEBUG only
# The demo's staff, partners, auditor and administrator share one authenticator key, printed
# with the logins: add it to any authenticator app, or run `manage.py demo_code`.
DEMO_TOTP_SECRET = "DEMOPORTALDEMOPORTALDEMOPORTAL22"  # noqa: S105 - demo only, as above

BRANCHES = [
    ("HO", "总行消费者权益保护部", True),
    ("SH01", "上海浦东支行", False),
    ("BJ01", "北京朝阳支行", False),
]

ORGANISATIONS = [
    ("上海市金融消费纠纷调解中心", OrganisationKind.MEDIATION_CENTRE, "上海", "沪金调-2025-017"),
    ("北京金融街调解中心", OrganisationKind.MEDIATION_CENTRE, "北京", "京金调-2025-004"),
    ("上海仲裁委员会", OrganisationKind.ARBITRATION_COMMISSION, "上海", "沪仲-2025-031"),
    ("上海市浦东新区人民法院", OrganisationKind.COURT, "上海", "浦法诉调-2025-009"),
]

# username, real name, role, branch code, organisation index, partner role, mobile, id number
USERS: list[tuple[str, str, str, str | None, int | None, str, str | None, str]] = [
    ("customer", "张伟", Role.CUSTOMER, None, None, "", "13800000001", "110101199003076632"),
    ("customer2", "李娜", Role.CUSTOMER, None, None, "", "13800000002", "310101198506150024"),
    ("staff", "王芳", Role.STAFF, "SH01", None, "", None, ""),
    ("staff2", "何军", Role.STAFF, "SH01", None, "", None, ""),
    ("staff_bj", "赵磊", Role.STAFF, "BJ01", None, "", None, ""),
    ("headoffice", "陈静", Role.STAFF, "HO", None, "", None, ""),
    ("mediator", "刘洋", Role.PARTNER, None, 0, PartnerRole.MEDIATOR, None, ""),
    ("mediator_bj", "孙丽", Role.PARTNER, None, 1, PartnerRole.MEDIATOR, None, ""),
    ("arbitrator", "周强", Role.PARTNER, None, 2, PartnerRole.ARBITRATOR, None, ""),
    ("clerk", "吴敏", Role.PARTNER, None, 3, PartnerRole.COURT_CLERK, None, ""),
    ("auditor", "郑刚", Role.AUDITOR, None, None, "", None, ""),
    ("admin", "系统管理员", Role.ADMIN, None, None, "", None, ""),
]


@dataclass(frozen=True)
class DemoAccounts:
    branches: dict[str, Branch]
    organisations: list[PartnerOrganisation]
    users: dict[str, User]


@transaction.atomic
def seed_accounts() -> DemoAccounts:
    branches = {}
    for code, name, head in BRANCHES:
        branches[code], _ = Branch.objects.get_or_create(
            code=code, defaults={"name": name, "is_head_office": head}
        )
    organisations = []
    for name, kind, region, agreement in ORGANISATIONS:
        organisation, _ = PartnerOrganisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "region": region,
                "cooperation_agreement_ref": agreement,
                "contact_phone": "021-00000000",
            },
        )
        organisations.append(organisation)
    users = {}
    for username, name, role, branch, org, prole, mobile, id_number in USERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.real_name = name
        user.role = role
        user.branch = branches[branch] if branch else None
        user.organisation = organisations[org] if org is not None else None
        user.partner_role = prole
        user.mobile = mobile
        # The demo's people proved their numbers when they registered.
        user.mobile_verified_at = user.mobile_verified_at or (timezone.now() if mobile else None)
        user.id_number = id_number
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        if second_factor.role_requires(user) and not second_factor.enrolled(user):
            TOTP.activate(user, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(user)
        users[username] = user
    return DemoAccounts(branches, organisations, users)


# A demo person has read all but their latest messages: seeding a year of cases at once would
# otherwise leave the demo customer with a hundred unread notifications.
UNREAD_KEPT = 5


def settle_notifications(accounts: DemoAccounts) -> None:
    for user in accounts.users.values():
        unread = user.notifications.filter(read_at__isnull=True)
        newest = list(
            unread.order_by("-created_at", "-pk").values_list("pk", flat=True)[:UNREAD_KEPT]
        )
        unread.exclude(pk__in=newest).update(read_at=timezone.now())


def demo_pdf(title: str, body: str) -> bytes:
    """A one-page PDF with a Chinese title, for demo evidence and agreements."""
    html = (
        "<html><head><style>@page{size:A4;margin:25mm}"
        'html{font-family:"Noto Sans CJK SC",sans-serif}</style></head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf() or b""


def login_lines() -> list[str]:
    lines = [
        "",
        f"Demo logins (password for all: {DEMO_PASSWORD}; every role but customers also asks for",
        f"a code from an authenticator app with the key {DEMO_TOTP_SECRET}, or from",
        "`.venv/bin/python manage.py demo_code`)",
    ]
    lines += [
        f"  {username:<12} {name:<6} {Role(role).label}" for username, name, role, *_ in USERS
    ]
    return lines
