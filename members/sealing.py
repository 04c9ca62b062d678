"""PAdES sealing of completed agreement PDFs with the network's certificate, and verification of such seals.

No ORM and no settings in here: callers pass paths and bytes. Signing is PAdES B-B (subfilter ETSI.CAdES.detached,
SHA-256, no timestamp) added as an invisible signature field by incremental update. Verification never fetches
anything (no OCSP/CRL/AIA), so revocation is not checked; trust is "chains to one of the given roots".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

CERTIFICATE_FILENAME = "cert.pem"
KEY_FILENAME = "key.pem"


class SealingError(Exception):
    """The PDF could not be sealed (unreadable key material or PDF)."""


@dataclass(frozen=True)
class SealCheck:
    """Outcome of verifying the signatures embedded in a PDF; ``valid`` is the overall verdict."""

    valid: bool
    intact: bool
    trusted: bool
    covers_whole_document: bool
    signer: str
    signed_at: dt.datetime | None
    problems: list[str] = field(default_factory=list)


def seal_pdf(
    pdf: bytes,
    *,
    certificate_path: Path,
    key_path: Path,
    key_password: bytes | None = None,
    reason: str = "Forseglet av nettverket",
    location: str = "Norge",
    name: str = "Seal",
) -> bytes:
    """Return ``pdf`` with an invisible PAdES B-B signature in a new field ``name``, added by incremental update."""
    signer = signers.SimpleSigner.load(str(key_path), str(certificate_path), key_passphrase=key_password)
    if signer is None:  # pyHanko logs the cause and returns None instead of raising
        raise SealingError(f"Could not load the seal certificate {certificate_path} or its key {key_path}.")
    metadata = signers.PdfSignatureMetadata(
        field_name=name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        output = signers.sign_pdf(writer, metadata, signer=signer)
    except (PdfError, SigningError) as error:
        raise SealingError(f"Could not seal the PDF: {error}") from error
    return output.getvalue()


def verify_seal(pdf: bytes, *, trust_roots: list[Path]) -> SealCheck:
    """Validate every signature in ``pdf`` offline against ``trust_roots`` and summarise the result."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfError, ValueError, KeyError, TypeError) as error:
        return _failed(f"unreadable PDF: {error}")
    if not signatures:
        return _failed("no signature")

    roots = [load_cert_from_pemder(str(path)) for path in trust_roots]
    problems: list[str] = []
    all_intact = all_sound = all_trusted = True
    signer, signed_at, covers_whole_document = "", None, False
    last = len(signatures) - 1  # pyHanko lists them in signing order; the newest is the seal
    for index, embedded in enumerate(signatures):
        label = embedded.field_name or f"signature {index + 1}"
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            status = validate_pdf_signature(embedded, signer_validation_context=context)
        except Exception as error:  # pyHanko raises many exception types on malformed or tampered input
            problems.append(f"{label}: could not be validated ({type(error).__name__}: {error})")
            all_intact = all_sound = all_trusted = False
            continue

        if not status.intact:
            problems.append(f"{label}: the signed content was changed after signing")
        elif not status.valid:
            problems.append(f"{label}: the cryptographic signature is invalid")
        if status.intact and status.valid and not status.trusted:
            problems.append(f"{label}: the signer's certificate is not trusted ({_trust_problem(status)})")
        if index == last:
            signer = _common_name(status.signing_cert)
            signed_at = status.signer_reported_dt
            covers_whole_document = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            if not covers_whole_document:
                problems.append(f"{label}: {_coverage_problem(status)}")
        elif not status.docmdp_ok:
            problems.append(f"{label}: later changes to the document are not permitted by this signature")
        all_intact = all_intact and status.intact
        all_sound = all_sound and status.valid
        all_trusted = all_trusted and status.trusted

    return SealCheck(
        valid=all_intact and all_sound and all_trusted and covers_whole_document and not problems,
        intact=all_intact,
        trusted=all_trusted,
        covers_whole_document=covers_whole_document,
        signer=signer,
        signed_at=signed_at,
        problems=problems,
    )


def create_development_certificate(
    *,
    directory: Path,
    common_name: str = "DigiVestland (utvikling)",
    organisation: str = "DigiVestland",
    days: int = 3650,
) -> tuple[Path, Path]:
    """Write a self-signed development seal certificate (cert.pem, also the trust root) and its key (key.pem)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))  # tolerate small clock differences
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation: pyHanko requires it on a signer's certificate by default
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / CERTIFICATE_FILENAME, directory / KEY_FILENAME
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.touch(mode=0o600)
    key_path.chmod(0o600)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _failed(problem: str) -> SealCheck:
    return SealCheck(
        valid=False,
        intact=False,
        trusted=False,
        covers_whole_document=False,
        signer="",
        signed_at=None,
        problems=[problem],
    )


def _common_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def _trust_problem(status) -> str:
    if status.trust_problem_indic is not None:
        return status.trust_problem_indic.name
    return "no path to a trust root"


def _coverage_problem(status) -> str:
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return "the signature does not cover the document it is embedded in"
    level = status.modification_level
    if level is None or level.name == "NONE":
        return "data was appended to the file after signing"
    return f"the document was changed after signing (modification level {level.name})"
