"""Pure rules about organisations and membership (no ORM)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from members.choices import MembershipStatus


def membership_errors(
    *,
    status: str,
    invited_on: date | None,
    member_from: date | None,
    notice_given_on: date | None,
    member_until: date | None,
) -> dict[str, str]:
    """Which membership dates are missing or inconsistent for the given status, by field name."""
    errors: dict[str, str] = {}
    started = (MembershipStatus.MEMBER, MembershipStatus.NOTICE_GIVEN, MembershipStatus.WITHDRAWN)
    if status in started and member_from is None:
        errors["member_from"] = _("A member needs the date the membership started.")
    if status == MembershipStatus.INVITED and invited_on is None:
        errors["invited_on"] = _("An invited organisation needs the date of the invitation.")
    if status == MembershipStatus.NOTICE_GIVEN:
        if notice_given_on is None:
            errors["notice_given_on"] = _("Give the date the notice of withdrawal was received.")
        if member_until is None:
            errors["member_until"] = _("Give the date the membership ends after the notice period.")
    if status == MembershipStatus.WITHDRAWN and member_until is None:
        errors["member_until"] = _("A withdrawn member needs the date the membership ended.")
    if status == MembershipStatus.MEMBER and member_until is not None:
        errors["member_until"] = _("A current member without notice has no end date; choose 'notice given'.")
    if member_from and member_until and member_until < member_from:
        errors["member_until"] = _("The membership cannot end before it starts.")
    if notice_given_on and member_from and notice_given_on < member_from:
        errors["notice_given_on"] = _("Notice cannot be given before the membership starts.")
    return errors


def membership_period(*, year: int, member_from: date | None, member_until: date | None) -> tuple[date, date] | None:
    """The months of `year` charged for the membership, from the first day of the first to the last day of the
    last (the months `months_of_membership` counts), or None when the organisation is no member that year."""
    if member_from is None or not months_of_membership(year=year, member_from=member_from, member_until=member_until):
        return None
    first = max(member_from, date(year, 1, 1))
    last = min(member_until or date(year, 12, 31), date(year, 12, 31))
    end = date(year, 12, 31) if last.month == 12 else date(year, last.month + 1, 1) - timedelta(days=1)
    return date(year, first.month, 1), end


def months_of_membership(*, year: int, member_from: date | None, member_until: date | None) -> int:
    """Whole or started months of `year` the organisation is a member (0-12).

    A month counts when the membership covers any day of it: joining on 15 March counts March.
    """
    if member_from is None:
        return 0
    first = max(member_from, date(year, 1, 1))
    last = min(member_until or date(year, 12, 31), date(year, 12, 31))
    if last < first:
        return 0
    return (last.month - first.month) + 1
