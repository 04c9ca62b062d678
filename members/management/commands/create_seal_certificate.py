from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members.sealing import CERTIFICATE_FILENAME, KEY_FILENAME, create_development_certificate


class Command(BaseCommand):
    # It makes the seal the production checks ask for, so it cannot wait for them to pass.
    requires_system_checks: list[str] = []
    help = (
        "Create a self-signed development certificate and private key for sealing agreement PDFs "
        f"({CERTIFICATE_FILENAME} and {KEY_FILENAME} in --out). Not for production: use the network's real seal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="Directory to write the certificate and key to.")
        parser.add_argument("--common-name", default="DigiVestland (utvikling)", help="Subject common name.")
        parser.add_argument("--organisation", default="DigiVestland", help="Subject organisation name.")
        parser.add_argument("--days", type=int, default=3650, help="Validity in days.")
        parser.add_argument("--force", action="store_true", help="Overwrite an existing certificate and key.")

    def handle(self, *args, out: Path, common_name: str, organisation: str, days: int, force: bool, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a directory.")
        existing = [out / name for name in (CERTIFICATE_FILENAME, KEY_FILENAME) if (out / name).exists()]
        if existing and not force:
            raise CommandError(
                "Refusing to overwrite " + ", ".join(str(path) for path in existing) + " (use --force to replace)."
            )
        try:
            cert_path, key_path = create_development_certificate(
                directory=out, common_name=common_name, organisation=organisation, days=days
            )
        except OSError as error:
            raise CommandError(f"{out}: {error.strerror}") from None
        cert_path, key_path = cert_path.resolve(), key_path.resolve()
        self.stdout.write(f"Certificate: {cert_path}\nPrivate key: {key_path} (unencrypted, mode 0600)\n")
        self.stdout.write("Point the settings at them (the self-signed certificate is its own trust root):")
        self.stdout.write(f"  SEAL_CERTIFICATE_PATH={cert_path}")
        self.stdout.write(f"  SEAL_KEY_PATH={key_path}")
        self.stdout.write(f"  SEAL_TRUST_ROOT_PATH={cert_path}")
