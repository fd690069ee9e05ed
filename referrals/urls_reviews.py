from django.urls import path

from referrals import views_review

app_name = "reviews"

urlpatterns = [
    path("", views_review.queue, name="queue"),
    path("<int:pk>/", views_review.detail, name="detail"),
    path("<int:pk>/checklist/", views_review.save_checklist, name="checklist"),
    path("<int:pk>/<slug:name>/", views_review.action, name="action"),
    path("actions/<int:pk>/done/", views_review.action_done, name="action_done"),
]
