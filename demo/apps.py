from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo network (`manage.py load_demo`): built from real municipal data on top of every app."""

    name = "demo"
    verbose_name = _("Demo data")
