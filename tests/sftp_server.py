"""A real OpenSSH server on loopback, standing in for the host's Peppol access point in tests.

Debian's `openssh-server` (scripts/system-packages.sh --test) is started as `sshd -D -f <own config>` on a free
port, as the current user, with a throw-away host key, a throw-away user key and its own folders; it is stopped
when the test module ends. Nothing leaves the machine.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"


@dataclass(frozen=True)
class SftpServer:
    host: str
    port: int
    user: str
    key_path: Path
    known_hosts: Path
    outbox: Path
    inbox: Path
    process: subprocess.Popen


def available() -> bool:
    return Path(SSHD).exists() and Path(SSH_KEYGEN).exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _keygen(path: Path) -> None:
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(path)], check=True)


def _wait_for_banner(port: int, process: subprocess.Popen, log: Path, deadline: float) -> None:
    """Until sshd answers with its SSH banner (or dies, or the deadline passes)."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"sshd stopped at start: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(4).startswith(b"SSH-"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"sshd did not answer on port {port}: {log.read_text(errors='replace')}")
        time.sleep(0.05)


@contextmanager
def sftp_server(root: Path) -> Iterator[SftpServer]:
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    host_key, user_key = root / "host_ed25519", root / "user_ed25519"
    _keygen(host_key)
    _keygen(user_key)
    authorized = root / "authorized_keys"
    authorized.write_text((root / "user_ed25519.pub").read_text())
    authorized.chmod(0o600)
    outbox, inbox = root / "outbox", root / "inbox"
    outbox.mkdir()
    inbox.mkdir()
    port = _free_port()
    user = getpass.getuser()
    config = root / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {host_key}",
                f"PidFile {root / 'sshd.pid'}",
                f"AuthorizedKeysFile {authorized}",
                f"AllowUsers {user}",
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "PrintMotd no",
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR",
                "",
            ]
        )
    )
    if os.geteuid() == 0:
        # Run as root, sshd insists on its privilege separation directory.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    log = root / "sshd.log"
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    try:
        _wait_for_banner(port, process, log, time.monotonic() + 20)
        public_host_key = (root / "host_ed25519.pub").read_text().split()
        known_hosts = root / "known_hosts"
        known_hosts.write_text(f"[127.0.0.1]:{port} {public_host_key[0]} {public_host_key[1]}\n")
        yield SftpServer(
            host="127.0.0.1",
            port=port,
            user=user,
            key_path=user_key,
            known_hosts=known_hosts,
            outbox=outbox,
            inbox=inbox,
            process=process,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
