"""Settlement pages: the secretariat enters or imports actual costs and settles a year; each participant sees its own
settlement on the plan page, and the finance officer finds the document among the organisation's invoices."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import ActualCost, Invoice, Settlement
from funding.services.sharing import sharing_plan_adopt, sharing_plan_invoice
from tests.funding.test_sharing_services import equal_plan, helgeland  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(helgeland):  # noqa: F811
    _personas, organisations, initiative, case = helgeland
    adopted = sharing_plan_adopt(
        plan=equal_plan(initiative, organisations), adopted_on=date(2026, 2, 1), adopted_in_case=case
    )
    sharing_plan_invoice(plan=adopted, year=2026, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31))
    return adopted


def test_the_secretariat_enters_the_actual_cost_and_settles_the_year(client, personas, plan):
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("funding:plan_actuals", args=[plan.pk]), {"year": "2026", "amount": "437500", "note": "Hovedbok"}
    )
    assert response.status_code == 302
    assert ActualCost.objects.get().amount == 437500
    page = client.get(reverse("funding:plan_settle", args=[plan.pk]) + "?year=2026").content.decode()
    assert "1/4 av 17" in page and "Extra invoice" in page

    response = client.post(
        reverse("funding:plan_settle", args=[plan.pk]),
        {"year": "2026", "issue_date": "2027-02-01", "due_date": "2027-03-03"},
    )

    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert Settlement.objects.get().difference == 17500
    assert Invoice.objects.filter(settlement_share__isnull=False).count() == 4
    # Once: the page says so and a second post settles nothing.
    response = client.post(
        reverse("funding:plan_settle", args=[plan.pk]),
        {"year": "2026", "issue_date": "2027-02-02", "due_date": "2027-03-03"},
    )
    assert response.status_code == 200 and "2026 is settled already" in response.content.decode()
    assert Invoice.objects.filter(settlement_share__isnull=False).count() == 4


def test_each_participant_sees_its_own_settlement_and_the_finance_officer_its_invoice(client, personas, plan):
    from funding.services.settlement import actual_cost_save, plan_settle

    actual_cost_save(initiative=plan.initiative, year=2026, amount=437500)
    plan_settle(plan=plan, year=2026, issue_date=date(2027, 2, 1), due_date=date(2027, 3, 3))
    own_extra = Invoice.objects.get(settlement_share__organisation=personas.own)
    foreign_extra = Invoice.objects.get(settlement_share__organisation=personas.foreign)

    client.force_login(personas.finance)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Your settlement" in page and "437" in page
    assert own_extra.get_absolute_url() in page and foreign_extra.get_absolute_url() not in page
    assert personas.foreign.name not in page.split('id="plan-settlements"')[1].split("</table>")[0]
    invoices = client.get(reverse("funding:invoice_list")).content.decode()
    assert own_extra.get_absolute_url() in invoices and "Settlement 2026" in invoices
    assert foreign_extra.get_absolute_url() not in invoices

    client.force_login(personas.contact)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Your settlement" in page and "1/4 av 17" in page.replace("\xa0", " ")


def test_a_bad_accounts_file_is_refused_whole_naming_the_line(client, personas, plan):
    client.force_login(personas.secretariat)
    content = f"initiative;year;amount\r\n{plan.initiative_id};2026;437 500\r\n{plan.initiative_id};2027;mye\r\n"
    response = client.post(
        reverse("funding:actual_costs_import"), {"file": SimpleUploadedFile("regnskap.csv", content.encode())}
    )
    assert response.status_code == 200
    assert "Line 3, amount: &#x27;mye&#x27; is not an amount in kroner." in response.content.decode()
    assert not ActualCost.objects.exists()

    good = content.replace("mye", "80 000,50")
    response = client.post(
        reverse("funding:actual_costs_import"), {"file": SimpleUploadedFile("regnskap.csv", good.encode())}
    )
    assert response.status_code == 302
    assert sorted(ActualCost.objects.values_list("year", "amount")) == [(2026, 437500), (2027, 80000.50)]
