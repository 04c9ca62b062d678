from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self) -> None:
        from portfolio import (
            dashboard,  # noqa: F401 - registers the grant reports due on the secretariat's start page
            grants,  # noqa: F401 - registers the rules the grant pages ask
        )
