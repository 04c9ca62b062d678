from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network")
    default = True

    def ready(self) -> None:
        # Governance lives in its own package; its admin registers once the admin site is set up.
        from network.governance import admin  # noqa: F401


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "network.admin.PortalAdminSite"
