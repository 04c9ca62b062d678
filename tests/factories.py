"""Factories for the portal's models, with valid Norwegian identifiers."""

from datetime import date
from itertools import count

import factory
from stdnum.no import orgnr

from members.choices import MembershipStatus, OrganisationKind
from members.models import Organisation, PopulationFigure, User
from members.services import organisation_change_number

_org_numbers = count(1)
_municipality_numbers = count(3001)


def valid_org_number() -> str:
    while True:
        base = f"9{next(_org_numbers):07d}"
        for check in "0123456789":
            if orgnr.is_valid(base + check):
                return base + check


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    kind = OrganisationKind.MUNICIPALITY
    name = factory.Sequence(lambda n: f"Kommune {n}")
    org_number = factory.LazyFunction(valid_org_number)
    county = "Vestland"
    membership_status = MembershipStatus.MEMBER
    member_from = date(2021, 1, 1)
    buyer_reference = "REF-1"

    @factory.post_generation
    def number(self, create, extracted, **kwargs):
        if not create or self.kind not in (OrganisationKind.MUNICIPALITY, OrganisationKind.COUNTY_MUNICIPALITY):
            return
        value = extracted or (
            f"{next(_municipality_numbers):04d}" if self.kind == OrganisationKind.MUNICIPALITY else "46"
        )
        organisation_change_number(organisation=self, number=value, valid_from=date(2020, 1, 1))
        self.refresh_from_db()


class PopulationFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopulationFigure

    organisation = factory.SubFactory(OrganisationFactory)
    reference_date = date(2024, 1, 1)
    count = 1691
    source = "SSB"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.no")
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "correct-horse-battery")
        if create:
            self.save()


def contribution_model(
    *, year=2026, status="adopted", fixed="100000", per_inhabitant="20", cap="500000", exempt=(), **values
):
    """A stored formula model like DigiVestland's, with `exempt` organisations."""
    from decimal import Decimal

    from funding.models import ContributionModel
    from funding.services import OverrideInput, RuleInput, contribution_model_save

    model = contribution_model_save(
        values={
            "name": values.pop("name", f"Model {year}"),
            "year": year,
            "base_year": values.pop("base_year", year),
            "mode": values.pop("mode", "formula"),
            "population_date": values.pop("population_date", date(2024, 1, 1)),
            **values,
        },
        rules=[RuleInput("municipality", Decimal(fixed), Decimal(per_inhabitant), Decimal(cap) if cap else None)],
        overrides=[OverrideInput(organisation, True, None) for organisation in exempt],
    )
    ContributionModel.objects.filter(pk=model.pk).update(status=status)
    model.refresh_from_db()
    return model


def network_profile(host=None):
    from core.models import NetworkProfile

    return NetworkProfile.objects.create(
        name="DigiVestland",
        legal_name=host.legal_name if host else "Bergen kommune",
        org_number=host.org_number if host else valid_org_number(),
        street_address="Postboks 7700",
        postal_code="5020",
        city="Bergen",
        email="post@digivestland.example.no",
        bank_account="15030112358",
    )


# Portfolio


def initiative(*, owner=None, **values):
    """An initiative (an idea unless moved on), created through the service like the portal does."""
    from portfolio.services import initiative_create

    defaults = {
        "title": f"Tiltak {next(_initiative_numbers)}",
        "summary": "Flere digitale byggesøknader",
        "focus_area": "solutions",
        "service_area": "planning_building",
        "owner": owner,
    }
    participants = values.pop("participants", [])
    return initiative_create(values={**defaults, **values}, participants=participants)


_initiative_numbers = count(1)
