"""core.db.save_with_history: the history row the database copies is the row django-simple-history writes."""

from datetime import UTC, date, datetime

import pytest
from django.forms.models import model_to_dict
from django.test import RequestFactory
from simple_history.models import HistoricalRecords

from core.db import save_with_history
from members.models import Organisation
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
WRITTEN_BY_EACH = {"history_id", "history_date"}


def rows(instance) -> list[dict]:
    return [
        model_to_dict(row, exclude=list(WRITTEN_BY_EACH))
        | {"history_type": row.history_type, "history_change_reason": row.history_change_reason}
        for row in instance.history.order_by("history_id")
    ]


def test_the_copied_rows_are_those_simple_history_writes():
    copied = OrganisationFactory.build(member_from=date(2021, 7, 1), buyer_reference="4634-DIGI")
    save_with_history(copied)
    copied.name, copied.member_until = "Endret kommune", date(2026, 12, 31)
    save_with_history(copied, update_fields=["name", "member_until"])
    # The same states written again through simple_history's own signal.
    copied.save()
    first, second, third = rows(copied)
    assert (first["history_type"], second["history_type"]) == ("+", "~")
    assert second == third
    assert first["name"] != second["name"] and first["member_from"] == second["member_from"] == date(2021, 7, 1)


def test_a_new_row_copied_equals_one_simple_history_wrote():
    ours = OrganisationFactory.build(name="Masfjorden kommune", email="post@masfjorden.kommune.no")
    save_with_history(ours)
    theirs = OrganisationFactory.build(name="Masfjorden kommune", email="post@masfjorden.kommune.no")
    theirs.save()
    different = {"id", "org_number", "number", "einvoice_endpoint"}  # each organisation's own
    [mine], [simple] = rows(ours), rows(theirs)
    assert {k: v for k, v in mine.items() if k not in different} == {
        k: v for k, v in simple.items() if k not in different
    }


def test_user_change_reason_and_the_switch_are_respected():
    user = UserFactory()
    request = RequestFactory().get("/")
    request.user = user
    organisation = OrganisationFactory.build()
    HistoricalRecords.context.request = request
    try:
        save_with_history(organisation)
    finally:
        del HistoricalRecords.context.request
    organisation._change_reason = "From Enhetsregisteret (enhet.json)"
    organisation.name = "Nytt namn"
    save_with_history(organisation, update_fields=["name"])
    del organisation._change_reason
    organisation._history_user = user  # as a service names who changed it
    organisation._history_date = datetime(2026, 7, 1, 12, 30, 15, 123456, tzinfo=UTC)
    save_with_history(organisation, update_fields=["name"])
    save_with_history(organisation, update_fields=[])  # Django saves nothing: no history row either
    organisation.skip_history_when_saving = True
    save_with_history(organisation, update_fields=["name"])
    history = list(organisation.history.order_by("history_id"))
    assert [(row.history_type, row.history_user_id, row.history_change_reason) for row in history] == [
        ("+", user.pk, None),
        ("~", None, "From Enhetsregisteret (enhet.json)"),
        ("~", user.pk, None),
    ]
    assert history[2].history_date == datetime(2026, 7, 1, 12, 30, 15, 123456, tzinfo=UTC)  # as given, to the µs
    assert organisation.skip_history_when_saving is True  # the caller's switch stays as it was
    assert Organisation.objects.get(pk=organisation.pk).name == "Nytt namn"


def test_with_history_switched_off_no_row_is_written(settings):
    settings.SIMPLE_HISTORY_ENABLED = False
    organisation = OrganisationFactory.build()
    save_with_history(organisation)
    assert Organisation.objects.filter(pk=organisation.pk).exists() and not organisation.history.exists()
