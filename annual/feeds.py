"""Calendar feeds (iCalendar, RFC 5545): the bodies' meetings for everyone, and a person's own meetings and duties.

Times are written in Europe/Oslo with its VTIMEZONE, so Outlook and Google Calendar show them right on both sides of
a change to or from summer time; a duty is an all-day event on its due date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from annual.selectors import DutyRow
from governance.models import Meeting

OSLO = ZoneInfo("Europe/Oslo")
MEETING_HOURS = 2  # a meeting with no end time is shown as two hours long


def _host() -> str:
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "portal"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.NETWORK_NAME}//Nettverksportalen//NO")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Oslo")
    return calendar


def _meeting_event(meeting: Meeting, stamp: dt.datetime) -> Event:
    start = meeting.starts_at.astimezone(OSLO)
    end = (meeting.ends_at or meeting.starts_at + dt.timedelta(hours=MEETING_HOURS)).astimezone(OSLO)
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", _("Meeting: %(body)s") % {"body": meeting.body.name})
    if meeting.place:
        event.add("location", meeting.place)
    event.add("url", settings.PORTAL_BASE_URL.rstrip("/") + meeting.get_absolute_url())
    description = [meeting.get_status_display()]
    if meeting.video_link:
        description.append(meeting.video_link)
    event.add("description", "\n".join(description))
    return event


def _duty_event(row: DutyRow, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"duty-{row.duty.pk}-{row.due.year}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", row.due)
    event.add("dtend", row.due + dt.timedelta(days=1))
    event.add("summary", _("Due: %(duty)s") % {"duty": row.duty.title})
    detail = [row.status.label, row.finding.missing, row.duty.description]
    event.add("description", "\n".join(str(text) for text in detail if text))
    event.add("transp", "TRANSPARENT")
    return event


def feed(name: str, meetings: Iterable[Meeting], duties: Iterable[DutyRow] = ()) -> bytes:
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    calendar = _calendar(name)
    for meeting in meetings:
        calendar.add_component(_meeting_event(meeting, stamp))
    for row in duties:
        calendar.add_component(_duty_event(row, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()
