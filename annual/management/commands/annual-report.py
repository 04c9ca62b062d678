"""python manage.py annual-report YEAR --out FILE.pdf: the year's annual report as PDF.

The approved report is the frozen PDF the council approved; a report not yet approved is compiled afresh from
today's data (marked as a draft on its cover)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annual.documents import annual_report_pdf
from annual.models import AnnualReport
from annual.services import annual_report_is_approved
from core.documents import StoredDocumentAltered, document_read


class Command(BaseCommand):
    help = "Write the annual report for YEAR as PDF (the approved one when it is approved)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--out", required=True, help="The PDF file to write.")

    def handle(self, *args, year: int, out: str, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"{year} is not a year the portal keeps.")
        report = AnnualReport.objects.select_related("case__decision", "case__meeting").filter(year=year).first()
        if report is not None and report.pdf and annual_report_is_approved(report):
            try:
                content = document_read(report.pdf, report.sha256, "annual report")
            except StoredDocumentAltered as error:
                raise CommandError(str(error)) from None
            what = "the approved report"
        else:
            content = annual_report_pdf(year=year)
            what = "a draft compiled from today's data"
        Path(out).write_bytes(content)
        self.stdout.write(f"Wrote {out} ({what}, {len(content)} bytes)")
