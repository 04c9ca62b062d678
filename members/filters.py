import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.choices import MembershipStatus, OrganisationKind
from members.models import Organisation


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrganisationKind.choices, empty_label=_("All kinds"))
    membership_status = django_filters.ChoiceFilter(
        label=_("Membership"), choices=MembershipStatus.choices, empty_label=_("All statuses")
    )
    county = django_filters.ChoiceFilter(label=_("County"), empty_label=_("All counties"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "membership_status", "county"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counties = self.queryset.exclude(county="").order_by("county").values_list("county", flat=True).distinct()
        self.filters["county"].extra["choices"] = [(c, c) for c in counties]
        for name, field in self.form.fields.items():
            css = "form-select" if name != "q" else "form-control"
            field.widget.attrs.setdefault("class", css)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(number__startswith=value) | Q(org_number=value))
