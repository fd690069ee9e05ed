from django.urls import path

from referrals import views_case

app_name = "referrals"

urlpatterns = [
    path("inbox/", views_case.inbox, name="inbox"),
    path("<int:pk>/<slug:action>/", views_case.referral_action, name="action"),
    path("proposals/<int:pk>/<slug:answer>/", views_case.proposal_answer, name="proposal_answer"),
    path("extensions/<int:pk>/consent/", views_case.extension_consent, name="extension_consent"),
    path("sessions/<int:pk>/notes/", views_case.session_notes, name="session_notes"),
    path(
        "confirmations/<int:pk>/application/",
        views_case.confirmation_application,
        name="confirmation_application",
    ),
    path(
        "confirmations/<int:pk>/<slug:action>/",
        views_case.confirmation_action,
        name="confirmation_action",
    ),
    path(
        "arbitration/<int:pk>/<slug:action>/",
        views_case.arbitration_action,
        name="arbitration_action",
    ),
]
