from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.models import NetworkProfile
from funding.models import (
    BankImport,
    Budget,
    Contribution,
    ContributionModel,
    ContributionOverride,
    ContributionRule,
    Deflator,
    Invoice,
    InvoiceLine,
    NumberSeries,
    Payment,
)


@admin.register(NetworkProfile)
class NetworkProfileAdmin(SimpleHistoryAdmin):
    list_display = ("name", "legal_name", "org_number", "bank_account")


class RuleInline(admin.TabularInline):
    model = ContributionRule
    extra = 0


class OverrideInline(admin.TabularInline):
    model = ContributionOverride
    extra = 0
    autocomplete_fields = ("organisation",)


@admin.register(ContributionModel)
class ContributionModelAdmin(SimpleHistoryAdmin):
    list_display = ("name", "year", "status", "mode", "version")
    list_filter = ("year", "status")
    inlines = [RuleInline, OverrideInline]


@admin.register(Deflator)
class DeflatorAdmin(SimpleHistoryAdmin):
    list_display = ("year", "rate", "source")


@admin.register(Budget)
class BudgetAdmin(SimpleHistoryAdmin):
    list_display = ("year", "staff_costs", "project_costs", "other_costs")


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Money records are written by the portal's services only; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "year", "amount", "frozen_at")
    list_filter = ("year",)
    search_fields = ("organisation__name",)


class LineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "buyer_name", "issue_date", "total", "status")
    list_filter = ("kind", "status", "year")
    search_fields = ("buyer_name", "kid")
    inlines = [LineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "paid_on", "amount", "source")


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    list_display = ("key", "prefix", "next_number")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BankImport)
class BankImportAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "imported_at")
