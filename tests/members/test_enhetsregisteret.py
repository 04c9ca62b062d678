"""Organisation facts from Enhetsregisteret's open data: both published shapes, differences shown, applied on
confirmation with the history keeping what was there."""

import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from members.enhetsregisteret import RegisterFileError, postal_town, read_units
from members.models import Organisation
from members.register import FactChange, organisation_apply_register_facts, register_compare
from tests.factories import OrganisationFactory

DATA = Path(__file__).resolve().parents[1] / "data" / "enhetsregisteret"
SINGLE = DATA / "enhet-964338531.json"
BULK = DATA / "enheter_alle.json.gz"


def test_a_single_unit_is_read_as_the_api_returns_it():
    [unit] = read_units(io.BytesIO(SINGLE.read_bytes()))
    assert (unit.org_number, unit.name, unit.form_code, unit.form_description) == (
        "964338531",
        "BERGEN KOMMUNE",
        "KOMM",
        "Kommune",
    )
    business, postal = unit.business_address, unit.postal_address
    assert (business.street, business.postal_code, business.city, business.municipality_number) == (
        "Rådhusgaten 10",
        "5003",
        "Bergen",
        "4601",
    )
    assert (postal.street, postal.postal_code, postal.city) == ("Postboks 7700", "5020", "Bergen")


def test_the_bulk_download_is_read_unit_by_unit_keeping_only_the_wanted():
    with BULK.open("rb") as stream:
        assert [u.org_number for u in read_units(stream)] == ["914994780", "964338531", "945627913", "936288545"]
    with BULK.open("rb") as stream:
        [masfjorden] = read_units(stream, wanted={"945627913"})
    assert (masfjorden.business_address.street, masfjorden.business_address.city) == (
        "Austfjordvegen 2165",
        "Masfjordnes",
    )
    # The same array uncompressed, and one unit gzip-compressed, are read too.
    plain = gzip.decompress(BULK.read_bytes())
    assert len(list(read_units(io.BytesIO(plain)))) == 4
    assert [u.org_number for u in read_units(io.BytesIO(gzip.compress(SINGLE.read_bytes())))] == ["964338531"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"kommunenummer;navn\n4601;Bergen", "expected a unit object or an array"),
        (b'{"organisasjonsnummer": "964338531", "navn": "X"', "not JSON"),
        (b'[{"organisasjonsnummer": "964338531", "navn": "X"}, {"organisasjonsnummer": ', "not JSON"),
        (b'{"organisasjonsnummer": "96433853", "navn": "X"}', "enhet.organisasjonsnummer: '96433853'"),
        (b'[{"organisasjonsnummer": "964338531"}]', "enheter[0].navn: the unit has no name"),
        (
            b'[{"organisasjonsnummer": "964338531", "navn": "X", "forretningsadresse": {"adresse": "Gate 1"}}]',
            "enheter[0] 964338531.forretningsadresse.adresse: expected a list",
        ),
        (b"\x1f\x8bnot really gzip", "not a readable gzip file"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_element(content, message):
    with pytest.raises(RegisterFileError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        list(read_units(io.BytesIO(content)))


@given(st.lists(st.sampled_from(["ål", "bø", "i", "ytre-arna", "sandnes", "på", "og"]), min_size=1, max_size=4))
def test_postal_towns_are_written_as_on_a_letter(words):
    town = postal_town(" ".join(words).upper())
    assert town.casefold() == " ".join(words).casefold()
    assert town[0].isupper()
    assert postal_town(town.upper()) == town


@pytest.fixture
def bergen(db):
    return OrganisationFactory(
        name="Bergen",
        number="4601",
        org_number="964338531",
        street_address="",
        postal_code="",
        city="Bergen",
        postal_street_address="Postboks 7700",
    )


def _compare(path: Path):
    with path.open("rb") as stream:
        return register_compare(organisations=Organisation.objects.all(), units=read_units(stream))


def test_differences_are_shown_and_equal_facts_are_not(bergen):
    comparison = _compare(SINGLE)
    [difference] = comparison.differences
    changes = {change.field: (change.current, change.register) for change in difference.changes}
    # The name differs only by case and the word "kommune"; the postal street is already right.
    assert changes == {
        "organisation_form": ("", "KOMM"),
        "street_address": ("", "Rådhusgaten 10"),
        "postal_code": ("", "5003"),
        "business_municipality_number": ("", "4601"),
        "postal_postal_code": ("", "5020"),
        "postal_city": ("", "Bergen"),
    }
    assert difference.notes == []


def test_applying_saves_the_register_values_and_the_history_keeps_both(bergen):
    [difference] = _compare(SINGLE).differences
    organisation_apply_register_facts(organisation=bergen, changes=difference.changes, source="enhet.json")
    bergen.refresh_from_db()
    assert (bergen.street_address, bergen.postal_code, bergen.city) == ("Rådhusgaten 10", "5003", "Bergen")
    assert bergen.invoice_address == ("Postboks 7700", "5020", "Bergen")
    after, before = bergen.history.order_by("-history_date")[:2]
    assert (before.street_address, after.street_address) == ("", "Rådhusgaten 10")
    assert after.history_change_reason == "From Enhetsregisteret (enhet.json)"
    # Compared again, nothing differs.
    assert _compare(SINGLE).differences == []


def test_a_record_changed_after_the_comparison_is_not_overwritten(bergen):
    [difference] = _compare(SINGLE).differences
    Organisation.objects.filter(pk=bergen.pk).update(street_address="Kong Oscars gate 1")
    with pytest.raises(Exception, match="changed after the comparison"):
        organisation_apply_register_facts(organisation=bergen, changes=difference.changes, source="x")
    bergen.refresh_from_db()
    assert bergen.postal_code == ""
    with pytest.raises(Exception, match="not facts from Enhetsregisteret"):
        organisation_apply_register_facts(
            organisation=bergen, changes=[FactChange(field="is_host", current="", register="x")], source="x"
        )


def test_bulk_notes_deleted_units_and_municipality_numbers(db):
    masfjorden = OrganisationFactory(name="Masfjorden", number="4635", org_number="945627913")
    OrganisationFactory(name="IKT Nordhordland", kind="ict_cooperation", org_number="936288545")
    comparison = _compare(BULK)
    assert comparison.not_in_portal == ["914994780", "964338531"]
    notes = {d.organisation.name: " ".join(d.notes) for d in comparison.differences}
    assert "deleted on 2024-06-30" in notes["IKT Nordhordland"]
    assert "municipality 4634; the portal's number is 4635" in notes["Masfjorden"]
    masfjorden.refresh_from_db()
    assert masfjorden.number == "4635"  # a number changes from a date, never from this import


def test_the_command_shows_then_applies(bergen, capsys):
    call_command("import_enhetsregisteret", str(BULK))
    out = capsys.readouterr().out
    assert "street_address: – -> Rådhusgaten 10" in out
    assert "Nothing was saved" in out
    bergen.refresh_from_db()
    assert bergen.street_address == ""
    call_command("import_enhetsregisteret", str(BULK), "--apply")
    bergen.refresh_from_db()
    assert (bergen.street_address, bergen.organisation_form) == ("Rådhusgaten 10", "KOMM")
    with pytest.raises(CommandError, match="not Enhetsregisteret's JSON"):
        call_command("import_enhetsregisteret", str(DATA / "README.md"))


def test_the_browser_shows_differences_and_applies_only_the_ticked(client, personas):
    personas.host.org_number = "964338531"
    personas.host.save()
    client.force_login(personas.secretariat)
    with SINGLE.open("rb") as upload:
        page = client.post(reverse("members:register_import"), {"file": upload})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rådhusgaten 10" in html
    token = page.context["token"]
    key = f"{personas.host.pk}:street_address"
    response = client.post(reverse("members:register_apply"), {"proposal": token, "change": [key]})
    assert response.status_code == 302
    personas.host.refresh_from_db()
    assert personas.host.street_address == "Rådhusgaten 10"
    assert personas.host.postal_code == ""  # not ticked
    # A tampered proposal is refused, and nothing changes.
    altered = client.post(
        reverse("members:register_apply"), {"proposal": token[:-2] + "xx", "change": [f"{personas.host.pk}:city"]}
    )
    assert altered.status_code == 302
    personas.host.refresh_from_db()
    assert personas.host.postal_code == ""


def test_a_bad_upload_is_named_on_the_form(client, personas):
    client.force_login(personas.secretariat)
    upload = io.BytesIO(json.dumps({"organisasjonsnummer": "1"}).encode())
    upload.name = "enhet.json"
    page = client.post(reverse("members:register_import"), {"file": upload})
    assert "enhet.organisasjonsnummer" in page.content.decode()
