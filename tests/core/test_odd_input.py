"""Odd input finds a clear message or no page, never a 500: dates and years people enter are bounded (one rule,
core.validators), NUL in a query parameter is dropped, and numbers in URLs beyond any column find no page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.validators import EARLIEST_YEAR, LATEST_YEAR
from funding.models import Budget, RecomputeRun
from funding.services import budget_save
from governance import services as governance
from governance.models import Meeting
from members.models import Organisation
from tests.governance.world import steering_group

pytestmark = pytest.mark.django_db


def test_the_bounds_are_years_people_plan_with():
    assert (EARLIEST_YEAR, LATEST_YEAR) == (1900, 2200)


@pytest.mark.parametrize("starts_at", ["0001-01-01T10:00", "9999-12-31T23:59", "1899-12-31T10:00"])
def test_a_meeting_in_year_1_or_9999_is_refused_at_the_field_and_every_list_still_answers(client, personas, starts_at):
    body = steering_group(personas)
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("governance:meeting_create"),
        {"body": body.pk, "starts_at": starts_at, "place": "Bergen", "video_link": "", "notice_text": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"] == ["Starts must lie between the years 1900 and 2200."]
    assert not Meeting.objects.exists()
    client.logout()
    for name in ("governance:meeting_list", "governance:body_list", "governance:case_list"):
        assert client.get(reverse(name)).status_code == 200


def test_the_meeting_service_refuses_a_date_out_of_range_whatever_the_caller(personas):
    body = steering_group(personas)
    far_past = dt.datetime(1, 1, 1, 10, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as error:
        governance.meeting_create(body=body, starts_at=far_past, place="Bergen")
    assert "starts_at" in error.value.message_dict
    assert not Meeting.objects.exists()


def test_a_notice_dated_9999_12_31_is_refused_with_a_message_naming_the_field(client, personas):
    client.force_login(personas.secretariat)
    before = Organisation.objects.values_list("pk", "membership_status", "notice_given_on", "member_until")
    before = sorted(before)
    response = client.post(
        reverse("members:organisation_withdraw", args=[personas.own.pk]),
        {"notice_given_on": "9999-12-31", "notice_months": 6},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["notice_given_on"] == [
        "Notice received on must lie between the years 1900 and 2200."
    ]
    assert sorted(Organisation.objects.values_list("pk", "membership_status", "notice_given_on", "member_until")) == (
        before
    )


@pytest.mark.parametrize("year", [0, 99999, 99999999999])
def test_budget_years_beyond_the_bounds_find_no_page(client, personas, year):
    client.force_login(personas.secretariat)
    url = f"/funding/budget/{year}/edit/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"staff_costs": "1000"}).status_code == 404
    assert client.get(f"/funding/budget/{year}/").status_code == 404
    assert not Budget.objects.exists()


@pytest.mark.parametrize("year", [0, 99999, 99999999999])
def test_recomputing_a_year_beyond_the_bounds_finds_no_page(client, personas, year):
    client.force_login(personas.secretariat)
    assert client.post(f"/funding/recompute/{year}/").status_code == 404
    assert client.post(f"/funding/invoices/run/{year}/").status_code == 404
    assert not RecomputeRun.objects.exists()


@pytest.mark.parametrize("year", [0, 1899, 2201, 99999])
def test_the_budget_service_refuses_a_year_beyond_the_bounds(personas, year):
    with pytest.raises(ValidationError) as error:
        budget_save(year=year, staff_costs=Decimal(1000))
    assert error.value.message_dict["year"] == ["Year must be a year between 1900 and 2200."]
    assert not Budget.objects.exists()


@pytest.mark.parametrize("url", ["/portfolio/rollouts/", "/portfolio/rollouts/dashboard/", "/funding/invoices/"])
def test_nul_in_a_search_is_dropped_not_a_500(client, personas, url):
    client.force_login(personas.secretariat)
    response = client.get(url, {"q": "Mas\x00fjorden", "status": "\x00"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", ["/members/", "/portfolio/", "/governance/cases/", "/governance/meetings/", "/funding/contributions/"]
)
def test_nul_in_any_list_filter_is_dropped(client, personas, url):
    client.force_login(personas.secretariat)
    assert client.get(url + "?q=%00&kind=%00&year=%00").status_code == 200


def test_a_form_date_beyond_python_dates_is_an_ordinary_error(client, personas):
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("members:organisation_withdraw", args=[personas.own.pk]),
        {"notice_given_on": "275760-09-13", "notice_months": 6},
    )
    assert response.status_code == 200
    assert "notice_given_on" in response.context["form"].errors


def test_a_notice_before_the_membership_began_is_shown_on_the_form_not_a_500(client, personas):
    """The service names a field the form does not have (the membership's end): shown above the form."""
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("members:organisation_withdraw", args=[personas.own.pk]),
        {"notice_given_on": "1950-01-01", "notice_months": 6},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "Notice cannot be given before the membership starts." in form.errors["notice_given_on"]
    assert "The membership cannot end before it starts." in form.non_field_errors()
    personas.own.refresh_from_db()
    assert (personas.own.notice_given_on, personas.own.member_until) == (None, None)


def test_a_username_longer_than_any_user_has_is_refused_on_the_login_page(client, personas):
    """Found by the form fuzzer: the login throttle could not record the attempt and the page answered 500."""
    response = client.post(reverse("login"), {"username": "x" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["Ensure this value has at most 150 characters (it has 300)."]


@pytest.mark.parametrize("url", ["/funding/budget/", "/funding/invoices/", "/governance/cases/"])
def test_a_year_filter_of_superscript_digits_is_ignored_not_a_500(client, personas, url):
    """Found by the form fuzzer: '²' passes str.isdigit, but int() refuses it."""
    client.force_login(personas.secretariat)
    assert client.get(url, {"year": "²"}).status_code == 200
