"""Calendar feeds: parsed back with the icalendar library, with meeting times in Europe/Oslo on both sides of the
change to summer time (29 March 2026), a private address per person that can be revoked."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from annual import services
from annual.choices import Check, OwnerRole
from governance import services as governance
from tests.governance.world import steering_group

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


@pytest.fixture
def meetings(personas):
    body = steering_group(personas)
    winter = governance.meeting_create(
        body=body, starts_at=oslo(2026, 3, 26, 10), ends_at=oslo(2026, 3, 26, 13), place="Bergen rådhus"
    )
    summer = governance.meeting_create(body=body, starts_at=oslo(2026, 4, 2, 10))
    return body, winter, summer


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_public_feed_gives_meeting_times_in_oslo_across_the_change_to_summer_time(client, meetings):
    _body, winter, summer = meetings
    calendar = parse(client.get(reverse("annual:public_feed")))
    assert calendar["version"] == "2.0" and calendar["prodid"]
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    found = events(calendar)
    first = found[next(uid for uid in found if uid.startswith(f"meeting-{winter.pk}@"))]
    second = found[next(uid for uid in found if uid.startswith(f"meeting-{summer.pk}@"))]
    start = first.decoded("dtstart")
    assert start.tzinfo.key == "Europe/Oslo" and (start.hour, start.utcoffset()) == (10, dt.timedelta(hours=1))
    assert first.decoded("dtend").hour == 13
    assert first["dtstart"].params["TZID"] == "Europe/Oslo"
    assert start.astimezone(dt.UTC).hour == 9
    later = second.decoded("dtstart")
    assert (later.hour, later.utcoffset()) == (10, dt.timedelta(hours=2))
    assert later.astimezone(dt.UTC).hour == 8
    assert second.decoded("dtend") - later == dt.timedelta(hours=2)
    assert str(first["summary"]) == "Meeting: Styringsgruppen" and str(first["location"]) == "Bergen rådhus"
    assert str(first["url"]).endswith(winter.get_absolute_url())


def test_a_private_feed_has_the_persons_meetings_and_duties_and_can_be_revoked(client, personas, meetings, duty):
    duty(Check.AGREEMENTS, owner=OwnerRole.DIRECTOR, title="Avtaler signert", month=12, day=31)
    duty(Check.DEFLATOR, owner=OwnerRole.SECRETARIAT, title="Deflator")
    feed = services.calendar_feed_get(user=personas.director)
    calendar = parse(client.get(feed.get_absolute_url()))
    found = events(calendar)
    summaries = sorted(str(event["summary"]) for event in found.values())
    year = timezone.localdate().year
    assert summaries == sorted(
        ["Meeting: Styringsgruppen", "Meeting: Styringsgruppen", "Due: Avtaler signert", "Due: Avtaler signert"]
    )
    due = [event for event in found.values() if str(event["summary"]).startswith("Due")]
    assert sorted(event.decoded("dtstart") for event in due) == [dt.date(year, 12, 31), dt.date(year + 1, 12, 31)]
    # The outsider sits in no body: no meetings; the secretariat sees the secretariat's duties.
    outsider = parse(client.get(services.calendar_feed_get(user=personas.outsider).get_absolute_url()))
    assert [str(e["summary"]) for e in outsider.walk("VEVENT")] == ["Due: Avtaler signert", "Due: Avtaler signert"]
    secretariat = parse(client.get(services.calendar_feed_get(user=personas.secretariat).get_absolute_url()))
    assert {str(e["summary"]) for e in secretariat.walk("VEVENT")} == {"Due: Deflator"}
    old = feed.get_absolute_url()
    renewed = services.calendar_feed_renew(user=personas.director)
    assert client.get(old).status_code == 404
    assert client.get(renewed.get_absolute_url()).status_code == 200
    assert client.get(reverse("annual:private_feed", kwargs={"token": "guess"})).status_code == 404


def test_the_calendar_page_makes_and_renews_the_address(client, personas):
    client.force_login(personas.finance)
    page = client.get(reverse("annual:calendar")).content.decode()
    assert reverse("annual:public_feed") in page and "private-feed" not in page
    client.post(reverse("annual:calendar"), {"create": "1"})
    first = personas.finance.calendar_feed.token
    assert first in client.get(reverse("annual:calendar")).content.decode()
    client.post(reverse("annual:calendar"), {"renew": "1"})
    personas.finance.calendar_feed.refresh_from_db()
    assert personas.finance.calendar_feed.token != first
