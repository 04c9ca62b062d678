"""A duty's status and when its reminder goes, without a database."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from annual.choices import DutyStatus
from annual.cycle import duty_status, reminder_due
from annual.models import Duty

DUE = dt.date(2026, 10, 15)


def test_status_follows_the_data_and_the_date():
    assert duty_status(done=True, due=DUE, today=dt.date(2026, 12, 1), remind_days=14) == DutyStatus.DONE
    assert duty_status(done=False, due=DUE, today=dt.date(2026, 10, 16), remind_days=14) == DutyStatus.LATE
    assert duty_status(done=False, due=DUE, today=DUE, remind_days=14) == DutyStatus.DUE
    assert duty_status(done=False, due=DUE, today=dt.date(2026, 10, 1), remind_days=14) == DutyStatus.DUE
    assert duty_status(done=False, due=DUE, today=dt.date(2026, 9, 30), remind_days=14) == DutyStatus.UPCOMING


def test_day_31_is_the_last_day_of_a_shorter_month():
    duty = Duty(title="x", month=2, day=31)
    assert duty.due_on(2026) == dt.date(2026, 2, 28)
    assert duty.due_on(2028) == dt.date(2028, 2, 29)


@given(
    done=st.booleans(),
    today=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31)),
    remind_days=st.integers(min_value=0, max_value=120),
)
def test_a_reminder_goes_exactly_while_a_duty_not_done_is_due_soon(done, today, remind_days):
    status = duty_status(done=done, due=DUE, today=today, remind_days=remind_days)
    assert reminder_due(done=done, due=DUE, today=today, remind_days=remind_days) == (status == DutyStatus.DUE)
