import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.widgets import PlainSelect
from members.models import Organisation
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
        queryset=Organisation.objects.filter(owned_initiatives__isnull=False).distinct().order_by("name"),
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

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))
