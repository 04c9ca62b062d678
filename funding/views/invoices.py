from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import policy
from core.access import require
from core.exports import spreadsheet_response
from core.forms import add_service_error
from core.paging import page_of
from funding import invoice_selectors as selectors
from funding import selectors as funding_selectors
from funding import services
from funding.choices import InvoiceKind, InvoiceStatus
from funding.forms import BankImportForm, CreditNoteForm, InvoiceRunForm, JournalForm, PaymentForm, ReminderForm
from funding.journal import journal_csv, journal_postings, journal_sums
from funding.rows import invoice_rows


@require("invoice.view")
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = selectors.invoice_list(user=request.user)
    filters = {
        "year": request.GET.get("year", ""),
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
        "q": request.GET.get("q", "").strip(),
    }
    if filters["year"].isascii() and filters["year"].isdigit():
        invoices = invoices.filter(year=int(filters["year"]))
    if filters["status"] in InvoiceStatus.values:
        invoices = invoices.filter(status=filters["status"])
    if filters["kind"] in InvoiceKind.values:
        invoices = invoices.filter(kind=filters["kind"])
    if filters["q"]:
        invoices = invoices.filter(Q(buyer_name__icontains=filters["q"]) | Q(kid=filters["q"]))
    export = request.GET.get("_export")
    if export in ("csv", "xlsx"):
        header = [
            _("Number"),
            _("Kind"),
            _("Buyer"),
            _("Organisation number"),
            _("Invoice date"),
            _("Due date"),
            _("Amount"),
            _("Paid"),
            _("Status"),
            _("KID"),
        ]
        rows = [
            [
                i.display_number,
                i.get_kind_display(),
                i.buyer_name,
                i.buyer_org_number,
                i.issue_date,
                i.due_date,
                i.total,
                i.paid or Decimal(0),
                i.get_status_display(),
                i.kid,
            ]
            for i in invoices
        ]
        return spreadsheet_response(export, "fakturaer", header, rows)
    # A page of rows at a time (the totals per year are over them all); the rows show the buyer as invoiced, so the
    # organisation is not joined.
    page = page_of(request, invoices.select_related(None))
    page.object_list = selectors.with_shares(page.object_list)
    years, totals = selectors.invoice_summary(user=request.user)
    return render(
        request,
        "funding/invoice_list.html",
        {
            "invoices": page,
            "rows": invoice_rows(page),  # each cell worked out once (funding/rows.py)
            "page_obj": page,
            "filters": filters,
            "statuses": InvoiceStatus.choices,
            "years": years,
            "totals": totals,
            "is_secretariat": policy.is_secretariat(request.user),
        },
    )


@require("invoice.view")
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get_for_page(user=request.user, pk=pk)
    can_manage = policy.can(request.user, "invoice.manage")
    paid = invoice.paid_amount
    today = timezone.localdate()
    return render(
        request,
        "funding/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.all(),
            "payments": invoice.payments.all(),
            "reminders": invoice.reminders.all(),
            "credit_notes": invoice.credit_notes.all(),
            # Only what the link shows: the year and the organisation's name.
            "contribution": funding_selectors.contribution_list(user=request.user)
            .select_related(None)
            .select_related("organisation")
            .only("year", "organisation", "organisation__name")
            .filter(pk=invoice.contribution_id)
            .first()
            if invoice.contribution_id
            else None,
            "paid": paid,
            "credited": invoice.credited_amount,
            "outstanding": invoice.outstanding,
            "overpaid": invoice.overpaid,
            "can_manage": can_manage,
            "delivery": getattr(invoice, "delivery", None) if policy.can(request.user, "invoice.delivery") else None,
            "payment_form": PaymentForm(initial={"paid_on": today, "amount": max(invoice.outstanding or 0, 0)}),
            "reminder_form": ReminderForm(initial={"new_due_date": services.reminder_default_due_date(invoice, today)}),
            "credit_form": CreditNoteForm(initial={"issue_date": today}),
        },
    )


def _download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    content = services.invoice_document_bytes(invoice=invoice, kind=kind)
    prefix = "kreditnota" if invoice.is_credit_note else "faktura"
    content_type, extension = ("application/pdf", "pdf") if kind == "pdf" else ("application/xml", "xml")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{prefix}-{invoice.display_number}.{extension}")
    response["X-Content-SHA256"] = invoice.pdf_sha256 if kind == "pdf" else invoice.ehf_sha256
    return response


@require("invoice.view")
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf")


@require("invoice.view")
def invoice_ehf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "ehf")


def _act(request: HttpRequest, pk: int, form_class, action, success: str) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(invoice, form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, success)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect(invoice)


def _register_payment(request: HttpRequest):
    def register(invoice, data):
        if not services.invoice_can_register_payment(invoice):
            raise ValidationError(_("Payments are registered on open invoices only."))
        return services.payment_register(invoice=invoice, registered_by=request.user, **data)

    return register


@require_POST
@require("invoice.manage")
def invoice_payment(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        PaymentForm,
        _register_payment(request),
        _("The payment was registered."),
    )


@require_POST
@require("invoice.manage")
def invoice_remind(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReminderForm,
        lambda invoice, data: services.reminder_send(invoice=invoice, sent_by=request.user, **data),
        _("The reminder was sent."),
    )


@require_POST
@require("invoice.manage")
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        CreditNoteForm,
        lambda invoice, data: services.credit_note_issue(invoice=invoice, issued_by=request.user, **data),
        _("The credit note was issued."),
    )


@require_POST
@require("invoice.manage")
def invoice_send(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    try:
        services.invoice_send(invoice=invoice, sent_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if services.invoice_delivers_by_peppol(invoice):
            messages.success(request, _("The invoice is in the Peppol outbox and goes to the access point."))
        else:
            messages.success(request, _("The invoice was sent by email with PDF and EHF attached."))
    return redirect(invoice)


@require("invoice.manage")
def invoice_run(request: HttpRequest, year: int) -> HttpResponse:
    """Preview of a year's invoice run; issuing it starts a background job."""
    preview = services.invoice_preview(year=year)
    today = timezone.localdate()
    form = InvoiceRunForm(
        request.POST or None, initial={"issue_date": today, "due_date": services.default_due_date(today)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.invoice_run_start(year=year, requested_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect(run)
    return render(request, "funding/invoice_run.html", {"preview": preview, "form": form, "year": year})


@require("invoice.manage")
def invoice_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.invoice_run_get(user=request.user, pk=pk)
    return render(request, "funding/invoice_run_detail.html", {"run": run})


@require("invoice.manage")
def invoice_run_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = selectors.invoice_run_get(user=request.user, pk=pk)
    return JsonResponse({**run.state(), "issued": run.issued})


@require("payment.import")
def bank_import(request: HttpRequest) -> HttpResponse:
    form = BankImportForm(request.POST or None, request.FILES or None)
    record = None
    if request.method == "POST" and form.is_valid():
        try:
            record = services.bank_statement_import(
                raw=form.cleaned_data["file"], file_name=request.FILES["file"].name, imported_by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
    return render(request, "funding/bank_import.html", {"form": form, "record": record})


@require("invoice.manage")
def journal(request: HttpRequest) -> HttpResponse:
    """The journal for the host's accounts, shown with its sums per account and downloaded as CSV."""
    form = JournalForm(request.GET or None, years=selectors.invoice_years(user=request.user))
    postings = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        run = data["run"]
        postings = journal_postings(
            year=data["year"], run_id=run.pk if run else None, date_from=data["date_from"], date_to=data["date_to"]
        )
        if request.GET.get("download"):
            response = HttpResponse(journal_csv(postings), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = content_disposition_header(True, "journal.csv")
            return response
    context = {
        "form": form,
        "postings": postings,
        "sums": journal_sums(postings) if postings is not None else None,
        "download_query": request.GET.urlencode(),
    }
    return render(request, "funding/journal.html", context)
