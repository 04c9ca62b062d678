"""The host's Peppol access point, reached over SFTP (paramiko): EHF documents out, Invoice Responses in.

An access point that offers file transfer takes each business document as one file in an outbox folder and leaves
the messages it receives for us (here: Peppol Invoice Responses) in an inbox folder. A file is written under a
temporary name and renamed when complete, so the access point never picks up half a file, and a name that is
already there is never written again: the file name carries the invoice's identity, so the same invoice cannot be
handed over twice even when a retry follows a delivery whose acknowledgement was lost. No ORM here.
"""

from __future__ import annotations

import posixpath
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import paramiko


class AccessPointError(Exception):
    """The access point could not be reached or refused the transfer; worth trying again later."""


class AccessPointNotConfigured(AccessPointError):
    """No access point is set up (PEPPOL_SFTP_HOST is empty)."""


@dataclass(frozen=True)
class SftpSettings:
    host: str
    port: int
    user: str
    key_path: str
    known_hosts: str
    outbox: str
    inbox: str
    key_passphrase: str = ""
    timeout: int = 30

    @classmethod
    def from_django(cls) -> SftpSettings:
        from django.conf import settings

        return cls(
            host=settings.PEPPOL_SFTP_HOST,
            port=settings.PEPPOL_SFTP_PORT,
            user=settings.PEPPOL_SFTP_USER,
            key_path=settings.PEPPOL_SFTP_KEY_PATH,
            known_hosts=settings.PEPPOL_SFTP_KNOWN_HOSTS,
            outbox=settings.PEPPOL_SFTP_OUTBOX,
            inbox=settings.PEPPOL_SFTP_INBOX,
            key_passphrase=settings.PEPPOL_SFTP_KEY_PASSPHRASE,
            timeout=settings.PEPPOL_SFTP_TIMEOUT,
        )

    @property
    def configured(self) -> bool:
        return bool(self.host)


def _private_key(path: str, passphrase: str) -> paramiko.PKey:
    try:
        return paramiko.PKey.from_path(path, password=passphrase or None)
    except (OSError, paramiko.SSHException, ValueError) as error:
        raise AccessPointError(f"The SFTP key {path} cannot be read: {error}") from None


@contextmanager
def connect(config: SftpSettings) -> Iterator[paramiko.SFTPClient]:
    """An SFTP session with the access point; the server's key must be in the known hosts file."""
    if not config.configured:
        raise AccessPointNotConfigured("No access point is configured (PEPPOL_SFTP_HOST).")
    client = paramiko.SSHClient()
    try:
        if config.known_hosts:
            client.load_host_keys(config.known_hosts)
    except OSError as error:
        raise AccessPointError(f"The known hosts file {config.known_hosts} cannot be read: {error}") from None
    # An access point whose key we do not know is not the access point: never add it silently.
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(
            config.host,
            port=config.port,
            username=config.user,
            pkey=_private_key(config.key_path, config.key_passphrase),
            timeout=config.timeout,
            banner_timeout=config.timeout,
            auth_timeout=config.timeout,
            allow_agent=False,
            look_for_keys=False,
        )
        sftp = client.open_sftp()
        channel = sftp.get_channel()
        if channel is not None:
            channel.settimeout(config.timeout)
    except (OSError, paramiko.SSHException) as error:
        client.close()
        raise AccessPointError(f"SFTP {config.user}@{config.host}:{config.port}: {error}") from None
    try:
        yield sftp
    except (OSError, paramiko.SSHException) as error:
        raise AccessPointError(f"SFTP {config.host}: {error}") from None
    finally:
        client.close()


def _exists(sftp: paramiko.SFTPClient, path: str) -> bool:
    try:
        sftp.stat(path)
    except FileNotFoundError:
        return False
    return True


def put_once(sftp: paramiko.SFTPClient, folder: str, name: str, content: bytes) -> bool:
    """Write `content` as `folder/name` unless a file of that name is there; True when it was written now."""
    if "/" in name or name.startswith("."):
        raise ValueError(f"Not a plain file name: {name!r}")
    target = posixpath.join(folder, name)
    if _exists(sftp, target):
        return False
    partial = posixpath.join(folder, f".{name}.part")
    with sftp.open(partial, "wb") as handle:
        handle.write(content)
    # posix-rename is atomic and replaces nothing we need: the target did not exist a moment ago. Where the server
    # lacks the extension, the plain rename (which refuses an existing target) does the same.
    try:
        sftp.posix_rename(partial, target)
    except OSError:
        sftp.rename(partial, target)
    return True


@dataclass(frozen=True)
class InboxFile:
    name: str
    content: bytes


def read_inbox(sftp: paramiko.SFTPClient, folder: str, *, suffix: str = ".xml") -> list[InboxFile]:
    """The complete files waiting in the inbox (names starting with a dot are still being written), oldest first."""
    entries = [
        entry
        for entry in sftp.listdir_attr(folder)
        if entry.st_mode is not None
        and stat.S_ISREG(entry.st_mode)
        and not entry.filename.startswith(".")
        and entry.filename.lower().endswith(suffix)
    ]
    entries.sort(key=lambda entry: (entry.st_mtime or 0, entry.filename))
    files = []
    for entry in entries:
        with sftp.open(posixpath.join(folder, entry.filename), "rb") as handle:
            files.append(InboxFile(name=entry.filename, content=handle.read()))
    return files


def remove(sftp: paramiko.SFTPClient, folder: str, name: str) -> None:
    """Take a file we have stored out of the inbox, so it is not read again."""
    with suppress(FileNotFoundError):
        sftp.remove(posixpath.join(folder, name))
