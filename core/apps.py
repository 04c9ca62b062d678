from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Network")
    default = True

    def ready(self) -> None:
        from core import (
            checks,  # noqa: F401 (registers the production checks)
            converters,
        )
        from core.observability import connect_celery_signals

        connect_celery_signals()
        converters.register()


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin.PortalAdminSite"
