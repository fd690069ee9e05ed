from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("hotspots/", views.hotspot_list, name="hotspots"),
    path("hotspots/<int:pk>/", views.hotspot_page, name="hotspot"),
]
