"""/referrals/: the work with mediation centres, courts and arbitration commissions, one URL
module per body, under one namespace."""

from django.urls import path

from referrals.arbitration import urls as arbitration_urls
from referrals.bundles.views import request_class_bundles
from referrals.centres import urls as centre_urls
from referrals.confirmation import urls as confirmation_urls

app_name = "referrals"

urlpatterns = [
    *centre_urls.urlpatterns,
    *confirmation_urls.urlpatterns,
    *arbitration_urls.urlpatterns,
    path("classes/<int:class_id>/bundles/", request_class_bundles, name="class_bundles"),
]
