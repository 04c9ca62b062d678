from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from network import policy


class PortalAdminSite(admin.AdminSite):
    """The admin site, open to the secretariat only (decided by the policy)."""

    site_header = _("Network portal administration")
    site_title = _("Network portal")

    def has_permission(self, request):
        return policy.can(request.user, "admin.access")
