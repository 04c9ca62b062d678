"""The money year as users met it beside the tested paths: outstanding after credits, stale contributions,
the invoiced period, reminders, issue dates in number order, and the links between contribution and invoice."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from funding import scenarios
from funding.models import Contribution, ContributionModel, Invoice, InvoiceRun, NumberSeries, Reminder
from funding.services import (
    RecomputeBlocked,
    contribution_model_copy,
    contributions_out_of_date,
    contributions_recompute,
    credit_note_issue,
    deflator_set,
    invoice_can_remind,
    invoice_document_bytes,
    invoice_issue,
    invoice_preview,
    invoice_run_execute,
    invoice_run_start,
    payment_register,
    reminder_send,
)
from members.domain import membership_period, months_of_membership
from members.models import Organisation
from members.services import organisation_update, population_figure_record
from tests.factories import OrganisationFactory, PopulationFigureFactory, contribution_model

pytestmark = pytest.mark.django_db
ISSUE, DUE = date(2026, 11, 23), date(2026, 12, 23)


def run(year=2026, issue_date=ISSUE, due_date=DUE):
    return invoice_run_execute(run_id=InvoiceRun.objects.create(year=year, issue_date=issue_date, due_date=due_date).pk)


def own_invoice(personas) -> Invoice:
    return Invoice.objects.get(organisation=personas.own, kind="invoice")


# ------------------------------------------------------------------------------------------------
# Outstanding = amount − payments − credits, on every page and in the yearly totals


def test_a_fully_credited_invoice_owes_nothing_on_its_page_and_in_the_year(client, invoicing):
    run()
    invoice = own_invoice(invoicing)
    credit = credit_note_issue(invoice=invoice, reason="Feil folketall", issue_date=date(2026, 11, 30))
    client.force_login(invoicing.secretariat)
    page = client.get(reverse("funding:invoice_detail", kwargs={"pk": invoice.pk}))
    assert (page.context["credited"], page.context["outstanding"]) == (Decimal(133820), Decimal(0))
    assert 'Outstanding</th><td class="text-end amount fw-bold">NOK\xa00.00' in page.content.decode()
    totals = client.get(reverse("funding:invoice_list")).context["totals"]
    foreign_total = Invoice.objects.get(organisation=invoicing.foreign, kind="invoice").total
    assert totals == [
        {
            "year": 2026,
            "invoiced": Decimal(133820) + foreign_total,
            "credited": Decimal(133820),
            "paid": Decimal(0),
            "outstanding": foreign_total,
            "overpaid": Decimal(0),
        }
    ]
    assert credit.outstanding is None


def test_a_paid_then_credited_invoice_shows_the_overpayment(client, invoicing):
    run()
    invoice = own_invoice(invoicing)
    payment_register(invoice=invoice, amount=Decimal(100000), paid_on=date(2026, 11, 25))
    credit_note_issue(invoice=invoice, reason="Feil folketall", issue_date=date(2026, 11, 30))
    client.force_login(invoicing.secretariat)
    page = client.get(reverse("funding:invoice_detail", kwargs={"pk": invoice.pk}))
    assert (page.context["outstanding"], page.context["overpaid"]) == (Decimal(-100000), Decimal(100000))
    assert 'Overpaid</th><td class="text-end amount fw-bold">NOK\xa0100,000.00' in page.content.decode()
    year = client.get(reverse("funding:invoice_list")).context["totals"][0]
    assert (year["paid"], year["overpaid"]) == (Decimal(100000), Decimal(100000))


def test_the_credit_note_page_reads_as_a_credit_note(client, invoicing, settings, tmp_path):
    settings.LANGUAGE_CODE = "nb"
    run()
    credit = credit_note_issue(invoice=own_invoice(invoicing), reason="Feil", issue_date=date(2026, 11, 30))
    client.force_login(invoicing.secretariat)
    html = client.get(reverse("funding:invoice_detail", kwargs={"pk": credit.pk})).content.decode()
    assert "Kreditnotadato" in html and "Fakturadato" not in html
    assert 'Kreditert beløp</th><td class="text-end amount fw-bold">−kr\xa0133\xa0820,00' in html
    pdf = tmp_path / "k.pdf"
    pdf.write_bytes(invoice_document_bytes(invoice=credit, kind="pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Kreditnotadato" in text and "Fakturadato" not in text


# ------------------------------------------------------------------------------------------------
# Every change that affects a contribution recomputes it; a run refuses contributions that are out of date


@pytest.fixture
def fedje(invoicing):
    """Fedje, invited, with its population figure: not yet a member of 2026."""
    organisation = OrganisationFactory(
        name="Fedje", number="4633", membership_status="invited", invited_on=date(2026, 3, 1), member_from=None
    )
    PopulationFigureFactory(organisation=organisation, reference_date=date(2024, 1, 1), count=562)
    return organisation


def test_a_new_member_from_july_is_recomputed_with_six_months(invoicing, fedje, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(organisation=fedje, membership_status="member", member_from=date(2026, 7, 1))
    contribution = Contribution.objects.get(organisation=fedje, year=2026)
    assert contribution.months == 6
    assert contributions_out_of_date(year=2026) == []
    assert invoice_preview(year=2026).can_issue


def test_ending_a_membership_recomputes_the_year(invoicing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(
            organisation=invoicing.foreign,
            membership_status="withdrawn",
            member_until=date(2026, 3, 31),
        )
    assert Contribution.objects.get(organisation=invoicing.foreign, year=2026).months == 3


def test_a_run_refuses_while_a_contribution_of_its_year_is_out_of_date_and_names_the_member(
    invoicing, fedje, django_capture_on_commit_callbacks
):
    # The recompute has not run yet (queued, or the queue is down): the stored state says the year is stale.
    with django_capture_on_commit_callbacks(execute=False):
        organisation_update(organisation=fedje, membership_status="member", member_from=date(2026, 7, 1))
    assert contributions_out_of_date(year=2026) == ["Fedje"]
    preview = invoice_preview(year=2026)
    assert not preview.can_issue and "Fedje" in preview.stale_message
    with pytest.raises(ValidationError, match="out of date for Fedje"):
        invoice_run_start(year=2026, issue_date=ISSUE, due_date=DUE)
    assert InvoiceRun.objects.count() == 0
    # A run started before the change does not invoice the stale year either.
    queued = InvoiceRun.objects.create(year=2026, issue_date=ISSUE, due_date=DUE)
    finished = invoice_run_execute(run_id=queued.pk)
    assert finished.status == "failed" and "Fedje" in finished.error
    assert Invoice.objects.count() == 0


def test_a_changed_population_figure_makes_the_year_stale_until_recomputed(
    invoicing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        population_figure_record(organisation=invoicing.own, reference_date=date(2024, 1, 1), count=1700, source="SSB")
    assert contributions_out_of_date(year=2026) == ["Masfjorden"]
    contributions_recompute(year=2026)
    assert contributions_out_of_date(year=2026) == []


def test_an_invoiced_contribution_is_frozen_and_never_out_of_date(invoicing):
    run()
    population_figure_record(organisation=invoicing.own, reference_date=date(2024, 1, 1), count=1700, source="SSB")
    assert contributions_out_of_date(year=2026) == []
    report = contributions_recompute(year=2026)
    assert [row["organisation"] for row in report["frozen_differences"]] == ["Masfjorden"]


def test_a_year_without_population_figures_for_a_member_cannot_be_invoiced(
    invoicing, django_capture_on_commit_callbacks
):
    late = OrganisationFactory(name="Modalen", number="4629")
    preview = invoice_preview(year=2026)
    assert not preview.can_issue and "Modalen" in preview.stale_message
    with pytest.raises(ValidationError, match="no population figure"):
        invoice_run_start(year=2026, issue_date=ISSUE, due_date=DUE)
    assert late.pk


# ------------------------------------------------------------------------------------------------
# The invoice period is the months charged


def test_the_invoice_period_is_the_months_charged_on_page_pdf_and_ehf(
    client, invoicing, fedje, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(organisation=fedje, membership_status="member", member_from=date(2026, 7, 1))
    run()
    invoice = Invoice.objects.get(organisation=fedje, kind="invoice")
    assert (invoice.period_start, invoice.period_end) == (date(2026, 7, 1), date(2026, 12, 31))
    client.force_login(invoicing.secretariat)
    assert "01.07.2026–31.12.2026" in client.get(invoice.get_absolute_url()).content.decode()
    ehf = invoice_document_bytes(invoice=invoice, kind="ehf")
    assert b"<cac:InvoicePeriod><cbc:StartDate>2026-07-01</cbc:StartDate><cbc:EndDate>2026-12-31</cbc:EndDate>" in (
        b"".join(line.strip() for line in ehf.splitlines())
    )
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(invoice_document_bytes(invoice=invoice, kind="pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "01.07.2026–31.12.2026" in text
    # A whole-year member is still invoiced for the whole year.
    whole = own_invoice(invoicing)
    assert (whole.period_start, whole.period_end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_a_member_leaving_mid_march_is_invoiced_january_to_march(invoicing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(
            organisation=invoicing.foreign, membership_status="withdrawn", member_until=date(2026, 3, 15)
        )
    run()
    invoice = Invoice.objects.get(organisation=invoicing.foreign, kind="invoice")
    assert (invoice.period_start, invoice.period_end) == (date(2026, 1, 1), date(2026, 3, 31))


def test_an_invoice_is_not_issued_when_the_months_no_longer_match_the_membership(invoicing, fedje):
    contribution = Contribution.objects.get(organisation=invoicing.foreign)
    Organisation.objects.filter(pk=invoicing.foreign.pk).update(
        membership_status="withdrawn", member_until=date(2026, 6, 30)
    )
    with pytest.raises(ValidationError, match="counts 12 months, but the membership covers 6"):
        invoice_issue(contribution=contribution, issue_date=ISSUE, due_date=DUE)
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize(
    ("member_from", "member_until", "expected"),
    [
        (date(2026, 7, 1), None, (date(2026, 7, 1), date(2026, 12, 31))),
        (date(2026, 3, 15), None, (date(2026, 3, 1), date(2026, 12, 31))),
        (date(2020, 1, 1), date(2026, 2, 10), (date(2026, 1, 1), date(2026, 2, 28))),
        (date(2020, 1, 1), None, (date(2026, 1, 1), date(2026, 12, 31))),
        (date(2027, 1, 1), None, None),
        (date(2020, 1, 1), date(2025, 12, 31), None),
    ],
)
def test_membership_period_counts_the_same_months_as_the_contribution(member_from, member_until, expected):
    period = membership_period(year=2026, member_from=member_from, member_until=member_until)
    assert period == expected
    months = months_of_membership(year=2026, member_from=member_from, member_until=member_until)
    assert months == (0 if period is None else period[1].month - period[0].month + 1)


# ------------------------------------------------------------------------------------------------
# Reminders only for overdue invoices, never with a due date before today + the period or the original


def test_a_reminder_before_the_due_date_is_refused_and_not_offered(client, invoicing, time_machine):
    run(issue_date=date(2026, 12, 2), due_date=date(2027, 1, 1))
    invoice = own_invoice(invoicing)
    time_machine.move_to("2026-12-02 10:00 +01:00")
    with pytest.raises(ValidationError, match=r"not overdue: it falls due on 01.01.2027"):
        reminder_send(invoice=invoice, new_due_date=date(2026, 12, 16))
    assert invoice.reminders.count() == 0 and mail.outbox == []
    client.force_login(invoicing.secretariat)
    page = client.get(invoice.get_absolute_url())
    assert invoice_can_remind(page.context["invoice"]) is False
    assert reverse("funding:invoice_remind", kwargs={"pk": invoice.pk}) not in page.content.decode()


def test_a_reminder_due_date_is_never_before_today_plus_the_period(client, invoicing, time_machine):
    run()
    invoice = own_invoice(invoicing)
    time_machine.move_to("2027-01-05 09:00 +01:00")
    with pytest.raises(ValidationError, match=r"19.01.2027 or later"):
        reminder_send(invoice=invoice, new_due_date=date(2027, 1, 10))
    assert invoice.reminders.count() == 0
    client.force_login(invoicing.secretariat)
    page = client.get(invoice.get_absolute_url())
    assert invoice_can_remind(page.context["invoice"]) is True
    assert reverse("funding:invoice_remind", kwargs={"pk": invoice.pk}) in page.content.decode()
    assert page.context["reminder_form"].initial["new_due_date"] == date(2027, 1, 19)
    reminder = reminder_send(invoice=invoice, new_due_date=date(2027, 1, 19))
    assert reminder.new_due_date >= invoice.due_date
    # Reminded: not overdue again until the new due date has passed.
    time_machine.move_to("2027-01-10 09:00 +01:00")
    with pytest.raises(ValidationError, match=r"not overdue: it falls due on 19.01.2027"):
        reminder_send(invoice=invoice, new_due_date=date(2027, 2, 1))


def test_a_paid_invoice_is_not_reminded(invoicing, time_machine):
    run()
    invoice = own_invoice(invoicing)
    payment_register(invoice=invoice, amount=invoice.total, paid_on=date(2026, 12, 1))
    time_machine.move_to("2027-01-05 09:00 +01:00")
    with pytest.raises(ValidationError):
        reminder_send(invoice=invoice, new_due_date=date(2027, 2, 1))


# ------------------------------------------------------------------------------------------------
# Issue dates never run against number order within a series


def test_a_run_dated_before_the_latest_invoice_is_refused_everywhere(
    invoicing, fedje, django_capture_on_commit_callbacks
):
    run(issue_date=date(2026, 2, 2), due_date=date(2026, 3, 4))
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(organisation=fedje, membership_status="member", member_from=date(2026, 7, 1))
    next_number = NumberSeries.objects.get(key="invoice").next_number
    with pytest.raises(CommandError, match=r"01\.01\.2024 is before 02\.02\.2026"):
        call_command("invoices", "run", "--year", "2026", "--issue-date", "2024-01-01", "--due-date", "2024-01-31")
    with pytest.raises(ValidationError, match=r"Choose 02\.02\.2026 or later"):
        invoice_run_start(year=2026, issue_date=date(2024, 1, 1), due_date=date(2024, 1, 31))
    with pytest.raises(ValidationError, match=r"before 02\.02\.2026"):
        invoice_issue(
            contribution=Contribution.objects.get(organisation=fedje),
            issue_date=date(2024, 1, 1),
            due_date=date(2024, 1, 31),
        )
    assert Invoice.objects.filter(organisation=fedje).count() == 0
    assert NumberSeries.objects.get(key="invoice").next_number == next_number  # the number was given back
    # The same day, or later, is fine.
    call_command("invoices", "run", "--year", "2026", "--issue-date", "2026-02-02", "--due-date", "2026-03-04")
    assert Invoice.objects.get(organisation=fedje).number == next_number


def test_a_credit_note_dated_before_the_latest_credit_note_is_refused(invoicing):
    run()
    credit_note_issue(invoice=own_invoice(invoicing), reason="Feil", issue_date=date(2026, 12, 1))
    foreign = Invoice.objects.get(organisation=invoicing.foreign, kind="invoice")
    with pytest.raises(ValidationError, match="latest credit note"):
        credit_note_issue(invoice=foreign, reason="Feil", issue_date=date(2026, 11, 30))
    assert Invoice.objects.filter(kind="credit_note").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger refuses it")
def test_the_database_refuses_a_document_dated_against_number_order(invoicing):
    run()
    earlier = own_invoice(invoicing)
    fields = {
        name: getattr(earlier, name)
        for name in [field.attname for field in Invoice._meta.concrete_fields]
        if name not in ("id", "number", "kid", "issue_date", "contribution_id", "status", "pdf", "ehf")
    }
    with pytest.raises(DatabaseError, match="runs against the number order"), transaction.atomic():
        Invoice.objects.bulk_create([Invoice(**fields, number=99, kid="", issue_date=date(2024, 1, 1))])


# ------------------------------------------------------------------------------------------------
# A model that cannot be computed is shown with the reason, in the comparison and on its page


def test_comparing_a_model_without_population_figures_shows_the_reason(client, invoicing):
    adopted = ContributionModel.objects.get(status="adopted")
    proposal = contribution_model(year=2027, status="proposal", population_date=date(2027, 1, 1))
    client.force_login(invoicing.secretariat)
    response = client.get(reverse("funding:scenario_compare"), {"models": [adopted.pk, proposal.pk]})
    assert response.status_code == 200
    problem = response.context["comparison"].columns[1].problem
    assert "no population figures per 01.01.2027 for 3 members (Bergen, Masfjorden, Voss)" in problem
    assert "no population figures per 01.01.2027" in response.content.decode()


def test_comparing_a_model_that_needs_a_missing_deflator_says_which(client, invoicing):
    adopted = ContributionModel.objects.get(status="adopted")
    deflator_set(year=2026, rate=Decimal("0.035"))
    indexed = contribution_model(year=2027, base_year=2025, status="proposal", name="Indexed")
    client.force_login(invoicing.secretariat)
    response = client.get(reverse("funding:scenario_compare"), {"models": [adopted.pk, indexed.pk]})
    assert response.status_code == 200
    assert "No deflator is registered for 2027" in response.context["comparison"].columns[1].problem
    assert response.context["comparison"].columns[1].results == {}


# ------------------------------------------------------------------------------------------------
# Copying a model to a new year


def test_copying_to_the_next_year_uses_the_newest_figures_and_drops_the_old_description(invoicing):
    adopted = ContributionModel.objects.get(status="adopted")
    ContributionModel.objects.filter(pk=adopted.pk).update(description="Folketall per 31.12.2023 fra SSB.")
    adopted.refresh_from_db()
    copy = contribution_model_copy(model=adopted, name="Forslag 2027", year=2027)
    assert copy.population_date == date(2024, 1, 1)  # the newest date that has figures
    assert copy.description == ""
    # Amounts stated in 2026 need the 2027 deflator, and the copy says so until it is registered.
    assert scenarios.model_problems(copy) == [
        "No deflator is registered for 2027; register it before the contributions are computed."
    ]
    deflator_set(year=2027, rate=Decimal("0.03"))
    assert scenarios.model_problems(copy) == []
    # Once the 2027 figures are imported, a new copy uses them; the same year keeps date and description.
    PopulationFigureFactory(organisation=invoicing.own, reference_date=date(2027, 1, 1), count=1700)
    assert contribution_model_copy(model=adopted, name="Forslag B", year=2027).population_date == date(2027, 1, 1)
    same = contribution_model_copy(model=adopted, name="Forslag C")
    assert (same.population_date, same.description) == (adopted.population_date, adopted.description)


def test_a_missing_deflator_is_said_on_the_model_page_and_stops_the_recompute(client, invoicing):
    deflator_set(year=2026, rate=Decimal("0.035"))
    model = contribution_model(year=2027, base_year=2025, status="proposal", name="Indexed")
    client.force_login(invoicing.secretariat)
    page = client.get(model.get_absolute_url())
    assert page.context["problems"] == [
        "No deflator is registered for 2027; register it before the contributions are computed."
    ]
    assert "No deflator is registered for 2027" in page.content.decode()
    ContributionModel.objects.filter(pk=model.pk).update(status="adopted")
    with pytest.raises(RecomputeBlocked, match="No deflator is registered for 2027"):
        contributions_recompute(year=2027)
    assert Contribution.objects.filter(year=2027).count() == 0
    deflator_set(year=2027, rate=Decimal("0.03"))
    assert scenarios.model_problems(model) == []


# ------------------------------------------------------------------------------------------------
# A contribution links to its invoice, and the invoice back to its contribution and explanation


def test_contribution_and_invoice_link_to_each_other(client, invoicing):
    run()
    invoice = own_invoice(invoicing)
    credit = credit_note_issue(invoice=invoice, reason="Feil", issue_date=date(2026, 11, 30))
    contribution = Contribution.objects.get(organisation=invoicing.own, year=2026)
    client.force_login(invoicing.finance)
    page = client.get(contribution.get_absolute_url())
    assert set(page.context["invoices"]) == {invoice, credit}
    html = page.content.decode()
    assert f'href="{invoice.get_absolute_url()}"' in html and f'href="{credit.get_absolute_url()}"' in html
    detail = client.get(invoice.get_absolute_url())
    assert detail.context["contribution"] == contribution
    assert f'href="{contribution.get_absolute_url()}#explanation"' in detail.content.decode()
    # The other municipality's people see neither.
    client.force_login(invoicing.outsider)
    assert client.get(contribution.get_absolute_url()).status_code == 404


# ------------------------------------------------------------------------------------------------
# The secretariat's "Needs attention" lists what is out of date, blocked or waiting, with where to mend it


def test_needs_attention_lists_stale_blocked_failed_and_overdue_with_links(
    client, invoicing, fedje, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-11-20 09:00 +01:00")
    run(issue_date=date(2026, 10, 1), due_date=date(2026, 10, 31))  # overdue by now
    with django_capture_on_commit_callbacks(execute=False):
        organisation_update(organisation=fedje, membership_status="member", member_from=date(2026, 7, 1))
    failed = invoice_run_execute(run_id=InvoiceRun.objects.create(year=2026, issue_date=ISSUE, due_date=DUE).pk)
    deflator_set(year=2026, rate=Decimal("0.035"))
    proposal = contribution_model(year=2027, base_year=2026, status="proposal", name="Forslag 2027")
    client.force_login(invoicing.secretariat)
    items = {item.text: item.url for item in client.get("/").context["money_attention"]}
    adopted = ContributionModel.objects.get(status="adopted", year=2026)
    assert items["2026: contributions out of date for Fedje"] == adopted.get_absolute_url()
    assert items[f"2026: the last invoice run failed: {failed.error}"] == failed.get_absolute_url()
    assert items["Forslag 2027 needs the deflator for 2027"] == reverse("funding:deflator_set")
    for invoice in Invoice.objects.filter(kind="invoice"):
        assert items[f"Invoice {invoice.number} to {invoice.buyer_name} is overdue (due 31.10.2026)"] == (
            invoice.get_absolute_url()
        )
    assert proposal.pk
    # Mended, the list is empty.
    contributions_recompute(year=2026)
    deflator_set(year=2027, rate=Decimal("0.03"))
    for invoice in Invoice.objects.filter(kind="invoice"):
        payment_register(invoice=invoice, amount=invoice.total, paid_on=date(2026, 11, 19))
    invoice_run_execute(run_id=InvoiceRun.objects.create(year=2026, issue_date=ISSUE, due_date=DUE).pk)
    assert client.get("/").context["money_attention"] == []


def test_needs_attention_names_the_first_overdue_invoices_and_counts_the_rest(
    client, invoicing, time_machine, monkeypatch
):
    monkeypatch.setattr("funding.attention.OVERDUE_NAMED", 1)
    time_machine.move_to("2026-11-20 09:00 +01:00")
    run(issue_date=date(2026, 10, 1), due_date=date(2026, 10, 31))  # two invoices, overdue by now
    client.force_login(invoicing.secretariat)
    texts = [item.text for item in client.get("/").context["money_attention"]]
    assert len([text for text in texts if " is overdue (due " in text]) == 1
    assert "and 1 more overdue invoice" in texts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger refuses it")
def test_the_database_refuses_a_reminder_before_the_due_date_or_moving_it_earlier(invoicing, time_machine):
    run()
    invoice = own_invoice(invoicing)
    time_machine.move_to("2026-12-02 10:00 +01:00")
    with pytest.raises(DatabaseError, match="before the invoice falls due"), transaction.atomic():
        Reminder.objects.create(invoice=invoice, sent_at=timezone.now(), new_due_date=date(2027, 1, 10))
    time_machine.move_to("2027-01-05 10:00 +01:00")
    with pytest.raises(DatabaseError, match="before the invoice's due date"), transaction.atomic():
        Reminder.objects.create(invoice=invoice, sent_at=timezone.now(), new_due_date=date(2026, 12, 16))
    assert Reminder.objects.count() == 0


def test_the_finance_officers_start_page_shows_what_is_outstanding(client, invoicing):
    run()
    invoice = own_invoice(invoicing)
    payment_register(invoice=invoice, amount=Decimal(100000), paid_on=date(2026, 11, 25))
    client.force_login(invoicing.finance)
    page = client.get("/")
    assert [i.outstanding for i in page.context["own_open_invoices"]] == [Decimal(33820)]
    assert f'{invoice.display_number}</a>: <span class="amount">NOK\xa033,820.00</span>' in page.content.decode()


def test_the_invoice_run_page_names_the_stale_members_and_offers_no_run(
    client, invoicing, fedje, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        organisation_update(organisation=fedje, membership_status="member", member_from=date(2026, 7, 1))
    client.force_login(invoicing.secretariat)
    page = client.get(reverse("funding:invoice_run", kwargs={"year": 2026}))
    html = page.content.decode()
    assert "are out of date for Fedje" in html
    assert f'href="{ContributionModel.objects.get(status="adopted").get_absolute_url()}"' in html
    assert 'name="issue_date"' not in html  # no form to start the run
    response = client.post(
        reverse("funding:invoice_run", kwargs={"year": 2026}), {"issue_date": "2026-11-23", "due_date": "2026-12-23"}
    )
    assert response.status_code == 200 and InvoiceRun.objects.count() == 0
