"""Referrals to mediation centres: the inbox, actions, proposals, extensions, session notes."""

from django.urls import path

from referrals.centres import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/<slug:action>/", views.referral_action, name="action"),
    path("proposals/<int:pk>/confirm/", views.proposal_confirm, name="proposal_confirm"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/<slug:answer>/", views.proposal_answer, name="proposal_answer"),
    path("extensions/<int:pk>/consent/", views.extension_consent, name="extension_consent"),
    path("sessions/<int:pk>/notes/", views.session_notes, name="session_notes"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/<slug:action>/", views.agreement_action, name="agreement_action"),
    path("sessions/<int:pk>/<slug:action>/", views.session_change, name="session_change"),
]
