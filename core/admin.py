from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import policy, two_factor
from core.models import ProviderSignIn


class PortalAdminSite(admin.AdminSite):
    """The admin site, open to the secretariat only (decided by the policy)."""

    site_header = _("Network portal administration")
    site_title = _("Network portal")

    def has_permission(self, request):
        return policy.can(request.user, "admin.access")

    def login(self, request, extra_context=None):
        # The portal's own login, so the admin is reached through the same throttling and second step.
        next_url = request.GET.get("next") or reverse("admin:index")
        step = two_factor.next_step_url(request.user, next_url)
        return redirect(step) if step else redirect_to_login(next_url)


@admin.register(ProviderSignIn)
class ProviderSignInAdmin(admin.ModelAdmin):
    """Sign-ins through ID-porten or the host's provider, with what was asserted: read only, as a record."""

    list_display = ("at", "user", "provider", "acr", "amr", "second_factor", "authenticated_at")
    list_filter = ("provider", "second_factor")
    search_fields = ("user__username", "user__last_name")
    fields = readonly_fields = (
        "user",
        "name",
        "provider",
        "subject",
        "acr",
        "amr",
        "authenticated_at",
        "second_factor",
        "at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
