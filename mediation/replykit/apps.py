from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReplykitConfig(AppConfig):
    """The reply toolkit (法条一本通, seed 4.3): the statute library, claim types, replies
    with citations and their letters. It sits on mediation's disputes and review requests and
    adds to the case page through mediation.hooks."""

    name = "mediation.replykit"
    label = "replykit"
    verbose_name = _("Reply toolkit")

    def ready(self) -> None:
        from mediation.replykit import wiring

        wiring.register()
