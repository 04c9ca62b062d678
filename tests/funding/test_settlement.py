"""Actual costs of an initiative and the year-end settlement of its cost-sharing plan by the plan's own key."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from funding.choices import InvoiceKind, InvoiceStatus, SharingKey
from funding.models import ActualCost, Invoice, Settlement, SettlementShare
from funding.models.settlement import SettledError
from funding.services import credit_note_issue, invoice_can_credit, invoice_document_bytes, payment_register
from funding.services.settlement import actual_cost_save, actual_costs_import, plan_settle, settlement_preview
from funding.services.sharing import ParticipantInput, sharing_plan_adopt, sharing_plan_invoice, sharing_plan_save
from tests.ehf_validation import validate
from tests.funding.test_sharing_services import equal_plan, helgeland  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

ISSUED = date(2026, 3, 1)
SETTLED = date(2027, 2, 1)


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


@pytest.fixture
def invoiced(helgeland):  # noqa: F811
    """The Helgeland plan adopted and its 2026 shares invoiced: 4 x 105 000."""
    personas, organisations, initiative, case = helgeland
    plan = sharing_plan_adopt(
        plan=equal_plan(initiative, organisations), adopted_on=date(2026, 2, 1), adopted_in_case=case
    )
    sharing_plan_invoice(plan=plan, year=2026, issue_date=ISSUED, due_date=date(2026, 3, 31))
    return personas, organisations, initiative, plan


def settle(plan, year=2026):
    return plan_settle(plan=plan, year=year, issue_date=SETTLED, due_date=date(2027, 3, 3))


def test_a_cost_overrun_is_shared_by_the_same_key_with_an_extra_invoice_each(invoiced):
    personas, _organisations, initiative, plan = invoiced
    actual_cost_save(initiative=initiative, year=2026, amount=Decimal("440003.40"))

    settlement = settle(plan)

    assert (settlement.actual, settlement.invoiced, settlement.difference) == (440003, 420000, 20003)
    shares = list(settlement.shares.order_by("organisation__name"))
    assert sum(s.amount for s in shares) == Decimal(20003)
    assert sorted(s.amount for s in shares) == [5000, 5001, 5001, 5001]
    assert plain(shares[0].explanation).startswith(
        "Avregning 2026: faktiske kostnader 440 003 − fakturert 420 000 = 20 003; 1/4 av 20 003 = 5 000,75"
    )
    extra = Invoice.objects.get(settlement_share__organisation=personas.own)
    assert extra.kind == InvoiceKind.INVOICE and extra.total == extra.settlement_share.amount
    original = Invoice.objects.get(plan_share__organisation=personas.own, year=2026)
    assert f"Tillegg til faktura {original.display_number}" in extra.lines.get().note
    assert extra.buyer_reference == "4634-DIGI / Velferdsteknologi"
    report = validate(invoice_document_bytes(invoice=extra, kind="ehf"), "invoice")
    assert report.schema_errors == [] and report.fatal == []


def test_an_underspend_is_credited_in_part_on_each_plan_invoice(invoiced):
    personas, _organisations, initiative, plan = invoiced
    actual_cost_save(initiative=initiative, year=2026, amount=Decimal(400000))
    original = Invoice.objects.get(plan_share__organisation=personas.own, year=2026)
    payment_register(invoice=original, amount=Decimal(105000), paid_on=date(2026, 3, 10))

    settle(plan)

    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE, settlement_share__organisation=personas.own)
    assert credit.credited_invoice == original and credit.total == Decimal(5000)
    assert plain(credit.lines.get().note).endswith(
        f"til gode. Delvis kreditering av faktura {original.display_number} av 01.03.2026."
    )
    original.refresh_from_db()
    # Partly credited, the invoice is still the live invoice of the share (not credited in full), now overpaid.
    assert original.status == InvoiceStatus.PAID and original.outstanding == Decimal(-5000)
    assert not invoice_can_credit(original)
    report = validate(invoice_document_bytes(invoice=credit, kind="ehf"), "credit_note")
    assert report.schema_errors == [] and report.fatal == []
    assert invoice_document_bytes(invoice=credit, kind="pdf").startswith(b"%PDF")
    # An unpaid invoice partly credited is paid in full by what is left.
    other = Invoice.objects.get(plan_share__organisation=personas.foreign, year=2026)
    payment_register(invoice=other, amount=Decimal(100000), paid_on=date(2027, 2, 10))
    other.refresh_from_db()
    assert other.status == InvoiceStatus.PAID and other.outstanding == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger refuses it")
def test_a_period_is_settled_once_and_never_changed(invoiced):
    _, _, initiative, plan = invoiced
    actual_cost_save(initiative=initiative, year=2026, amount=Decimal(430000))
    settlement = settle(plan)

    with pytest.raises(ValidationError, match="settled already"):
        settle(plan)
    row = settlement.shares.first()
    row.amount += 1
    with pytest.raises(SettledError):
        row.save()
    with pytest.raises(SettledError):
        settlement.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Settlement.objects.create(
            plan=plan, plan_number=plan.number, year=2026, actual=1, invoiced=1, difference=0, settled_on=SETTLED
        )
    with pytest.raises(Exception, match="cannot be changed"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE funding_settlementshare SET amount = 0 WHERE id = %s", [row.pk])
    assert SettlementShare.objects.get(pk=row.pk).amount == row.amount - 1


def test_settlement_waits_for_the_actual_cost_and_the_invoices(helgeland):  # noqa: F811
    _personas, organisations, initiative, _case = helgeland
    plan = sharing_plan_adopt(plan=equal_plan(initiative, organisations), adopted_on=date(2026, 2, 1), adopted_by="x")
    preview = settlement_preview(plan=plan, year=2026)
    assert any("Enter the actual cost of Velferdsteknologi in 2026" in p for p in preview.problems)
    assert any("is not invoiced" in p for p in preview.problems)
    actual_cost_save(initiative=initiative, year=2026, amount=Decimal(1))
    with pytest.raises(ValidationError, match="invoice the plan before settling"):
        settle(plan)
    assert not Settlement.objects.exists() and not Invoice.objects.exists()


def test_fixed_amounts_and_exemptions_take_no_part_and_the_key_is_kept(helgeland):  # noqa: F811
    _personas, organisations, initiative, _case = helgeland
    plan = sharing_plan_save(
        initiative=initiative,
        purpose="Drift",
        recurrence="once",
        first_year=2026,
        amount=Decimal(100000),
        key=SharingKey.POPULATION,
        population_date=date(2024, 1, 1),
        participants=[
            ParticipantInput(organisation=organisations[0]),
            ParticipantInput(organisation=organisations[1]),
            ParticipantInput(organisation=organisations[2], fixed_amount=Decimal(10000)),
            ParticipantInput(organisation=organisations[3], exempt=True),
        ],
    )
    plan = sharing_plan_adopt(plan=plan, adopted_on=date(2026, 2, 1), adopted_by="x")
    sharing_plan_invoice(plan=plan, year=2026, issue_date=ISSUED, due_date=date(2026, 3, 31))
    actual_cost_save(initiative=initiative, year=2026, amount=Decimal(91000))

    settlement = settle(plan)

    by_name = {row.organisation_id: row for row in settlement.shares.all()}
    assert by_name[organisations[2].pk].amount == 0 and "fast beløp" in by_name[organisations[2].pk].explanation
    assert by_name[organisations[3].pk].amount == 0
    assert sum(row.amount for row in by_name.values()) == Decimal(-9000)
    # The two that share are credited by their inhabitants on the plan's reference date, as the plan shared.
    sharers = [by_name[organisations[0].pk], by_name[organisations[1].pk]]
    assert all("innbyggere per 01.01.2024 av 9 000" in plain(row.explanation) for row in sharers)
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 2


def test_an_extra_invoice_of_a_settlement_is_credited_like_any_invoice(invoiced):
    personas, _organisations, initiative, plan = invoiced
    actual_cost_save(initiative=initiative, year=2026, amount=Decimal(424000))
    settle(plan)
    extra = Invoice.objects.get(settlement_share__organisation=personas.own)
    credit = credit_note_issue(invoice=extra, reason="Feil", issue_date=SETTLED)
    assert credit.settlement_share_id == extra.settlement_share_id and credit.total == 1000


ACCOUNTS = "initiative;year;amount\n{id};2026;437 500,00\n{id};2027;80000\n"


def test_the_accounts_file_is_imported_the_same_whatever_its_line_endings(helgeland):  # noqa: F811
    _, _, initiative, _ = helgeland
    text = ACCOUNTS.format(id=initiative.pk)
    actual_costs_import(content=text.encode())
    first = sorted(ActualCost.objects.values_list("year", "amount"))
    actual_costs_import(content=("\ufeff" + text.replace("\n", "\r\n")).encode())
    actual_costs_import(content=text.replace("\n", "\r").encode())
    assert (
        first
        == sorted(ActualCost.objects.values_list("year", "amount"))
        == [
            (2026, Decimal("437500.00")),
            (2027, Decimal("80000.00")),
        ]
    )


def test_a_malformed_accounts_file_is_refused_whole_naming_the_line(helgeland):  # noqa: F811
    _, _, initiative, _ = helgeland
    bad = f"initiative;year;amount\n{initiative.pk};2026;437 500\n{initiative.pk};2027;åtti\n"
    with pytest.raises(ValidationError) as refused:
        actual_costs_import(content=bad.encode())
    assert refused.value.messages == ["Line 3, amount: 'åtti' is not an amount in kroner."]
    unknown = f"initiative;year;amount\n{initiative.pk};2026;1\n99999;2026;1\n"
    with pytest.raises(ValidationError, match="Line 3, initiative: there is no initiative number 99999"):
        actual_costs_import(content=unknown.encode())
    assert not ActualCost.objects.exists()
