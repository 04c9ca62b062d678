"""PAdES sealing of completed agreement PDFs with the network's certificate, and verification of such seals.

No ORM and no settings in here: callers pass paths and bytes. The seal is an invisible signature field (subfilter
ETSI.CAdES.detached, SHA-256) added by incremental update. With a time-stamping authority (RFC 3161) it is PAdES
B-LTA: the signature carries a timestamp (B-T), the certificates and revocation data needed to validate it later are
embedded in the document security store (B-LT), and a document timestamp closes it (B-LTA); without one it is B-B.
The key is a PEM file or an object in an HSM reached through PKCS#11.

Verification never fetches anything (no OCSP/CRL/AIA), so revocation is not checked beyond what the document
embeds; trust is "chains to one of the given roots".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pikepdf
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import ValidationError

CERTIFICATE_FILENAME = "cert.pem"
KEY_FILENAME = "key.pem"


class SealingError(Exception):
    """The PDF could not be sealed (unreadable key material or PDF, or no answer from the time-stamping authority)."""


@dataclass(frozen=True)
class Pkcs11Key:
    """A seal key kept in an HSM: the PKCS#11 module, the token's label, the user PIN and the key's label."""

    module: str
    token: str
    pin: str
    key_label: str


@dataclass(frozen=True)
class SealCheck:
    """Outcome of verifying the signatures embedded in a PDF; ``valid`` is the overall verdict.

    ``level`` is the PAdES baseline level the seal reaches (B-B, B-T, B-LT or B-LTA) and ``timestamp`` the time a
    time-stamping authority vouches for (None for B-B, where the only time is the one the signer wrote)."""

    valid: bool
    intact: bool
    trusted: bool
    covers_whole_document: bool
    signer: str
    signed_at: dt.datetime | None
    problems: list[str] = field(default_factory=list)
    level: str = "B-B"
    timestamp: dt.datetime | None = None


def load_roots(paths: list[Path]) -> list[asn1_x509.Certificate]:
    """Every certificate in the given PEM or DER files (a file may hold a bundle)."""
    return [certificate for path in paths for certificate in load_certs_from_pemder([str(path)])]


@contextmanager
def _signer(
    certificate_path: Path, key_path: Path | None, key_password: bytes | None, pkcs11: Pkcs11Key | None
) -> Iterator[signers.Signer]:
    if pkcs11 is None:
        signer = signers.SimpleSigner.load(str(key_path), str(certificate_path), key_passphrase=key_password)
        if signer is None:  # pyHanko logs the cause and returns None instead of raising
            raise SealingError(f"Could not load the seal certificate {certificate_path} or its key {key_path}.")
        yield signer
        return
    from pkcs11 import PKCS11Error
    from pyhanko.keys import load_cert_from_pemder as load_certificate
    from pyhanko.sign import pkcs11 as hsm

    try:
        session = hsm.open_pkcs11_session(
            pkcs11.module, token_criteria=hsm.TokenCriteria(label=pkcs11.token), user_pin=pkcs11.pin
        )
    except (PKCS11Error, OSError, RuntimeError, SigningError) as error:
        problem = f"{type(error).__name__} {error}"
        raise SealingError(f"Could not open the PKCS#11 token {pkcs11.token!r}: {problem}") from error
    try:
        yield hsm.PKCS11Signer(
            session, signing_cert=load_certificate(str(certificate_path)), key_label=pkcs11.key_label
        )
    finally:
        session.close()


def seal_pdf(
    pdf: bytes,
    *,
    certificate_path: Path,
    key_path: Path | None = None,
    key_password: bytes | None = None,
    pkcs11: Pkcs11Key | None = None,
    timestamp_url: str = "",
    trust_roots: list[Path] | None = None,
    reason: str = "Forseglet av nettverket",
    location: str = "Norge",
    name: str = "Seal",
) -> bytes:
    """Return ``pdf`` with an invisible seal in a new field ``name``, added by incremental update.

    With ``timestamp_url`` the seal is PAdES B-LTA: time-stamped by that TSA, with the validation data of the seal's
    and the TSA's certificates (chains up to ``trust_roots``, and any revocation data their issuers publish)
    embedded, and closed by a document timestamp. Without it the seal is B-B."""
    long_term = bool(timestamp_url)
    context = None
    if long_term:
        roots = load_roots(trust_roots or [certificate_path])
        context = ValidationContext(trust_roots=roots, allow_fetching=True)
    metadata = signers.PdfSignatureMetadata(
        field_name=name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        embed_validation_info=long_term,
        use_pades_lta=long_term,
        validation_context=context,
    )
    timestamper = HTTPTimeStamper(timestamp_url, timeout=30) if long_term else None
    try:
        with _signer(certificate_path, key_path, key_password, pkcs11) as signer:
            writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
            output = signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf(writer)
    except (PdfError, SigningError, TimestampRequestError, ValidationError, OSError) as error:
        raise SealingError(f"Could not seal the PDF: {type(error).__name__} {error}") from error
    return output.getvalue()


def bundle_signed_original(original: bytes, appendix: bytes, *, filename: str, description: str) -> bytes:
    """The signed PDF's own pages followed by ``appendix`` (the signature page), with ``original`` itself embedded
    unchanged as an associated file of the document (PDF/A-3: /AF in the catalogue, /AFRelationship /Source), so
    that anyone can extract it and compare its SHA-256 with the one recorded when it was signed."""
    try:
        with pikepdf.open(BytesIO(original)) as document, pikepdf.open(BytesIO(appendix)) as pages:
            document.pages.extend(pages.pages)
            now = dt.datetime.now(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")
            spec = pikepdf.AttachedFileSpec(
                document,
                original,
                description=description,
                filename=filename,
                mime_type="application/pdf",
                creation_date=now,
                mod_date=now,
            )
            spec.relationship = pikepdf.Name.Source  # the document is made from this file
            document.attachments[filename] = spec
            document.Root.AF = pikepdf.Array([document.Root.Names.EmbeddedFiles.Names[-1]])
            # pyHanko names itself the producer in the XMP when sealing, and would append itself to this one:
            # PDF/A wants the two to agree, so the XMP alone says it.
            if "/Producer" in document.docinfo:
                del document.docinfo.Producer
            output = BytesIO()
            document.save(output)
    except pikepdf.PdfError as error:
        raise SealingError(f"Could not attach the signed original: {error}") from error
    return output.getvalue()


def signed_original(pdf: bytes) -> bytes | None:
    """The PDF embedded as the document's source (/AFRelationship /Source), or None when there is none."""
    try:
        with pikepdf.open(BytesIO(pdf)) as document:
            for spec in document.Root.get("/AF", pikepdf.Array()):
                if spec.get("/AFRelationship") == pikepdf.Name.Source:
                    return bytes(spec.EF.F.read_bytes())
    except (pikepdf.PdfError, AttributeError, KeyError, ValueError):
        return None
    return None


def verify_seal(pdf: bytes, *, trust_roots: list[Path]) -> SealCheck:
    """Validate every signature in ``pdf`` offline against ``trust_roots`` and summarise the result."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
        document_timestamps = reader.embedded_timestamp_signatures
    except (PdfError, ValueError, KeyError, TypeError) as error:
        return _failed(f"unreadable PDF: {error}")
    if not signatures:
        return _failed("no signature")

    roots = load_roots(trust_roots)
    problems: list[str] = []
    all_intact = all_sound = all_trusted = True
    signer, signed_at, covers_whole_document = "", None, False
    level, timestamp = "B-B", None
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
            covers_whole_document = _covered(status)
            if not covers_whole_document:
                problems.append(f"{label}: {_coverage_problem(status)}")
            if status.timestamp_validity is not None:
                level, timestamp = _timestamp_level(label, status.timestamp_validity, problems)
                if level == "B-T" and reader.root.get("/DSS") is not None:
                    level = "B-LT"
                    if document_timestamps:
                        level = _archive_level(document_timestamps[-1], roots, problems)
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
        level=level,
        timestamp=timestamp,
    )


def long_term_validation(pdf: bytes, *, trust_roots: list[Path]) -> tuple[str, dt.datetime | None]:
    """ETSI EN 319 102-1 validation with long-term data (pyHanko's AdES LTA process) of the newest seal, offline:
    the indication ("PASSED" or the sub-indication of failure) and the best proven time of the signature."""
    import asyncio

    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
    from pyhanko_certvalidator.registry import SimpleTrustManager

    declared = RevocationCheckingRule.CHECK_IF_DECLARED  # revocation data is required where a CA publishes it
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=load_roots(trust_roots)),
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(ee_certificate_rule=declared, intermediate_ca_cert_rule=declared)
        ),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    try:
        signatures = PdfFileReader(BytesIO(pdf), strict=False).embedded_regular_signatures
        if not signatures:
            return "no signature", None
        result = asyncio.run(ades_lta_validation(signatures[-1], spec))
    except Exception as error:  # as in verify_seal: malformed input raises many types
        return f"could not be validated ({type(error).__name__})", None
    indication = result.ades_subindic.status.name
    if indication != "PASSED":
        indication = f"{indication} ({result.ades_subindic})"
    return indication, result.best_signature_time


def _timestamp_level(label: str, status, problems: list[str]) -> tuple[str, dt.datetime | None]:
    """B-T when the signature's timestamp token is intact and from a trusted TSA."""
    if not (status.intact and status.valid):
        problems.append(f"{label}: the signature's timestamp is broken")
        return "B-B", None
    if not status.trusted:
        problems.append(f"{label}: the time-stamping authority is not trusted ({_trust_problem(status)})")
        return "B-B", None
    return "B-T", status.timestamp


def _archive_level(document_timestamp, roots: list[asn1_x509.Certificate], problems: list[str]) -> str:
    """B-LTA when the newest document timestamp is intact, trusted and covers the whole file."""
    try:
        status = validate_pdf_timestamp(
            document_timestamp, validation_context=ValidationContext(trust_roots=roots, allow_fetching=False)
        )
    except Exception as error:  # as above: malformed input raises many types
        problems.append(f"document timestamp: could not be validated ({type(error).__name__}: {error})")
        return "B-LT"
    if not (status.intact and status.valid):
        problems.append("document timestamp: the timestamped content was changed")
    elif not status.trusted:
        problems.append(f"document timestamp: the time-stamping authority is not trusted ({_trust_problem(status)})")
    elif not _covered(status):
        problems.append(f"document timestamp: {_coverage_problem(status)}")
    else:
        return "B-LTA"
    return "B-LT"


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
                key_cert_sign=True,  # it is its own issuer (NSS, behind pdfsig, checks this) and issues test TSAs
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


def _covered(status) -> bool:
    """The signature covers the whole file, or everything after it is validation data and document timestamps."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    level = status.modification_level
    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and level is not None and level.name == "LTA_UPDATES"
    )


def _coverage_problem(status) -> str:
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return "the signature does not cover the document it is embedded in"
    level = status.modification_level
    if level is None or level.name == "NONE":
        return "data was appended to the file after signing"
    return f"the document was changed after signing (modification level {level.name})"
