"""What each kind of recipient receives, and how personal data is masked for it.

PIPL art. 6 (minimum necessary): a mediation centre needs the dispute, not the customer's full
ID and account numbers, and gets no identity documents by default; an arbitration commission
needs the parties identified; a court examining a judicial-confirmation application needs both
parties' identity (SPC 2011 rules art. 3), so nothing is masked for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from mediation import access as dispute_access
from mediation.models import EvidenceCategory
from portal.models import OrganisationKind


@dataclass(frozen=True)
class BundleProfile:
    kind: str
    default_purpose: StrOrPromise
    default_categories: frozenset[str]
    mask_id_number: bool
    mask_account_number: bool


_ALL = frozenset(EvidenceCategory.values)

PROFILES: dict[str, BundleProfile] = {
    OrganisationKind.MEDIATION_CENTRE: BundleProfile(
        kind=OrganisationKind.MEDIATION_CENTRE,
        default_purpose=_("Mediation of the dispute"),
        default_categories=dispute_access.partner_evidence_categories(
            OrganisationKind.MEDIATION_CENTRE
        ),
        mask_id_number=True,
        mask_account_number=True,
    ),
    OrganisationKind.ARBITRATION_COMMISSION: BundleProfile(
        kind=OrganisationKind.ARBITRATION_COMMISSION,
        default_purpose=_("Arbitration of the dispute"),
        default_categories=_ALL,
        mask_id_number=False,
        mask_account_number=True,
    ),
    OrganisationKind.COURT: BundleProfile(
        kind=OrganisationKind.COURT,
        default_purpose=_("Application for judicial confirmation"),
        default_categories=_ALL,
        mask_id_number=False,
        mask_account_number=False,
    ),
}
