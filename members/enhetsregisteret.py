"""Organisation facts as Enhetsregisteret publishes them in its open data (data.brreg.no).

Two shapes are read, recognised from the content:

- one unit's JSON, as `GET https://data.brreg.no/enhetsregisteret/api/enheter/<organisasjonsnummer>` returns it
  (a JSON object with `organisasjonsnummer`, `navn`, `organisasjonsform`, `forretningsadresse`, `postadresse`…);
- the bulk download (`GET …/api/enheter/lastned`): a JSON array of the same units, gzip-compressed. It holds
  over a million units, so it is read unit by unit (ijson) and only the wanted organisation numbers are kept.

Plain JSON arrays and gzip-compressed single units are read too. No ORM here: the service compares and saves.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import IO, Any

import ijson

GZIP_MAGIC = b"\x1f\x8b"
# Words of a Norwegian postal town written in lower case ("Bø i Telemark", "Rosendal").
_SMALL_WORDS = {"i", "på", "og"}


class RegisterFileError(ValueError):
    """The file is not Enhetsregisteret's JSON; the message says where it goes wrong."""


@dataclass(frozen=True)
class RegisterAddress:
    """An address as the register holds it: address lines, postcode, postal town, municipality number."""

    lines: tuple[str, ...] = ()
    postal_code: str = ""
    city: str = ""
    municipality_number: str = ""

    @property
    def street(self) -> str:
        return ", ".join(line for line in self.lines if line)


@dataclass(frozen=True)
class RegisterUnit:
    """One unit (enhet) of Enhetsregisteret, reduced to the facts the portal keeps."""

    org_number: str
    name: str
    form_code: str
    form_description: str
    business_address: RegisterAddress
    postal_address: RegisterAddress
    deleted_on: str = ""


def postal_town(name: str) -> str:
    """The register writes postal towns in capitals ("MASFJORDNES"); the portal writes them as on a letter."""
    words = name.strip().lower().split()
    return " ".join(
        word if index and word in _SMALL_WORDS else "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
        for index, word in enumerate(words)
    )


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise RegisterFileError(f"{where}: expected text, found {type(value).__name__}")
    return str(value).strip()


def _address(data: Any, where: str) -> RegisterAddress:
    if data is None:
        return RegisterAddress()
    if not isinstance(data, dict):
        raise RegisterFileError(f"{where}: expected an address object")
    lines = data.get("adresse") or []
    if not isinstance(lines, list):
        raise RegisterFileError(f"{where}.adresse: expected a list of address lines")
    return RegisterAddress(
        lines=tuple(_text(line, f"{where}.adresse") for line in lines),
        postal_code=_text(data.get("postnummer"), f"{where}.postnummer"),
        city=postal_town(_text(data.get("poststed"), f"{where}.poststed")),
        municipality_number=_text(data.get("kommunenummer"), f"{where}.kommunenummer"),
    )


def unit_from_json(data: Any, where: str = "enhet") -> RegisterUnit:
    """One unit from its JSON object; a RegisterFileError names the element that is wrong."""
    if not isinstance(data, dict):
        raise RegisterFileError(f"{where}: expected a unit object")
    org_number = _text(data.get("organisasjonsnummer"), f"{where}.organisasjonsnummer")
    if len(org_number) != 9 or not org_number.isdigit():
        raise RegisterFileError(f"{where}.organisasjonsnummer: {org_number!r} is not a nine-digit organisation number")
    name = _text(data.get("navn"), f"{where}.navn")
    if not name:
        raise RegisterFileError(f"{where}.navn: the unit has no name")
    form = data.get("organisasjonsform") or {}
    if not isinstance(form, dict):
        raise RegisterFileError(f"{where}.organisasjonsform: expected an object with kode and beskrivelse")
    return RegisterUnit(
        org_number=org_number,
        name=name,
        form_code=_text(form.get("kode"), f"{where}.organisasjonsform.kode"),
        form_description=_text(form.get("beskrivelse"), f"{where}.organisasjonsform.beskrivelse"),
        business_address=_address(data.get("forretningsadresse"), f"{where} {org_number}.forretningsadresse"),
        postal_address=_address(data.get("postadresse"), f"{where} {org_number}.postadresse"),
        deleted_on=_text(data.get("slettedato"), f"{where}.slettedato"),
    )


def _first_significant_byte(stream: IO[bytes]) -> bytes:
    while True:
        byte = stream.read(1)
        if not byte or not byte.isspace():
            return byte


def read_units(stream: IO[bytes], *, wanted: Collection[str] | None = None) -> Iterator[RegisterUnit]:
    """The units of a single-unit or bulk file, gzip-compressed or not; only `wanted` numbers when given."""
    head = stream.read(2)
    rest: IO[bytes] = io.BufferedReader(_Prefixed(head, stream))
    if head == GZIP_MAGIC:
        rest = gzip.GzipFile(fileobj=rest)  # type: ignore[assignment]
    try:
        first = _first_significant_byte(rest)
        body: IO[bytes] = io.BufferedReader(_Prefixed(first, rest))
        if first == b"{":
            try:
                data = json.load(body)
            except json.JSONDecodeError as error:
                raise RegisterFileError(f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
            embedded = data.get("_embedded") if isinstance(data, dict) else None
            items = embedded.get("enheter", []) if isinstance(embedded, dict) else [data]
            for index, item in enumerate(items):
                unit = unit_from_json(item, "enhet" if embedded is None else f"enheter[{index}]")
                if wanted is None or unit.org_number in wanted:
                    yield unit
        elif first == b"[":
            try:
                for index, item in enumerate(ijson.items(body, "item", use_float=True)):
                    number = str(item.get("organisasjonsnummer", "")) if isinstance(item, dict) else ""
                    if wanted is not None and number not in wanted:
                        continue
                    yield unit_from_json(item, f"enheter[{index}]")
            except ijson.JSONError as error:
                raise RegisterFileError(f"not JSON: {error}") from None
        elif not first:
            raise RegisterFileError("the file is empty")
        else:
            raise RegisterFileError("not Enhetsregisteret's JSON: expected a unit object or an array of units")
    except (OSError, EOFError) as error:  # a broken gzip stream
        raise RegisterFileError(f"not a readable gzip file: {error}") from None


class _Prefixed(io.RawIOBase):
    """A stream with bytes already read put back in front of it."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
