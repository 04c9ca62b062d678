"""`invoices run --year YYYY`: issue the year's invoices; `invoices export --year YYYY --format ehf|pdf --out DIR`;
`invoices journal [--year YYYY] [--run ID] [--from DATE] [--to DATE] [--out FILE]`: the journal for the accounts."""

from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.runs import RunStatus
from funding.invoice_numbers import INVOICE_SERIES
from funding.journal import journal_csv, journal_postings, journal_sums
from funding.models import Invoice, InvoiceRun
from funding.services import (
    default_due_date,
    invoice_document_bytes,
    invoice_preview,
    invoice_run_execute,
    issue_date_problem,
)


def _date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Invoices: `run` issues a year's invoices; `export` writes one PDF or EHF file per invoice; `journal` writes "
        "the invoices, credit notes and payments as postings for the host's accounts (CSV)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = actions.add_parser("run", help="Issue an invoice for every contribution of the year not yet invoiced.")
        run.add_argument("--year", required=True, type=int)
        run.add_argument("--issue-date", type=_date, help="Invoice date (default today).")
        run.add_argument("--due-date", type=_date, help="Due date (default: the network's payment terms).")
        export = actions.add_parser("export", help="Write every invoice and credit note of the year to a folder.")
        export.add_argument("--year", required=True, type=int)
        export.add_argument("--format", required=True, choices=["ehf", "pdf"])
        export.add_argument("--out", required=True, type=Path)
        journal = actions.add_parser("journal", help="The journal for the host's accounts, as CSV.")
        journal.add_argument("--year", type=int, help="The budget year's invoices, credit notes and payments.")
        journal.add_argument("--run", type=int, help="The invoices of one invoice run (its id).")
        journal.add_argument("--from", dest="date_from", type=_date, help="Documents and payments from this date.")
        journal.add_argument("--to", dest="date_to", type=_date, help="Documents and payments up to this date.")
        journal.add_argument("--out", type=Path, help="Write to this file (default: standard output).")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_run(self, *, year: int, issue_date: date | None, due_date: date | None, **options):
        preview = invoice_preview(year=year)
        if preview.profile_missing:
            raise CommandError("The network profile (legal entity, organisation number, bank account) is not set up.")
        if preview.problems:
            lines = "".join(
                f"\n  {c.organisation.name}: {'; '.join(preview.problems[c.organisation_id])}"
                for c in preview.to_invoice
                if c.organisation_id in preview.problems
            )
            raise CommandError(f"{year}: nothing was issued; these members cannot be invoiced yet:{lines}")
        if preview.stale_message:
            raise CommandError(f"{year}: nothing was issued. {preview.stale_message}")
        issue_date = issue_date or timezone.localdate()
        due_date = due_date or default_due_date(issue_date)
        if due_date < issue_date:
            raise CommandError("The due date cannot be before the invoice date.")
        problem = issue_date_problem(series=INVOICE_SERIES, issue_date=issue_date)
        if problem:
            raise CommandError(f"{year}: nothing was issued. {problem}")
        run = InvoiceRun.objects.create(year=year, issue_date=issue_date, due_date=due_date)
        try:
            run = invoice_run_execute(run_id=run.pk)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"{year}: {run.error}")
        self.stdout.write(f"{year}: {run.issued} invoices issued, {run.skipped} already invoiced.")

    def handle_export(self, *, year: int, format: str, out: Path, **options):
        out.mkdir(parents=True, exist_ok=True)
        count = 0
        for invoice in Invoice.objects.filter(year=year).exclude(status="draft").order_by("series", "number"):
            prefix = "kreditnota" if invoice.is_credit_note else "faktura"
            extension = "pdf" if format == "pdf" else "xml"
            path = out / f"{prefix}-{invoice.display_number}.{extension}"
            path.write_bytes(invoice_document_bytes(invoice=invoice, kind=format))
            count += 1
        self.stdout.write(f"{count} files written to {out}")

    def handle_journal(
        self,
        *,
        year: int | None,
        run: int | None,
        date_from: date | None,
        date_to: date | None,
        out: Path | None,
        **options,
    ):
        if run is not None and not InvoiceRun.objects.filter(pk=run).exists():
            raise CommandError(f"There is no invoice run {run}.")
        if date_from and date_to and date_from > date_to:
            raise CommandError("The period ends before it begins.")
        postings = journal_postings(year=year, run_id=run, date_from=date_from, date_to=date_to)
        text = journal_csv(postings)
        if out is None:
            self.stdout.write(text, ending="")
            return
        out.write_text(text, encoding="utf-8")
        sums = ", ".join(f"{account}: {total:.2f}" for account, total in journal_sums(postings).items())
        self.stdout.write(f"{len(postings)} postings written to {out} ({sums or 'none'})")
