from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members.models import Organisation, OrganisationNumber, PopulationFigure, User
from members.services import identity_number_check, user_identity_register


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


class UserChangeForm(DjangoUserChangeForm):
    """The admin's user form, with the national identity number for ID-porten: written, never shown again."""

    national_identity_number = forms.CharField(
        label=_("National identity number (for ID-porten)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text=_(
            "Eleven digits. Only a keyed hash is stored, so the number is never shown again; type it anew to replace "
            "it. Leave empty to keep what is registered."
        ),
    )
    forget_identity = forms.BooleanField(label=_("Remove the registered national identity number"), required=False)

    def clean_national_identity_number(self) -> str:
        number = self.cleaned_data.get("national_identity_number", "")
        return identity_number_check(number) if number.strip() else ""


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    form = UserChangeForm
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
        (_("ID-porten"), {"fields": ("identity_registered", "national_identity_number", "forget_identity")}),
    )
    readonly_fields = ("identity_registered",)

    @admin.display(description=_("National identity number registered"), boolean=True)
    def identity_registered(self, obj: User) -> bool:
        return bool(obj.pid_hash)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        number = form.cleaned_data.get("national_identity_number", "")
        if number or form.cleaned_data.get("forget_identity"):
            try:
                user_identity_register(user=obj, national_identity_number=number)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
