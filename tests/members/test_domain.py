from datetime import date

import pytest

from members.domain import months_of_membership


@pytest.mark.parametrize(
    ("member_from", "member_until", "months"),
    [
        (date(2021, 1, 1), None, 12),
        (date(2026, 7, 1), None, 6),
        (date(2026, 3, 15), None, 10),
        (date(2021, 1, 1), date(2026, 6, 30), 6),
        (date(2021, 1, 1), date(2025, 12, 31), 0),
        (date(2027, 1, 1), None, 0),
        (None, None, 0),
    ],
)
def test_months_of_membership_in_2026(member_from, member_until, months):
    assert months_of_membership(year=2026, member_from=member_from, member_until=member_until) == months
