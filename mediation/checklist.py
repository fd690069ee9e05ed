"""What a customer is asked to upload for a dispute of each product category (issue 19, 3):
the documents that usually decide such a case, each met by evidence of one category. The case
page shows the customer each item as uploaded or still to do."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from mediation.models import EvidenceCategory as E
from mediation.models import EvidenceItem, ProductCategory

# The messages, screenshots and letters of a case, the bank's reply among them.
_MESSAGES = (E.CORRESPONDENCE, _("Messages, screenshots or letters, with any reply from the bank"))

CHECKLIST: dict[str, list[tuple[str, StrOrPromise]]] = {
    ProductCategory.WEALTH_MANAGEMENT: [
        (E.CONTRACT, _("The product contract, the risk disclosure and your risk assessment")),
        (E.STATEMENT, _("Records of the purchase and redemption, or statements showing the loss")),
        (
            E.CORRESPONDENCE,
            _("What you were told when you bought it (leaflets, chats), and the bank's reply"),
        ),
    ],
    ProductCategory.CREDIT_CARD: [
        (E.STATEMENT, _("The card statement, with the fee or transaction you dispute")),
        _MESSAGES,
    ],
    ProductCategory.LOANS: [
        (E.CONTRACT, _("The loan contract and its repayment schedule")),
        (E.STATEMENT, _("Repayment records or account statements")),
        _MESSAGES,
    ],
    ProductCategory.PAYMENTS: [
        (E.STATEMENT, _("The transaction or deduction records")),
        _MESSAGES,
    ],
    ProductCategory.DEPOSITS: [
        (E.STATEMENT, _("The deposit slip or account statements")),
        _MESSAGES,
    ],
}


@dataclass(frozen=True)
class Need:
    category: str
    what: StrOrPromise
    done: bool


def evidence_checklist(category: str, evidence: list[EvidenceItem]) -> list[Need]:
    """The items for a case of `category`, each done once evidence of its category is there."""
    present = {item.category for item in evidence}
    needs = CHECKLIST.get(
        category, [(E.STATEMENT, _("Statements or records of what happened")), _MESSAGES]
    )
    return [Need(c, what, c in present) for c, what in needs]
