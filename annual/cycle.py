"""A duty's status in its year, from whether its data shows it done, its due date and today (no database)."""

from __future__ import annotations

import datetime as dt

from annual.choices import DutyStatus


def duty_status(*, done: bool, due: dt.date, today: dt.date, remind_days: int) -> DutyStatus:
    """Done when the data says so; otherwise late after the due date, due soon within the reminder's days."""
    if done:
        return DutyStatus.DONE
    if today > due:
        return DutyStatus.LATE
    if (due - today).days <= remind_days:
        return DutyStatus.DUE
    return DutyStatus.UPCOMING


def reminder_due(*, done: bool, due: dt.date, today: dt.date, remind_days: int) -> bool:
    """Whether the reminder of a duty not done goes out today: from `remind_days` before the due date to the day."""
    return not done and 0 <= (due - today).days <= remind_days
