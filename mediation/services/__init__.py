"""Writes for disputes, consents and evidence. Views, the API, admin actions and management
commands all call these; none writes models directly."""

from mediation.services.amendments import dispute_amend
from mediation.services.consents import (
    consent_give_disclosure,
    consent_opt_in,
    consent_withdraw,
    mediation_request,
    mediation_request_decide,
)
from mediation.services.disputes import (
    ActionForbidden,
    dispute_close,
    dispute_extend_decision,
    dispute_fail_mediation,
    dispute_leave_fast_lane,
    dispute_mediate_again,
    dispute_opt_in,
    dispute_reach_agreement,
    dispute_record_decision,
    dispute_record_milestone,
    dispute_refer,
    dispute_resume_handling,
    dispute_return_to_lane,
    dispute_start_arbitration,
    dispute_start_bank_handling,
    dispute_start_litigation,
    dispute_start_mediation,
    dispute_triage,
    dispute_withdraw,
)
from mediation.services.intake import (
    dispute_submit,
    fast_lane_threshold,
    is_amount_eligible,
)

__all__ = [
    "ActionForbidden",
    "consent_give_disclosure",
    "consent_opt_in",
    "consent_withdraw",
    "dispute_amend",
    "dispute_close",
    "dispute_extend_decision",
    "dispute_fail_mediation",
    "dispute_leave_fast_lane",
    "dispute_mediate_again",
    "dispute_opt_in",
    "dispute_reach_agreement",
    "dispute_record_decision",
    "dispute_record_milestone",
    "dispute_refer",
    "dispute_resume_handling",
    "dispute_return_to_lane",
    "dispute_start_arbitration",
    "dispute_start_bank_handling",
    "dispute_start_litigation",
    "dispute_start_mediation",
    "dispute_submit",
    "dispute_triage",
    "dispute_withdraw",
    "fast_lane_threshold",
    "is_amount_eligible",
    "mediation_request",
    "mediation_request_decide",
]
