"""Cost-sharing plans in the portal: adopted in a case, frozen, versioned, and invoiced like the yearly fee."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding.choices import InvoiceStatus, ModelStatus, SharingKey
from funding.models import Invoice
from funding.services import credit_note_issue, invoice_document_bytes, payment_register
from funding.services.sharing import (
    ParticipantInput,
    plan_invoice_preview,
    sharing_plan_adopt,
    sharing_plan_can_edit,
    sharing_plan_changes,
    sharing_plan_invoice,
    sharing_plan_new_version,
    sharing_plan_save,
)
from governance.models import Body
from governance.services import case_create
from portfolio.models import Initiative
from tests.ehf_validation import validate
from tests.factories import OrganisationFactory, PopulationFigureFactory, network_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def helgeland(personas):
    """Four municipalities sharing an initiative's project management, and the steering group's case."""
    network_profile(personas.host)
    others = [
        OrganisationFactory(name=name, number=number, buyer_reference=f"{number}-DIGI")
        for name, number in (("Leirfjord", "1822"), ("Vefsn", "1824"))
    ]
    for organisation, population in zip(others, (2300, 13400), strict=True):
        PopulationFigureFactory(organisation=organisation, count=population)
    organisations = [personas.own, personas.foreign, *others]
    initiative = Initiative.objects.create(title="Velferdsteknologi", focus_area="solutions", service_area="health")
    body = Body.objects.create(name="Styringsgruppen", kind="steering_group")
    case = case_create(body=body, title="Finansiering av velferdsteknologi", proposed_decision="Planen vedtas.")
    return personas, organisations, initiative, case


def equal_plan(initiative, organisations, amount=420000):
    return sharing_plan_save(
        initiative=initiative,
        purpose="Prosjektledelse",
        recurrence="yearly",
        first_year=2026,
        last_year=2027,
        amount=Decimal(amount),
        key=SharingKey.EQUAL,
        participants=[ParticipantInput(organisation=o) for o in organisations],
    )


def test_helgeland_shares_a_project_among_four_municipalities_and_invoices_each_share(helgeland):
    personas, organisations, initiative, case = helgeland
    plan = equal_plan(initiative, organisations)
    plan = sharing_plan_adopt(plan=plan, adopted_on=date(2026, 2, 1), adopted_in_case=case)

    assert plan.adopted_by == f"Styringsgruppen, sak {case.reference}"
    assert [p.explanation.replace("\xa0", " ") for p in plan.participants.all()] == ["1/4 av 420 000 = 105 000"] * 4

    invoices = sharing_plan_invoice(plan=plan, year=2026, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31))

    assert len(invoices) == 4 and {invoice.total for invoice in invoices} == {Decimal(105000)}
    invoice = Invoice.objects.get(organisation=personas.own, year=2026)
    assert invoice.buyer_reference == "4634-DIGI / Velferdsteknologi"
    assert invoice.lines.get().description == "Velferdsteknologi: Prosjektledelse (2026)"
    assert "1/4 av 420" in invoice.lines.get().note
    assert (invoice.period_start, invoice.period_end) == (date(2026, 1, 1), date(2026, 12, 31))
    # The same number series as the yearly fee: gapless from 1.
    assert sorted(i.number for i in invoices) == [1, 2, 3, 4]
    # Running again issues nothing new.
    with pytest.raises(ValidationError, match="nothing to invoice"):
        sharing_plan_invoice(plan=plan, year=2026, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31))
    assert len(plan_invoice_preview(plan=plan, year=2026).already_invoiced) == 4


def test_a_plan_invoice_and_its_credit_note_validate_as_ehf_with_no_fatal_rule(helgeland):
    _, organisations, initiative, _case = helgeland
    plan = sharing_plan_adopt(plan=equal_plan(initiative, organisations), adopted_on=date(2026, 2, 1), adopted_by="x")
    [invoice, *_] = sharing_plan_invoice(plan=plan, year=2026, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31))

    report = validate(invoice_document_bytes(invoice=invoice, kind="ehf"), "invoice")
    assert report.schema_errors == [] and report.fatal == []
    assert invoice_document_bytes(invoice=invoice, kind="pdf").startswith(b"%PDF")

    payment_register(invoice=invoice, amount=Decimal(50000), paid_on=date(2026, 3, 10))
    credit = credit_note_issue(invoice=invoice, reason="Feil andel", issue_date=date(2026, 3, 12))
    assert credit.plan_share_id == invoice.plan_share_id
    report = validate(invoice_document_bytes(invoice=credit, kind="ehf"), "credit_note")
    assert report.schema_errors == [] and report.fatal == []
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CREDITED
    # Credited, the share can be invoiced again.
    again = sharing_plan_invoice(plan=plan, year=2026, issue_date=date(2026, 3, 12), due_date=date(2026, 4, 12))
    assert [i.organisation for i in again] == [invoice.organisation]


def test_an_adopted_plan_is_frozen_and_a_new_version_shows_what_changed(helgeland):
    _, organisations, initiative, case = helgeland
    first = sharing_plan_adopt(
        plan=equal_plan(initiative, organisations), adopted_on=date(2026, 2, 1), adopted_in_case=case
    )
    assert not sharing_plan_can_edit(first)
    with pytest.raises(ValidationError, match="never changed"):
        sharing_plan_save(plan=first, participants=[], amount=Decimal(1))

    second = sharing_plan_new_version(plan=first)
    second = sharing_plan_save(
        plan=second,
        amount=Decimal(300000),
        participants=[ParticipantInput(organisation=o) for o in organisations[:3]],
    )
    assert second.version == 2 and second.number == first.number
    second = sharing_plan_adopt(plan=second, adopted_on=date(2026, 6, 1), adopted_by="Styringsgruppen, sak 12/26")
    first.refresh_from_db()
    assert first.status == ModelStatus.SUPERSEDED

    changes = sharing_plan_changes(second)
    assert ("amount to share", "420000.00", "300000.00") in changes.fields
    assert {(row.organisation.name, row.before, row.after) for row in changes.shares} == {
        (organisations[0].name, Decimal(105000), Decimal(100000)),
        (organisations[1].name, Decimal(105000), Decimal(100000)),
        (organisations[2].name, Decimal(105000), Decimal(100000)),
        (organisations[3].name, Decimal(105000), None),
    }


def test_a_share_invoiced_under_one_version_is_credited_before_the_next_version_invoices_it(helgeland):
    _, organisations, initiative, _case = helgeland
    first = sharing_plan_adopt(plan=equal_plan(initiative, organisations), adopted_on=date(2026, 2, 1), adopted_by="x")
    sharing_plan_invoice(plan=first, year=2026, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31))
    second = sharing_plan_adopt(
        plan=sharing_plan_save(
            plan=sharing_plan_new_version(plan=first),
            amount=Decimal(400000),
            participants=[ParticipantInput(organisation=o) for o in organisations],
        ),
        adopted_on=date(2026, 6, 1),
        adopted_by="y",
    )

    preview = plan_invoice_preview(plan=second, year=2026)
    assert preview.to_invoice == [] and len(preview.already_invoiced) == 4
    assert Invoice.objects.filter(year=2026, kind="invoice").count() == 4


def test_a_population_key_needs_figures_on_its_reference_date(helgeland):
    _, organisations, initiative, _case = helgeland
    values = {
        "initiative": initiative,
        "purpose": "Drift",
        "recurrence": "once",
        "first_year": 2026,
        "amount": Decimal(100000),
        "key": SharingKey.POPULATION,
        "participants": [ParticipantInput(organisation=o) for o in organisations],
    }
    with pytest.raises(ValidationError, match=r"No population figures per 01\.01\.2026"):
        sharing_plan_save(population_date=date(2026, 1, 1), **values)

    plan = sharing_plan_save(population_date=date(2024, 1, 1), **values)
    shares = {p.organisation.name: p.amount for p in plan.participants.all()}
    assert sum(shares.values()) == 100000
    assert plan.last_year is None and plan.years == [2026]


def test_hordaland_a_member_pays_the_yearly_fee_and_a_project_on_its_own_plan_on_separate_invoices(invoicing):
    """Digitale Hordaland / Digi Rogaland: "Enkeltprosjekter og tiltak finansieres særskilt"."""
    from funding.models import Contribution
    from funding.services import invoice_issue, invoice_preview

    personas = invoicing
    fee, _created = invoice_issue(
        contribution=Contribution.objects.get(organisation=personas.own, year=2026),
        issue_date=date(2026, 2, 1),
        due_date=date(2026, 3, 1),
    )
    plan = sharing_plan_save(
        purpose="Felles innbyggerdialog",
        recurrence="yearly",
        first_year=2026,
        last_year=2026,
        amount=Decimal(1200000),
        key=SharingKey.USAGE,
        unit="lisenser",
        participants=[
            ParticipantInput(organisation=personas.host, fixed_amount=Decimal(300000)),
            ParticipantInput(organisation=personas.own, usage=Decimal(37)),
            ParticipantInput(organisation=personas.foreign, usage=Decimal(64)),
        ],
    )
    plan = sharing_plan_adopt(plan=plan, adopted_on=date(2026, 2, 1), adopted_by="Styringsgruppen, sak 5/26")
    sharing_plan_invoice(plan=plan, year=2026, issue_date=date(2026, 2, 2), due_date=date(2026, 3, 2))

    own = Invoice.objects.filter(organisation=personas.own, year=2026).order_by("number")
    assert [(i.contribution_id is not None, i.plan_share_id is not None) for i in own] == [(True, False), (False, True)]
    project = own[1]
    assert project.total == Decimal(329703) and project.kid != fee.kid
    # One gapless series for every invoice, whatever it is for.
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    # The yearly run still sees the fee as invoiced and the other members' fees as to invoice.
    preview = invoice_preview(year=2026)
    assert [c.organisation for c in preview.already_invoiced] == [personas.own]
