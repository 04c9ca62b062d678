"""PAdES sealing of agreement PDFs: seal, verify, detect tampering, and the certificate command."""

import re
import socket
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
import weasyprint
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from members.sealing import (
    Pkcs11Key,
    SealCheck,
    SealingError,
    create_development_certificate,
    seal_pdf,
    verify_seal,
)

COMMON_NAME = "DigiVestland (test)"


@pytest.fixture(scope="module")
def agreement_pdf() -> bytes:
    html = "<h1>Samarbeidsavtale</h1><p>Kommunedirektøren slutter seg til nettverket for digitalisering.</p>"
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    return create_development_certificate(directory=tmp_path_factory.mktemp("seal"), common_name=COMMON_NAME)


@pytest.fixture(scope="module")
def sealed(agreement_pdf, certificate) -> bytes:
    cert_path, key_path = certificate
    return seal_pdf(agreement_pdf, certificate_path=cert_path, key_path=key_path)


def _page_content_offset(pdf: bytes) -> int:
    """Offset of the first data byte of the first page's content stream."""
    contents = PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Kids"][0].raw_get("/Contents")
    header = re.search(rb"(?<![0-9])%d 0 obj\b" % contents.idnum, pdf)
    assert header is not None
    stream = re.compile(rb"stream\r?\n").search(pdf, header.end())
    assert stream is not None
    return stream.end()


def test_sealed_pdf_verifies(agreement_pdf, certificate, sealed):
    cert_path, _ = certificate
    check = verify_seal(sealed, trust_roots=[cert_path])

    assert check == SealCheck(
        valid=True,
        intact=True,
        trusted=True,
        covers_whole_document=True,
        signer=COMMON_NAME,
        signed_at=check.signed_at,
        problems=[],
    )
    assert check.signed_at is not None
    assert sealed.startswith(agreement_pdf)  # incremental update: the original bytes are untouched
    assert b"/ETSI.CAdES.detached" in sealed
    assert b"/Forseglet av nettverket" in sealed or b"(Forseglet av nettverket)" in sealed


def test_changing_one_signed_byte_breaks_the_seal(agreement_pdf, certificate, sealed):
    cert_path, _ = certificate
    offset = _page_content_offset(agreement_pdf) + 3
    assert offset < len(agreement_pdf) < sealed.index(b"/Contents <")
    tampered = bytearray(sealed)
    tampered[offset] ^= 0x01

    check = verify_seal(bytes(tampered), trust_roots=[cert_path])

    assert not check.intact
    assert not check.valid
    assert "Seal: the signed content was changed after signing" in check.problems


def test_garbage_appended_after_signing_is_not_covered(certificate, sealed):
    cert_path, _ = certificate
    check = verify_seal(sealed + b"\n% appended later\n", trust_roots=[cert_path])

    assert check.intact and check.trusted
    assert not check.covers_whole_document
    assert not check.valid
    assert check.problems == ["Seal: data was appended to the file after signing"]


def test_incremental_update_after_signing_is_not_covered(certificate, sealed):
    cert_path, _ = certificate
    writer = IncrementalPdfFileWriter(BytesIO(sealed))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    updated = BytesIO()
    writer.write(updated)

    check = verify_seal(updated.getvalue(), trust_roots=[cert_path])

    assert check.intact
    assert not check.covers_whole_document
    assert not check.valid
    assert check.signer == COMMON_NAME


def test_other_trust_root_is_not_trusted(tmp_path, sealed):
    other_cert, _ = create_development_certificate(directory=tmp_path, common_name="Someone else")

    check = verify_seal(sealed, trust_roots=[other_cert])

    assert check.intact
    assert check.covers_whole_document
    assert not check.trusted
    assert not check.valid
    assert any("not trusted" in problem for problem in check.problems)


def test_a_second_seal_keeps_the_first_valid(certificate, sealed):
    cert_path, key_path = certificate
    twice = seal_pdf(sealed, certificate_path=cert_path, key_path=key_path, name="Seal2")

    check = verify_seal(twice, trust_roots=[cert_path])

    assert check.valid, check.problems
    assert check.covers_whole_document


def test_unsigned_pdf_has_no_signature(agreement_pdf, certificate):
    cert_path, _ = certificate
    check = verify_seal(agreement_pdf, trust_roots=[cert_path])

    assert not check.valid
    assert check.problems == ["no signature"]


def test_sealing_with_unreadable_key_fails(agreement_pdf, certificate, tmp_path):
    cert_path, _ = certificate
    bad_key = tmp_path / "key.pem"
    bad_key.write_text("not a key")

    with pytest.raises(SealingError):
        seal_pdf(agreement_pdf, certificate_path=cert_path, key_path=bad_key)


def test_development_certificate(certificate):
    from cryptography import x509

    cert_path, key_path = certificate
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value == COMMON_NAME
    assert b"ENCRYPTED" not in key_path.read_bytes()
    assert key_path.stat().st_mode & 0o077 == 0


def test_command_creates_certificate_that_seals(tmp_path, agreement_pdf, capsys):
    call_command("create_seal_certificate", "--out", str(tmp_path), "--common-name", "Kommandotest")
    output = capsys.readouterr().out
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    assert f"SEAL_CERTIFICATE_PATH={cert_path.resolve()}" in output
    assert f"SEAL_KEY_PATH={key_path.resolve()}" in output
    assert f"SEAL_TRUST_ROOT_PATH={cert_path.resolve()}" in output

    sealed = seal_pdf(agreement_pdf, certificate_path=cert_path, key_path=key_path)
    check = verify_seal(sealed, trust_roots=[cert_path])
    assert check.valid
    assert check.signer == "Kommandotest"


def test_command_refuses_to_overwrite_without_force(tmp_path):
    call_command("create_seal_certificate", "--out", str(tmp_path))
    original = (tmp_path / "cert.pem").read_bytes()

    with pytest.raises(CommandError, match="Refusing to overwrite"):
        call_command("create_seal_certificate", "--out", str(tmp_path))
    assert (tmp_path / "cert.pem").read_bytes() == original

    call_command("create_seal_certificate", "--out", str(tmp_path), "--force")
    assert (tmp_path / "cert.pem").read_bytes() != original


def test_sealing_with_password_protected_key(agreement_pdf, certificate, tmp_path):
    from cryptography.hazmat.primitives import serialization

    cert_path, key_path = certificate
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    encrypted = tmp_path / "key-encrypted.pem"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"hemmelig"),
        )
    )

    with pytest.raises(SealingError):
        seal_pdf(agreement_pdf, certificate_path=cert_path, key_path=encrypted)
    sealed = seal_pdf(agreement_pdf, certificate_path=cert_path, key_path=encrypted, key_password=b"hemmelig")
    assert verify_seal(sealed, trust_roots=[cert_path]).valid


SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


@pytest.mark.skipif(not SOFTHSM.exists(), reason="SoftHSM2 is not installed (scripts/system-packages.sh --test)")
def test_the_seal_key_can_live_in_an_hsm(agreement_pdf, certificate, tmp_path, monkeypatch):
    """The key imported into a SoftHSM2 token of the test's own; the portal reaches it through PKCS#11 only."""
    cert_path, key_path = certificate
    (tmp_path / "tokens").mkdir()
    config = tmp_path / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    util = ["softhsm2-util", "--pin", "4321"]
    subprocess.run([*util, "--init-token", "--free", "--label", "segl", "--so-pin", "87654321"], check=True)
    subprocess.run(
        [*util, "--import", str(key_path), "--token", "segl", "--label", "seglnokkel", "--id", "01"], check=True
    )
    hsm = Pkcs11Key(module=str(SOFTHSM), token="segl", pin="4321", key_label="seglnokkel")

    sealed = seal_pdf(agreement_pdf, certificate_path=cert_path, pkcs11=hsm)

    check = verify_seal(sealed, trust_roots=[cert_path])
    assert check.valid and check.signer == COMMON_NAME, check.problems
    with pytest.raises(SealingError, match="PKCS#11"):
        seal_pdf(agreement_pdf, certificate_path=cert_path, pkcs11=Pkcs11Key(str(SOFTHSM), "segl", "0000", "x"))


def test_sealing_fails_cleanly_when_the_time_stamping_authority_does_not_answer(agreement_pdf, certificate):
    cert_path, key_path = certificate
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/tsa"
    with pytest.raises(SealingError, match="TimestampRequestError"):
        seal_pdf(agreement_pdf, certificate_path=cert_path, key_path=key_path, timestamp_url=url)
