"""The annual cycle reads its status from the data, shows what is late on the secretariat's start page, and
reminds each duty's owners once ahead of it."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from annual import selectors, services
from annual.choices import Check, DutyStatus, OwnerRole
from annual.models import DutyReminder
from tests.annual.conftest import deflator

pytestmark = pytest.mark.django_db

OSLO_MORNING = "{} 07:15:00+01:00"


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the daily reminders as beat does, with the mails sent as their transaction commits."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return services.duty_reminders_send()

    return run


def row_of(duty, year, today):
    return next(row for row in selectors.cycle(user=None, year=year, today=today) if row.duty == duty)


def test_a_duty_turns_done_when_its_data_is_there_and_never_by_a_tick(personas, duty):
    deflator_duty = duty(Check.DEFLATOR)
    late = row_of(deflator_duty, 2026, dt.date(2026, 11, 1))
    assert late.status == DutyStatus.LATE
    assert late.finding.missing == "No deflator for 2027"
    assert late.finding.url == reverse("funding:deflator_set")
    deflator(2027)
    assert row_of(deflator_duty, 2026, dt.date(2026, 11, 1)).status == DutyStatus.DONE


def test_population_figures_must_be_there_for_every_member(personas, duty):
    from members.models import PopulationFigure

    population = duty(Check.POPULATION, month=3, day=31)
    assert "No population figures per 01.01.2026" in row_of(population, 2026, dt.date(2026, 4, 1)).finding.missing
    PopulationFigure.objects.create(
        organisation=personas.own, reference_date=dt.date(2026, 1, 1), count=1700, source="SSB"
    )
    row = row_of(population, 2026, dt.date(2026, 4, 1))
    assert row.status == DutyStatus.LATE
    assert "Masfjorden" not in row.finding.missing and "Voss" in row.finding.missing


def test_the_model_and_the_budget_of_next_year(personas, duty):
    from decimal import Decimal

    from funding.services import budget_save
    from tests.factories import contribution_model

    model, budget = duty(Check.MODEL, month=10, day=31), duty(Check.BUDGET, month=12, day=20)
    today = dt.date(2026, 12, 10)
    assert row_of(model, 2026, today).status == DutyStatus.LATE
    assert row_of(budget, 2026, today).status == DutyStatus.DUE
    contribution_model(year=2027)
    budget_save(year=2027, staff_costs=Decimal(1000000))
    assert row_of(model, 2026, today).status == DutyStatus.DONE
    assert row_of(budget, 2026, today).status == DutyStatus.DONE


def test_late_duties_are_on_the_secretariats_start_page_only(client, personas, duty):
    duty(Check.DEFLATOR, title="Deflator for neste år")
    with time_machine.travel("2026-11-02 10:00:00+01:00", tick=False):
        client.force_login(personas.secretariat)
        page = client.get(reverse("dashboard")).content.decode()
        assert "Late in the annual cycle" in page and "Deflator for neste år" in page
        assert "No deflator for 2027" in page
        client.force_login(personas.director)
        assert "Deflator for neste år" not in client.get(reverse("dashboard")).content.decode()
        deflator(2027)
        client.force_login(personas.secretariat)
        assert "Deflator for neste år" not in client.get(reverse("dashboard")).content.decode()


def test_the_cycle_page_shows_each_duty_with_its_status_and_what_is_missing(client, personas, duty):
    duty(Check.DEFLATOR, title="Deflator for neste år")
    duty(Check.ACTUALS, title="Faktiske tall", month=2, day=28)
    client.force_login(personas.secretariat)
    with time_machine.travel("2026-11-02 10:00:00+01:00", tick=False):
        page = client.get(reverse("annual:cycle")).content.decode()
    assert "Annual cycle 2026" in page
    assert "duty-late" in page and "No deflator for 2027" in page
    assert "No actual figures for 2025" in page
    assert f'href="{reverse("annual:actuals", kwargs={"year": 2025})}"' in page


def test_reminders_go_to_the_owner_role_ahead_of_the_duty_once(personas, duty, mailoutbox, time_machine, remind):
    deflator_duty = duty(Check.DEFLATOR, remind_days=14)  # due 15 October
    directors = duty(Check.AGREEMENTS, owner=OwnerRole.DIRECTOR, month=10, day=20, remind_days=7)
    time_machine.move_to(OSLO_MORNING.format("2026-09-30"), tick=False)
    assert remind() == 0
    time_machine.move_to(OSLO_MORNING.format("2026-10-01"), tick=False)
    assert remind() == 1
    assert [m.to for m in mailoutbox] == [[personas.secretariat.email]]
    assert "Duty deflator" in mailoutbox[0].subject and "No deflator for 2027" in mailoutbox[0].body
    for day in ("2026-10-01", "2026-10-02", "2026-10-10"):
        time_machine.move_to(OSLO_MORNING.format(day), tick=False)
        remind()
    assert len(mailoutbox) == 1
    # The agreement duty is done (no invitation waits), so its owners are not bothered.
    time_machine.move_to(OSLO_MORNING.format("2026-10-14"), tick=False)
    remind()
    assert not DutyReminder.objects.filter(duty=directors).exists()
    assert len(mailoutbox) == 1
    assert DutyReminder.objects.get(duty=deflator_duty).year == 2026


def test_a_duty_done_before_its_reminder_sends_nothing_and_late_duties_are_not_reminded(
    personas, duty, mailoutbox, remind
):
    duty(Check.DEFLATOR, remind_days=14)
    deflator(2027)
    with time_machine.travel(OSLO_MORNING.format("2026-10-05"), tick=False):
        assert remind() == 0
    duty(Check.MODEL, month=9, day=30, remind_days=14)
    with time_machine.travel(OSLO_MORNING.format("2026-10-05"), tick=False):
        assert remind() == 0
    assert mailoutbox == []


def test_a_reminder_for_directors_goes_to_every_director_of_a_member(personas, duty, mailoutbox, remind):
    from members.choices import AgreementStatus
    from members.models import Agreement, AgreementTemplate

    template = AgreementTemplate.objects.create(title="Avtale", period_start=dt.date(2025, 1, 1), body="§ 1")
    Agreement.objects.create(
        template=template,
        organisation=personas.own,
        status=AgreementStatus.INVITED,
        document_sha256="0" * 64,
        expires_on=dt.date(2026, 12, 15),
    )
    duty(Check.AGREEMENTS, owner=OwnerRole.DIRECTOR, month=12, day=31, remind_days=30)
    with time_machine.travel(OSLO_MORNING.format("2026-12-02"), tick=False):
        assert remind() == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([personas.director.email, personas.outsider.email])
    assert "Masfjorden" in mailoutbox[0].body
