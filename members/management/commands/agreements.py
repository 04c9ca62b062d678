"""`agreements export-signed --out DIR`: write every completed, sealed agreement to a folder."""

from pathlib import Path

from django.core.management.base import BaseCommand

from members.models import Agreement


class Command(BaseCommand):
    help = "Cooperation agreements. `export-signed --out DIR` writes every sealed agreement."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser("export-signed", help="Write every completed, sealed agreement to a folder.")
        export.add_argument("--out", required=True, type=Path)

    def handle(self, *args, action: str, **options):
        return getattr(self, f"handle_{action.replace('-', '_')}")(**options)

    def handle_export_signed(self, *, out: Path, **options):
        out.mkdir(parents=True, exist_ok=True)
        count = 0
        for agreement in Agreement.objects.exclude(sealed_sha256="").select_related("organisation", "template"):
            name = (
                f"samarbeidsavtale-{agreement.organisation.number or agreement.organisation.pk}-"
                f"{agreement.organisation.name.lower().replace(' ', '-')}-v{agreement.template.version}.pdf"
            )
            with agreement.sealed.open("rb") as handle:
                (out / name).write_bytes(handle.read())
            count += 1
        self.stdout.write(f"{count} sealed agreements written to {out}")
