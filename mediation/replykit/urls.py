from django.urls import path

from . import views

app_name = "replykit"

urlpatterns = [
    path("library/", views.library_page, name="library"),
    path("figures/", views.figures, name="figures"),
    path("new/<str:reference>/<slug:kind>/", views.start, name="start"),
    path("<int:pk>/", views.reply_page, name="reply"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/send-back/", views.send_back, name="send_back"),
    path("<int:pk>/ask/<int:need_id>/", views.ask_evidence, name="ask_evidence"),
    path("<int:pk>/letter/", views.letter, name="letter"),
]
