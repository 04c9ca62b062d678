"""The faster invoice and contribution lists, overdue invoices and yearly totals give what the plain definitions give.

- funding/rows.py builds each list row's strings in Python: the pages must show what the old row markup (the
  template tags and filters, kept here as it was) shows for the same invoices and contributions.
- funding.attention.overdue_invoices takes the start page's overdue invoices in two parts: the same invoices, in
  the same order and the same count, as a brute-force reading of "open, and past the due date the last reminder
  gave" (and as the one SQL query it replaced).
- funding.invoice_selectors.invoice_totals sums per year in one SQL statement on PostgreSQL: the same figures as a
  sum worked out here from the invoices, payments and credit notes, and as its own Python path.
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from funding import invoice_selectors
from funding.attention import overdue_invoices
from funding.choices import InvoiceKind, InvoiceStatus, SharingKey
from funding.invoice_numbers import CREDIT_NOTE_SERIES, INVOICE_SERIES
from funding.models import Contribution, Invoice, InvoiceRun, Payment
from funding.services import (
    contributions_recompute,
    credit_note_issue,
    invoice_issue,
    invoice_run_execute,
    invoices_mark_overdue,
    payment_register,
    reminder_send,
)
from funding.services.invoices import OPEN_STATUSES, effective_due_date, reminder_allowed
from funding.services.settlement import actual_cost_save, plan_settle
from funding.services.sharing import ParticipantInput, sharing_plan_adopt, sharing_plan_invoice, sharing_plan_save
from portfolio.models import Initiative
from tests.conftest import as_verified
from tests.factories import OrganisationFactory, PopulationFigureFactory, contribution_model

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------
# A year of money with every kind of row: contribution, plan share and settlement share invoices, credit notes in
# full and in part, payments in full, in part and too much, a second year, and drafts.


def _draft_of(invoice: Invoice, **changes) -> Invoice:
    """A draft document copied from an issued one (no service makes drafts; the model's default status is one)."""
    draft = Invoice.objects.get(pk=invoice.pk)
    draft.pk = draft.id = None
    draft._state.adding = True
    values = {
        "status": InvoiceStatus.DRAFT,
        "kid": "",
        "contribution": None,
        "plan_share": None,
        "settlement_share": None,
        "credited_invoice": None,
        "run": None,
        "issued_at": None,
        "sent_at": None,
        "pdf": "",
        "ehf": "",
        "pdf_sha256": "",
        "ehf_sha256": "",
        **changes,
    }
    for name, value in values.items():
        setattr(draft, name, value)
    draft.save()
    return draft


def _plan(initiative, organisations, amount, last_year):
    plan = sharing_plan_save(
        initiative=initiative,
        purpose="Prosjektledelse",
        recurrence="yearly",
        first_year=2026,
        last_year=last_year,
        amount=Decimal(amount),
        key=SharingKey.EQUAL,
        participants=[ParticipantInput(organisation=o) for o in organisations],
    )
    return sharing_plan_adopt(plan=plan, adopted_on=date(2026, 2, 1), adopted_by="Styringsgruppen, sak 1/26")


@pytest.fixture
def mixed(invoicing):
    """Masfjorden (own) and Voss (foreign), 2026 and 2027:

    - plan A (an initiative whose title needs escaping), 200 000 a year shared equally, invoiced for 2026 and 2027,
      settled for 2026 with an overrun: an extra (settlement share) invoice each;
    - plan B, 100 000 for 2026, settled with an underspend: a credit note of part of each plan invoice;
    - the yearly contributions: Masfjorden pays in full, Voss pays 400 000 and is then credited in full (overpaid);
    - Voss pays part of plan A's 2026 invoice, Masfjorden all of plan B's (overpaid once partly credited);
    - a draft invoice and a draft credit note of Masfjorden's contribution invoice, which count nowhere;
    - the 2025 contributions, computed and not invoiced (each organisation has two contributions, so a row that
      linked the organisation's id instead of the contribution's could not pass by a coincidence of ids).
    """
    personas = invoicing
    contribution_model(year=2025, exempt=[personas.host])
    contributions_recompute(year=2025)
    both = [personas.own, personas.foreign]
    welfare = Initiative.objects.create(
        title="Velferd & <trygghet> «felles»", focus_area="solutions", service_area="health"
    )
    archive = Initiative.objects.create(title="Felles arkiv", focus_area="solutions", service_area="health")
    plan_a = _plan(welfare, both, 200000, last_year=2027)
    plan_b = _plan(archive, both, 100000, last_year=2026)
    for plan in (plan_a, plan_b):
        sharing_plan_invoice(plan=plan, year=2026, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31))
    invoice_run_execute(
        run_id=InvoiceRun.objects.create(year=2026, issue_date=date(2026, 11, 23), due_date=date(2026, 12, 23)).pk
    )
    fee = {o: Invoice.objects.get(organisation=o, contribution__isnull=False, kind=InvoiceKind.INVOICE) for o in both}
    payment_register(invoice=fee[personas.own], amount=fee[personas.own].total, paid_on=date(2026, 12, 1))
    payment_register(invoice=fee[personas.foreign], amount=Decimal(400000), paid_on=date(2026, 12, 1))
    credit_note_issue(invoice=fee[personas.foreign], reason="Feil beløp", issue_date=date(2026, 12, 5))
    share = {
        (plan.pk, o): Invoice.objects.get(organisation=o, plan_share__plan=plan, year=2026, kind=InvoiceKind.INVOICE)
        for plan in (plan_a, plan_b)
        for o in both
    }
    payment_register(invoice=share[plan_a.pk, personas.foreign], amount=Decimal(40000), paid_on=date(2026, 4, 2))
    payment_register(invoice=share[plan_b.pk, personas.own], amount=Decimal(50000), paid_on=date(2026, 3, 20))
    actual_cost_save(initiative=welfare, year=2026, amount=Decimal(210000))
    actual_cost_save(initiative=archive, year=2026, amount=Decimal(90000))
    for plan in (plan_a, plan_b):
        plan_settle(plan=plan, year=2026, issue_date=date(2027, 2, 1), due_date=date(2027, 3, 3))
    sharing_plan_invoice(plan=plan_a, year=2027, issue_date=date(2027, 2, 1), due_date=date(2027, 3, 3))
    _draft_of(fee[personas.own], series=INVOICE_SERIES, number=900, issue_date=date(2027, 3, 1), total=Decimal(12345))
    _draft_of(
        fee[personas.own],
        kind=InvoiceKind.CREDIT_NOTE,
        series=CREDIT_NOTE_SERIES,
        number=900,
        issue_date=date(2027, 3, 1),
        due_date=None,
        credited_invoice=fee[personas.own],
        total=Decimal(1000),
    )
    return personas


def test_the_mix_has_every_kind_of_row(mixed):
    """What the comparisons below rely on being there."""
    documents = Invoice.objects.all()
    assert documents.filter(kind=InvoiceKind.INVOICE, contribution__isnull=False).count() == 2
    assert documents.filter(kind=InvoiceKind.INVOICE, plan_share__isnull=False).count() == 6  # 2 plans 2026, A 2027
    assert documents.filter(kind=InvoiceKind.INVOICE, settlement_share__isnull=False).count() == 2
    assert documents.filter(kind=InvoiceKind.CREDIT_NOTE, contribution__isnull=False).exclude(status="draft").count()
    assert documents.filter(kind=InvoiceKind.CREDIT_NOTE, settlement_share__isnull=False).count() == 2
    assert documents.filter(status=InvoiceStatus.DRAFT).count() == 2
    statuses = set(documents.filter(kind=InvoiceKind.INVOICE).values_list("status", flat=True))
    # (Which open status each has, issued, partly paid or overdue, depends on the day the test runs.)
    assert {InvoiceStatus.PAID, InvoiceStatus.CREDITED} <= statuses and statuses & set(OPEN_STATUSES)
    assert set(documents.values_list("year", flat=True)) == {2026, 2027}


# ------------------------------------------------------------------------------------------------
# 1. The list rows (funding/rows.py) against the old row markup


# The rows of templates/funding/invoice_list.html and contribution_list.html before funding/rows.py, as they were.
OLD_INVOICE_ROWS = """{% load i18n portal humanize %}
  {% for i in invoices %}
    <tr>
      <td><a href="{{ i.get_absolute_url }}">{% if i.is_credit_note %}{% translate "Credit note" %} {% endif %}{{ i.display_number }}</a></td><td class="text-nowrap"><a href="{% url 'funding:invoice_pdf' i.pk %}">PDF<span class="visually-hidden"> {{ i.display_number }}</span></a> · <a href="{% url 'funding:invoice_ehf' i.pk %}">EHF<span class="visually-hidden"> {{ i.display_number }}</span></a></td>
      {% if is_secretariat %}<td>{{ i.buyer_name }}</td>{% endif %}
      <td class="d-none d-md-table-cell">{% if i.plan_share %}<a href="{{ i.plan_share.plan.get_absolute_url }}">{{ i.plan_share.plan.title }}</a>{% elif i.settlement_share %}<a href="{{ i.settlement_share.settlement.plan.get_absolute_url }}">{% blocktranslate with name=i.settlement_share.settlement.plan.title year=i.year %}Settlement {{ year }}: {{ name }}{% endblocktranslate %}</a>{% elif i.contribution_id %}{% blocktranslate with year=i.year %}Contribution {{ year }}{% endblocktranslate %}{% endif %}</td>
      <td class="d-none d-md-table-cell">{{ i.issue_date|date:"SHORT_DATE_FORMAT" }}</td><td>{{ i.due_date|date:"SHORT_DATE_FORMAT" }}</td>
      <td class="text-end amount">{% if i.is_credit_note %}−{% endif %}{{ i.total|nok:2 }}</td>
      <td class="text-end amount d-none d-md-table-cell">{% if not i.is_credit_note %}{{ i.paid|nok:2 }}{% endif %}</td>
      <td>{{ i.get_status_display }}</td>
    </tr>
  {% empty %}<tr><td colspan="9">{% translate "No invoices." %}</td></tr>{% endfor %}
"""  # noqa: E501

OLD_CONTRIBUTION_ROWS = """{% load i18n portal humanize %}
  {% for c in contributions %}
    <tr>
      <td><a href="{{ c.get_absolute_url }}">{{ c.year }}</a></td>
      {% if is_secretariat %}<td><a href="{{ c.get_absolute_url }}">{{ c.organisation.name }}</a></td>{% endif %}
      <td class="text-end amount">{{ c.population|intcomma|default:"–" }}</td>
      <td class="text-end amount">{{ c.amount|nok }}</td>
      <td class="text-end amount">{{ c.per_inhabitant|nok:2 }}</td>
      <td class="small">{{ c.explanation_for_reader }}</td>
      <td>{% if c.frozen_at %}{% translate "Invoiced" %}{% else %}{% translate "Not invoiced" %}{% endif %}</td>
    </tr>
  {% empty %}
    <tr><td colspan="7">{% translate "No contributions are computed yet." %}</td></tr>
  {% endfor %}
"""


def _normalised(html: str) -> str:
    # Only ASCII white space: a no-break space in an amount (kr 133 820) is part of what is compared.
    return re.sub(r"[ \t\r\n]+", " ", html).strip()


def _list_body(response) -> str:
    """The rows of the page's list: the last table body (the invoice page's totals come first)."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", response.content.decode(), flags=re.S)
    assert bodies
    return bodies[-1]


def _page(client, settings, user, language: str, name: str):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return response


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("role", ["secretariat", "director"])
def test_the_invoice_rows_are_the_old_markup(client, settings, mixed, role, language):
    user = getattr(mixed, role)
    response = _page(client, settings, user, language, "funding:invoice_list")
    invoices = list(response.context["invoices"])
    expected = Invoice.objects.all() if role == "secretariat" else Invoice.objects.filter(organisation=mixed.own)
    assert sorted(i.pk for i in invoices) == sorted(expected.values_list("pk", flat=True))
    assert {i.kind for i in invoices} == {InvoiceKind.INVOICE, InvoiceKind.CREDIT_NOTE}
    assert any(i.plan_share_id for i in invoices) and any(i.settlement_share_id for i in invoices)
    with translation.override(language):
        old = Template(OLD_INVOICE_ROWS).render(
            Context({"invoices": invoices, "is_secretariat": role == "secretariat"})
        )
    assert _normalised(_list_body(response)) == _normalised(old)
    rows = response.context["rows"]
    assert len(rows) == len(invoices)
    for row, invoice in zip(rows, invoices, strict=True):
        assert row.url == invoice.get_absolute_url()
        assert row.pdf_url == reverse("funding:invoice_pdf", kwargs={"pk": invoice.pk})
        assert row.ehf_url == reverse("funding:invoice_ehf", kwargs={"pk": invoice.pk})
    # The markup carries the words of the language chosen (the comparison above would hold for any language).
    body = _list_body(response)
    if language == "nb":
        assert "Kreditnota" in body and "kr\xa0" in body and "Avregning 2026: Velferd &amp; &lt;trygghet&gt;" in body
    else:
        assert "Credit note" in body and "NOK\xa0" in body and "Settlement 2026: Velferd &amp; &lt;trygghet&gt;" in body


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("role", ["secretariat", "director"])
def test_the_contribution_rows_are_the_old_markup(client, settings, mixed, role, language):
    user = getattr(mixed, role)
    response = _page(client, settings, user, language, "funding:contribution_list")
    contributions = list(response.context["contributions"])
    expected = (
        Contribution.objects.all() if role == "secretariat" else Contribution.objects.filter(organisation=mixed.own)
    )
    assert sorted(c.pk for c in contributions) == sorted(expected.values_list("pk", flat=True))
    assert {c.year for c in contributions} == {2025, 2026}
    assert {c.frozen_at is None for c in contributions} == {True, False}
    with translation.override(language):
        old = Template(OLD_CONTRIBUTION_ROWS).render(
            Context({"contributions": contributions, "is_secretariat": role == "secretariat"})
        )
    assert _normalised(_list_body(response)) == _normalised(old)
    for row, contribution in zip(response.context["rows"], contributions, strict=True):
        assert row.url == contribution.get_absolute_url()


def test_shares_are_fetched_for_the_invoices_that_have_them(mixed, django_assert_num_queries):
    invoices = list(invoice_selectors.invoice_list(user=mixed.secretariat))
    with_plan = [i for i in invoices if i.plan_share_id]
    with_settlement = [i for i in invoices if i.settlement_share_id]
    plain = [i for i in invoices if not i.plan_share_id and not i.settlement_share_id]
    assert with_plan and with_settlement and plain
    with django_assert_num_queries(0):  # nothing to fetch: no query
        assert invoice_selectors.with_shares(plain) == plain
    assert not any(Invoice.plan_share.is_cached(i) or Invoice.settlement_share.is_cached(i) for i in plain)
    # One query per relation and level: the plan's share, its plan and the plan's initiative (a plan's title names
    # it); the settlement's share, the settlement, its plan and initiative. Afterwards every title is there.
    with django_assert_num_queries(7):
        fetched = invoice_selectors.with_shares(invoices)
    assert fetched == invoices
    assert all(Invoice.plan_share.is_cached(i) for i in with_plan)
    assert all(Invoice.settlement_share.is_cached(i) for i in with_settlement)
    assert all(i.plan_share.plan.initiative_id for i in with_plan)  # the initiatives' query is one of the seven
    with django_assert_num_queries(0):
        titles = {i.plan_share.plan.title for i in with_plan} | {
            i.settlement_share.settlement.plan.title for i in with_settlement
        }
    fresh = {i.pk: Invoice.objects.get(pk=i.pk) for i in with_plan + with_settlement}
    assert titles == {fresh[i.pk].plan_share.plan.title for i in with_plan} | {
        fresh[i.pk].settlement_share.settlement.plan.title for i in with_settlement
    }


# ------------------------------------------------------------------------------------------------
# 2. The start page's overdue invoices (funding.attention.overdue_invoices) against their definition

TODAY = date(2026, 11, 20)


@pytest.fixture
def overdue_world(invoicing, time_machine, monkeypatch):
    """Fourteen contribution invoices of 1 September 2026 with their own due dates, some reminded (once or twice),
    one paid, one partly paid, one credited; by letter."""
    # The reminder's mail is sent without the invoice's PDF and EHF (rendering them is most of a reminder's time).
    monkeypatch.setattr("funding.services.invoices._attachments", lambda invoice: [])
    personas = invoicing
    due = {
        "never_a": date(2026, 10, 1),
        "never_b": date(2026, 10, 15),
        "never_b_tie": date(2026, 10, 15),  # the same date as never_b: the numbers decide
        "never_late": date(2026, 11, 1),  # later than twice_past's reminded date, earlier than reminded_past's
        "reminded_past": date(2026, 10, 1),  # reminded 5 Oct to 19 Nov: overdue by the reminder's date
        "reminded_future": date(2026, 10, 10),  # reminded 20 Oct to 1 Dec: not overdue on TODAY
        "reminded_to_today": date(2026, 10, 20),  # reminded 1 Nov to TODAY: not overdue on TODAY
        "twice_past": date(2026, 9, 15),  # reminded 20 Sep to 4 Oct and 6 Oct to 20 Oct
        "twice_future": date(2026, 9, 15),  # reminded 20 Sep to 4 Oct and 6 Oct to 15 Dec
        "due_today": TODAY,
        "not_yet": date(2026, 12, 23),
        "paid": date(2026, 10, 5),
        "partly_paid": date(2026, 10, 2),
        "credited": date(2026, 10, 3),
    }
    extra = len(due) - 2
    for n in range(extra):
        organisation = OrganisationFactory(name=f"Kommune {n:02d}", email=f"post{n}@kommune.example.no")
        PopulationFigureFactory(organisation=organisation, count=1000 + 37 * n)
    contributions_recompute(year=2026)
    contributions = list(
        Contribution.objects.filter(year=2026, amount__gt=0).exclude(organisation=personas.host).order_by("pk")
    )
    assert len(contributions) == len(due)
    time_machine.move_to("2026-09-01 09:00 +02:00")
    invoices = {}
    for (letter, due_date), contribution in zip(due.items(), contributions, strict=True):
        invoices[letter], _created = invoice_issue(
            contribution=contribution, issue_date=date(2026, 9, 1), due_date=due_date
        )
    payment_register(invoice=invoices["paid"], amount=invoices["paid"].total, paid_on=date(2026, 9, 10))
    payment_register(invoice=invoices["partly_paid"], amount=Decimal(1000), paid_on=date(2026, 9, 10))
    credit_note_issue(invoice=invoices["credited"], reason="Feil", issue_date=date(2026, 9, 2))
    reminders = [
        ("2026-09-20", "twice_past", date(2026, 10, 4)),
        ("2026-09-20", "twice_future", date(2026, 10, 4)),
        ("2026-10-05", "reminded_past", date(2026, 11, 19)),
        ("2026-10-06", "twice_past", date(2026, 10, 20)),
        ("2026-10-06", "twice_future", date(2026, 12, 15)),
        ("2026-10-20", "reminded_future", date(2026, 12, 1)),
        ("2026-11-01", "reminded_to_today", TODAY),
    ]
    for day, letter, new_due_date in reminders:
        time_machine.move_to(f"{day} 10:00 +02:00")
        reminder_send(invoice=invoices[letter], new_due_date=new_due_date)
    invoices_mark_overdue(today=date(2026, 10, 16))  # some open invoices are "overdue", others still "issued"
    return {letter: Invoice.objects.get(pk=invoice.pk) for letter, invoice in invoices.items()}


def _open_invoices_by_definition() -> list[tuple[date, int, int]]:
    """(effective due date, number, pk) of every open invoice, read one by one from the invoices and their
    reminders: the later of its own due date and the latest new due date a reminder gave."""
    found = []
    for invoice in Invoice.objects.prefetch_related("reminders"):
        if invoice.kind != InvoiceKind.INVOICE or invoice.status not in OPEN_STATUSES:
            continue
        due = max([invoice.due_date, *(reminder.new_due_date for reminder in invoice.reminders.all())])
        found.append((due, invoice.number, invoice.pk))
    return found


def _overdue_by_definition(today: date, open_invoices=None) -> list[tuple[date, int, int]]:
    """The open invoices past their effective due date on `today`, by that date and number."""
    if open_invoices is None:
        open_invoices = _open_invoices_by_definition()
    return sorted(row for row in open_invoices if row[0] < today)


def _overdue_as_the_old_query(today: date, first: int) -> tuple[list[tuple[date, int, int]], int]:
    """The one query overdue_invoices replaced (funding/attention.py before it)."""
    overdue = (
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES, due_date__lt=today)
        .annotate(reminded=Max("reminders__new_due_date"))
        .annotate(due=Greatest("due_date", Coalesce("reminded", "due_date")))
        .filter(due__lt=today)
        .order_by("due", "number")
    )
    return [(i.due, i.number, i.pk) for i in overdue[:first]], overdue.count()


def _check(today: date, first: int, open_invoices=None) -> None:
    expected = _overdue_by_definition(today, open_invoices)
    named, total = overdue_invoices(today=today, first=first)
    got = [(due, invoice.number, invoice.pk) for invoice, due in named]
    assert (got, total) == (expected[:first], len(expected)), (today, first)
    assert all(isinstance(invoice, Invoice) and invoice.kind == InvoiceKind.INVOICE for invoice, _due in named)
    assert _overdue_as_the_old_query(today, first) == (expected[:first], len(expected)), (today, first)


def test_overdue_invoices_are_the_open_ones_past_the_last_reminders_date(overdue_world):
    expected = _overdue_by_definition(TODAY)
    by_pk = {invoice.pk: letter for letter, invoice in overdue_world.items()}
    # The definition itself on the day the fixture is about: by the effective due date (1 Oct, 2 Oct, 15 Oct twice
    # in number order, 20 Oct as the second reminder gave it, 1 Nov, 19 Nov as the reminder gave it), then the
    # number: the reminded ones fall between those never reminded.
    assert [by_pk[pk] for _due, _number, pk in expected] == [
        "never_a",
        "partly_paid",
        "never_b",
        "never_b_tie",
        "twice_past",
        "never_late",
        "reminded_past",
    ]
    assert overdue_world["never_b"].number < overdue_world["never_b_tie"].number
    for first in range(len(expected) + 2):
        _check(TODAY, first)
    _check(TODAY, 1000)


def test_an_invoices_page_reads_its_reminders_once(
    overdue_world, invoicing, client, time_machine, django_assert_num_queries
):
    """The page fetches the reminders with the invoice; whether a reminder may be sent is decided from them (the
    same due date as read from the database), and the reminders' table is asked once."""
    time_machine.move_to(f"{TODAY.isoformat()} 12:00 +01:00")
    secretariat = as_verified(invoicing.secretariat)
    for letter, stored in overdue_world.items():
        fetched = invoice_selectors.invoice_get_for_page(user=secretariat, pk=stored.pk)
        with django_assert_num_queries(0):
            due = effective_due_date(fetched)
            allowed = reminder_allowed(fetched, TODAY)
        fresh = Invoice.objects.get(pk=stored.pk)
        assert due == effective_due_date(fresh), letter
        assert allowed == reminder_allowed(fresh, TODAY), letter
    client.force_login(secretariat)
    for letter in ("twice_past", "twice_future", "reminded_past", "never_a"):
        invoice = overdue_world[letter]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(invoice.get_absolute_url())
        assert response.status_code == 200
        reminder_reads = [q["sql"] for q in queries if 'FROM "funding_reminder"' in q["sql"]]
        assert len(reminder_reads) == 1, (letter, reminder_reads)
        remind_form = reverse("funding:invoice_remind", kwargs={"pk": invoice.pk}) in response.content.decode()
        assert remind_form == reminder_allowed(Invoice.objects.get(pk=invoice.pk), TODAY), letter


def _reminded(invoice: Invoice) -> list[date]:
    return list(invoice.reminders.values_list("new_due_date", flat=True))


def test_overdue_invoices_agree_on_every_day_around_a_due_date(overdue_world):
    """On the day before, of and after each due date and each new due date a reminder gave, for a few, some and
    all of them named."""
    days = {TODAY}
    for invoice in overdue_world.values():
        for day in [invoice.due_date, *_reminded(invoice)]:
            days |= {day - timedelta(days=1), day, day + timedelta(days=1)}
    open_invoices = _open_invoices_by_definition()
    for today in sorted(days):
        for first in (1, 2, 3, 100):
            _check(today, first, open_invoices)


# ------------------------------------------------------------------------------------------------
# 3. The yearly totals (funding.invoice_selectors.invoice_totals) against a sum worked out here


def _totals_by_definition(documents) -> list[dict]:
    """Per year, over the documents given (drafts left out): what the invoices charge, what credit notes credit,
    what was paid on the invoices, and each invoice's amount - payments - credits summed where positive
    (outstanding) and where negative (overpaid)."""
    rows: dict[int, dict] = {}
    for document in documents.exclude(status=InvoiceStatus.DRAFT):
        row = rows.setdefault(
            document.year,
            {
                "year": document.year,
                "invoiced": Decimal(0),
                "credited": Decimal(0),
                "paid": Decimal(0),
                "outstanding": Decimal(0),
                "overpaid": Decimal(0),
            },
        )
        if document.kind == InvoiceKind.CREDIT_NOTE:
            row["credited"] += document.total
            continue
        paid = sum((p.amount for p in Payment.objects.filter(invoice=document)), Decimal(0))
        credit_notes = Invoice.objects.filter(credited_invoice=document, kind=InvoiceKind.CREDIT_NOTE)
        credited = sum((c.total for c in credit_notes.exclude(status=InvoiceStatus.DRAFT)), Decimal(0))
        owed = document.total - paid - credited
        row["invoiced"] += document.total
        row["paid"] += paid
        if owed >= 0:
            row["outstanding"] += owed
        else:
            row["overpaid"] -= owed
    return [rows[year] for year in sorted(rows, reverse=True)]


def _python_path(user) -> list[dict]:
    """invoice_totals as it runs on a database other than PostgreSQL."""
    with (
        mock.patch.object(connection, "vendor", "sqlite"),
        mock.patch.object(invoice_selectors, "_invoice_totals_in_sql", side_effect=AssertionError("SQL path taken")),
    ):
        return invoice_selectors.invoice_totals(user=user)


@pytest.mark.parametrize("role", ["secretariat", "director"])
def test_invoice_totals_are_the_sums_of_the_invoices_payments_and_credit_notes(mixed, role):
    user = getattr(mixed, role)
    documents = Invoice.objects.all() if role == "secretariat" else Invoice.objects.filter(organisation=mixed.own)
    expected = _totals_by_definition(documents)
    # The mix reaches every column: two years, something outstanding, overpaid and credited.
    assert [row["year"] for row in expected] == [2027, 2026]
    assert all(expected[1][column] > 0 for column in ("invoiced", "credited", "paid", "outstanding", "overpaid"))
    assert _python_path(user) == expected
    if connection.vendor == "postgresql":
        with mock.patch.object(invoice_selectors, "_year_row", side_effect=AssertionError("Python path taken")):
            assert invoice_selectors.invoice_totals(user=user) == expected
    assert invoice_selectors.invoice_totals(user=user) == expected


def test_invoice_totals_of_a_municipality_leave_out_the_others(mixed):
    director = invoice_selectors.invoice_totals(user=mixed.director)
    outsider = invoice_selectors.invoice_totals(user=mixed.outsider)
    everyone = invoice_selectors.invoice_totals(user=mixed.secretariat)
    for column in ("invoiced", "credited", "paid", "outstanding", "overpaid"):
        for mine, theirs, all_of_them in zip(director, outsider, everyone, strict=True):
            assert mine[column] + theirs[column] == all_of_them[column]  # nobody else is invoiced in the mix
    assert director != outsider


def test_invoice_totals_of_someone_who_sees_no_invoice_are_empty(mixed):
    """Not reachable through the invoice list (require() and restrict() ask the same question), but a caller that
    asks for someone who may see no invoice gets no years, from either path."""
    assert _python_path(mixed.contact) == []
    assert invoice_selectors.invoice_totals(user=mixed.contact) == []
