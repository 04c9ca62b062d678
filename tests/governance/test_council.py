"""The council of representatives: a seat (representative and deputy) for every member organisation, kept in step
with membership: a new member gets a seat, a member that leaves loses it."""

from datetime import date

import pytest
import time_machine

from governance import services
from governance.choices import BodyKind, DecisionRule, MembershipRole
from governance.models import Body
from members.choices import MembershipStatus
from members.services import organisation_create, organisation_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(personas):
    for organisation in (personas.host, personas.own, personas.foreign):
        organisation_update(
            organisation=organisation, membership_status=MembershipStatus.MEMBER, member_from=date(2025, 1, 1)
        )
    return Body.objects.create(
        name="Representantskapet", kind=BodyKind.COUNCIL, mandate="Øverste organ", decision_rule=DecisionRule.MAJORITY
    )


def organisations_seated(body, on=None):
    return {(seat.organisation.name, seat.role) for seat in services.council_seats(body=body, on=on)}


@time_machine.travel("2026-03-01 12:00:00+01:00", tick=False)
def test_every_member_has_a_seat_with_a_representative_and_a_deputy(personas, council):
    changes = services.council_seats_sync()
    assert sorted(changes.opened) == ["Bergen", "Masfjorden", "Voss"]
    assert organisations_seated(council) == {
        (name, role)
        for name in ("Bergen", "Masfjorden", "Voss")
        for role in (MembershipRole.MEMBER, MembershipRole.SUBSTITUTE)
    }
    # Running it again changes nothing.
    assert services.council_seats_sync() == services.SeatChanges()
    assert council.memberships.count() == 6


@time_machine.travel("2026-03-01 12:00:00+01:00", tick=False)
def test_a_new_member_gets_a_seat_and_one_that_leaves_loses_it(personas, council, django_capture_on_commit_callbacks):
    services.council_seats_sync()
    with django_capture_on_commit_callbacks(execute=True):
        organisation_create(
            kind="municipality",
            name="Fedje",
            number="4633",
            membership_status=MembershipStatus.MEMBER,
            member_from=date(2026, 3, 1),
        )
    assert ("Fedje", MembershipRole.MEMBER) in organisations_seated(council)

    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(
            organisation=personas.foreign,
            membership_status=MembershipStatus.WITHDRAWN,
            member_until=date(2026, 2, 28),
        )
    seated = {name for name, _role in organisations_seated(council)}
    assert seated == {"Bergen", "Masfjorden", "Fedje"}
    # The seat is kept in the record with the end of the membership as its last day.
    assert set(council.memberships.filter(organisation=personas.foreign).values_list("term_end", flat=True)) == {
        date(2026, 2, 28)
    }
    assert {name for name, _role in organisations_seated(council, on=date(2026, 2, 1))} >= {"Voss"}


@time_machine.travel("2026-03-01 12:00:00+01:00", tick=False)
def test_a_member_that_gave_notice_keeps_its_seat_until_the_membership_ends(personas, council):
    services.council_seats_sync()
    organisation_update(
        organisation=personas.own,
        membership_status=MembershipStatus.NOTICE_GIVEN,
        notice_given_on=date(2026, 2, 1),
        member_until=date(2026, 8, 31),
    )
    services.council_seats_sync()
    assert ("Masfjorden", MembershipRole.MEMBER) in organisations_seated(council)
    assert ("Masfjorden", MembershipRole.MEMBER) not in organisations_seated(council, on=date(2026, 9, 1))


@time_machine.travel("2026-03-01 12:00:00+01:00", tick=False)
def test_the_quorum_counts_one_vote_per_member_cast_by_the_representative_or_the_deputy(personas, council):
    from governance.choices import AttendanceStatus
    from governance.models import Attendance, Meeting

    services.council_seats_sync()
    meeting = Meeting.objects.create(body=council, starts_at="2026-03-01T10:00:00+01:00", status="held")
    meeting.refresh_from_db()
    seats = {(seat.organisation.name, seat.role): seat for seat in services.council_seats(body=council)}

    def attend(name, role, status=AttendanceStatus.PRESENT):
        Attendance.objects.create(meeting=meeting, membership=seats[(name, role)], status=status)

    attend("Bergen", MembershipRole.MEMBER, AttendanceStatus.ABSENT)
    quorum = services.meeting_quorum(meeting=meeting)
    assert (quorum.votes, quorum.present, quorum.met) == (3, 0, False)
    attend("Masfjorden", MembershipRole.SUBSTITUTE)  # the deputy votes for Masfjorden
    attend("Voss", MembershipRole.MEMBER)
    attend("Voss", MembershipRole.SUBSTITUTE)  # both of Voss present: still one vote
    quorum = services.meeting_quorum(meeting=meeting)
    assert (quorum.votes, quorum.present, quorum.met) == (3, 2, True)
