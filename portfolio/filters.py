import django_filters
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.cache import PAGE_TIMEOUT, page_generation
from core.widgets import PlainSelect
from members.models import Organisation
from portfolio.apps import PAGES
from portfolio.choices import FocusArea, ServiceArea, State
from portfolio.models import Initiative


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=State.choices, empty_label=_("All states"), widget=PlainSelect
    )
    focus_area = django_filters.ChoiceFilter(
        label=_("Strategic focus area"), choices=FocusArea.choices, empty_label=_("All focus areas"), widget=PlainSelect
    )
    service_area = django_filters.ChoiceFilter(
        label=_("Service area"), choices=ServiceArea.choices, empty_label=_("All service areas"), widget=PlainSelect
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        # Only what an option shows (the name and number), and EXISTS rather than a DISTINCT over every initiative.
        queryset=Organisation.objects.filter(Exists(Initiative.objects.filter(owner=OuterRef("pk"))))
        .only("pk", "name", "number")
        .order_by("name"),
        empty_label=_("All owners"),
        widget=PlainSelect,  # the owners are hundreds: Django's Select would render a template per option
    )

    class Meta:
        model = Initiative
        fields = ["q", "state", "focus_area", "service_area", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            field.widget.attrs.setdefault("class", "form-control" if name == "q" else "form-select")
        owner = self.form.fields["owner"]  # its queryset still decides what a chosen value may be
        owner.widget.choices = [("", owner.empty_label), *owner_choices(owner.queryset)]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))


def owner_choices(owners: QuerySet[Organisation]) -> list[tuple[int, str]]:
    """The owner filter's options: hundreds of organisations, kept in the cache under the portfolio pages'
    generation (portfolio/page_cache.py), which any change of an initiative or an organisation renews."""
    key = f"portfolio:owner-choices:{page_generation(PAGES)}"
    choices = cache.get(key)
    if choices is None:
        choices = [(owner.pk, str(owner)) for owner in owners]
        cache.set(key, choices, PAGE_TIMEOUT)
    return choices
