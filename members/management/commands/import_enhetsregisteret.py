from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members.enhetsregisteret import RegisterFileError, read_units
from members.models import Organisation
from members.register import organisation_apply_register_facts, portal_org_numbers, register_compare


class Command(BaseCommand):
    help = (
        "Compare organisations with Enhetsregisteret's open-data JSON (one unit's JSON, or the bulk download, "
        "gzip-compressed or not) and show the differences; --apply saves them all."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--apply", action="store_true", help="Save the register's values (all or nothing).")

    def handle(self, *args, file: Path, apply: bool, **options):
        # Whoever runs manage.py holds the server: every organisation is compared.
        organisations = Organisation.objects.exclude(org_number=None)
        try:
            with file.open("rb") as stream:
                comparison = register_compare(
                    organisations=organisations, units=read_units(stream, wanted=portal_org_numbers())
                )
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except RegisterFileError as error:
            raise CommandError(f"{file}: not Enhetsregisteret's JSON: {error}") from None
        for difference in comparison.differences:
            organisation = difference.organisation
            self.stdout.write(f"{organisation.name} ({organisation.org_number})")
            for note in difference.notes:
                self.stdout.write(f"  ! {note}")
            for change in difference.changes:
                self.stdout.write(f"  {change.field}: {change.current or '–'} -> {change.register}")
        self.stdout.write(
            f"{file}: {comparison.matched} organisations found, {len(comparison.differences)} with differences, "
            f"{len(comparison.unchanged)} unchanged."
        )
        if not apply:
            if any(difference.changes for difference in comparison.differences):
                self.stdout.write("Nothing was saved; run again with --apply to save these values.")
            return
        try:
            with transaction.atomic():
                applied = 0
                for difference in comparison.differences:
                    if difference.changes:
                        organisation_apply_register_facts(
                            organisation=difference.organisation, changes=difference.changes, source=file.name
                        )
                        applied += 1
        except ValidationError as error:
            raise CommandError(" ".join(error.messages) + " Nothing was saved.") from None
        self.stdout.write(f"Saved the register's values for {applied} organisations.")
