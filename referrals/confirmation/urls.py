"""Judicial-confirmation applications: the application form and the actions on it."""

from django.urls import path

from referrals.confirmation import views

urlpatterns = [
    path(
        "cases/<str:reference>/confirmation/apply/",
        views.confirmation_apply,
        name="confirmation_apply",
    ),
    path("confirmations/<int:pk>/join/", views.confirmation_join, name="confirmation_join"),
    path(
        "confirmations/<int:pk>/application/",
        views.confirmation_application,
        name="confirmation_application",
    ),
    path(
        "confirmations/<int:pk>/<slug:action>/",
        views.confirmation_action,
        name="confirmation_action",
    ),
]
