"""A time-stamping authority (RFC 3161) on loopback for the tests: OpenSSL's `ts -reply` signs every request with a
throw-away TSA certificate (extended key usage timeStamping, critical) issued by the development seal root."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OPENSSL_CONFIG = """\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {directory}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa-key.pem
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def issue_tsa_certificate(directory: Path, *, root_certificate: Path, root_key: Path) -> None:
    """Write tsa.pem and tsa-key.pem: a time-stamping certificate issued by the given root."""
    issuer = x509.load_pem_x509_certificate(root_certificate.read_bytes())
    issuer_key = serialization.load_pem_private_key(root_key.read_bytes(), password=None)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tidsstempel (test)")]))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    (directory / "tsa.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "tsa-key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


class _Handler(BaseHTTPRequestHandler):
    directory: Path

    def do_POST(self) -> None:
        query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with tempfile.TemporaryDirectory() as scratch:
            query_file, reply_file = Path(scratch) / "query.tsq", Path(scratch) / "reply.tsr"
            query_file.write_bytes(query)
            result = subprocess.run(
                [
                    "openssl",
                    "ts",
                    "-reply",
                    "-config",
                    str(self.directory / "openssl.cnf"),
                    "-queryfile",
                    str(query_file),
                    "-out",
                    str(reply_file),
                ],
                capture_output=True,
                check=False,
            )
            if result.returncode != 0:
                self.send_error(500, result.stderr.decode(errors="replace")[:200])
                return
            reply = reply_file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format, *args) -> None:
        pass


@contextmanager
def time_stamping_authority(directory: Path, *, root_certificate: Path, root_key: Path) -> Iterator[str]:
    """Run the TSA on 127.0.0.1 for the duration of the block; yields its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    issue_tsa_certificate(directory, root_certificate=root_certificate, root_key=root_key)
    (directory / "serial").write_text("01\n")
    (directory / "openssl.cnf").write_text(OPENSSL_CONFIG.format(directory=directory))
    handler = type("TsaHandler", (_Handler,), {"directory": directory})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
