from datetime import date

import pytest
from django.core.exceptions import ValidationError

from members.choices import MembershipStatus, OrganisationKind
from members.models import Organisation, OrganisationNumber
from members.services import organisation_change_number, organisation_create, organisation_update
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_create_registers_the_number_with_its_start():
    organisation = organisation_create(
        kind=OrganisationKind.MUNICIPALITY,
        name="Kinn",
        org_number="",
        number="4602",
        number_valid_from=date(2020, 1, 1),
    )
    assert organisation.number == "4602"
    assert organisation.org_number is None
    assert list(organisation.numbers.values_list("number", "valid_from", "valid_to")) == [
        ("4602", date(2020, 1, 1), None)
    ]


def test_create_refuses_an_invalid_org_number_and_saves_nothing():
    with pytest.raises(ValidationError) as error:
        organisation_create(kind=OrganisationKind.MUNICIPALITY, name="Kinn", org_number="123456789", number="4602")
    assert "org_number" in error.value.message_dict
    assert not Organisation.objects.exists()


def test_create_refuses_a_number_that_does_not_fit_the_kind():
    with pytest.raises(ValidationError, match="four-digit"):
        organisation_create(kind=OrganisationKind.MUNICIPALITY, name="Kinn", number="46")
    with pytest.raises(ValidationError, match="Only municipalities"):
        organisation_create(kind=OrganisationKind.PARTNER, name="KS", number="4602")
    assert not Organisation.objects.exists()


def test_a_merger_keeps_identity_and_number_history():
    """Municipality numbers change with reforms: Flora (1401) became Kinn (4602) on 1.1.2020."""
    organisation = OrganisationFactory(name="Flora", number="1401")
    OrganisationNumber.objects.filter(organisation=organisation).update(valid_from=date(1964, 1, 1))
    organisation_change_number(organisation=organisation, number="4602", valid_from=date(2020, 1, 1))
    organisation.refresh_from_db()
    assert organisation.number == "4602"
    assert list(organisation.numbers.order_by("valid_from").values_list("number", "valid_from", "valid_to")) == [
        ("1401", date(1964, 1, 1), date(2019, 12, 31)),
        ("4602", date(2020, 1, 1), None),
    ]


def test_a_number_held_by_another_organisation_is_refused():
    OrganisationFactory(name="Bergen", number="4601")
    other = OrganisationFactory(name="Other", number="4699")
    with pytest.raises(ValidationError, match="4601 is the current number of Bergen"):
        organisation_change_number(organisation=other, number="4601", valid_from=date(2025, 1, 1))
    other.refresh_from_db()
    assert other.number == "4699"
    assert other.numbers.get().valid_to is None


def test_a_new_number_cannot_start_before_the_current_one():
    organisation = OrganisationFactory(number="4602")
    with pytest.raises(ValidationError, match=r"must start after 01\.01\.2020"):
        organisation_change_number(organisation=organisation, number="4603", valid_from=date(2019, 1, 1))


def test_only_one_host():
    OrganisationFactory(is_host=True)
    second = OrganisationFactory()
    with pytest.raises(ValidationError):
        organisation_update(organisation=second, is_host=True)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"membership_status": MembershipStatus.NOTICE_GIVEN}, "notice_given_on"),
        ({"membership_status": MembershipStatus.WITHDRAWN, "member_until": None}, "member_until"),
        ({"membership_status": MembershipStatus.INVITED, "invited_on": None}, "invited_on"),
        (
            {
                "member_until": date(2020, 1, 1),
                "membership_status": MembershipStatus.NOTICE_GIVEN,
                "notice_given_on": date(2021, 6, 1),
            },
            "member_until",
        ),
    ],
)
def test_membership_dates_must_fit_the_status(values, field):
    organisation = OrganisationFactory(member_from=date(2021, 1, 1))
    with pytest.raises(ValidationError) as error:
        organisation_update(organisation=organisation, **values)
    assert field in error.value.message_dict
    organisation.refresh_from_db()
    assert organisation.membership_status == MembershipStatus.MEMBER


def test_update_records_who_changed_what(personas):
    organisation_update(organisation=personas.own, buyer_reference="NEW-REF")
    latest = personas.own.history.first()
    previous = personas.own.history.all()[1]
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("buyer_reference", "4634-DIGI", "NEW-REF")]
