"""The published white papers, for anyone (no sign-in)."""

from django.urls import path

from . import white_paper_views

app_name = "white_paper"

urlpatterns = [
    path("", white_paper_views.public_index, name="index"),
    path("<int:year>/", white_paper_views.public_paper, name="year"),
    path("<int:year>/v<int:version>.pdf", white_paper_views.public_pdf, name="pdf"),
]
