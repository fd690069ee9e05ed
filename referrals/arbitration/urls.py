"""Arbitration cases: the actions on them."""

from django.urls import path

from referrals.arbitration import views

urlpatterns = [
    path(
        "arbitration/<int:pk>/<slug:action>/", views.arbitration_action, name="arbitration_action"
    ),
]
