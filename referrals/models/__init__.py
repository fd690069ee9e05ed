"""Models of the referrals app, one module per subdomain."""

from referrals.models.arbitration import (
    ArbitrationCase,
    ArbitrationDecision,
    AwardKind,
    LitigationRecord,
)
from referrals.models.bundles import Bundle, BundleExhibit, BundleQuerySet, BundleStatus
from referrals.models.confirmation import FormStatus, JudicialConfirmation
from referrals.models.referrals import (
    MediationAgreement,
    MediationExtension,
    MediationSession,
    MediatorProposal,
    ProposalAnswer,
    Referral,
    ReferralQuerySet,
    SessionMode,
)
from referrals.models.reviews import (
    CHECKLIST,
    LookbackReview,
    LookbackReviewQuerySet,
    RectificationAction,
    RepeatFinding,
    Verdict,
)
from referrals.models.webhooks import WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint

__all__ = [
    "CHECKLIST",
    "WEBHOOK_EVENTS",
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
