"""`payments import FILE`: register the payments of a bank file (OCR giro, camt.054 or CSV), as the upload does."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from funding.services import bank_statement_import

SECTIONS = [
    ("already_registered", "Registered before, not registered again"),
    ("unknown_kid", "Unknown KID, not registered"),
    ("not_payments", "Reversals, debits and entries not booked, not registered"),
    ("not_open", "Paid to a credited invoice, not registered"),
    ("overpaid", "Paid too much"),
    ("underpaid", "Paid too little"),
]


class Command(BaseCommand):
    help = "Payments: `import FILE` registers a bank file's payments by KID (Nets OCR giro, camt.054 or CSV)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imported = actions.add_parser("import", help="Register the payments of a bank file, matched by KID.")
        imported.add_argument("file", type=Path)

    def handle(self, *args, action: str, file: Path, **options):
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            record = bank_statement_import(raw=raw, file_name=file.name)
        except ValidationError as error:
            raise CommandError(f"{file}: not imported, nothing was registered.\n" + "\n".join(error.messages)) from None
        report = record.report
        self.stdout.write(
            f"{file}: read as {record.get_file_format_display()}; {len(report['registered'])} payments registered."
        )
        for key, title in SECTIONS:
            for row in report.get(key, []):
                extra = f", {row['invoice']} {row['organisation']}" if "invoice" in row else ""
                difference = f", difference {row['difference']}" if "difference" in row else ""
                self.stdout.write(
                    f"  {title}: line {row['line']}, KID {row['kid'] or '-'}, {row['amount']} ({row['date']})"
                    f"{extra}{difference}"
                )
