"""The person's disputes in their copy of their data, what stops their account's deletion,
and the retention job that removes a closed case's personal data (portal/privacy.py).

Retention: a draft of a dispute never filed goes DRAFT_KEPT_DAYS after it was last saved; a
scanned letter no case was recorded from, SCAN_KEPT_DAYS after scanning.
PERSONAL_DATA_RETENTION_DAYS after a case is closed or withdrawn, unless it is under
a legal hold, its facts, request, account number, the bank's texts about it, its evidence
(files included), consent details and the customer's comments are removed; the row stays, with
its reference, category, amount, branch, dates and states, so counts and turnaround figures
still hold. The layers above clear what they hold (mediation.hooks `on_pseudonymised`). A
customer whose every case is so cleared and who has not signed in for the same period has their
account erased too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation import hooks
from mediation.forms import DisputeIntakeForm
from mediation.lifecycle import OPEN_STATES
from mediation.models import (
    ClaimVersion,
    Consent,
    Dispute,
    DisputeDraft,
    EvidenceItem,
    ReturnVisit,
)
from mediation.services.consents import DISCLOSURE_CATEGORIES
from mediation.services.drafts import DRAFT_KEPT_DAYS
from mediation.services.letters import letter_scans_expire
from portal.audit import audit_record
from portal.models import Branch, Role, User
from portal.privacy import Section, delete_files_on_commit, erase_account, record

REMOVED = "—"
BATCH = 200
# The case's texts about the person: the customer's statement and the bank's and staff's texts.
CLEARED_TEXTS = (
    "facts",
    "request",
    "decision_text",
    "branch_plan",
    "consultation_note",
    "closure_note",
    "withdrawn_reason",
)


def dispute_sections(user: User) -> list[Section]:
    """What a customer sees of their own cases; the bank's internal notes are not theirs."""
    disputes = list(
        Dispute.objects.filter(customer=user).select_related("branch").order_by("received_at")
    )
    ids = [d.pk for d in disputes]
    rows = [
        record(
            d,
            [
                "reference",
                "branch",
                "category",
                "amount",
                "facts",
                "request",
                "account_number",
                "channel",
                "status",
                "received_at",
                "decision_text",
                "closure_reason",
                "closed_at",
                "withdrawn_reason",
            ],
        )
        for d in disputes
    ]
    versions = [
        {_("Case"): v.dispute.reference}
        | record(v, ["number", "amount", "category", "facts", "request", "made_at"])
        for v in ClaimVersion.objects.filter(dispute_id__in=ids).select_related("dispute")
    ]
    evidence = [
        {_("Case"): e.dispute.reference, _("Submitted by"): e.submitted_by_label}
        | record(e, ["title", "category", "original_name", "size", "sha256", "uploaded_at"])
        for e in EvidenceItem.objects.filter(dispute_id__in=ids)
        .select_related("dispute", "uploaded_by")
        .order_by("uploaded_at")
    ]
    consents = [
        {_("Case"): c.dispute.reference}
        | record(c, ["kind", "recipient", "purpose"])
        | {
            _("data categories"): [
                str(DISCLOSURE_CATEGORIES.get(key, key)) for key in c.data_categories
            ]
        }
        | record(c, ["granted_at", "ip_address", "withdrawn_at", "withdrawn_reason"])
        for c in Consent.objects.filter(dispute_id__in=ids)
        .select_related("dispute", "recipient")
        .order_by("granted_at")
    ]
    visits = [
        {_("Case"): v.dispute.reference} | record(v, ["rating", "comment", "channel", "created_at"])
        for v in ReturnVisit.objects.filter(dispute_id__in=ids).select_related("dispute")
    ]
    draft = DisputeDraft.objects.filter(customer=user).first()
    drafts = [_draft_record(draft)] if draft else []
    return [
        Section("disputes", _("Your disputes"), rows),
        Section("draft", _("Your unfinished draft"), drafts),
        Section("claim_versions", _("Your claims as filed and amended"), versions),
        Section("evidence", _("Evidence on your disputes"), evidence),
        Section("consents", _("Your consents"), consents),
        Section("return_visits", _("Your ratings of the handling"), visits),
    ]


def _draft_record(draft: DisputeDraft) -> dict[str, Any]:
    """The draft as the filing form labels it (the branch by name)."""
    fields = DisputeIntakeForm.base_fields
    data = dict(draft.data)
    if data.get("branch"):
        branch = Branch.objects.filter(pk=data["branch"]).first()
        data["branch"] = branch.name if branch else ""
    return {str(fields[k].label): v for k, v in data.items() if k in fields} | {
        _("saved"): draft.updated_at
    }


def erasure_blockers(user: User) -> list[str]:
    reasons = []
    for reference in Dispute.objects.filter(customer=user, status__in=OPEN_STATES).values_list(
        "reference", flat=True
    ):
        reasons.append(_("case %(ref)s is still open") % {"ref": reference})
    for reference in Dispute.objects.filter(customer=user, legal_hold=True).values_list(
        "reference", flat=True
    ):
        reasons.append(_("case %(ref)s is under a legal hold") % {"ref": reference})
    return reasons


def due_for_removal(now: Any = None) -> Any:
    cutoff = (now or timezone.now()) - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    return Dispute.objects.filter(
        ~Q(status__in=OPEN_STATES),
        closed_at__lt=cutoff,
        legal_hold=False,
        pseudonymised_at__isnull=True,
    )


@transaction.atomic
def dispute_pseudonymise(*, dispute_id: int) -> bool:
    """Remove one closed case's personal data; False when it is not (or no longer) due."""
    dispute = due_for_removal().select_for_update().filter(pk=dispute_id).first()
    if dispute is None:
        return False
    for name in CLEARED_TEXTS:
        setattr(dispute, name, REMOVED if name in ("facts", "request") else "")
    dispute.account_number = ""
    dispute.pseudonymised_at = timezone.now()
    dispute.save(update_fields=[*CLEARED_TEXTS, "account_number", "pseudonymised_at", "updated_at"])
    files = [e.file.name for e in dispute.evidence.all() if e.file]
    dispute.evidence.update(title=REMOVED, description="", original_name="", file="", sanitised="")
    dispute.consents.update(ip_address=None, user_agent="", withdrawn_reason="")
    ReturnVisit.objects.filter(dispute=dispute).update(comment="")
    dispute.claim_versions.update(facts=REMOVED, request=REMOVED, customer_request="")
    dispute.mediation_requests.update(note="", refusal_reason="")
    for clear in hooks.registry.on_pseudonymised:
        files += clear(dispute) or []
    audit_record(
        actor=None,
        action="privacy.pseudonymised",
        target=dispute,
        data={"files_removed": len(files)},
    )
    delete_files_on_commit(files)
    return True


def retention_run(now: Any = None) -> int:
    """The recurring job: every case due, in batches, then the customers left with nothing."""
    now = now or timezone.now()
    done = 0
    while True:
        ids = list(due_for_removal(now).values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        done += sum(dispute_pseudonymise(dispute_id=pk) for pk in ids)
    stale = now - timedelta(days=DRAFT_KEPT_DAYS)
    done += DisputeDraft.objects.filter(updated_at__lt=stale).delete()[0]
    done += letter_scans_expire(now)
    cutoff = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    idle = (
        User.objects.filter(role=Role.CUSTOMER, erased_at__isnull=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(disputes__pseudonymised_at__isnull=True)
    )
    for user in idle:
        erase_account(user=user, by=None)
        done += 1
    return done
