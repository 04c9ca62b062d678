"""The whole interface exists in Nynorsk: every message with a Bokmål translation has a Nynorsk one too."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def translated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def test_every_bokmaal_message_has_a_nynorsk_translation():
    bokmaal = [entry for entry in polib.pofile(str(LOCALE / "nb/LC_MESSAGES/django.po")) if not entry.obsolete]
    nynorsk = {
        (entry.msgctxt, entry.msgid): entry
        for entry in polib.pofile(str(LOCALE / "nn/LC_MESSAGES/django.po"))
        if not entry.obsolete
    }
    assert len(bokmaal) > 1000
    missing = [
        entry.msgid
        for entry in bokmaal
        if (entry.msgctxt, entry.msgid) not in nynorsk or not translated(nynorsk[(entry.msgctxt, entry.msgid)])
    ]
    assert missing == []


def test_nynorsk_keeps_every_placeholder_of_the_message():
    import re

    placeholder = re.compile(r"%\([a-z_0-9]+\)[sdfr]|\{\{ ?[a-z_.]+ ?\}\}")
    wrong = []
    for entry in polib.pofile(str(LOCALE / "nn/LC_MESSAGES/django.po")):
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        expected = set(placeholder.findall(entry.msgid_plural or entry.msgid))
        wrong += [entry.msgid for text in texts if set(placeholder.findall(text)) != expected]
    assert wrong == []
