"""What partners did on a person's cases, in their copy of their data, and what the retention
job clears of it (portal/privacy.py, mediation/privacy.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mediation.models import Dispute
from mediation.privacy import REMOVED
from portal.models import User
from portal.privacy import Section, record
from referrals.centres.lifecycle import ReferralStatus
from referrals.models import (
    ArbitrationDecision,
    Bundle,
    JudicialConfirmation,
    LitigationRecord,
    LookbackReview,
    MediationAgreement,
    MediationExtension,
    MediationSession,
    MediatorProposal,
    Referral,
)


def referral_sections(user: User) -> list[Section]:
    """The referrals, proposals, agreements and court confirmations of the person's cases (the
    centre's session notes are the centre's, not the person's)."""
    referrals = (
        Referral.objects.filter(dispute__customer=user)
        .exclude(status=ReferralStatus.DRAFT)  # the bank's unsent drafts are not the person's
        .select_related("dispute", "organisation")
    )
    rows = [
        {_("Case"): r.dispute.reference} | record(r, ["organisation", "status", "sent_at"])
        for r in referrals.order_by("created_at")
    ]
    proposals = [
        {_("Case"): p.referral.dispute.reference}
        | record(p, ["amount", "terms", "performance_due", "proposed_at", "customer_answer"])
        for p in MediatorProposal.objects.filter(referral__dispute__customer=user)
        .select_related("referral__dispute")
        .order_by("proposed_at")
    ]
    agreements = [
        {_("Case"): a.referral.dispute.reference}
        | record(a, ["amount", "terms", "performance_due", "effective_on"])
        for a in MediationAgreement.objects.filter(referral__dispute__customer=user)
        .select_related("referral__dispute")
        .order_by("recorded_at")
    ]
    confirmations = [
        {_("Case"): c.dispute.reference}
        | record(c, ["court", "status", "filed_on", "case_number", "ruling_number", "ruling_on"])
        for c in JudicialConfirmation.objects.filter(dispute__customer=user)
        .select_related("dispute", "court")
        .order_by("created_at")
    ]
    return [
        Section("referrals", _("Referrals of your cases"), rows),
        Section("proposals", _("Mediators' proposals"), proposals),
        Section("agreements", _("Mediation agreements"), agreements),
        Section("confirmations", _("Judicial confirmations"), confirmations),
    ]


def clear_case(dispute: Dispute) -> list[str]:
    """In the retention job's transaction: clear texts about the person; return the generated
    files (bundles, application forms) to delete once it commits."""
    files: list[str] = []
    for bundle in Bundle.objects.filter(dispute=dispute):
        files += [name for name in (bundle.pdf.name, bundle.zip.name) if name is not None and name]
    Bundle.objects.filter(dispute=dispute).update(pdf="", zip="")
    for confirmation in JudicialConfirmation.objects.filter(dispute=dispute):
        if confirmation.application_pdf.name:
            files.append(confirmation.application_pdf.name)
    JudicialConfirmation.objects.filter(dispute=dispute).update(
        application_pdf="", terms=REMOVED, note=""
    )
    Referral.objects.filter(dispute=dispute).update(reason="", conflict_declaration="")
    MediationSession.objects.filter(referral__dispute=dispute).update(notes="")
    MediationExtension.objects.filter(referral__dispute=dispute).update(reason=REMOVED)
    MediationAgreement.objects.filter(referral__dispute=dispute).update(terms=REMOVED)
    MediatorProposal.objects.filter(referral__dispute=dispute).update(terms=REMOVED)
    ArbitrationDecision.objects.filter(case__dispute=dispute).update(summary=REMOVED)
    LitigationRecord.objects.filter(dispute=dispute).update(note="")
    LookbackReview.objects.filter(dispute=dispute).update(
        root_cause_finding="", root_cause_evidence=""
    )
    return files
