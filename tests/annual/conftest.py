import datetime as dt
from decimal import Decimal

import pytest

from annual.choices import Check, OwnerRole
from annual.models import Duty


@pytest.fixture
def duty(db):
    def make(done_when=Check.DEFLATOR, *, month=10, day=15, owner=OwnerRole.SECRETARIAT, remind_days=14, **fields):
        return Duty.objects.create(
            title=fields.pop("title", f"Duty {done_when}"),
            month=month,
            day=day,
            owner=owner,
            done_when=done_when,
            remind_days=remind_days,
            **fields,
        )

    return make


def deflator(year: int) -> None:
    from funding.services import deflator_set

    deflator_set(year=year, rate=Decimal("0.035"), source="Statsbudsjettet")


DATE = dt.date
