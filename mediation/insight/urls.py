from django.urls import path

from . import opinion_views, report_views, views, white_paper_views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("hotspots/", views.hotspot_list, name="hotspots"),
    path("hotspots/<int:pk>/", views.hotspot_page, name="hotspot"),
    path("reports/", report_views.report_ask, name="report_ask"),
    path("reports/<int:pk>.pdf", report_views.report_pdf, name="report_pdf"),
    path("opinion/", opinion_views.opinion_list, name="opinion"),
    path("opinion/<int:pk>/views/", opinion_views.opinion_views, name="opinion_views"),
    path("white-paper/", white_paper_views.manage, name="white_papers"),
    path("white-paper/<int:pk>/publish/", white_paper_views.publish, name="white_paper_publish"),
    path("white-paper/<int:pk>.pdf", white_paper_views.staff_pdf, name="white_paper_pdf"),
]
