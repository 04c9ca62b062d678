import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from members.choices import MembershipStatus, OrganisationKind
from members.models import Organisation


class OrganisationTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    number = tables.Column(verbose_name=_("Number"))
    kind = tables.Column(verbose_name=_("Kind"))
    county = tables.Column(verbose_name=_("County"))
    population = tables.Column(
        verbose_name=_("Inhabitants"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    population_date = tables.DateColumn(verbose_name=_("Per"), format="d.m.Y")
    membership_status = tables.Column(verbose_name=_("Membership"))
    member_from = tables.DateColumn(verbose_name=_("Member from"), format="d.m.Y")

    class Meta:
        model = Organisation
        fields = (
            "name",
            "number",
            "kind",
            "county",
            "population",
            "population_date",
            "membership_status",
            "member_from",
        )
        order_by = ("name",)
        per_page = 25
        template_name = "tables/organisations.html"  # the rows written out: see that template

    for_secretariat = False
    # The template's words for each choice (Django's get_FOO_display rebuilds its choices on every call).
    kind_labels = dict(OrganisationKind.choices)
    membership_labels = dict(MembershipStatus.choices)

    def render_population(self, value):
        from django.utils.formats import number_format

        return number_format(value, force_grouping=True)

    def value_population(self, value):
        return value


class SecretariatOrganisationTable(OrganisationTable):
    org_number = tables.Column(verbose_name=_("Organisation number"))
    buyer_reference = tables.Column(verbose_name=_("Buyer's reference"))
    is_host = tables.BooleanColumn(verbose_name=_("Host"))

    class Meta(OrganisationTable.Meta):
        fields = (*OrganisationTable.Meta.fields, "org_number", "buyer_reference", "is_host")

    for_secretariat = True
