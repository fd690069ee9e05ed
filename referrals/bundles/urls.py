"""/disputes/<ref>/bundles/: requesting an evidence bundle and downloading its parts."""

from django.urls import path

from referrals.bundles import views

app_name = "bundles"

urlpatterns = [
    path("", views.request_bundle, name="request"),
    path("table/", views.bundle_table, name="table"),
    path("<int:pk>/<slug:part>/", views.download_bundle, name="download"),
]
