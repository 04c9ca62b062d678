"""Demo portfolio for the DigiVestland-like network: initiatives from the domain's examples at every stage of
the life cycle, with funding plans (the county governor's discretionary funds of 2.6 MNOK in 2024 spread over
four projects), benefits, status reports, rollouts of national solutions and the service catalogue.

`create_many_initiatives(n)` adds `n` plain initiatives, for load tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from members.models import Organisation, User
from portfolio import page_cache, services
from portfolio.choices import (
    AdoptionStatus,
    FocusArea,
    FundingSource,
    OfferingKind,
    ParticipantRole,
    ServiceArea,
    State,
)
from portfolio.models import Initiative, NationalSolution, Offering

SECRETARIAT_EMAIL = "post@digivestland.example.no"

OFFERINGS = [
    (
        OfferingKind.EXPERT_GROUP,
        "Faggruppe e-helse",
        "Helse- og omsorgsledere og fagfolk som deler erfaring om velferdsteknologi, DigiHelse og Kjernejournal, "
        "og som forbereder saker til styringsgruppen.",
        "Leder for faggruppen, Bjørnafjorden kommune",
        "Meld inn én representant fra helse og omsorg til sekretariatet; gruppen møtes annenhver måned.",
    ),
    (
        OfferingKind.EXPERT_GROUP,
        "Faggruppe oppvekst",
        "Barnehage og skole: felles løsninger, personvern for elever og barn, og piloter som sensorer i barnehagen.",
        "Leder for faggruppen, Voss herad",
        "Kommunalsjef for oppvekst melder inn deltaker; møter digitalt hver måned.",
    ),
    (
        OfferingKind.EXPERT_GROUP,
        "Faggruppe plan, bygg og geodata",
        "Digital byggesak, planregister og geodata; arbeider for høyere andel digitale byggesøknader.",
        "Leder for faggruppen, Bergen kommune",
        "Åpen for alle medlemmer; meld deg på e-postlisten hos sekretariatet.",
    ),
    (
        OfferingKind.EXPERT_GROUP,
        "Faggruppe informasjonssikkerhet og personvern",
        "Personvernombud og sikkerhetsledere; felles styringssystem, hendelseshåndtering og maler.",
        "Personvern- og sikkerhetsrådgiver i sekretariatet",
        "Hvert medlem har en plass; send navn på personvernombud eller sikkerhetsleder.",
    ),
    (
        OfferingKind.ROLLOUT,
        "Innføringsløp DigiHelse og Kjernejournal",
        "Felles innføringsløp med prosjektplan, opplæring og støtte i overgangen for kommunene.",
        "Virksomhetsutvikler i sekretariatet",
        "Meld interesse til sekretariatet; kommunen stiller en lokal innføringsansvarlig.",
    ),
    (
        OfferingKind.ROLLOUT,
        "Innføringsløp Digisos",
        "Støtte til NAV-kontor og kommuner som tar i bruk digital søknad om økonomisk sosialhjelp.",
        "Rådgiver i sekretariatet",
        "Kommunen avtaler oppstart med sekretariatet og NAV-kontoret.",
    ),
    (
        OfferingKind.TEMPLATE,
        "Mal for personvernkonsekvensvurdering (DPIA)",
        "Utfylt mal med veiledning, brukt i felles prosjekter; tilpass til egen kommune.",
        "Personvern- og sikkerhetsrådgiver i sekretariatet",
        "Last ned fra medlemsområdet eller be sekretariatet om en gjennomgang.",
    ),
    (
        OfferingKind.TEMPLATE,
        "Mal for risiko- og sårbarhetsanalyse (ROS)",
        "Mal og eksempel for ROS-analyser av nye digitale tjenester.",
        "Personvern- og sikkerhetsrådgiver i sekretariatet",
        "Last ned og bruk; sekretariatet holder kurs to ganger i året.",
    ),
    (
        OfferingKind.COMPETENCE,
        "Ressursgruppen for driftskoordinatorer",
        "Én koordinator per medlem; felles arena for informasjon, innføring og erfaringsdeling.",
        "Leder i sekretariatet",
        "Kommunedirektøren utpeker koordinator.",
    ),
]

SOLUTIONS = [
    ("DigiHelse", "Norsk helsenett", "Digital dialog mellom innbyggere og helse- og omsorgstjenesten."),
    ("DigiHelsestasjon", "KS", "Digitale tjenester for helsestasjon og skolehelsetjeneste."),
    ("Kjernejournal", "Norsk helsenett", "Nasjonal kjernejournal tilgjengelig for kommunale tjenester."),
    ("Digisos", "NAV og KS", "Digital søknad om økonomisk sosialhjelp."),
]


@dataclass
class DemoInitiative:
    title: str
    focus: str
    area: str
    owner: str
    path: list[tuple[str, dt.date, str]]  # (to state, decided on, why)
    summary: str
    description: str = ""
    expert_group: str = ""
    leader: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    ks: bool = False
    participants: list[tuple[str, str]] = field(default_factory=list)
    funding: list[tuple[int, str, str, str, str | None, str]] = field(default_factory=list)
    benefits: list[tuple[str, str, str, str, str, str, list[tuple[dt.date, str]]]] = field(default_factory=list)
    reports: list[tuple[dt.date, dt.date, str, str]] = field(default_factory=list)
    notes: str = ""


def _d(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)


SG = "Styringsgruppen"
# The funding-plan line the county governor's 2024 award writes into four projects (2.6 MNOK in all).
GRANT_LINE = (2024, FundingSource.COUNTY_GOVERNOR, "Prosjektskjønn 2024")
GRANT_TITLE = "Prosjektskjønn 2024"
GRANT_PROGRESS = {
    "Styringssystem for informasjonssikkerhet": "Forsinket et halvt år; fullføres i 2025.",
    "Velferdsteknologi i hjemmetjenesten": "Prosjektet er over i innføring i alle deltakerkommunene.",
}
GRANT_RESULTS = {
    "Økt andel digitale byggesøknader": "Andelen digitale byggesøknader økte fra 62 til 81 % i pilotkommunene; "
    "felles sjekklister tatt i bruk i fire kommuner.",
    "Styringssystem for informasjonssikkerhet": "Maler for policy, roller og årshjul ferdige; to pilotkommuner har "
    "tatt dem i bruk. Resten av midlene brukes i 2025 etter avtale med Statsforvalteren.",
    "Velferdsteknologi i hjemmetjenesten": "Digitalt tilsyn og medisindispensere innført i 11 kommuner; færre "
    "fysiske besøk om natten.",
    "Livshendelse «Alvorlig sykt barn»": "Kartlegging av familienes møte med tjenestene ferdig; tre tiltak valgt "
    "for utprøving i 2025.",
}
INITIATIVES = [
    DemoInitiative(
        "Økt andel digitale byggesøknader",
        FocusArea.SOLUTIONS,
        ServiceArea.PLANNING_BUILDING,
        "4624",
        [
            (State.CONCEPT, _d(2023, 9, 12), "Faggruppen anbefalte konseptet."),
            (State.APPROVED, _d(2023, 11, 28), f"{SG}, sak 37-23: prosjektet godkjent med skjønnsmidler."),
            (State.PLANNING, _d(2024, 1, 8), "Prosjektleder på plass."),
            (State.EXECUTION, _d(2024, 3, 4), "Prosjektplan vedtatt i prosjektstyret."),
        ],
        "Flere byggesøknader skal komme inn digitalt, slik at saksbehandlingen går raskere for innbyggere og "
        "næringsliv.",
        "Kommunene tar i bruk felles søknadsløsninger og veiledning, og rydder i sjekklister og maler.",
        expert_group="Faggruppe plan, bygg og geodata",
        leader="Ingrid Haugland (Bjørnafjorden)",
        start=_d(2024, 1, 8),
        end=_d(2026, 6, 30),
        participants=[
            ("4601", ParticipantRole.PILOT),
            ("4631", ParticipantRole.PARTICIPANT),
            ("4626", ParticipantRole.PARTICIPANT),
            ("4614", ParticipantRole.PARTICIPANT),
        ],
        funding=[
            (2024, FundingSource.COUNTY_GOVERNOR, "", "Prosjektskjønn 2024", None, "600000:600000"),
            (2024, FundingSource.OWN_EFFORT, "4624", "Prosjektleder 50 %", "850", "510000:540000"),
            (2024, FundingSource.OWN_EFFORT, "4601", "Pilot og fagressurser", "400", "240000:210000"),
            (2025, FundingSource.OWN_EFFORT, "4631", "Fagressurser", "300", "180000:120000"),
        ],
        benefits=[
            (
                "Høyere andel digitale byggesøknader",
                "Tjenesteeier byggesak, Bjørnafjorden",
                "Andel digitale søknader",
                "%",
                "45",
                "80",
                [(_d(2024, 6, 30), "52"), (_d(2024, 12, 31), "61"), (_d(2025, 6, 30), "68")],
            ),
            (
                "Kortere saksbehandlingstid",
                "Tjenesteeier byggesak, Bergen",
                "Dager i snitt",
                "dager",
                "38",
                "25",
                [(_d(2024, 12, 31), "33")],
            ),
        ],
        reports=[
            (_d(2024, 1, 1), _d(2024, 6, 30), "green", "Pilot i Bergen i gang; opplæring gjennomført."),
            (_d(2024, 7, 1), _d(2024, 12, 31), "yellow", "To kommuner er forsinket med å ta i bruk sjekklistene."),
            (
                _d(2025, 1, 1),
                _d(2025, 6, 30),
                "green",
                "Andelen digitale søknader er 68 %; forsinkelsene er tatt igjen.",
            ),
        ],
        notes="Vurder å søke nye skjønnsmidler for 2026 til geodata-delen.",
    ),
    DemoInitiative(
        "Styringssystem for informasjonssikkerhet",
        FocusArea.COLLABORATION,
        ServiceArea.SECURITY,
        "4621",
        [
            (State.CONCEPT, _d(2024, 2, 6), "Behovet er avklart i faggruppen."),
            (State.APPROVED, _d(2024, 5, 22), f"{SG}, sak 14-24: godkjent med skjønnsmidler."),
            (State.PLANNING, _d(2024, 8, 15), "Prosjektleder tilsatt."),
        ],
        "Et felles, enkelt styringssystem for informasjonssikkerhet som små kommuner kan ta i bruk.",
        "Felles policy, roller, maler og årshjul, tilpasset små og store kommuner.",
        expert_group="Faggruppe informasjonssikkerhet og personvern",
        leader="Per Instebø (Voss)",
        start=_d(2024, 8, 15),
        end=_d(2026, 12, 31),
        participants=[
            ("4634", ParticipantRole.PILOT),
            ("4635", ParticipantRole.PARTICIPANT),
            ("4639", ParticipantRole.PARTICIPANT),
            ("4641", ParticipantRole.PARTICIPANT),
        ],
        funding=[
            (2024, FundingSource.COUNTY_GOVERNOR, "", "Prosjektskjønn 2024", None, "700000:250000"),
            (2024, FundingSource.OWN_EFFORT, "4621", "Prosjektleder", "700", "420000:180000"),
            (2025, FundingSource.OWN_EFFORT, "4634", "Pilotkommune", "500", "300000:0"),
        ],
        benefits=[
            (
                "Flere kommuner med dokumentert styringssystem",
                "Personvernombud, Voss",
                "Antall kommuner",
                "kommuner",
                "6",
                "30",
                [(_d(2025, 6, 30), "9")],
            ),
        ],
        reports=[
            (_d(2024, 8, 15), _d(2024, 12, 31), "yellow", "Oppstart forsinket en måned; plan revidert."),
            (
                _d(2025, 1, 1),
                _d(2025, 6, 30),
                "red",
                "Pilotkommunen mangler ressurser; saken løftes til styringsgruppen.",
            ),
        ],
    ),
    DemoInitiative(
        "Felles hendelseshåndtering",
        FocusArea.PROPOSALS,
        ServiceArea.SECURITY,
        "4601",
        [(State.CONCEPT, _d(2025, 3, 11), "Konsept utarbeidet av faggruppen.")],
        "En felles rutine og vaktordning for å håndtere sikkerhetshendelser på tvers av kommunene.",
        expert_group="Faggruppe informasjonssikkerhet og personvern",
        leader="",
        participants=[("4627", ParticipantRole.PARTICIPANT), ("4630", ParticipantRole.PARTICIPANT)],
        funding=[
            (2026, FundingSource.KS, "", "Søknad om KS-midler (ikke avklart)", None, "500000:0"),
            (2026, FundingSource.OWN_EFFORT, "4601", "Sikkerhetsressurser", "600", "360000:0"),
        ],
        notes="Egeninnsatsen er under 50 %; konseptet må styrkes før det kan godkjennes.",
    ),
    DemoInitiative(
        "Kompetanseløft i digital transformasjon",
        FocusArea.COMPETENCE,
        ServiceArea.CROSS_SECTOR,
        "4601",
        [
            (State.CONCEPT, _d(2022, 9, 1), "Forslag fra digitaliseringsutvalget."),
            (State.APPROVED, _d(2022, 11, 24), f"{SG}, sak 41-22: godkjent."),
            (State.PLANNING, _d(2023, 1, 5), "Kursleverandør valgt."),
            (State.EXECUTION, _d(2023, 2, 1), "Første kull startet."),
            (State.COMPLETED, _d(2024, 6, 20), f"{SG}, sak 22-24: sluttrapport tatt til orientering."),
        ],
        "Ledere og nøkkelpersoner i alle medlemskommunene fikk opplæring i tjenestedesign og gevinstrealisering.",
        leader="Rådgiver i sekretariatet",
        start=_d(2023, 1, 5),
        end=_d(2024, 6, 1),
        participants=[
            ("4634", ParticipantRole.PARTICIPANT),
            ("4621", ParticipantRole.PARTICIPANT),
            ("4640", ParticipantRole.PARTICIPANT),
            ("4647", ParticipantRole.PARTICIPANT),
        ],
        funding=[
            (2023, FundingSource.MEMBER_CONTRIBUTIONS, "", "Grunnfinansiering", None, "400000:385000"),
            (2023, FundingSource.OWN_EFFORT, "", "Deltakernes tid", "1500", "900000:960000"),
        ],
        benefits=[
            (
                "Flere ledere med kompetanse i tjenestedesign",
                "Leder i sekretariatet",
                "Antall ledere",
                "personer",
                "20",
                "120",
                [(_d(2023, 12, 31), "85"), (_d(2024, 6, 1), "134")],
            ),
        ],
        reports=[
            (_d(2023, 1, 1), _d(2023, 6, 30), "green", "To kull gjennomført."),
            (_d(2023, 7, 1), _d(2023, 12, 31), "green", "Fire kull gjennomført; god evaluering."),
        ],
    ),
    DemoInitiative(
        "Velferdsteknologi i hjemmetjenesten",
        FocusArea.SOLUTIONS,
        ServiceArea.EHEALTH,
        "4640",
        [
            (State.CONCEPT, _d(2023, 3, 1), "Faggruppe e-helse anbefalte konseptet."),
            (State.APPROVED, _d(2023, 5, 25), f"{SG}, sak 18-23: godkjent."),
            (State.PLANNING, _d(2023, 8, 1), "Prosjektleder tilsatt."),
            (State.EXECUTION, _d(2023, 10, 1), "Anskaffelse gjennomført."),
            (State.ROLLOUT, _d(2025, 1, 15), f"{SG}, sak 3-25: innføring i alle deltakerkommunene."),
        ],
        "Digitale tilsynsløsninger og medisindispensere i hjemmetjenesten, innført felles i 11 kommuner.",
        expert_group="Faggruppe e-helse",
        leader="Marte Nesheim (Sogndal)",
        start=_d(2023, 8, 1),
        end=_d(2026, 12, 31),
        participants=[
            ("4641", ParticipantRole.PARTICIPANT),
            ("4642", ParticipantRole.PARTICIPANT),
            ("4643", ParticipantRole.PARTICIPANT),
            ("4644", ParticipantRole.PARTICIPANT),
            ("4647", ParticipantRole.PILOT),
        ],
        funding=[
            (2024, FundingSource.COUNTY_GOVERNOR, "", "Prosjektskjønn 2024", None, "800000:800000"),
            (2024, FundingSource.KS, "", "KS e-helsemidler", None, "1200000:1150000"),
            (2024, FundingSource.OWN_EFFORT, "4640", "Prosjektleder og fagressurser", "2500", "1500000:1620000"),
            (2024, FundingSource.OWN_EFFORT, "4647", "Pilotkommune", "1000", "600000:640000"),
            (2025, FundingSource.OWN_EFFORT, "", "Deltakerkommunenes innføring", "1200", "720000:300000"),
        ],
        benefits=[
            (
                "Færre unødvendige tilsynsbesøk",
                "Kommunalsjef helse og omsorg, Sogndal",
                "Besøk per uke",
                "besøk",
                "420",
                "300",
                [(_d(2024, 12, 31), "380"), (_d(2025, 6, 30), "335")],
            ),
        ],
        reports=[
            (_d(2024, 7, 1), _d(2024, 12, 31), "green", "Pilot i Sunnfjord vellykket."),
            (_d(2025, 1, 1), _d(2025, 6, 30), "yellow", "Innføringen i to kommuner venter på nettverksoppgradering."),
        ],
    ),
    DemoInitiative(
        "Livshendelse «Alvorlig sykt barn»",
        FocusArea.PROPOSALS,
        ServiceArea.CROSS_SECTOR,
        "4601",
        [
            (State.CONCEPT, _d(2024, 1, 20), "Felles konsept med Digi Agder."),
            (State.APPROVED, _d(2024, 5, 22), f"{SG}, sak 15-24: godkjent og meldt inn til KS."),
        ],
        "Sammenhengende tjenester for familier med alvorlig sykt barn, utviklet sammen med Digi Agder.",
        "Kartlegger familiens møte med kommune, helseforetak og NAV, og lager felles løsninger.",
        leader="Tjenestedesigner, Bergen",
        start=_d(2024, 9, 1),
        end=_d(2026, 8, 31),
        ks=True,
        participants=[("4626", ParticipantRole.PARTICIPANT), ("4602", ParticipantRole.PARTICIPANT)],
        funding=[
            (2024, FundingSource.COUNTY_GOVERNOR, "", "Prosjektskjønn 2024", None, "500000:120000"),
            (2024, FundingSource.OWN_EFFORT, "4601", "Tjenestedesign", "900", "540000:150000"),
        ],
        benefits=[
            (
                "Færre henvendelser familiene må gjøre selv",
                "Tjenesteeier barn og familie, Bergen",
                "Henvendelser per familie",
                "",
                "14",
                "6",
                [],
            ),
        ],
    ),
    DemoInitiative(
        "Sensorpilot i barnehagen",
        FocusArea.PROPOSALS,
        ServiceArea.EDUCATION,
        "4634",
        [],
        "Sensorer teller barna ute, slik at de ansatte alltid vet hvor mange som er på uteområdet.",
        expert_group="Faggruppe oppvekst",
        notes="Personvern må vurderes (DPIA) før konseptet.",
    ),
    DemoInitiative(
        "Felles chatbot for innbyggertjenester",
        FocusArea.SOLUTIONS,
        ServiceArea.CROSS_SECTOR,
        "4627",
        [
            (State.CONCEPT, _d(2023, 4, 1), "Konsept fra Askøy."),
            (State.PARKED, _d(2023, 11, 28), f"{SG}, sak 38-23: parkert til nasjonal løsning er avklart."),
        ],
        "En felles chatbot som svarer på vanlige spørsmål om kommunale tjenester.",
    ),
    DemoInitiative(
        "Felles anskaffelse av sak- og arkivsystem",
        FocusArea.SOLUTIONS,
        ServiceArea.OPERATIONS,
        "4622",
        [(State.REJECTED, _d(2023, 2, 14), f"{SG}, sak 5-23: avvist; kontraktene løper ut i ulike år.")],
        "En felles anskaffelse av sak- og arkivsystem for alle medlemmene.",
    ),
]


def _organisation(number: str) -> Organisation | None:
    return Organisation.objects.filter(number=number).first() if number else None


def _build(spec: DemoInitiative, groups: dict[str, Offering], by) -> Initiative:
    initiative = services.initiative_create(
        values={
            "title": spec.title,
            "summary": spec.summary,
            "description": spec.description,
            "internal_notes": spec.notes,
            "focus_area": spec.focus,
            "service_area": spec.area,
            "expert_group": groups.get(spec.expert_group),
            "owner": _organisation(spec.owner),
            "project_leader": spec.leader,
            "start": spec.start,
            "end": spec.end,
            "escalated_to_ks": spec.ks,
        },
        participants=[(_organisation(number), role) for number, role in spec.participants],
    )
    for year, source, number, description, hours, amounts in spec.funding:
        if (year, source, description) == GRANT_LINE:
            continue  # written by the award of the demo grant (load_grant_demo), not typed twice
        budget, actual = amounts.split(":")
        services.funding_line_add(
            initiative=initiative,
            values={
                "year": year,
                "source": source,
                "organisation": _organisation(number),
                "description": description,
                "hours": Decimal(hours) if hours else None,
                "budget": Decimal(budget),
                "actual": Decimal(actual),
            },
        )
    for description, owner, indicator, unit, baseline, target, values in spec.benefits:
        benefit = services.benefit_add(
            initiative=initiative,
            values={
                "description": description,
                "owner": owner,
                "indicator": indicator,
                "unit": unit,
                "baseline": Decimal(baseline),
                "target": Decimal(target),
            },
        )
        for measured_on, value in values:
            services.benefit_value_record(benefit=benefit, measured_on=measured_on, value=Decimal(value))
    for to_state, on, why in spec.path:
        services.initiative_transition(
            initiative=initiative,
            to_state=to_state,
            reason=why,
            decided_by=by,
            decided_at=timezone.make_aware(dt.datetime.combine(on, dt.time(12))),
        )
    for start, end, rag, text in spec.reports:
        services.status_report_create(
            initiative=initiative,
            values={"period_start": start, "period_end": end, "rag": rag, "summary": text},
            reported_by=by,
        )
    return initiative


def _adoption_status(number: str, index: int) -> tuple[str, dt.date | None]:
    """A fixed, varied spread over the members: earlier solutions further along than later ones."""
    step = (int(number) * 7 + index * 3) % 10
    if step < 5 - index:
        return AdoptionStatus.ADOPTED, _d(2023 + step % 3, 1 + step, 1)
    if step < 7 - index:
        return AdoptionStatus.IN_PROGRESS, _d(2025, 1 + step, 1)
    if step < 8:
        return AdoptionStatus.PLANNED, _d(2026, 1 + step, 1)
    return AdoptionStatus.NOT_STARTED, None


def load_demo() -> None:
    for kind, title, description, contact, how in OFFERINGS:
        Offering.objects.update_or_create(
            title=title,
            defaults={
                "kind": kind,
                "description": description,
                "contact_name": contact,
                "contact_email": SECRETARIAT_EMAIL,
                "how_to_take_part": how,
            },
        )
    groups = {o.title: o for o in Offering.objects.filter(kind=OfferingKind.EXPERT_GROUP)}
    by = User.objects.filter(is_secretariat=True).order_by("pk").first()
    built = {i.title: i for i in Initiative.objects.filter(title__in=[s.title for s in INITIATIVES])}
    for spec in INITIATIVES:
        if spec.title not in built:
            built[spec.title] = _build(spec, groups, by)
    rollout = built["Velferdsteknologi i hjemmetjenesten"]
    from portfolio.selectors import members

    organisations = list(members())
    for index, (name, provider, description) in enumerate(SOLUTIONS):
        solution, _created = NationalSolution.objects.update_or_create(
            name=name,
            defaults={
                "provider": provider,
                "description": description,
                "initiative": rollout if name == "DigiHelse" else None,
            },
        )
        for organisation in organisations:
            if not solution.adoptions.filter(organisation=organisation).exists():
                status, on = _adoption_status(organisation.number or "0", index)
                services.adoption_set(solution=solution, organisation=organisation, status=status, status_date=on)
    load_suggestions()
    load_grant_demo(built)


def create_many_initiatives(n: int, *, prefix: str = "Lasttest") -> int:
    """Add `n` plain initiatives spread over states, areas and owners (for load tests); returns how many."""
    owners = list(Organisation.objects.order_by("pk").values_list("pk", flat=True)) or [None]
    states, focus, areas = list(State.values), list(FocusArea.values), list(ServiceArea.values)
    start = Initiative.objects.count()
    Initiative.objects.bulk_create(
        [
            Initiative(
                title=f"{prefix} {start + i:05d}",
                summary="Tiltak laget for lasttest.",
                state=states[i % len(states)],
                focus_area=focus[i % len(focus)],
                service_area=areas[i % len(areas)],
                owner_id=owners[i % len(owners)],
            )
            for i in range(n)
        ],
        batch_size=500,
    )
    page_cache.renew_generation()  # bulk_create sends no signals
    return n


# Ideas and needs in every state: (title, kind, number of the submitting member, numbers of members with the same
# need, outcome, reason or the title of the one it is merged into). Submitted by the member's demo user when it has
# one (Masfjorden's contact), otherwise without a named person.
SUGGESTIONS = [
    (
        "Felles løsning for digital søknad om TT-kort",
        "need",
        "4634",
        ["4621", "4647"],
        "",
        "",
        "Søknad om TT-kort kommer på papir og tastes inn for hånd i hver kommune.",
        "Innbyggere med nedsatt funksjonsevne, og saksbehandlere i tildelingskontorene.",
        "Raskere svar til søkerne og mindre manuelt arbeid.",
    ),
    (
        "Sensorer for inneklima i skolebygg",
        "idea",
        "4621",
        ["4634"],
        "portfolio",
        "",
        "Vi vet lite om luftkvaliteten i klasserommene før noen klager.",
        "Elever, lærere og eiendomsforvaltningen.",
        "Bedre læringsmiljø og styring av ventilasjon etter behov.",
    ),
    (
        "TT-kort på nett",
        "idea",
        "4647",
        [],
        "merge",
        "Felles løsning for digital søknad om TT-kort",
        "TT-kort må hentes fysisk på servicetorget.",
        "Brukere av tilrettelagt transport.",
        "Færre besøk på servicetorget.",
    ),
    (
        "Egen app for søppeltømming",
        "idea",
        "4640",
        [],
        "answer",
        "Renovasjonsselskapene tilbyr allerede dette; vi tar det ikke inn i porteføljen.",
        "Innbyggerne vet ikke når avfallet hentes.",
        "Alle husstander.",
        "Færre henvendelser til kommunen.",
    ),
]


def load_suggestions() -> None:
    """Ideas and needs in every state; loading again changes nothing."""
    from portfolio.choices import FocusArea, ServiceArea
    from portfolio.models import Suggestion, SuggestionSupport

    secretariat = User.objects.filter(is_secretariat=True).order_by("pk").first()
    contact = User.objects.filter(username="kontakt").first()
    for title, kind, number, also, outcome, detail, problem, who, gain in SUGGESTIONS:
        organisation = _organisation(number)
        if organisation is None or Suggestion.objects.filter(title=title).exists():
            continue
        by = contact if contact is not None and contact.organisation_id == organisation.pk else None
        suggestion = Suggestion.objects.create(
            kind=kind,
            title=title,
            problem=problem,
            who_meets_it=who,
            gain=gain,
            organisation=organisation,
            submitted_by=by,
        )
        for other in filter(None, map(_organisation, also)):
            SuggestionSupport.objects.get_or_create(suggestion=suggestion, organisation=other)
        if outcome == "portfolio":
            services.suggestion_triage(
                suggestion=suggestion,
                by=secretariat,
                outcome=outcome,
                focus_area=FocusArea.SOLUTIONS,
                service_area=ServiceArea.EDUCATION,
            )
        elif outcome == "merge":
            services.suggestion_triage(
                suggestion=suggestion,
                by=secretariat,
                outcome=outcome,
                merge_into=Suggestion.objects.get(title=detail),
            )
        elif outcome == "answer":
            services.suggestion_triage(suggestion=suggestion, by=secretariat, outcome=outcome, reason=detail)


def load_grant_demo(built: dict[str, Initiative]) -> None:
    """The county governor's discretionary funds of 2024: 2.6 MNOK applied for and awarded for four projects,
    written into their funding plans by the award, and the report filed in February 2025."""
    from portfolio import grants
    from portfolio.models import FundingPlanLine, Grant

    if Grant.objects.filter(title=GRANT_TITLE, year=2024).exists():
        return
    grantor = grants.grantor_get_or_create(
        name="Statsforvalteren i Vestland – skjønnsmidler",
        source=FundingSource.COUNTY_GOVERNOR,
        report_form="Rapport om bruk av skjønnsmidler",
    )
    amounts = {}
    for spec in INITIATIVES:
        for year, source, _number, description, _hours, figures in spec.funding:
            if (year, source, description) == GRANT_LINE:
                budget, actual = figures.split(":")
                amounts[spec.title] = (Decimal(budget), Decimal(actual))
    projects = [built[title] for title in amounts]
    # A demo loaded before grants were kept typed the award into the plans; the award writes it now.
    FundingPlanLine.objects.filter(
        initiative__in=projects, year=2024, source=FundingSource.COUNTY_GOVERNOR, description=GRANT_LINE[2]
    ).delete()
    grant = grants.grant_save(
        values={"grantor": grantor, "year": 2024, "title": GRANT_TITLE},
        items=[grants.ItemInput(initiative=p, applied=amounts[p.title][0]) for p in projects],
    )
    grant = grants.grant_submit(grant=grant, applied_on=_d(2023, 11, 15))
    items = list(grant.items.select_related("initiative"))
    grant = grants.grant_award(
        grant=grant,
        decided_on=_d(2024, 2, 9),
        awarded={item.pk: item.applied for item in items},
        conditions="Midlene gjelder fornyings- og innovasjonsprosjekter, ikke ordinær drift. Egeninnsatsen skal "
        "være minst 50 % av prosjektets kostnad. Rapport om bruken av midlene innen 1. mars 2025.",
        report_due=_d(2025, 3, 1),
        grantor_reference="2023/18734",
    )
    grants.grant_report_save(
        grant=grant,
        report={
            item.pk: grants.ReportInput(
                spent=amounts[item.initiative.title][1],
                own_effort=grants.own_effort_in_plan(item, 2024),
                progress=GRANT_PROGRESS.get(item.initiative.title, "Prosjektet går etter planen."),
                results=GRANT_RESULTS[item.initiative.title],
            )
            for item in items
        },
    )
    grants.grant_report_submit(grant=grant, reported_on=_d(2025, 2, 20))
