"""A realistic demo network built from the national population file: DigiVestland, hosted by Bergen."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.no import orgnr

from members.choices import MembershipStatus, OrganisationKind
from members.models import Organisation, User
from members.services import NATIONAL_FILE, organisation_change_number, organisation_update, population_figure_record

DEMO_PASSWORD = "demo-passord-2026"  # noqa: S105 - printed for the demo; never used outside demo data
# The demo secretariat's authenticator key: RFC 6238's test key "12345678901234567890", hex as django-otp
# stores it and base32 as an authenticator app takes it. Printed for the demo; never used outside demo data.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105 - the same demo key, in base32
POPULATION_SOURCE = "SSB, folketall per 1.1.2024 (tabell 07459)"
NETWORK_COUNTY = "Vestland"
HOST_NUMBER = "4601"
VESTLAND_FROM = date(2020, 1, 1)
DEMO_NOTE = "Organisasjonsnummeret er en demoverdi (generert, gyldig kontrollsiffer)."

# Three of Vestland's 43 municipalities are outside the network in the demo, one of them invited;
# one member has given notice.
NOT_MEMBERS = {
    "4633": MembershipStatus.INVITED,
    "4629": MembershipStatus.NOT_MEMBER,
    "4636": MembershipStatus.NOT_MEMBER,
}
NOTICE_GIVEN = {"4651": (date(2026, 6, 30), date(2026, 12, 31))}


# Where invoices go: the municipality's town hall (street, postcode, postal town). Where the demo does not know the
# street, "Rådhuset" at the administrative centre's postcode, which the post delivers too. Real organisation numbers
# would let `python manage.py import_enhetsregisteret` bring the registered addresses instead.
TOWN_HALLS = {
    "4601": ("Rådhusgaten 10", "5014", "Bergen"),
    "4602": ("Rådhuset", "6900", "Florø"),
    "4611": ("Sjoarvegen 2", "5590", "Etne"),
    "4612": ("Sveiovegen 20", "5550", "Sveio"),
    "4613": ("Leirdalen 1", "5430", "Bremnes"),
    "4614": ("Borggata 2", "5416", "Stord"),
    "4615": ("Rådhuset", "5419", "Fitjar"),
    "4616": ("Rådhuset", "5680", "Tysnes"),
    "4617": ("Rosendalsvegen 10", "5470", "Rosendal"),
    "4618": ("Opheimsgata 31", "5750", "Odda"),
    "4619": ("Simadalsvegen 1", "5783", "Eidfjord"),
    "4620": ("Rådhuset", "5730", "Ulvik"),
    "4621": ("Uttrågata 9", "5700", "Voss"),
    "4622": ("Grovagjelet 16", "5600", "Norheimsund"),
    "4623": ("Rådhuset", "5650", "Tysse"),
    "4624": ("Kuventræ 1", "5200", "Os"),
    "4625": ("Rådhuset", "5392", "Storebø"),
    "4626": ("Rådhuset", "5353", "Straume"),
    "4627": ("Klampavikvegen 1", "5300", "Kleppestø"),
    "4628": ("Konsul Jebsens gate 16", "5722", "Dalekvam"),
    "4629": ("Rådhuset", "5729", "Modalen"),
    "4630": ("Geitaryggsvegen 11", "5282", "Lonevåg"),
    "4631": ("Kvernhusmyrane 20", "5914", "Isdalstø"),
    "4632": ("Sætremarka 2", "5943", "Austrheim"),
    "4633": ("Rådhuset", "5947", "Fedje"),
    "4634": ("Austfjordvegen 2165", "5981", "Masfjordnes"),
    "4635": ("Eivindvikvegen 1119", "5966", "Eivindvik"),
    "4636": ("Rådhuset", "6924", "Hardbakke"),
    "4637": ("Rådhuset", "6957", "Hyllestad"),
    "4638": ("Rådhuset", "6993", "Høyanger"),
    "4639": ("Rådhuset", "6893", "Vik i Sogn"),
    "4640": ("Rådhuset", "6856", "Sogndal"),
    "4641": ("Vangen 1", "5745", "Aurland"),
    "4642": ("Øyraplassen 7", "6887", "Lærdal"),
    "4643": ("Statsråd Evensens veg 4", "6885", "Årdalstangen"),
    "4644": ("Rådhuset", "6868", "Gaupne"),
    "4645": ("Rådhuset", "6980", "Askvoll"),
    "4646": ("Rådhuset", "6963", "Dale i Sunnfjord"),
    "4647": ("Rådhuset", "6800", "Førde"),
    "4648": ("Rådhuset", "6723", "Svelgen"),
    "4649": ("Rådhuset", "6770", "Nordfjordeid"),
    "4650": ("Rådhuset", "6823", "Sandane"),
    "4651": ("Tinggata 3", "6783", "Stryn"),
}
PARTNER_ADDRESSES = {
    "Vestland fylkeskommune": ("Agnes Mowinckels gate 5", "5008", "Bergen", "FYLK", "4601"),
    "Statsforvaltaren i Vestland": ("Njøsavegen 2", "6863", "Leikanger", "ORGL", "4640"),
    "IKT Nordhordland": ("Kvernhusmyrane 20", "5914", "Isdalstø", "", "4631"),
}


def demo_org_number(seed: str) -> str:
    """A valid, clearly artificial organisation number derived from `seed` (starts with 8)."""
    for suffix in range(1000):
        base = f"8{seed:0>4}{suffix:03d}"
        for check in "0123456789":
            if orgnr.is_valid(base + check):
                return base + check
    raise ValueError(seed)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    number: str
    title: str
    roles: tuple[str, ...]


DEMO_USERS = [
    DemoUser("sekretariat", "Siri", "Sekretær", HOST_NUMBER, "Rådgiver, programkontoret", ("is_secretariat",)),
    DemoUser("leder", "Lena", "Leder", HOST_NUMBER, "Programleder", ("is_secretariat", "is_director")),
    DemoUser("direktor", "Dag", "Direktør", "4634", "Kommunedirektør", ("is_director",)),
    DemoUser("okonomi", "Øyvind", "Økonomisjef", "4634", "Økonomisjef", ("is_finance_officer",)),
    DemoUser("kontakt", "Kari", "Kontakt", "4634", "Digitaliseringsansvarlig", ("is_contact", "is_delegate")),
    DemoUser("prosjektleder", "Per", "Prosjektleder", "4634", "Prosjektleder", ("is_project_leader",)),
    DemoUser("okonomi.voss", "Vilde", "Voss", "4621", "Økonomisjef", ("is_finance_officer", "is_director")),
]

# (name, kind, number, seed for the demo organisation number)
PARTNERS = [
    ("Vestland fylkeskommune", OrganisationKind.COUNTY_MUNICIPALITY, "46", "46"),
    ("KS Vest", OrganisationKind.PARTNER, "", "9001"),
    ("Statsforvaltaren i Vestland", OrganisationKind.PARTNER, "", "9002"),
    ("IKT Nordhordland", OrganisationKind.ICT_COOPERATION, "", "9003"),
]


def _upsert(name: str, kind: str, number: str, county: str, **values) -> Organisation:
    organisation = Organisation.objects.filter(number=number).first() if number else None
    if organisation is None:
        organisation = Organisation.objects.filter(name=name, kind=kind).first()
    fields = {"name": name, "kind": kind, "county": county, **values}
    if organisation is None:
        organisation = Organisation(**fields)
        organisation.full_clean()
        organisation.save()
    else:
        organisation_update(organisation=organisation, **fields)
    if number:
        organisation_change_number(organisation=organisation, number=number, valid_from=VESTLAND_FROM)
    return organisation


@transaction.atomic
def load_demo() -> list[DemoUser]:
    with NATIONAL_FILE.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["county"] == NETWORK_COUNTY]
    for row in rows:
        number = row["kommunenummer"]
        status = NOT_MEMBERS.get(number, MembershipStatus.MEMBER)
        notice = NOTICE_GIVEN.get(number)
        street, postal_code, city = TOWN_HALLS.get(number, ("Rådhuset", "", row["name"]))
        values = {
            "org_number": demo_org_number(number),
            "organisation_form": "KOMM",
            "street_address": street,
            "postal_code": postal_code,
            "city": city,
            "business_municipality_number": number,
            "is_host": number == HOST_NUMBER,
            "membership_status": MembershipStatus.NOTICE_GIVEN if notice else status,
            "invited_on": date(2026, 9, 1) if status == MembershipStatus.INVITED else None,
            "member_from": date(2021, 1, 1) if status == MembershipStatus.MEMBER else None,
            "notice_given_on": notice[0] if notice else None,
            "member_until": notice[1] if notice else None,
            "einvoice_endpoint": f"0192:{demo_org_number(number)}",
            "buyer_reference": f"{number}-DIGI" if status == MembershipStatus.MEMBER else "",
            "notes": DEMO_NOTE,
        }
        organisation = _upsert(row["name"], OrganisationKind.MUNICIPALITY, number, NETWORK_COUNTY, **values)
        population_figure_record(
            organisation=organisation,
            reference_date=date.fromisoformat(row["population_date"]),
            count=int(row["population"]),
            source=POPULATION_SOURCE,
            announce=False,  # the demo computes contributions itself once everything is in place
        )
    for name, kind, number, seed in PARTNERS:
        street, postal_code, city, form, municipality = PARTNER_ADDRESSES.get(name, ("", "", "", "", ""))
        _upsert(
            name,
            kind,
            number,
            NETWORK_COUNTY,
            org_number=demo_org_number(seed),
            organisation_form=form,
            street_address=street,
            postal_code=postal_code,
            city=city,
            business_municipality_number=municipality,
            notes=DEMO_NOTE,
        )
    for spec in DEMO_USERS:
        user = demo_user_save(spec)
        if user.is_secretariat:
            TOTPDevice.objects.update_or_create(
                user=user, name="Demo authenticator", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
            )
    return DEMO_USERS


def demo_user_save(spec: DemoUser) -> User:
    user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
    user.first_name, user.last_name, user.job_title = spec.first_name, spec.last_name, spec.title
    user.email = f"{spec.username}@demo.invalid"
    user.organisation = Organisation.objects.get(number=spec.number)
    for flag in (
        "is_secretariat",
        "is_director",
        "is_finance_officer",
        "is_contact",
        "is_project_leader",
        "is_delegate",
    ):
        setattr(user, flag, flag in spec.roles)
    user.set_password(DEMO_PASSWORD)
    user.full_clean()
    user.save()
    return user
