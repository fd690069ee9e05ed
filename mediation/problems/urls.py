from django.urls import path

from . import views

app_name = "problems"

urlpatterns = [
    path("", views.class_list, name="list"),
    path("<int:pk>/", views.class_page, name="detail"),
    path("linked/", views.linked_complainants, name="linked"),
    path("from-hotspot/<int:spot_id>/", views.open_from_hotspot, name="from_hotspot"),
    path("offers/<int:pk>/", views.offer_page, name="offer"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="decline"),
]
