"""Issuing invoices and credit notes, their documents, payments, bank statements and reminders."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import told
from core.counters import counter_advance
from core.db import save_with_history
from core.documents import document_read, document_store
from core.emails import send_templated
from core.mail_preferences import MailTopic
from core.models import NetworkProfile
from core.rules import rule
from core.runs import RunStatus
from funding.bank_formats import parse_bank_statement
from funding.choices import OPEN_STATUSES, InvoiceKind, InvoiceStatus, PaymentSource
from funding.documents import invoice_ehf, invoice_pdf
from funding.ehf import address, stored_endpoint_problem
from funding.invoice_numbers import CREDIT_NOTE_SERIES, INVOICE_SERIES, SERIES_PREFIX, display_number, make_kid
from funding.models import BankImport, Contribution, Invoice, InvoiceLine, InvoiceRun, NumberSeries, Payment, Reminder
from funding.models.invoices import PARTY_FIELDS
from funding.services.contributions import RecomputeBlocked, adopted_model, contributions_out_of_date, recompute_start
from members.choices import InvoiceChannel
from members.domain import membership_period
from members.models import Organisation, User

logger = logging.getLogger(__name__)

# A reminder gives the member this many days from today to pay, unless the secretariat chooses another date.
REMINDER_PERIOD_DAYS = 14


# ------------------------------------------------------------------------------------------------
# What can be done with an invoice (one definition each; pages ask through core.rules)


@rule
def invoice_is_open(invoice: Invoice) -> bool:
    """An invoice (not a credit note) that is issued and neither paid in full nor credited."""
    return invoice.kind == InvoiceKind.INVOICE and invoice.status in OPEN_STATUSES


@rule
def invoice_can_send(invoice: Invoice) -> bool:
    return invoice.kind == InvoiceKind.INVOICE and invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.CREDITED)


@rule
def invoice_can_credit(invoice: Invoice) -> bool:
    """An issued invoice is credited in full once; one partly credited by a settlement is settled, not credited."""
    if invoice.kind != InvoiceKind.INVOICE or invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.CREDITED):
        return False
    return invoice.credited_amount == 0


@rule
def invoice_can_remind(invoice: Invoice) -> bool:
    """A reminder is for an open invoice whose due date (as earlier reminders moved it) has passed."""
    return reminder_allowed(invoice)


@rule
def invoice_can_register_payment(invoice: Invoice) -> bool:
    """A payment is registered by hand on an open invoice."""
    return invoice_is_open(invoice)


def invoice_accepts_payments(invoice: Invoice) -> bool:
    """Payments from the bank are recorded on any issued invoice not credited, overpayments included."""
    return invoice.kind == InvoiceKind.INVOICE and invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.CREDITED)


def reminder_default_due_date(invoice: Invoice, today: date | None = None) -> date:
    """What the reminder form proposes: the earliest new due date the rule allows."""
    return reminder_earliest_due_date(invoice, today)


# ------------------------------------------------------------------------------------------------
# Before issuing


def buyer_problems(organisation: Organisation) -> list[str]:
    """What stops an invoice to this organisation from being lawful and deliverable."""
    from stdnum.no import orgnr

    problems = []
    if not organisation.org_number or not orgnr.is_valid(organisation.org_number):
        problems.append(_("no valid organisation number"))
    if not organisation.buyer_reference:
        problems.append(_("no buyer's reference (municipalities require one on every invoice)"))
    if stored_endpoint_problem(organisation.einvoice_endpoint):
        problems.append(
            _("the e-invoice address %(address)s is not SCHEME:IDENTIFIER, e.g. 0192:964338531")
            % {"address": organisation.einvoice_endpoint}
        )
    return problems


@dataclass
class Preview:
    year: int
    to_invoice: list[Contribution] = field(default_factory=list)
    already_invoiced: list[Contribution] = field(default_factory=list)
    zero: list[Contribution] = field(default_factory=list)
    problems: dict[int, list[str]] = field(default_factory=dict)
    profile_missing: bool = False
    # Members whose contribution is not what the current inputs give, and why the year cannot be computed.
    out_of_date: list[str] = field(default_factory=list)
    blocked: str = ""
    mend_url: str = ""  # where the year is recomputed (its adopted model)

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.to_invoice), Decimal(0))

    @property
    def can_issue(self) -> bool:
        return (
            bool(self.to_invoice)
            and not self.problems
            and not self.profile_missing
            and not self.out_of_date
            and not self.blocked
        )

    @property
    def stale_message(self) -> str:
        """Why the year's contributions cannot be invoiced as they stand, or ''."""
        if self.blocked:
            return _("The contributions for %(year)d cannot be computed: %(reason)s") % {
                "year": self.year,
                "reason": self.blocked,
            }
        if self.out_of_date:
            return _(
                "The contributions for %(year)d are out of date for %(names)s; recompute the year before invoicing."
            ) % {"year": self.year, "names": ", ".join(self.out_of_date)}
        return ""


def invoice_preview(*, year: int) -> Preview:
    """Which contributions of the year an invoice run would invoice, and what stops it."""
    preview = Preview(year=year)
    preview.profile_missing = not NetworkProfile.objects.exists()
    try:
        preview.out_of_date = contributions_out_of_date(year=year)
    except RecomputeBlocked as blocked:
        names = ", ".join(organisation.name for organisation in blocked.organisations)
        preview.blocked = f"{blocked} ({names})" if names else str(blocked)
    if preview.stale_message:
        model = adopted_model(year)
        preview.mend_url = model.get_absolute_url() if model else reverse("funding:model_list")
    live = set(
        Invoice.objects.filter(year=year, kind=InvoiceKind.INVOICE)
        .exclude(status=InvoiceStatus.CREDITED)
        .values_list("contribution_id", flat=True)
    )
    for contribution in (
        Contribution.objects.filter(year=year).select_related("organisation").order_by("organisation__name")
    ):
        if contribution.pk in live:
            preview.already_invoiced.append(contribution)
        elif contribution.amount == 0:
            preview.zero.append(contribution)
        else:
            preview.to_invoice.append(contribution)
            problems = buyer_problems(contribution.organisation)
            if problems:
                preview.problems[contribution.organisation_id] = problems
    return preview


# ------------------------------------------------------------------------------------------------
# Issuing


def _allocate_number(series: str, issue_date: date) -> int:
    """The next number of the series; inside the caller's transaction, so a rollback frees it again.

    The series row is locked first, so the check that the date keeps number order cannot race another issuer.
    """
    # The series row holds the number the next document gets.
    prefix = {"prefix": SERIES_PREFIX[series]}
    number = counter_advance(NumberSeries, field="next_number", defaults=prefix, key=series) - 1
    problem = issue_date_problem(series=series, issue_date=issue_date)
    if problem:
        raise ValidationError({"issue_date": problem})
    return number


def latest_issue_date(series: str) -> date | None:
    """The latest date of a document issued in the series."""
    return (
        Invoice.objects.filter(series=series)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by("-issue_date")
        .values_list("issue_date", flat=True)
        .first()
    )


def issue_date_problem(*, series: str, issue_date: date) -> str:
    """Why a document of the series cannot be dated `issue_date` (dates never decrease in number order), or ''."""
    latest = latest_issue_date(series)
    if latest is not None and issue_date < latest:
        kind = _("credit note") if series == CREDIT_NOTE_SERIES else _("invoice")
        return _(
            "The date %(date)s is before %(latest)s, the date of the latest %(kind)s issued; numbers and dates must "
            "run in the same order. Choose %(latest)s or later."
        ) % {"date": issue_date.strftime("%d.%m.%Y"), "latest": latest.strftime("%d.%m.%Y"), "kind": kind}
    return ""


def _seller_fields(profile: NetworkProfile) -> dict[str, Any]:
    return {
        "seller_name": profile.name,
        "seller_legal_name": profile.legal_name,
        "seller_org_number": profile.org_number,
        "seller_in_foretaksregisteret": profile.in_foretaksregisteret,
        "seller_address": address(profile.street_address, profile.postal_code, profile.city),
        "seller_email": profile.email,
        "seller_bank_account": profile.bank_account,
        "vat_exemption_reason": profile.vat_exemption_reason,
    }


def _buyer_fields(organisation: Organisation) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "buyer_name": organisation.legal_name,
        "buyer_org_number": organisation.org_number or "",
        "buyer_address": address(*organisation.invoice_address),
        "buyer_reference": organisation.buyer_reference,
        "buyer_endpoint": organisation.einvoice_endpoint,
    }


_RELATIONS = [field.name for field in Invoice._meta.concrete_fields if field.is_relation]


def _finish_issue(invoice: Invoice, lines: list[InvoiceLine], issued_by: Any) -> Invoice:
    # Field validation only: the unique and check constraints are held by the locks taken above and enforced
    # by the database; validating them here cost a query each (a third of the time of issuing). Nor are the
    # foreign keys looked up again: they point at rows the caller has read in this transaction, most of them
    # locked, and the database holds every key.
    invoice.full_clean(exclude=["pdf", "ehf", *_RELATIONS], validate_constraints=False)
    save_with_history(invoice)
    for line in lines:
        line.invoice = invoice
        line.full_clean(exclude=["invoice"], validate_constraints=False)
    # Written in one statement, past InvoiceLine.save's look at whether the invoice is issued yet: it is the
    # draft saved just above, in this transaction.
    InvoiceLine.objects.bulk_create(lines)
    invoice.status, invoice.issued_at = InvoiceStatus.ISSUED, timezone.now()
    invoice.issued_by = issued_by if getattr(issued_by, "pk", None) else None
    save_with_history(invoice, update_fields=["status", "issued_at", "issued_by"])
    _queue_documents(invoice.pk)  # sent once the transaction commits
    return invoice


def _queue_documents(invoice_id: int) -> None:
    """Render the documents of an issued invoice (once its transaction commits; inside `documents_in_groups`, with
    others). Rendering never undoes or stops issuing: the invoice is lawful without its files, and a document that
    could not be rendered now is rendered on first download (or by `invoices export`)."""
    from funding import tasks

    group = _document_group.get()
    if group is None:
        tasks.enqueue_documents(invoice_id)
    else:
        transaction.on_commit(functools.partial(group.add, invoice_id))


# Invoices whose documents one task renders, in an invoice run. For 400 invoices, the worker's main process and the
# broker then handle 40 messages, not 400, and each worker process waits for its next task 40 times.
DOCUMENTS_PER_TASK = 10


class _DocumentGroup:
    def __init__(self, size: int) -> None:
        self.size = size
        self.invoice_ids: list[int] = []

    def add(self, invoice_id: int) -> None:
        self.invoice_ids.append(invoice_id)
        if len(self.invoice_ids) >= self.size:
            self.send()

    def send(self) -> None:
        from funding import tasks

        invoice_ids, self.invoice_ids = self.invoice_ids, []
        tasks.enqueue_documents_of_invoices(invoice_ids)


_document_group: ContextVar[_DocumentGroup | None] = ContextVar("document_group", default=None)


@contextmanager
def documents_in_groups(size: int = DOCUMENTS_PER_TASK) -> Iterator[None]:
    """Within it, the documents of the invoices issued are queued `size` invoices to a task, each invoice once its
    transaction has committed; the rest are queued on leaving (once the transaction around it, if any, commits)."""
    group = _DocumentGroup(size)
    token = _document_group.set(group)
    try:
        yield
    finally:
        _document_group.reset(token)
        # After the commit callbacks of the invoices issued inside, which add them to the group.
        transaction.on_commit(group.send)


@transaction.atomic
def invoice_issue(
    *,
    contribution: Contribution,
    issue_date: date,
    due_date: date,
    issued_by: Any = None,
    run: InvoiceRun | None = None,
) -> tuple[Invoice, bool]:
    """Issue the invoice for a contribution, or return the one it has: (invoice, created).

    The number is taken from the series inside this transaction, so numbers have no gaps; the
    contribution is frozen from now on.
    """
    contribution = Contribution.objects.select_for_update().select_related("organisation").get(pk=contribution.pk)
    existing = (
        Invoice.objects.filter(contribution=contribution, kind=InvoiceKind.INVOICE)
        .exclude(status=InvoiceStatus.CREDITED)
        .first()
    )
    if existing is not None:
        return existing, False
    if contribution.amount <= 0:
        raise ValidationError(_("A contribution of 0 is not invoiced."))
    if due_date < issue_date:
        raise ValidationError({"due_date": _("The due date cannot be before the invoice date.")})
    problems = buyer_problems(contribution.organisation)
    if problems:
        raise ValidationError(
            _("%(name)s cannot be invoiced: %(problems)s.")
            % {"name": contribution.organisation.name, "problems": "; ".join(problems)}
        )
    organisation = contribution.organisation
    period = membership_period(
        year=contribution.year, member_from=organisation.member_from, member_until=organisation.member_until
    )
    months = (period[1].year - period[0].year) * 12 + period[1].month - period[0].month + 1 if period else 0
    if period is None or months != contribution.months:
        raise ValidationError(
            _(
                "The contribution of %(name)s for %(year)d counts %(counted)d months, but the membership covers "
                "%(months)d; recompute the year before invoicing."
            )
            % {"name": organisation.name, "year": contribution.year, "counted": contribution.months, "months": months}
        )
    profile = NetworkProfile.current()
    number = _allocate_number(INVOICE_SERIES, issue_date)
    invoice = Invoice(
        kind=InvoiceKind.INVOICE,
        series=INVOICE_SERIES,
        number=number,
        contribution=contribution,
        year=contribution.year,
        issue_date=issue_date,
        due_date=due_date,
        # The months charged, as the contribution counts them.
        period_start=period[0],
        period_end=period[1],
        kid=make_kid(INVOICE_SERIES, number),
        total=contribution.amount,
        run=run,
        **_seller_fields(profile),
        **_buyer_fields(contribution.organisation),
    )
    line = InvoiceLine(
        position=1,
        description=profile.invoice_line_text.format(network=profile.name, year=contribution.year),
        note=contribution.explanation,
        note_facts=contribution.explanation_facts,
        quantity=Decimal(1),
        unit_price=contribution.amount,
        amount=contribution.amount,
    )
    _finish_issue(invoice, [line], issued_by)
    contribution.frozen_at = timezone.now()
    save_with_history(contribution, update_fields=["frozen_at"])
    return invoice, True


@transaction.atomic
def credit_note_issue(*, invoice: Invoice, reason: str, issue_date: date, issued_by: Any = None) -> Invoice:
    """Credit an invoice in full with a credit note of its own series; the contribution may then change again."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != InvoiceKind.INVOICE:
        raise ValidationError(_("Only an invoice can be credited."))
    if not invoice_can_credit(invoice):
        raise ValidationError(_("This invoice is not open for crediting."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the credit note.")})
    if issue_date < invoice.issue_date:
        raise ValidationError({"issue_date": _("A credit note cannot be dated before the invoice it credits.")})
    number = _allocate_number(CREDIT_NOTE_SERIES, issue_date)
    credit = Invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        series=CREDIT_NOTE_SERIES,
        number=number,
        contribution=invoice.contribution,
        plan_share=invoice.plan_share,
        settlement_share=invoice.settlement_share,
        service_order=invoice.service_order,
        one_off_model=invoice.one_off_model,
        credited_invoice=invoice,
        year=invoice.year,
        issue_date=issue_date,
        due_date=None,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        kid=make_kid(CREDIT_NOTE_SERIES, number),
        total=invoice.total,
        # Document text, in Bokmål like the rest of the credit note.
        note=f"Krediterer faktura {display_number(invoice.series, invoice.number)} av "
        f"{invoice.issue_date.strftime('%d.%m.%Y')}. Årsak: {reason}",  # Invoice.credit_reason reads it back
        organisation=invoice.organisation,
        **{name: getattr(invoice, name) for name in PARTY_FIELDS},
    )
    lines = [
        InvoiceLine(
            position=line.position,
            description=line.description,
            note=line.note,
            note_facts=line.note_facts,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for line in invoice.lines.all()
    ]
    _finish_issue(credit, lines, issued_by)
    invoice.status = InvoiceStatus.CREDITED
    invoice.save(update_fields=["status"])
    if invoice.contribution_id:
        # Credited, the contribution is no longer invoiced: it follows its inputs again, so the year is recomputed
        # (an adopted model may have changed, or the member left, since it was frozen).
        Contribution.objects.filter(pk=invoice.contribution_id).update(frozen_at=None)
        if adopted_model(invoice.year) is not None:
            requester = issued_by if getattr(issued_by, "pk", None) else None
            recompute_start(
                year=invoice.year, requested_by=requester, reason=told.kept(gettext_noop("Invoice credited"))
            )
    if invoice.service_order_id:
        from funding.services.catalogue import order_reopen_after_credit

        order_reopen_after_credit(invoice=invoice)
    if getattr(invoice, "delivery", None) is not None:
        # The buyer received the invoice through Peppol, so the credit note that cancels it goes the same way.
        from funding.services.delivery import invoice_queue_for_peppol

        invoice_queue_for_peppol(invoice=credit)
    return credit


# ------------------------------------------------------------------------------------------------
# Invoice runs


def invoice_run_start(*, year: int, issue_date: date, due_date: date, requested_by: Any = None) -> InvoiceRun:
    """Queue the issuing of a year's invoices after checking that every one of them can be issued."""
    preview = invoice_preview(year=year)
    if preview.profile_missing:
        raise ValidationError(_("Set up the network profile (legal entity, organisation number, bank account) first."))
    if preview.stale_message:
        raise ValidationError(preview.stale_message)
    if preview.problems:
        raise ValidationError(_("Some members cannot be invoiced yet; see the list."))
    if not preview.to_invoice:
        raise ValidationError(_("There is nothing to invoice for %(year)d.") % {"year": year})
    if due_date < issue_date:
        raise ValidationError({"due_date": _("The due date cannot be before the invoice date.")})
    problem = issue_date_problem(series=INVOICE_SERIES, issue_date=issue_date)
    if problem:
        raise ValidationError({"issue_date": problem})
    with transaction.atomic():
        active = (
            InvoiceRun.objects.select_for_update()
            .filter(year=year, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
            .first()
        )
        if active is not None:
            return active
        run = InvoiceRun.objects.create(
            year=year,
            issue_date=issue_date,
            due_date=due_date,
            requested_by=requested_by if getattr(requested_by, "pk", None) else None,
        )
        _queue_run(run.pk)  # sent once the transaction commits
    return run


def _queue_run(run_id: int) -> None:
    from funding import tasks

    tasks.enqueue_invoice_run(run_id)


def invoice_run_execute(*, run_id: int) -> InvoiceRun:
    """Issue every invoice of the run; safe to run again after an interruption (nothing is issued twice).

    Whatever stops the run is recorded on it as failed with the reason, so it never stays running; each invoice is
    issued in its own transaction, so a failure keeps the invoices issued before it whole and leaves nothing of the
    one it stopped. Starting the year's run again issues what is left.
    """
    run = InvoiceRun.claim(run_id)
    if run.is_finished:
        return run
    # The inputs may have changed since the run was started: contributions that are out of date are not invoiced.
    preview = invoice_preview(year=run.year)
    if preview.stale_message:
        InvoiceRun.fail(run_id, preview.stale_message)
        return InvoiceRun.objects.get(pk=run_id)
    issued = skipped = 0
    try:
        contributions = list(
            Contribution.objects.filter(year=run.year, amount__gt=0).order_by("organisation__name", "pk")
        )
        step = max(1, len(contributions) // 20)
        with documents_in_groups():
            for index, contribution in enumerate(contributions, start=1):
                invoice, created = invoice_issue(
                    contribution=contribution,
                    issue_date=run.issue_date,
                    due_date=run.due_date,
                    issued_by=run.requested_by,
                    run=run,
                )
                # An invoice this run issued before an interruption (a worker lost mid-run) counts as issued by it,
                # and its documents are queued again: the worker may have died before queuing them.
                by_this_run = created or invoice.run_id == run.pk
                if by_this_run and not created and not invoice.pdf_sha256:
                    _queue_documents(invoice.pk)
                issued, skipped = issued + by_this_run, skipped + (not by_this_run)
                if index % step == 0:
                    InvoiceRun.objects.filter(pk=run_id).update(
                        progress=int(95 * index / len(contributions)), issued=issued, skipped=skipped
                    )
    except Exception as error:
        if isinstance(error, ValidationError):
            message = "; ".join(error.messages)
        elif isinstance(error, NetworkProfile.DoesNotExist):
            message = _("Set up the network profile (legal entity, organisation number, bank account) first.")
        else:
            logger.exception("Invoice run %s stopped by an unexpected error", run_id)
            message = _(
                "The run stopped after %(issued)d invoices: %(error)s. Start the run again to issue the rest."
            ) % {
                "issued": issued,
                "error": f"{type(error).__name__}: {error}",
            }
        InvoiceRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=message, issued=issued, skipped=skipped, finished_at=timezone.now()
        )
        return InvoiceRun.objects.get(pk=run_id)
    InvoiceRun.objects.filter(pk=run_id).update(
        status=RunStatus.SUCCEEDED, progress=100, issued=issued, skipped=skipped, finished_at=timezone.now()
    )
    return InvoiceRun.objects.get(pk=run_id)


def invoice_run_fail(*, run_id: int, error: str) -> None:
    InvoiceRun.fail(run_id, error)


# ------------------------------------------------------------------------------------------------
# Documents


def invoice_documents_ensure(*, invoice: Invoice) -> Invoice:
    """Render the PDF and EHF of an issued document once and store them with their SHA-256."""
    if invoice.pdf_sha256 and invoice.ehf_sha256:
        return invoice
    return invoice_documents_render(invoice_id=invoice.pk)


def invoice_documents_render(*, invoice_id: int) -> Invoice:
    """The documents of the issued document `invoice_id` that are not stored yet, rendered and stored with their
    SHA-256 under its row lock (what the worker's task calls: the row it locks is the first it reads)."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.status == InvoiceStatus.DRAFT:
            raise ValidationError(_("A draft has no documents."))
        if invoice.pdf_sha256 and invoice.ehf_sha256:  # stored meanwhile, or a task run again
            return invoice
        lines = list(invoice.lines.all())
        credited = invoice.credited_invoice
        name = f"{'kreditnota' if invoice.is_credit_note else 'faktura'}-{invoice.display_number}"
        changed = []
        if not invoice.pdf_sha256:
            invoice.pdf_sha256 = document_store(invoice.pdf, f"{name}.pdf", invoice_pdf(invoice, lines, credited))
            changed += ["pdf", "pdf_sha256"]
        if not invoice.ehf_sha256:
            invoice.ehf_sha256 = document_store(invoice.ehf, f"{name}.xml", invoice_ehf(invoice, lines, credited))
            changed += ["ehf", "ehf_sha256"]
        save_with_history(invoice, update_fields=changed)
    return invoice


def invoice_document_bytes(*, invoice: Invoice, kind: str) -> bytes:
    """The stored bytes of the PDF or EHF, checked against the SHA-256 recorded when they were stored."""
    invoice = invoice_documents_ensure(invoice=invoice)
    file_field, digest = (invoice.pdf, invoice.pdf_sha256) if kind == "pdf" else (invoice.ehf, invoice.ehf_sha256)
    return document_read(file_field, digest, f"{kind} of {invoice}")


# ------------------------------------------------------------------------------------------------
# Payments


def invoice_refresh_status(*, invoice: Invoice, today: date | None = None) -> Invoice:
    """Paid, partly paid or overdue from the payments and the due date (reminders move the due date)."""
    if invoice.kind != InvoiceKind.INVOICE or invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.CREDITED):
        return invoice
    today = today or timezone.localdate()
    paid = invoice.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    # A settlement may have credited part of it: what is left to pay is the rest.
    owed = invoice.total - (
        invoice.credit_notes.exclude(status=InvoiceStatus.DRAFT).aggregate(total=Sum("total"))["total"] or Decimal(0)
    )
    due = invoice.reminders.order_by("-new_due_date").values_list("new_due_date", flat=True).first() or invoice.due_date
    if paid >= owed:
        status = InvoiceStatus.PAID
    elif due and due < today:
        status = InvoiceStatus.OVERDUE
    elif paid > 0:
        status = InvoiceStatus.PARTLY_PAID
    else:
        status = InvoiceStatus.SENT if invoice.sent_at else InvoiceStatus.ISSUED
    if status != invoice.status:
        invoice.status = status
        invoice.save(update_fields=["status"])
    return invoice


def amount_paid(invoice: Invoice) -> Decimal:
    return invoice.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)


@transaction.atomic
def payment_register(
    *,
    invoice: Invoice,
    amount: Decimal,
    paid_on: date,
    reference: str = "",
    source: str = PaymentSource.MANUAL,
    registered_by: Any = None,
    bank_import: BankImport | None = None,
    occurrence: int = 1,
    account: str = "",
) -> Payment:
    """Register money received for an open invoice. A payment from a bank statement also records the account it
    was paid to (as the bank's file states it, else the network's) and its KID, which with date, amount and reference
    make it known: it is registered only once."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice_accepts_payments(invoice):
        raise ValidationError(_("Payments are registered on open invoices only."))
    payment = Payment(
        invoice=invoice,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        source=source,
        registered_by=registered_by if getattr(registered_by, "pk", None) else None,
        bank_import=bank_import,
    )
    if source == PaymentSource.BANK:
        payment.account = account or invoice.seller_bank_account
        payment.kid, payment.occurrence = invoice.kid, occurrence
    payment.full_clean()
    payment.save()
    invoice_refresh_status(invoice=invoice)
    return payment


class BankFileRejected(ValidationError):
    """A bank statement that is not imported at all."""


def bank_payment_registered(*, invoice: Invoice, row: Any, occurrence: int = 1) -> Payment | None:
    """The payment a bank statement line brought before, if any: the same account, booking date, amount, KID and
    bank reference (and, for identical lines in one statement, the same position among them)."""
    return (
        Payment.objects.filter(
            source=PaymentSource.BANK,
            account=row.account or invoice.seller_bank_account,
            paid_on=row.paid_on,
            amount=row.amount,
            kid=row.kid,
            reference=row.reference,
            occurrence=occurrence,
        )
        .select_related("bank_import")
        .first()
    )


@transaction.atomic
def bank_statement_import(*, raw: bytes, file_name: str, imported_by: Any = None) -> BankImport:
    """Register the payments of a bank file by KID; unknown KIDs and wrong amounts are reported, not guessed.

    The file is Nets OCR giro, camt.054 or the portal's CSV, recognised from its content. Reversals, debits and
    entries not booked are listed and never registered. A malformed file, or one imported before, is refused
    whole. A payment registered before (from a statement
    with other bytes: line endings, separator, a BOM, another order) is listed and not registered again.
    """
    digest = hashlib.sha256(raw).hexdigest()
    earlier = BankImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        raise BankFileRejected(
            _("This file was imported on %(date)s; it is not imported again.")
            % {"date": timezone.localtime(earlier.imported_at).strftime("%d.%m.%Y %H:%M")}
        )
    file_format, rows = parse_bank_statement(raw)
    record = BankImport.objects.create(
        file_name=file_name[:200],
        sha256=digest,
        imported_by=imported_by if getattr(imported_by, "pk", None) else None,
    )
    invoices = {
        invoice.kid: invoice for invoice in Invoice.objects.filter(kid__in={row.kid for row in rows}, kind="invoice")
    }
    report: dict[str, list[dict[str, str]]] = {
        "registered": [],
        "unknown_kid": [],
        "overpaid": [],
        "underpaid": [],
        "not_open": [],
        "already_registered": [],
        "not_payments": [],
    }
    identical: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        entry = {"line": str(row.line), "kid": row.kid, "amount": str(row.amount), "date": row.paid_on.isoformat()}
        if row.not_payment:
            report["not_payments"].append(entry)
            continue
        invoice = invoices.get(row.kid)
        if invoice is None:
            report["unknown_kid"].append(entry)
            continue
        invoice.refresh_from_db()
        entry["invoice"] = invoice.display_number
        entry["organisation"] = invoice.buyer_name
        identity = (row.account, row.paid_on, row.amount, row.kid, row.reference)
        identical[identity] += 1
        occurrence = identical[identity]
        registered_before = bank_payment_registered(invoice=invoice, row=row, occurrence=occurrence)
        if registered_before is not None:
            record_of = registered_before.bank_import
            when = record_of.imported_at if record_of else registered_before.registered_at
            report["already_registered"].append(
                {**entry, "registered": timezone.localtime(when).strftime("%d.%m.%Y %H:%M")}
            )
            continue
        if invoice.status in (InvoiceStatus.CREDITED, InvoiceStatus.DRAFT):
            report["not_open"].append(entry)
            continue
        outstanding = invoice.outstanding
        assert outstanding is not None  # a KID names an invoice, never a credit note
        payment_register(
            invoice=invoice,
            amount=row.amount,
            paid_on=row.paid_on,
            reference=row.reference,
            source=PaymentSource.BANK,
            registered_by=imported_by,
            bank_import=record,
            occurrence=occurrence,
            account=row.account,
        )
        report["registered"].append(entry)
        if row.amount > outstanding:
            report["overpaid"].append({**entry, "difference": str(row.amount - outstanding)})
        elif row.amount < outstanding:
            report["underpaid"].append({**entry, "difference": str(outstanding - row.amount)})
    record.report = report
    record.file_format = file_format
    record.save(update_fields=["report", "file_format"])
    return record


# ------------------------------------------------------------------------------------------------
# Sending and reminders


def recipients(organisation: Organisation) -> list[str]:
    """The organisation's invoice email (its post box when it has named none) and its finance officers."""
    people = User.objects.filter(organisation=organisation, is_active=True, is_finance_officer=True).exclude(email="")
    box = organisation.invoice_email or organisation.email
    addresses = [box] if box else []
    addresses += [person.email for person in people]
    return list(dict.fromkeys(addresses))


def _attachments(invoice: Invoice) -> list[tuple[str, bytes, str]]:
    name = f"{'kreditnota' if invoice.is_credit_note else 'faktura'}-{invoice.display_number}"
    return [
        (f"{name}.pdf", invoice_document_bytes(invoice=invoice, kind="pdf"), "application/pdf"),
        (f"{name}.xml", invoice_document_bytes(invoice=invoice, kind="ehf"), "application/xml"),
    ]


@transaction.atomic
def invoice_send(*, invoice: Invoice, sent_by: Any = None) -> Invoice:
    """Send the invoice the way the organisation takes invoices: its EHF through the Peppol access point, or by
    email with PDF and EHF to the organisation and its finance officers."""
    if not invoice_can_send(invoice):
        raise ValidationError(_("Only an issued invoice that is not credited can be sent."))
    if invoice.organisation.invoice_channel == InvoiceChannel.PEPPOL:
        from funding.services.delivery import invoice_queue_for_peppol

        invoice_queue_for_peppol(invoice=invoice)
    else:
        to = recipients(invoice.organisation)
        if not to:
            raise ValidationError(
                _("%(name)s has no email address and no finance officer with one.")
                % {"name": invoice.organisation.name}
            )
        box = invoice.organisation.invoice_email or invoice.organisation.email
        # The invoice address always gets the invoice; a finance officer's copy is a mail they may choose, except
        # where the organisation has no address of its own and the officers are how the invoice arrives.
        send_templated(
            "invoice",
            {"invoice": invoice},
            to,
            _attachments(invoice),
            topic=MailTopic.INVOICE,
            always_to=[box] if box else to,
        )
    invoice.sent_at = timezone.now()
    changed = ["sent_at"]
    if invoice.status == InvoiceStatus.ISSUED:
        invoice.status = InvoiceStatus.SENT
        changed.append("status")
    invoice.save(update_fields=changed)
    return invoice


# A reminder gives the buyer at least this many days from the day it is sent.


def effective_due_date(invoice: Invoice) -> date | None:
    """The due date that applies now: the latest reminder's new due date, else the invoice's own."""
    # An invoice not yet saved (a page asking about a draft) has no reminders.
    if not invoice.pk:
        reminded = None
    # Fetched with the invoice (its page: invoice_selectors.invoice_get_for_page). Only a prefetch of every
    # reminder, as there: a Prefetch("reminders", queryset=...) that filtered them would give a wrong date here.
    elif "reminders" in getattr(invoice, "_prefetched_objects_cache", {}):
        reminded = max((reminder.new_due_date for reminder in invoice.reminders.all()), default=None)
    else:
        reminded = invoice.reminders.order_by("-new_due_date").values_list("new_due_date", flat=True).first()
    dates = [day for day in (reminded, invoice.due_date) if day is not None]
    return max(dates) if dates else None


def reminder_allowed(invoice: Invoice, today: date | None = None) -> bool:
    """An open invoice with something outstanding whose due date (as reminders moved it) has passed."""
    today = today or timezone.localdate()
    if not invoice.pk or invoice.kind != InvoiceKind.INVOICE or invoice.status not in OPEN_STATUSES:
        return False  # an invoice not yet saved has no payments or reminders to ask about
    due = effective_due_date(invoice)
    outstanding = invoice.outstanding
    return due is not None and due < today and outstanding is not None and outstanding > 0


def reminder_earliest_due_date(invoice: Invoice, today: date | None = None) -> date:
    """The earliest new due date a reminder may give: today plus the reminder period, never before the original."""
    today = today or timezone.localdate()
    earliest = today + timedelta(days=REMINDER_PERIOD_DAYS)
    return max(earliest, invoice.due_date) if invoice.due_date else earliest


@transaction.atomic
def reminder_send(*, invoice: Invoice, new_due_date: date, sent_by: Any = None) -> Reminder:
    """Remind the organisation of an overdue invoice, with a new due date (no fee)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    today = timezone.localdate()
    if not invoice_is_open(invoice):
        raise ValidationError(_("Only an unpaid invoice can be reminded."))
    if not reminder_allowed(invoice, today):
        due = effective_due_date(invoice)
        raise ValidationError(
            _("Invoice %(number)s is not overdue: it falls due on %(date)s; a reminder can be sent after that.")
            % {"number": invoice.display_number, "date": due.strftime("%d.%m.%Y") if due else "–"}
        )
    earliest = reminder_earliest_due_date(invoice, today)
    if new_due_date < earliest:
        raise ValidationError(
            {
                "new_due_date": _(
                    "The new due date must be %(date)s or later (today plus %(days)d days, and never before the "
                    "invoice's own due date)."
                )
                % {"date": earliest.strftime("%d.%m.%Y"), "days": REMINDER_PERIOD_DAYS}
            }
        )
    to = recipients(invoice.organisation)
    if not to:
        raise ValidationError(
            _("%(name)s has no email address and no finance officer with one.") % {"name": invoice.organisation.name}
        )
    outstanding = invoice.outstanding
    send_templated(
        "invoice-reminder",
        {"invoice": invoice, "new_due_date": new_due_date, "outstanding": outstanding},
        to,
        _attachments(invoice),
    )
    reminder = Reminder.objects.create(
        invoice=invoice,
        sent_at=timezone.now(),
        new_due_date=new_due_date,
        sent_to=to,
        sent_by=sent_by if getattr(sent_by, "pk", None) else None,
    )
    invoice_refresh_status(invoice=invoice)
    return reminder


def invoices_mark_overdue(*, today: date | None = None) -> int:
    """Mark open invoices whose (possibly reminded) due date has passed; run daily."""
    today = today or timezone.localdate()
    changed = 0
    for invoice in Invoice.objects.open().filter(due_date__lt=today):
        before = invoice.status
        if invoice_refresh_status(invoice=invoice, today=today).status != before:
            changed += 1
    return changed


def default_due_date(issue_date: date) -> date:
    profile = NetworkProfile.objects.first()
    return issue_date + timedelta(days=profile.payment_terms_days if profile else 30)
