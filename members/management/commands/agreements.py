"""`agreements export-signed --out DIR`: write every completed, sealed agreement to a folder, each checked."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from members.models import Agreement
from members.sealing import long_term_validation, signed_original, verify_seal


class Command(BaseCommand):
    help = "Cooperation agreements. `export-signed --out DIR` writes every sealed agreement."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser("export-signed", help="Write every completed, sealed agreement to a folder.")
        export.add_argument("--out", required=True, type=Path)

    def handle(self, *args, action: str, **options):
        return getattr(self, f"handle_{action.replace('-', '_')}")(**options)

    def handle_export_signed(self, *, out: Path, **options):
        """Each file is written as stored and reported with its seal's level and validity (against
        SEAL_TRUST_ROOT_PATH) and whether the signed original embedded in it has the SHA-256 recorded at signing."""
        out.mkdir(parents=True, exist_ok=True)
        count = 0
        for agreement in Agreement.objects.exclude(sealed_sha256="").select_related("organisation", "template"):
            name = (
                f"samarbeidsavtale-{agreement.organisation.number or agreement.organisation.pk}-"
                f"{agreement.organisation.name.lower().replace(' ', '-')}-v{agreement.template.version}.pdf"
            )
            with agreement.sealed.open("rb") as handle:
                content = handle.read()
            (out / name).write_bytes(content)
            check = verify_seal(content, trust_roots=[settings.SEAL_TRUST_ROOT_PATH])
            original = signed_original(content)
            if original is None:
                embedded = "no signed original embedded"
            elif hashlib.sha256(original).hexdigest() == agreement.document_sha256:
                embedded = f"signed original SHA-256 {agreement.document_sha256} as recorded"
            else:
                embedded = "the embedded original does NOT match the recorded SHA-256"
            verdict = "valid" if check.valid else "NOT valid: " + "; ".join(check.problems)
            stamped = f", timestamp {check.timestamp:%Y-%m-%d %H:%M:%S %Z}" if check.timestamp else ""
            self.stdout.write(f"{name}: PAdES {check.level} {verdict}{stamped}; {embedded}")
            if check.level == "B-LTA":
                indication, proven = long_term_validation(content, trust_roots=[settings.SEAL_TRUST_ROOT_PATH])
                self.stdout.write(
                    f"  AdES long-term validation: {indication}, signature existed by {proven:%Y-%m-%d %H:%M:%S %Z}"
                )
            count += 1
        self.stdout.write(f"{count} sealed agreements written to {out}")
