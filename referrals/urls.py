"""/referrals/: the work with mediation centres, courts and arbitration commissions, one URL
module per body, under one namespace."""

from referrals.arbitration import urls as arbitration_urls
from referrals.centres import urls as centre_urls
from referrals.confirmation import urls as confirmation_urls

app_name = "referrals"

urlpatterns = [
    *centre_urls.urlpatterns,
    *confirmation_urls.urlpatterns,
    *arbitration_urls.urlpatterns,
]
