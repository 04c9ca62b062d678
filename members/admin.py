from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members.models import Organisation, OrganisationNumber, PopulationFigure, User


class OrganisationNumberInline(admin.TabularInline):
    model = OrganisationNumber
    extra = 0
    readonly_fields = ("number", "valid_from", "valid_to")
    can_delete = False


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "number", "kind", "org_number", "membership_status", "is_host")
    list_filter = ("kind", "membership_status", "county")
    search_fields = ("name", "number", "org_number")
    readonly_fields = ("number",)
    inlines = [OrganisationNumberInline]


@admin.register(PopulationFigure)
class PopulationFigureAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "reference_date", "count", "source")
    list_filter = ("reference_date",)
    search_fields = ("organisation__name", "organisation__number")
    autocomplete_fields = ("organisation",)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = (
        "username",
        "get_full_name",
        "organisation",
        "is_secretariat",
        "is_director",
        "is_finance_officer",
        "is_contact",
        "is_active",
    )
    list_filter = ("is_secretariat", "is_director", "is_finance_officer", "is_contact", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Organisation and roles"),
            {
                "fields": (
                    "organisation",
                    "job_title",
                    "phone",
                    "is_secretariat",
                    "is_director",
                    "is_finance_officer",
                    "is_contact",
                    "is_project_leader",
                    "is_delegate",
                )
            },
        ),
        (_("Language"), {"fields": ("language",)}),
    )
