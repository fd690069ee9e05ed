from django.urls import path

from referrals.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/checklist/", views.save_checklist, name="checklist"),
    path("<int:pk>/<slug:name>/", views.action, name="action"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
]
