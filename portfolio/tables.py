import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.templatetags.portal import nok
from portfolio.choices import FocusArea, Rag, ServiceArea, State
from portfolio.models import Initiative

END = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class InitiativeTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=_("Initiative"))
    state = tables.Column(verbose_name=_("State"))
    focus_area = tables.Column(verbose_name=_("Strategic focus area"))
    service_area = tables.Column(verbose_name=_("Service area"))
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__name",))
    project_leader = tables.Column(verbose_name=_("Project leader"))
    start = tables.DateColumn(verbose_name=_("Start"), format="d.m.Y")
    end = tables.DateColumn(verbose_name=_("End"), format="d.m.Y")
    latest_rag = tables.Column(verbose_name=_("Latest status"))
    escalated_to_ks = tables.BooleanColumn(verbose_name=_("Escalated to KS"))

    class Meta:
        model = Initiative
        fields = (
            "title",
            "state",
            "focus_area",
            "service_area",
            "owner",
            "project_leader",
            "start",
            "end",
            "latest_rag",
            "escalated_to_ks",
        )
        order_by = ("title",)
        per_page = 25
        template_name = "tables/initiatives.html"  # the rows written out: see that template

    for_internal = False
    # The template's words for each choice (Django's get_FOO_display rebuilds its choices on every call).
    rag_labels = dict(Rag.choices)
    state_labels = dict(State.choices)
    focus_area_labels = dict(FocusArea.choices)
    service_area_labels = dict(ServiceArea.choices)

    def render_latest_rag(self, value):
        # Colour and words: the status is never told by colour alone.
        return format_html('<span class="rag rag-{}">{}</span>', value, Rag(value).label)

    def value_latest_rag(self, value):
        return Rag(value).label if value else ""


class InternalInitiativeTable(InitiativeTable):
    budget_total = tables.Column(verbose_name=_("Budget (NOK)"), attrs=END)

    class Meta(InitiativeTable.Meta):
        fields = (*InitiativeTable.Meta.fields, "budget_total")

    for_internal = True

    def render_budget_total(self, value):
        return nok(value)

    def value_budget_total(self, value):
        return value
