"""Administration of bodies, their members and the decision matrix (the secretariat edits them here).

Meetings, cases and decisions are kept in the portal's own pages, where the services number and check them.
"""

from django.contrib import admin

from governance.models import Body, BodyMembership, DecisionArea, DecisionAuthority


class MembershipInline(admin.TabularInline):
    model = BodyMembership
    extra = 1
    autocomplete_fields = ["person", "organisation"]


class AuthorityInline(admin.TabularInline):
    model = DecisionAuthority
    extra = 1


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "decision_rule", "language", "position"]
    list_editable = ["position"]
    inlines = [MembershipInline]


@admin.register(DecisionArea)
class DecisionAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    inlines = [AuthorityInline]
