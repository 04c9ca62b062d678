"""Fill the Nynorsk catalogue (locale/nn) from the Bokmål one (locale/nb), for a person to review.

Every message that has a Bokmål translation and no reviewed Nynorsk one gets a draft: the Bokmål text run
through Apertium's Bokmål-to-Nynorsk translator (the Debian package apertium-nno-nob, e-infinitive and "vi" as
the municipalities of Vestland mostly write), with placeholders, HTML and addresses kept as they are, then the
corrections in CORRECTIONS (words the translator leaves in Bokmål or gets wrong in this portal's vocabulary).
Translations already in locale/nn are kept. Run it after makemessages, review the diff, then compilemessages:

    python scripts/translate_nynorsk.py [--all]

--all drafts every message again except those in KEEP; without it only empty and fuzzy ones are drafted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
NB = ROOT / "locale/nb/LC_MESSAGES/django.po"
NN = ROOT / "locale/nn/LC_MESSAGES/django.po"
SEPARATOR = "QQ0QQ"

# Placeholders, markup and addresses that must come through untouched.
PROTECTED = re.compile(
    r"%\([a-z_0-9]+\)[sdfr]|%[sdfr]|%%|\{\{[^}]*\}\}|\{%[^%]*%\}|\{[a-z_0-9]*\}|<[^>]+>|&[a-z#0-9]+;"
    r"|https?://\S+|\S+@\S+\.\S+|[A-Z_]{3,}=\S*|`[^`]*`"
)

# Whole words the translator leaves in Bokmål or gets wrong, and their Nynorsk (word boundaries, case kept).
CORRECTIONS = {
    "ein medlem": "eit medlem",
    "Ein medlem": "Eit medlem",
    "Hvilke": "Kva for",
    "hvilke": "kva for",
    "Hvilken": "Kva for",
    "hvilken": "kva for",
    "Hvilket": "Kva for",
    "hvilket": "kva for",
    "Hvem": "Kven",
    "hvem": "kven",
    "Hva": "Kva",
    "hva": "kva",
    "Hvis": "Viss",
    "hvis": "viss",
    "Hvor": "Kor",
    "hvor": "kor",
    "Hvordan": "Korleis",
    "hvordan": "korleis",
    "Hvorfor": "Kvifor",
    "hvorfor": "kvifor",
    "Ikke": "Ikkje",
    "ikke": "ikkje",
    "Noen": "Nokon",
    "noen": "nokon",
    "Noe": "Noko",
    "noe": "noko",
    "Mye": "Mykje",
    "mye": "mykje",
    "Fra": "Frå",
    "fra": "frå",
    "Bare": "Berre",
    "bare": "berre",
    "Ennå": "Enno",
    "ennå": "enno",
    "Organisasjoner": "Organisasjonar",
    "organisasjoner": "organisasjonar",
    "Organisasjonene": "Organisasjonane",
    "organisasjonene": "organisasjonane",
    "Innbyggere": "Innbyggjarar",
    "innbyggere": "innbyggjarar",
    "innbygger": "innbyggjar",
    "Innbygger": "Innbyggjar",
    "Folketall": "Folketal",
    "folketall": "folketal",
    "folketallet": "folketalet",
    "Folketallet": "Folketalet",
    "Medlemsorganisasjoner": "Medlemsorganisasjonar",
    "medlemsorganisasjoner": "medlemsorganisasjonar",
    "Kommuner": "Kommunar",
    "kommuner": "kommunar",
    "Kommunene": "Kommunane",
    "kommunene": "kommunane",
    "Fylkeskommuner": "Fylkeskommunar",
    "fylkeskommuner": "fylkeskommunar",
    "Avtaler": "Avtalar",
    "avtaler": "avtalar",
    "Avtalene": "Avtalane",
    "avtalene": "avtalane",
    "Beregnet": "Berekna",
    "beregnet": "berekna",
    "Beregning": "Berekning",
    "beregning": "berekning",
    "beregne": "berekne",
    "Beregne": "Berekne",
    "Beregn": "Berekn",
    "beregnes": "bereknast",
    "Nåværende": "Noverande",
    "nåværende": "noverande",
    "Tidligere": "Tidlegare",
    "tidligere": "tidlegare",
    "Senere": "Seinare",
    "senere": "seinare",
    "Mottaker": "Mottakar",
    "mottaker": "mottakar",
    "Mottakere": "Mottakarar",
    "mottakere": "mottakarar",
    "Bruker": "Brukar",
    "Brukere": "Brukarar",
    "brukere": "brukarar",
    "Brukeren": "Brukaren",
    "brukeren": "brukaren",
    "brukernavn": "brukarnamn",
    "Brukernavn": "Brukarnamn",
    "Leder": "Leiar",
    "leder": "leiar",
    "Lederen": "Leiaren",
    "lederen": "leiaren",
    "Nestleder": "Nestleiar",
    "nestleder": "nestleiar",
    "Økonomiansvarlig": "Økonomiansvarleg",
    "økonomiansvarlig": "økonomiansvarleg",
    "ansvarlig": "ansvarleg",
    "Ansvarlig": "Ansvarleg",
    "Tilgjengelighetserklæring": "Tilgjengelegheitserklæring",
    "tilgjengelighetserklæring": "tilgjengelegheitserklæring",
    "Tilgjengelighet": "Tilgjengelegheit",
    "tilgjengelighet": "tilgjengelegheit",
    "nettleser": "nettlesar",
    "Nettleser": "Nettlesar",
    "nettleseren": "nettlesaren",
    "Gjeldende": "Gjeldande",
    "gjeldende": "gjeldande",
    "Følgende": "Følgjande",
    "følgende": "følgjande",
    "Kommende": "Komande",
    "kommende": "komande",
    "Ventende": "Ventande",
    "ventende": "ventande",
    "Utestående": "Uteståande",
    "utestående": "uteståande",
    "Forfalte": "Forfalne",
    "forfalte": "forfalne",
    "Styringsgruppen": "Styringsgruppa",
    "Mengde": "Mengd",
    "Løsninger": "Løysingar",
    "løsninger": "løysingar",
    "Løsningen": "Løysinga",
    "løsningen": "løysinga",
    "Løsning": "Løysing",
    "løsning": "løysing",
    "Endringer": "Endringar",
    "endringer": "endringar",
    "Endringene": "Endringane",
    "endringene": "endringane",
    "Betalinger": "Betalingar",
    "betalinger": "betalingar",
    "Innbetalinger": "Innbetalingar",
    "innbetalinger": "innbetalingar",
    "Purringer": "Purringar",
    "purringer": "purringar",
    "Signaturer": "Signaturar",
    "signaturer": "signaturar",
    "Initiativer": "Initiativ",
    "initiativer": "initiativ",
    "Initiativene": "Initiativa",
    "initiativene": "initiativa",
    "Gevinster": "Gevinstar",
    "gevinster": "gevinstar",
    "Gevinstene": "Gevinstane",
    "gevinstene": "gevinstane",
    "Prosjekter": "Prosjekt",
    "prosjekter": "prosjekt",
    "Prosjektene": "Prosjekta",
    "prosjektene": "prosjekta",
    "Dokumenter": "Dokument",
    "dokumenter": "dokument",
    "Dokumentene": "Dokumenta",
    "dokumentene": "dokumenta",
    "Møter": "Møte",
    "møter": "møte",
    "Møtene": "Møta",
    "møtene": "møta",
    "Tall": "Tal",
    "tall": "tal",
    "tallene": "tala",
    "Tallene": "Tala",
    "Antall": "Tal på",
    "antall": "tal på",
    "Selv": "Sjølv",
    "selv": "sjølv",
    "Sammen": "Saman",
    "sammen": "saman",
    "Sammendrag": "Samandrag",
    "sammendrag": "samandrag",
    "Hjem": "Heim",
    "hjem": "heim",
    "Hjemme": "Heime",
    "Hoved": "Hovud",
    "Disse": "Desse",
    "disse": "desse",
    "Høyeste": "Høgaste",
    "høyeste": "høgaste",
    "Høyere": "Høgare",
    "høyere": "høgare",
    "Åpnet": "Opna",
    "åpnet": "opna",
    "Feilet": "Feila",
    "feilet": "feila",
    "Eier": "Eigar",
    "eier": "eigar",
    "Tilskudd": "Tilskot",
    "tilskudd": "tilskot",
    "Observatører": "Observatørar",
    "observatører": "observatørar",
    "Kjøper": "Kjøpar",
    "kjøper": "kjøpar",
    "kjøpers": "kjøpars",
    "Kjøpers": "Kjøpars",
    "utskrivast": "utferdast",
    "utskriven": "utferda",
    "utskrivne": "utferda",
    "utskreiv": "utferda",
    "utskrive": "utferda",
    "å utferda": "å utferde",
    "Selger": "Seljar",
    "selger": "seljar",
    "Sel": "Seljar",
    "Tilgjengefråsegn": "Tilgjengeerklæring",
    "tilgjengefråsegn": "tilgjengeerklæring",
    "Tilgjengelegheitserklæring": "Tilgjengeerklæring",
    "tilgjengelegheitserklæring": "tilgjengeerklæring",
    "Sammenlign": "Samanlikn",
    "sammenlign": "samanlikn",
    "Egenbidrag": "Eigenbidrag",
    "egenbidrag": "eigenbidrag",
    "Deltakende": "Deltakande",
    "deltakende": "deltakande",
    "Filen": "Fila",
    "filen": "fila",
    "Inga tilgang": "Ingen tilgang",
    "utrekning": "omrekning",
    "utrekningar": "omrekningar",
    "Utrekning": "Omrekning",
    "utrekninga": "omrekninga",
    "Fikk": "Fekk",
    "fikk": "fekk",
    "Kjøringen": "Køyringa",
    "kjøringen": "køyringa",
    "Kjøring": "Køyring",
    "kjøring": "køyring",
    "Kjøringer": "Køyringar",
    "kjøringer": "køyringar",
    "Purringen": "Purringa",
    "purringen": "purringa",
    "Hver": "Kvar",
    "hver": "kvar",
    "Hvert": "Kvart",
    "hvert": "kvart",
    "Settes": "Blir sett",
    "settes": "blir sett",
    "Lagrede": "Lagra",
    "lagrede": "lagra",
    "Medlemer": "Medlemmer",
    "medlemer": "medlemmer",
    "utgåttt": "utgått",
    "Hold inne": "Hald inne",
    "vedtaksførhet": "vedtaksførleik",
    "Oppsigelsen": "Oppseiinga",
    "oppsigelsen": "oppseiinga",
    "Omberegningen": "Omrekninga",
    "omberegningen": "omrekninga",
    "Enheten": "Eininga",
    "enheten": "eininga",
    "Informasjonskapsler": "Informasjonskapslar",
    "informasjonskapsler": "informasjonskapslar",
    "Brukerkontoer": "Brukarkontoar",
    "brukerkontoer": "brukarkontoar",
    "Sekretariatskontoer": "Sekretariatskontoar",
    "Beregningsmåten": "Berekningsmåten",
    "beregningsmåten": "berekningsmåten",
    "Behandlingsansvarlig": "Behandlingsansvarleg",
    "behandlingsansvarlig": "behandlingsansvarleg",
    "bruker": "brukar",
    "Bidragene": "Bidraga",
    "bidragene": "bidraga",
    "Innkallingen": "Innkallinga",
    "innkallingen": "innkallinga",
    "Saken": "Saka",
    "saken": "saka",
    "ein noverande medlem": "eit noverande medlem",
    "Ein utmeld medlem": "Eit utmeldt medlem",
    "medlemmen": "medlemmet",
    "Møtet er planlagd": "Møtet er planlagt",
    "liggja": "liggje",
    "vera": "vere",
    "Såg lenge": "Så lenge",
    "kvart steig": "kvart steg",
    "blir over hoppa": "blir hoppa over",
    "utskriv": "utferdar",
    "Skal blir dekt": "Skal dekkjast",
    "kvar medlem": "kvart medlem",
    "ei avtale": "ein avtale",
    "ei forsegla samarbeidsavtale": "ein forsegla samarbeidsavtale",
    "Ikkje medlemmer": "Ikkje medlem",
    "saksbehandler": "saksbehandlar",
    "Saksbehandler": "Saksbehandlar",
    "Saksdokumentene": "Saksdokumenta",
    "saksdokumentene": "saksdokumenta",
    "laget": "laga",
    "Oppsigelse": "Oppseiing",
    "oppsigelse": "oppseiing",
    "Oppsigelsestid": "Oppseiingstid",
    "oppsigelsestid": "oppseiingstid",
    "Engangskode": "Eingongskode",
    "engangskode": "eingongskode",
    "Påminnelse": "Påminning",
    "påminnelse": "påminning",
    "leier": "leiar",
    "signaturrettmessig": "med signaturrett",
    "avgjerdsstyresmakt": "avgjerdsmynde",
    "avgjerdsstyresmakter": "avgjerdsmynde",
    "styresmakt": "mynde",
    "møtet blir halden": "møtet blir halde",
    "såg inn": "så inn",
    "Økten": "Økta",
    "økten": "økta",
    "Utløper": "Går ut",
    "utløper": "går ut",
    "Utløpt": "Utgått",
    "utløpt": "utgått",
    "Tjenesteområde": "Tenesteområde",
    "tjenesteområde": "tenesteområde",
    "Tjeneste": "Teneste",
    "tjeneste": "teneste",
}

# Forms the translator writes that this portal writes otherwise (applied after CORRECTIONS, plain substrings).
AFTERWARDS = [
    (" me ", " vi "),
    ("Me ", "Vi "),
    ("@@<", "<"),  # the translator's mark before markup it could not place
]


def protect(text: str) -> tuple[str, list[str]]:
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"QX{len(kept) - 1}XQ"

    return PROTECTED.sub(keep, text), kept


def restore(text: str, kept: list[str]) -> str:
    return re.sub(r"QX(\d+)XQ", lambda match: kept[int(match.group(1))], text)


def correct(text: str) -> str:
    for bokmal, nynorsk in CORRECTIONS.items():
        text = re.sub(rf"(?<![\wæøåÆØÅ]){re.escape(bokmal)}(?![\wæøåÆØÅ])", nynorsk, text)
    for before, after in AFTERWARDS:
        text = text.replace(before, after)
    return text


def _apertium(texts: list[str]) -> list[str]:
    """One Apertium run for a batch; where it merges two texts (it sometimes joins lines), one run per text."""
    joined = f"\n{SEPARATOR}\n".join(texts)
    result = subprocess.run(
        ["apertium", "-u", "nob-nno_e"],  # noqa: S607 - the Debian package's command, found on PATH
        input=joined,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    parts = [part.strip("\n") for part in result.split(f"\n{SEPARATOR}\n")]
    if len(parts) == len(texts):
        return parts
    if len(texts) == 1:
        return [result.strip("\n")]
    return [part for text in texts for part in _apertium([text])]


def translate(texts: list[str]) -> list[str]:
    """Bokmål to Nynorsk, one text at a time in one Apertium run (texts may span several lines)."""
    prepared = []
    kepts = []
    for text in texts:
        protected, kept = protect(text)
        prepared.append(protected.replace("\n", " QXNLXQ "))
        kepts.append(kept)
    parts = []
    for start in range(0, len(prepared), 40):
        parts.extend(_apertium(prepared[start : start + 40]))
    out = []
    for source, part, kept in zip(texts, parts, kepts, strict=True):
        text = correct(part.replace(" QXNLXQ ", "\n").replace("QXNLXQ", "\n"))
        text = restore(text, kept)
        if "\n" not in source:  # the translator sometimes breaks a line where the source has none
            text = re.sub(r"\s*\n\s*", " ", text)
        # Keep the source's surrounding whitespace (a msgstr that ends in a newline must still).
        text = text.strip()
        text = source[: len(source) - len(source.lstrip())] + text + source[len(source.rstrip()) :]
        out.append(text)
    return out


def correct_catalogue() -> int:
    """CORRECTIONS applied to the catalogue as it is, without the translator (after adding a correction)."""
    nn = polib.pofile(str(NN), wrapwidth=79)
    for entry in nn:
        if entry.msgid_plural:
            entry.msgstr_plural = {index: correct(text) for index, text in entry.msgstr_plural.items()}
        else:
            fixed = correct(entry.msgstr)
            entry.msgstr = fixed if "\n" in entry.msgid else re.sub(r"\s*\n\s*", " ", fixed)
    nn.save(str(NN))
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="draft every message again")
    parser.add_argument("--correct", action="store_true", help="apply CORRECTIONS to every Nynorsk message only")
    args = parser.parse_args(argv)
    if args.correct:
        return correct_catalogue()
    nb = {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(NB)) if not entry.obsolete}
    nn = polib.pofile(str(NN), wrapwidth=79)
    todo: list[tuple[polib.POEntry, str | int, str]] = []
    for entry in nn:
        if entry.obsolete:
            continue
        source = nb.get((entry.msgctxt, entry.msgid))
        if source is None or "fuzzy" in source.flags:
            continue
        done = (entry.msgstr_plural and all(entry.msgstr_plural.values())) or (not entry.msgid_plural and entry.msgstr)
        if done and "fuzzy" not in entry.flags and not args.all:
            continue
        if entry.msgid_plural:
            for index, text in source.msgstr_plural.items():
                todo.append((entry, index, text))
        elif source.msgstr:
            todo.append((entry, "", source.msgstr))
    translated = translate([text for _entry, _index, text in todo]) if todo else []
    for (entry, index, _text), text in zip(todo, translated, strict=True):
        if index == "":
            entry.msgstr = text
        else:
            entry.msgstr_plural[index] = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    nn.save(str(NN))
    print(f"{len({id(entry) for entry, _i, _t in todo})} messages drafted in {NN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
