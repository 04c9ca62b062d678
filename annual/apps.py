from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnualConfig(AppConfig):
    name = "annual"
    verbose_name = _("The network's year")

    def ready(self) -> None:
        from annual import (
            dashboard,  # noqa: F401 - registers the late duties on the secretariat's start page
            services,  # noqa: F401 - registers the rules pages ask
        )
