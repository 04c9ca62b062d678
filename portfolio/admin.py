from django.contrib import admin

from portfolio.models import (
    Adoption,
    Benefit,
    BenefitValue,
    FundingPlanLine,
    Grant,
    Grantor,
    Initiative,
    NationalSolution,
    Offering,
    Participation,
    StatusReport,
    Transition,
)


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ("organisation",)


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ("from_state", "to_state", "decided_by", "decided_at", "reason", "decided_in")

    def has_add_permission(self, request, obj=None):
        # Moves go through the life cycle's gates (portfolio.services.initiative_transition).
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("title", "state", "focus_area", "service_area", "owner", "escalated_to_ks")
    list_filter = ("state", "focus_area", "service_area", "escalated_to_ks")
    search_fields = ("title", "summary")
    readonly_fields = ("state",)
    autocomplete_fields = ("owner",)
    inlines = [ParticipationInline, TransitionInline]


@admin.register(FundingPlanLine)
class FundingPlanLineAdmin(admin.ModelAdmin):
    list_display = ("initiative", "year", "source", "organisation", "budget", "actual")
    list_filter = ("year", "source")


class BenefitValueInline(admin.TabularInline):
    model = BenefitValue
    extra = 0


@admin.register(Benefit)
class BenefitAdmin(admin.ModelAdmin):
    list_display = ("description", "initiative", "owner", "indicator", "baseline", "target")
    inlines = [BenefitValueInline]


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    list_display = ("initiative", "period_start", "period_end", "rag")
    list_filter = ("rag",)

    # A report is kept as it was reported, and its PDF (stored once, with its hash) must say the same.
    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(NationalSolution)
class NationalSolutionAdmin(admin.ModelAdmin):
    list_display = ("name", "provider", "initiative")


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ("solution", "organisation", "status", "status_date")
    list_filter = ("solution", "status")
    search_fields = ("organisation__name",)


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "contact_name", "is_published")
    list_filter = ("kind", "is_published")
    search_fields = ("title", "description")


@admin.register(Grantor)
class GrantorAdmin(admin.ModelAdmin):
    """Grantors are data: the secretariat adds a new one here."""

    list_display = ("name", "source", "report_form")
    search_fields = ("name",)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    """Read-only here: applications, decisions and reports go through the grant pages (portfolio.grants)."""

    list_display = ("title", "grantor", "year", "status", "report_due")
    list_filter = ("status", "grantor", "year")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
