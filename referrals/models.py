"""Models of the referrals app, one module per subdomain."""

from referrals.arbitration.models import (
    ArbitrationCase,
    ArbitrationDecision,
    AwardKind,
    LitigationRecord,
)
from referrals.bundles.models import Bundle, BundleExhibit, BundleQuerySet, BundleStatus
from referrals.centres.models import (
    AgreementDraft,
    MediationAgreement,
    MediationExtension,
    MediationSession,
    MediatorProposal,
    ProposalAnswer,
    Referral,
    ReferralQuerySet,
    SessionMode,
)
from referrals.confirmation.models import FormStatus, JudicialConfirmation
from referrals.reviews.models import (
    CHECKLIST,
    LookbackReview,
    LookbackReviewQuerySet,
    RectificationAction,
    RepeatFinding,
    Verdict,
)
from referrals.webhooks.models import WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint

__all__ = [
    "CHECKLIST",
    "WEBHOOK_EVENTS",
    "AgreementDraft",
    "ArbitrationCase",
    "ArbitrationDecision",
    "AwardKind",
    "Bundle",
    "BundleExhibit",
    "BundleQuerySet",
    "BundleStatus",
    "FormStatus",
    "JudicialConfirmation",
    "LitigationRecord",
    "LookbackReview",
    "LookbackReviewQuerySet",
    "MediationAgreement",
    "MediationExtension",
    "MediationSession",
    "MediatorProposal",
    "ProposalAnswer",
    "RectificationAction",
    "Referral",
    "ReferralQuerySet",
    "RepeatFinding",
    "SessionMode",
    "Verdict",
    "WebhookDelivery",
    "WebhookEndpoint",
]
