from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members.population_file import PopulationFileError, decode_upload
from members.services import population_import


class Command(BaseCommand):
    help = (
        "Import population figures, all or nothing, from Statistics Norway's table 07459 (statistics bank CSV or "
        "JSON-stat 2.0 from its API) or the portal's CSV (kommunenummer,name,county,population,population_date)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A .csv or .json file.")
        parser.add_argument("--source", default="SSB, tabell 07459", help="Where the figures come from.")

    def handle(self, *args, file: Path, source: str, **options):
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            result = population_import(text=decode_upload(raw), source=source)
        except PopulationFileError as error:
            raise CommandError(f"{file}: not imported, nothing was saved.\n" + "\n".join(error.errors)) from None
        dates = ", ".join(sorted(d.strftime("%d.%m.%Y") for d in result.reference_dates))
        self.stdout.write(
            f"{file}: {result.created} new, {result.updated} corrected, {result.unchanged} unchanged "
            f"(reference date {dates}); {result.outside_network} rows outside the network skipped."
        )
