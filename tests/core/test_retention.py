"""Retention: the nightly purge deletes what is past its period and keeps the rest; the privacy statement states the
same periods. Dates are moved with time-machine."""

from __future__ import annotations

import datetime
import os
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse

from core import retention
from core.tasks import purge_personal_data
from tests.factories import OrganisationFactory, contribution_model

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)


def test_expired_sessions_are_deleted_and_live_ones_kept():
    with time_machine.travel(at(2026, 1, 1, 12), tick=False):
        old = SessionStore()
        old["x"] = 1
        old.create()
    with time_machine.travel(at(2026, 3, 1, 12), tick=False):
        live = SessionStore()
        live["x"] = 1
        live.create()
        assert retention.sessions_purge_expired() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_login_attempts_are_deleted_after_the_stated_days(personas, settings):
    """django-axes records every login (AccessLog: address and browser) and failed attempts (AccessAttempt)."""
    from axes.models import AccessAttempt, AccessLog
    from django.test import Client

    def login(username, password, address):
        Client().post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)

    settings.AXES_RETENTION_DAYS = 90
    with time_machine.travel(at(2026, 1, 10, 9), tick=False):
        login("oyvind", "correct-horse-battery", "10.0.0.1")
        login("kari", "wrong-password", "10.0.0.2")
    with time_machine.travel(at(2026, 4, 1, 9), tick=False):
        login("dag", "correct-horse-battery", "10.0.0.3")
    assert set(AccessLog.objects.values_list("username", flat=True)) == {"oyvind", "dag"}
    # Failed attempts past the cool-off axes drops itself at the next login; the login log it keeps for ever.
    with time_machine.travel(at(2026, 4, 11, 9), tick=False):  # more than 90 days after 10 January
        assert retention.login_attempts_purge() == 1
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["dag"]
    assert not AccessAttempt.objects.exists()


def test_mail_files_are_deleted_after_the_stated_days(settings, tmp_path):
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.MAIL_FILE_RETENTION_DAYS = 14
    old, new = tmp_path / "old.log", tmp_path / "new.log"
    old.write_text("code 123456")
    new.write_text("code 654321")
    fifteen_days_ago = time.time() - 15 * 86400
    os.utime(old, (fifteen_days_ago, fifteen_days_ago))
    assert retention.mail_files_purge() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.log"]


def test_without_a_mail_folder_nothing_is_touched(settings):
    settings.EMAIL_FILE_PATH = None
    assert retention.mail_files_purge() == 0


@pytest.mark.parametrize(
    ("today", "kept_from"),
    [
        (at(2026, 12, 2, 10), at(2021, 1, 1)),  # a change on 31 December 2020 went at the end of 2025
        (at(2026, 1, 1, 0, 5), at(2021, 1, 1)),
        (at(2025, 12, 31, 23, 55), at(2020, 1, 1)),  # ... and not a minute before
    ],
)
def test_money_history_is_kept_five_years_after_the_years_end(today, kept_from):
    assert retention.kept_from(5, today) == kept_from


def test_history_purge_keeps_money_records_five_years_and_others_the_stated_years(settings):
    settings.HISTORY_RETENTION_YEARS = 3
    with time_machine.travel(at(2020, 12, 31, 15), tick=False):
        model = contribution_model(year=2021)  # funding: money records
        organisation = OrganisationFactory(name="Masfjorden", number="4634")
    with time_machine.travel(at(2021, 6, 1, 12), tick=False):
        model.name = "Renamed"
        model.save()
        organisation.name = "Masfjorden kommune"
        organisation.save()
    money_history, other_history = type(model).history.model, type(organisation).history.model
    money_rows = money_history.objects.filter(id=model.pk).count()
    assert money_rows >= 2 and other_history.objects.filter(id=organisation.pk).count() >= 2

    with time_machine.travel(at(2023, 12, 31, 23), tick=False):  # nothing is past its period yet
        assert retention.history_purge() == {}
    assert money_history.objects.filter(id=model.pk).count() == money_rows

    with time_machine.travel(at(2024, 1, 2, 12), tick=False):  # other records: 2020's changes went at 2023's end
        retention.history_purge()
    assert money_history.objects.filter(id=model.pk).count() == money_rows
    assert list(other_history.objects.filter(id=organisation.pk).values_list("name", flat=True)) == [
        "Masfjorden kommune"
    ]

    with time_machine.travel(at(2025, 12, 31, 23), tick=False):  # 2020's money changes are kept through 2025
        retention.history_purge()
    assert money_history.objects.filter(id=model.pk).count() == money_rows
    with time_machine.travel(at(2026, 1, 1, 1), tick=False):
        deleted = retention.history_purge()
    assert deleted[money_history._meta.label] >= money_rows - 1
    assert list(money_history.objects.filter(id=model.pk).values_list("name", flat=True)) == ["Renamed"]
    model.refresh_from_db()  # the record itself stays
    assert model.name == "Renamed"


def test_the_nightly_task_is_scheduled_and_runs_every_purge():
    from network.celery import app

    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "core.tasks.purge_personal_data" in schedule
    assert set(purge_personal_data.delay().get()) == {"sessions", "login_attempts", "mail_files", "history"}


def test_the_privacy_statement_states_the_periods(client, settings):
    settings.AXES_RETENTION_DAYS = 45
    settings.HISTORY_RETENTION_YEARS = 4
    text = client.get(reverse("privacy")).content.decode()
    assert "45 days, then deleted every night" in text
    assert "5 years after the end of the year of the change (the Bookkeeping Act, bokføringsloven § 13)" in text
    assert "Other changes: 4 years after the end of the year" in text
    assert "expires after 14 days" in text


def test_the_privacy_statement_states_the_periods_in_norwegian(norwegian):
    text = norwegian.get(reverse("privacy")).content.decode()
    assert "90 dager, deretter slettet om natten" in text
    assert "5 år etter utgangen av året endringen ble gjort (bokføringsloven § 13)" in text
