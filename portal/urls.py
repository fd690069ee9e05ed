from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views, views_acts, views_notifications, views_privacy

urlpatterns = [
    # The API first: partners poll it far more often than people open pages, and URL resolving
    # tries the patterns in order (none of the others starts with api/).
    path("api/v1/", include("portal.api_urls")),
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", views.register, name="register"),
    path("accounts/register/verify/", views.register_verify, name="register_verify"),
    path("accounts/mobile/verify/", views.verify_mobile, name="verify_mobile"),
    path("accounts/profile/", views.profile, name="profile"),
    path("acts/<int:pk>/pdf/", views_acts.binding_act_pdf, name="binding_act_pdf"),
    path("verify/", views_acts.seal_check, name="seal_check"),
    path("verify/root.crt", views_acts.seal_root, name="seal_root"),
    path("accounts/data/", views_privacy.my_data, name="my_data"),
    path("accounts/data/copy/", views_privacy.data_export_request, name="data_export_request"),
    path(
        "accounts/data/<int:pk>/<str:kind>/",
        views_privacy.data_export_download,
        name="data_export_download",
    ),
    path("accounts/delete/", views_privacy.account_delete, name="account_delete"),
    path("accounts/two-step/", views.second_factor_verify, name="second_factor_verify"),
    path("accounts/two-step/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path("accounts/two-step/manage/", views.second_factor_manage, name="second_factor_manage"),
    path("accounts/password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("notifications/", views_notifications.centre, name="notifications"),
    path("notifications/count/", views_notifications.unread_count, name="notifications_count"),
    path("notifications/<int:pk>/read/", views_notifications.read, name="notification_read"),
    path(
        "notifications/<int:pk>/invite.ics",
        views_notifications.calendar,
        name="notification_calendar",
    ),
    path("notifications/read-all/", views_notifications.read_all, name="notifications_read_all"),
    path(
        "notifications/preferences/",
        views_notifications.preferences,
        name="notification_preferences",
    ),
    # The apps' URL modules are named, as INSTALLED_APPS names the apps: this root URLconf is
    # where the layers are put together, and portal imports neither app (STYLE.md 13).
    path("disputes/<str:reference>/bundles/", include("referrals.bundles.urls")),
    path("disputes/", include("mediation.urls")),
    path("replies/", include("mediation.replykit.urls")),
    path("insight/", include("mediation.insight.urls")),
    path("white-paper/", include("mediation.insight.public_urls")),
    path("classes/", include("mediation.problems.urls")),
    path("referrals/", include("referrals.urls")),
    path("reviews/", include("referrals.reviews.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.error_400"
handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"
