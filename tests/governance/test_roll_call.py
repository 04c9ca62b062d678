"""Votes by roll call in the council: each member's vote by the representative or the deputy who sat, the totals
counted from the votes, the quorum and the body's rule checked, and the minutes showing it all."""

import io
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from governance import documents, services
from governance.choices import AttendanceStatus, BodyKind, DecisionRule, MembershipRole, Outcome, Vote
from governance.models import Attendance, Body, Decision, Meeting
from members.choices import MembershipStatus
from members.services import organisation_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(personas):
    for organisation in (personas.host, personas.own, personas.foreign):
        organisation_update(
            organisation=organisation, membership_status=MembershipStatus.MEMBER, member_from=date(2025, 1, 1)
        )
    body = Body.objects.create(
        name="Representantskapet", kind=BodyKind.COUNCIL, mandate="Øverste organ", decision_rule=DecisionRule.MAJORITY
    )
    services.council_seats_sync(today=date(2026, 3, 1))
    return body


@pytest.fixture
def held(personas, council):
    """A held council meeting: Bergen's representative, Masfjorden's deputy present; Voss absent."""
    meeting = Meeting.objects.create(body=council, starts_at="2026-03-01T10:00:00+01:00", status="held")
    meeting.refresh_from_db()
    seats = {
        (seat.organisation.name, seat.role): seat for seat in services.council_seats(body=council, on=date(2026, 3, 1))
    }
    for key, status in {
        ("Bergen", MembershipRole.MEMBER): AttendanceStatus.PRESENT,
        ("Masfjorden", MembershipRole.MEMBER): AttendanceStatus.EXCUSED,
        ("Masfjorden", MembershipRole.SUBSTITUTE): AttendanceStatus.PRESENT,
        ("Voss", MembershipRole.MEMBER): AttendanceStatus.ABSENT,
    }.items():
        Attendance.objects.create(meeting=meeting, membership=seats[key], status=status)
    case = services.case_create(
        body=council, title="Budsjett 2027", proposed_decision="Budsjettet vedtas.", meeting=meeting
    )
    return meeting, case, seats


@time_machine.travel("2026-03-01 15:00:00+01:00", tick=False)
def test_each_vote_is_kept_with_who_sat_and_the_totals_are_counted(personas, held):
    _meeting, case, seats = held
    votes = {personas.host.pk: Vote.FOR, personas.own.pk: Vote.AGAINST, personas.foreign.pk: Vote.ABSENT}
    decision = services.decision_record_roll_call(
        case=case,
        outcome=Outcome.ADOPTED,
        text="Vedtatt.",
        votes={
            personas.host.pk: Vote.FOR,
            personas.own.pk: Vote.ABSTAIN,
            personas.foreign.pk: Vote.ABSENT,
        },
    )
    assert decision.by_roll_call
    assert (decision.votes_for, decision.votes_against, decision.abstentions) == (1, 0, 1)
    assert not decision.unanimous
    cast = {
        vote.organisation.name: (vote.vote, vote.seat) for vote in decision.roll_call.select_related("organisation")
    }
    assert cast == {
        "Bergen": (Vote.FOR, seats[("Bergen", MembershipRole.MEMBER)]),
        "Masfjorden": (Vote.ABSTAIN, seats[("Masfjorden", MembershipRole.SUBSTITUTE)]),  # the deputy sat
        "Voss": (Vote.ABSENT, None),
    }
    # Recording again replaces the votes; the totals follow them.
    decision = services.decision_record_roll_call(
        case=case, outcome=Outcome.REJECTED, text="Ikke vedtatt.", votes=votes
    )
    assert (decision.votes_for, decision.votes_against, decision.abstentions) == (1, 1, 0)
    assert decision.roll_call.count() == 3


@time_machine.travel("2026-03-01 15:00:00+01:00", tick=False)
def test_only_members_who_sat_vote_and_every_seat_is_accounted_for(personas, held):
    _meeting, case, _seats = held
    with pytest.raises(ValidationError, match="Nobody sat for Voss"):
        services.decision_record_roll_call(
            case=case,
            outcome=Outcome.ADOPTED,
            text="x",
            votes={
                personas.host.pk: Vote.FOR,
                personas.own.pk: Vote.FOR,
                personas.foreign.pk: Vote.FOR,
            },
        )
    with pytest.raises(ValidationError, match="Give the vote of Voss"):
        services.decision_record_roll_call(
            case=case,
            outcome=Outcome.ADOPTED,
            text="x",
            votes={
                personas.host.pk: Vote.FOR,
                personas.own.pk: Vote.FOR,
            },
        )
    from members.services import organisation_create

    stranger = organisation_create(kind="municipality", name="Fedje", number="4633")
    with pytest.raises(ValidationError, match="Only members with a seat"):
        services.decision_record_roll_call(
            case=case,
            outcome=Outcome.ADOPTED,
            text="x",
            votes={
                personas.host.pk: Vote.FOR,
                personas.own.pk: Vote.FOR,
                personas.foreign.pk: Vote.ABSENT,
                stranger.pk: Vote.FOR,
            },
        )
    assert not Decision.objects.filter(case=case).exists()


@time_machine.travel("2026-03-01 15:00:00+01:00", tick=False)
def test_the_outcome_must_follow_from_the_votes_and_the_meeting_must_be_quorate(personas, held):
    meeting, case, seats = held
    votes = {personas.host.pk: Vote.FOR, personas.own.pk: Vote.AGAINST, personas.foreign.pk: Vote.ABSENT}
    with pytest.raises(ValidationError, match="do not carry"):
        services.decision_record_roll_call(case=case, outcome=Outcome.ADOPTED, text="x", votes=votes)
    # Under a two-thirds rule two for and one against carry it; one for and one against do not.
    Attendance.objects.filter(meeting=meeting, membership=seats[("Masfjorden", MembershipRole.SUBSTITUTE)]).update(
        status=AttendanceStatus.ABSENT
    )
    with pytest.raises(ValidationError, match="not quorate"):
        services.decision_record_roll_call(
            case=case,
            outcome=Outcome.REJECTED,
            text="x",
            votes={
                personas.host.pk: Vote.AGAINST,
                personas.own.pk: Vote.ABSENT,
                personas.foreign.pk: Vote.ABSENT,
            },
        )


def test_two_thirds_of_the_votes_cast_carry_a_qualified_decision():
    assert services.vote_passes(rule=DecisionRule.QUALIFIED, votes_for=2, votes_against=1)
    assert not services.vote_passes(rule=DecisionRule.QUALIFIED, votes_for=3, votes_against=2)
    assert services.vote_passes(rule=DecisionRule.MAJORITY, votes_for=3, votes_against=2)
    assert not services.vote_passes(rule=DecisionRule.MAJORITY, votes_for=2, votes_against=2)


@time_machine.travel("2026-03-01 15:00:00+01:00", tick=False)
def test_the_minutes_show_each_members_vote_and_the_totals(personas, held):
    meeting, case, _seats = held
    services.decision_record_roll_call(
        case=case,
        outcome=Outcome.ADOPTED,
        text="Vedtatt.",
        votes={
            personas.host.pk: Vote.FOR,
            personas.own.pk: Vote.ABSTAIN,
            personas.foreign.pk: Vote.ABSENT,
        },
    )
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(documents.minutes_pdf(meeting, public=False).data)).pages
    )
    flat = " ".join(text.split())
    assert "Vararepresentant for Masfjorden" in flat
    assert "For: 1" in flat and "Avstod: 1" in flat and "Fraværende: 1" in flat


@time_machine.travel("2026-03-01 15:00:00+01:00", tick=False)
def test_the_secretariat_records_a_roll_call_on_its_page(client, personas, held):
    from django.urls import reverse

    meeting, case, _seats = held
    client.force_login(personas.secretariat)
    url = reverse("governance:decision_roll_call", kwargs={"pk": case.pk})
    page = client.get(url).content.decode()
    assert "2 of 3 members present" in page
    assert "Voss (nobody present)" in page
    data = {
        "outcome": Outcome.ADOPTED,
        "text": "Vedtatt.",
        f"member_{personas.host.pk}": Vote.FOR,
        f"member_{personas.own.pk}": Vote.FOR,
        f"member_{personas.foreign.pk}": Vote.FOR,
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Nobody sat for Voss" in refused.content.decode()
    assert not Decision.objects.filter(case=case).exists()
    assert client.post(url, {**data, f"member_{personas.foreign.pk}": Vote.ABSENT}).status_code == 302
    assert Decision.objects.get(case=case).votes_for == 2
    assert "By roll call" in client.get(meeting.get_absolute_url()).content.decode()
