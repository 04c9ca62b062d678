"""Cost-sharing plan pages: the secretariat proposes and adopts; finance officers and participants see their share."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.choices import ModelStatus
from funding.models import SharingPlan
from funding.services.sharing import ParticipantInput, sharing_plan_adopt, sharing_plan_invoice, sharing_plan_save
from tests.factories import network_profile

pytestmark = pytest.mark.django_db


def form_data(personas, **changes):
    data = {
        "purpose": "Felles innbyggerdialog",
        "recurrence": "yearly",
        "first_year": "2026",
        "last_year": "2027",
        "amount": "1200000",
        "key": "usage",
        "equal_share": "0",
        "unit": "lisenser",
        "participants-TOTAL_FORMS": "3",
        "participants-INITIAL_FORMS": "0",
        "participants-0-organisation": str(personas.host.pk),
        "participants-0-fixed_amount": "300000",
        "participants-1-organisation": str(personas.own.pk),
        "participants-1-usage": "37",
        "participants-2-organisation": str(personas.foreign.pk),
        "participants-2-usage": "64",
    }
    return {**data, **changes}


def test_the_secretariat_proposes_a_plan_and_adopts_it_in_a_case(client, personas):
    client.force_login(personas.secretariat)

    response = client.post(reverse("funding:plan_create"), form_data(personas))

    plan = SharingPlan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert {p.organisation: p.amount for p in plan.participants.all()} == {
        personas.host: Decimal(300000),
        personas.own: Decimal(329703),
        personas.foreign: Decimal(570297),
    }
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "37/101 lisenser av 900" in page

    response = client.post(
        reverse("funding:plan_adopt", args=[plan.pk]), {"adopted_on": "2026-02-01", "adopted_by": "Styret, sak 4/26"}
    )
    plan.refresh_from_db()
    assert plan.status == ModelStatus.ADOPTED
    # Frozen: the edit page sends the secretariat back to the plan.
    assert client.get(reverse("funding:plan_update", args=[plan.pk])).status_code == 302


def test_a_plan_that_cannot_be_computed_is_shown_again_with_the_reason(client, personas):
    client.force_login(personas.secretariat)

    response = client.post(reverse("funding:plan_create"), form_data(personas, **{"participants-2-usage": ""}))

    assert response.status_code == 200
    assert "usage: missing" in response.content.decode()
    assert not SharingPlan.objects.exists()


@pytest.fixture
def invoiced_plan(personas):
    network_profile(personas.host)
    plan = sharing_plan_save(
        purpose="Prosjektledelse velferdsteknologi",
        recurrence="once",
        first_year=2026,
        amount=Decimal(420000),
        key="equal",
        participants=[ParticipantInput(organisation=o) for o in (personas.own, personas.foreign)],
    )
    plan = sharing_plan_adopt(plan=plan, adopted_on=date(2026, 2, 1), adopted_by="Styringsgruppen, sak 3/26")
    sharing_plan_invoice(plan=plan, year=2026, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31))
    return plan


def test_the_finance_officer_sees_the_plan_invoice_with_its_basis(client, personas, invoiced_plan):
    client.force_login(personas.finance)

    listing = client.get(reverse("funding:invoice_list")).content.decode()
    assert "Prosjektledelse velferdsteknologi" in listing

    invoice = personas.own.invoices.get()
    page = client.get(invoice.get_absolute_url()).content.decode()
    assert invoiced_plan.get_absolute_url() in page
    assert "1/2 av 420" in page


def test_a_participant_sees_the_plan_the_key_and_only_its_own_share(client, personas, invoiced_plan):
    client.force_login(personas.contact)

    page = client.get(invoiced_plan.get_absolute_url()).content.decode()

    assert "Masfjorden" in page and "Voss" not in page
    assert "Equal parts" in page
    # A contact does not see invoices; the finance officer sees the own organisation's only.
    assert f"Invoice {personas.own.invoices.get().display_number}<" not in page
    client.force_login(personas.finance)
    page = client.get(invoiced_plan.get_absolute_url()).content.decode()
    assert f"Invoice {personas.own.invoices.get().display_number}<" in page
    assert f"Invoice {personas.foreign.invoices.get().display_number}<" not in page
