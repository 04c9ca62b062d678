"""A real OpenID Connect provider on loopback for the tests: tests/oidc/provider.js (oidc-provider from npm, with
ID-porten's claims and levels), started on a free port and stopped afterwards, plus the person's side of its
test-only sign-in form spoken over HTTP."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from stdnum.no import fodselsnummer

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_SECRET = "a-client-secret-for-tests-only-0123456789"


def national_identity_number(serial: int) -> str:
    """A synthetic national identity number (as ID-porten's test persons have) with the right check digits."""
    base = f"0101{80 + serial % 10:02d}{serial % 1000:03d}"  # month + 80: never a real person's number
    base += fodselsnummer.calc_check_digit1(base + "00")
    return base + fodselsnummer.calc_check_digit2(base + "0")


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_provider(clients: list[dict]) -> Iterator[Provider]:
    """Start the provider with these clients ({client_id, redirect_uris}; the secret is CLIENT_SECRET)."""
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("The test OpenID provider is not installed: run `make test` (npm ci --prefix tests/oidc)")
    port = _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "PORT": str(port),
        "CLIENTS": json.dumps([{"client_secret": CLIENT_SECRET, **client} for client in clients]),
        "NODE_ENV": "test",
    }
    process = subprocess.Popen(
        [node, "provider.js"], cwd=PROVIDER_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while True:
            line = process.stdout.readline()
            if line.startswith("listening"):
                break
            if (not line and process.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"the OpenID provider did not start: {line}")
        yield Provider(issuer=issuer, process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in_at_provider(
    authorize_url: str,
    *,
    pid: str = "",
    email: str = "",
    acr: str = "idporten-loa-high",
    amr: str = "BankID",
    session: requests.Session | None = None,
) -> dict[str, str]:
    """Be the person at the provider: follow the authorization request to the test-only form, fill it in, and
    return the query of the redirect back to the portal (code, state, iss; or error)."""
    browser = session or requests.Session()
    response = browser.get(authorize_url, allow_redirects=True, timeout=10)
    response.raise_for_status()
    action = re.search(r'<form method="post" action="([^"]+)"', response.text)
    assert action, response.text[:500]
    response = browser.post(
        urljoin(response.url, action.group(1)),
        data={"pid": pid, "email": email, "name": "Test Person", "acr": acr, "amr": amr, "action": "login"},
        allow_redirects=False,
        timeout=10,
    )
    # The provider resumes the authorization and redirects, at last, to the portal's redirect URI.
    while response.status_code in (302, 303):
        location = urljoin(response.url, response.headers["Location"])
        if not location.startswith(authorize_url.split("/auth", 1)[0]):
            return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError(f"the provider did not redirect back: {response.status_code} {response.text[:500]}")
