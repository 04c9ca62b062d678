"""Demo governance for DigiVestland: its bodies, the decision matrix, and the steering group with a held
meeting (decisions, approved and published minutes) and a coming one (notice sent, cases with attachments)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html import escape

from django.db import transaction
from django.utils import timezone

from core.formatting import NBSP, format_nok, group_thousands
from demo.members import DemoUser, demo_user_save
from funding.choices import ModelStatus
from funding.models import Budget, Contribution, ContributionModel
from governance import services
from governance.choices import (
    AttendanceStatus,
    Authority,
    BodyKind,
    DecisionRule,
    DocumentKind,
    MeetingStatus,
    MembershipRole,
    Outcome,
)
from governance.models import Body, BodyMembership, Case, DecisionArea, DecisionAuthority, Meeting
from members.models import AgreementTemplate, Organisation, User

BOARD_MEMBER = DemoUser(
    "styremedlem", "Sigrun", "Styremedlem", "4647", "Kommunedirektør, medlem av styringsgruppa", ("is_director",)
)
TERM = date(2025, 1, 1), date(2028, 12, 31)

BODIES = [
    (
        "Representantskapet",
        BodyKind.COUNCIL,
        DecisionRule.MAJORITY,
        "nb",
        "Nettverkets øverste organ; hvert medlem har minst ett sete. Vedtar samarbeidsavtalen og vedtektene, "
        "velger styringsgruppen og dens leder, og godkjenner årsmelding og regnskap.",
    ),
    (
        "Styringsgruppa",
        BodyKind.STEERING_GROUP,
        DecisionRule.CONSENSUS,
        "nn",
        "Styrer nettverket mellom møta i representantskapet. Vedtek budsjett og mandat for sekretariatet og "
        "for kvart prosjekt, bidragsmodellen, avtaleteksten og prioriteringa av porteføljen. Møtest kvart kvartal.",
    ),
    (
        "Digitaliseringsutvalet",
        BodyKind.COMMITTEE,
        DecisionRule.ADVISORY,
        "nn",
        "Rådgjevande utval som førebur saker til styringsgruppa og vurderer nye idear og konsept.",
    ),
    (
        "Faggruppe e-helse",
        BodyKind.EXPERT_GROUP,
        DecisionRule.ADVISORY,
        "nb",
        "Fagnettverk for e-helse med mandat vedtatt av styringsgruppen; foreslår og følger opp tiltak.",
    ),
    (
        "Faggruppe informasjonssikkerhet og personvern",
        BodyKind.EXPERT_GROUP,
        DecisionRule.ADVISORY,
        "nb",
        "Støtteområde for informasjonssikkerhet og personvern; deler maler, rutiner og hendelseserfaringer.",
    ),
    (
        "Programkontoret",
        BodyKind.SECRETARIAT,
        DecisionRule.ADVISORY,
        "nb",
        "Sekretariatet i vertskommunen Bergen: driver nettverket til daglig, saksbehandler og er sekretær for "
        "organene.",
    ),
]

MATRIX = [
    ("Samarbeidsavtale og vedtekter", {"Representantskapet": Authority.DECIDES, "Styringsgruppa": Authority.PREPARES}),
    ("Valg av styringsgruppe og leder", {"Representantskapet": Authority.DECIDES}),
    (
        "Bidragsmodell og medlemsbidrag",
        {
            "Representantskapet": Authority.INFORMED,
            "Styringsgruppa": Authority.DECIDES,
            "Programkontoret": Authority.PREPARES,
        },
    ),
    ("Budsjett for sekretariatet", {"Styringsgruppa": Authority.DECIDES, "Programkontoret": Authority.PREPARES}),
    (
        "Prioritering av porteføljen",
        {
            "Styringsgruppa": Authority.DECIDES,
            "Digitaliseringsutvalet": Authority.RECOMMENDS,
            "Faggruppe e-helse": Authority.PREPARES,
        },
    ),
    ("Mandat for faggrupper", {"Styringsgruppa": Authority.DECIDES, "Digitaliseringsutvalet": Authority.RECOMMENDS}),
    (
        "Rutiner for informasjonssikkerhet",
        {"Faggruppe informasjonssikkerhet og personvern": Authority.RECOMMENDS, "Styringsgruppa": Authority.DECIDES},
    ),
]

# (name, title, organisation number or name, role, account)
STEERING_GROUP = [
    ("Ingrid Haugland", "Kommunedirektør", "4631", MembershipRole.LEADER, None),
    ("Sigrun Styremedlem", "Kommunedirektør", "4647", MembershipRole.MEMBER, "styremedlem"),
    ("Torbjørn Eide", "Kommunedirektør", "4621", MembershipRole.DEPUTY, None),
    ("Marit Sandvik", "Direktør for digitalisering", "4601", MembershipRole.MEMBER, None),
    ("Anders Lie", "Kommunedirektør", "4640", MembershipRole.MEMBER, None),
    ("Hilde Rong", "Kommunedirektør", "4614", MembershipRole.MEMBER, None),
    ("Eirik Nesse", "Spesialrådgjevar", "KS Vest", MembershipRole.OBSERVER, None),
    ("Solveig Bø", "Seniorrådgjevar", "Statsforvaltaren i Vestland", MembershipRole.OBSERVER, None),
]


def _organisation(key: str) -> Organisation:
    return Organisation.objects.get(number=key) if key.isdigit() else Organisation.objects.get(name=key)


def _bodies() -> dict[str, Body]:
    bodies = {}
    for position, (name, kind, rule, language, mandate) in enumerate(BODIES, start=1):
        body, _created = Body.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "decision_rule": rule,
                "language": language,
                "mandate": mandate,
                "position": position,
            },
        )
        bodies[name] = body
    bodies["Styringsgruppa"].decision_rule_note = "Styringsgruppa søkjer semje; blir ho ikkje oppnådd, avgjer leiaren."
    bodies["Styringsgruppa"].save(update_fields=["decision_rule_note"])
    for position, (area_name, authorities) in enumerate(MATRIX, start=1):
        area, _created = DecisionArea.objects.update_or_create(name=area_name, defaults={"position": position})
        for body_name, authority in authorities.items():
            DecisionAuthority.objects.update_or_create(
                area=area, body=bodies[body_name], defaults={"authority": authority}
            )
    return bodies


def _steering_group(body: Body) -> list[BodyMembership]:
    seats = []
    for name, title, organisation, role, username in STEERING_GROUP:
        seat, _created = BodyMembership.objects.update_or_create(
            body=body,
            name=name,
            defaults={
                "title": title,
                "organisation": _organisation(organisation),
                "role": role,
                "term_start": TERM[0],
                "term_end": TERM[1],
                "person": User.objects.get(username=username) if username else None,
            },
        )
        seats.append(seat)
    return seats


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _case(body: Body, meeting: Meeting, title: str, **fields) -> Case:
    existing = Case.objects.filter(body=body, meeting=meeting, title=title).first()
    if existing is not None:
        return existing
    return services.case_create(body=body, meeting=meeting, title=title, **fields)


def _attach(case: Case, title: str, body_html: str) -> None:
    """A demo attachment: a small PDF document of its own, as a case officer would upload it."""
    if case.attachments.filter(title=title).exists():
        return
    from core.documents import html_to_pdf

    html = (
        "<html lang='nn'><head><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 22mm 20mm 24mm 22mm; }"
        "body { font: 10pt/1.4 'DejaVu Sans', sans-serif; }"
        "h1 { font-size: 15pt; } table { border-collapse: collapse; width: 100%; }"
        "th, td { border-bottom: .4pt solid #bbb; padding: 2.5pt 4pt; text-align: left; }"
        ".n { text-align: right; white-space: nowrap; } tfoot td { font-weight: bold; border-top: 1pt solid #000; }"
        f"</style></head><body><h1>{escape(title)}</h1>{body_html}</body></html>"
    )
    services.attachment_add(case=case, title=title, upload=html_to_pdf(html))


def _contributions_table(year: int) -> str:
    rows = Contribution.objects.filter(year=year).select_related("organisation").order_by("organisation__name")
    lines = "".join(
        f"<tr><td>{escape(c.organisation.name)}</td><td class='n'>{group_thousands(c.population or 0, separator=NBSP)}"
        f"</td><td class='n'>{format_nok(c.amount)}</td></tr>"
        for c in rows
    )
    total = sum((c.amount for c in rows), Decimal(0))
    return (
        f"<p>Bidrag per medlem i {year} etter modellen som er lagd fram (folketal per 1.1.{year - 1}).</p>"
        "<table><thead><tr><th>Medlem</th><th class='n'>Folketal</th><th class='n'>Bidrag</th></tr></thead>"
        f"<tbody>{lines}</tbody><tfoot><tr><td>Sum</td><td></td><td class='n'>{format_nok(total)}</td></tr></tfoot>"
        "</table>"
    )


def _budget_table(year: int) -> str:
    budget = Budget.objects.filter(year=year).first()
    if budget is None:
        return "<p>Budsjettet er ikkje registrert.</p>"
    costs = budget.staff_costs + budget.project_costs + budget.other_costs
    income = budget.grant_income + budget.host_in_kind + budget.other_income
    rows = [
        ("Løn og sosiale kostnader", budget.staff_costs),
        ("Prosjektleiing og regionale prosjekt", budget.project_costs),
        ("Andre kostnader", budget.other_costs),
        ("Sum kostnader", costs),
        ("Tilskot (skjønsmidlar og KS-midlar)", -budget.grant_income),
        ("Eigeninnsats frå vertskommunen", -budget.host_in_kind),
        ("Behov for medlemsbidrag", costs - income),
    ]
    lines = "".join(f"<tr><td>{label}</td><td class='n'>{format_nok(amount)}</td></tr>" for label, amount in rows)
    return (
        f"<p>Kostnadsoverslag for {year + 1}, bygd på budsjettet for {year}.</p>"
        f"<table><thead><tr><th>Post</th><th class='n'>Beløp</th></tr></thead><tbody>{lines}</tbody></table>"
        f"<p>{escape(budget.notes)}</p>"
    )


def _held_meeting(body: Body, seats: list[BodyMembership], officer: User) -> Meeting:
    """27 November 2025: the 2026 contribution model and the agreement text are adopted."""
    starts = _at(date(2025, 11, 27), 10)
    meeting = Meeting.objects.filter(body=body, starts_at=starts).first()
    if meeting is None:
        meeting = services.meeting_create(
            body=body,
            starts_at=starts,
            ends_at=_at(date(2025, 11, 27), 14),
            place="Bergen rådhus, møterom Fløyen",
            video_link="https://møte.digivestland.example/styringsgruppa",
            chair="Ingrid Haugland",
            notice_text="Styringsgruppa blir kalla inn til møte. Sakspapira ligg ved. "
            "Meld forfall til programkontoret.",
        )
        services.case_counter_continue(body=body, year=2025, last_number=54)
    common = {"case_officer": officer}
    agreement = _case(
        body,
        meeting,
        "Samarbeidsavtalen 2025–2028: tekst for signering i portalen",
        agenda_position=1,
        background="Samarbeidsavtalen for 2025–2028 er vedteken i representantskapet. Nye medlemer og medlemer som "
        "ikkje har signert, skal no signere avtalen digitalt i portalen.",
        assessment="Teksten er den same som representantskapet vedtok, med vedlegg om bidragsmodell, organisering "
        "og vedtekter. Digital signering erstattar signeringskonferansen.",
        proposed_decision="Styringsgruppa godkjenner avtaleteksten for digital signering.",
        **common,
    )
    model = _case(
        body,
        meeting,
        "Bidragsmodell 2026",
        agenda_position=2,
        background="Modellen frå 2021–2024 held fram: 100 000 kr i fast grunnbeløp og 20 kr per innbyggjar, "
        "med tak på 500 000 kr. Vertskommunen Bergen betaler ikkje bidrag, men stiller eigeninnsats.",
        assessment="Beløpa blir justerte med den kommunale deflatoren. Taket følgjer ikkje deflatoren; "
        "medlemer ved taket betaler difor minst per innbyggjar. Ein kommune med 1 691 innbyggjarar betaler 133 820 kr.",
        proposed_decision="Bidragsmodellen for 2026 blir vedteken slik han er lagd fram.",
        **common,
    )
    security = _case(
        body,
        meeting,
        "Avtale om felles hendingshandtering",
        agenda_position=3,
        exempt=True,
        legal_basis="offl. § 23 første ledd",
        background="Forhandlingane med leverandøren er ikkje avslutta.",
        assessment="Tilbodet ligg innanfor budsjettet for 2026.",
        proposed_decision="Programkontoret får fullmakt til å inngå avtalen innanfor ei ramme på 1,2 mill. kr.",
        **common,
    )
    _attach(model, "Berekning av bidrag 2026 per medlem", _contributions_table(2026))
    if meeting.status == MeetingStatus.PLANNED:
        services.meeting_send_notice(meeting=meeting)
    if not meeting.is_held:
        services.meeting_record_attendance(
            meeting=meeting,
            attendance={
                seat.pk: (AttendanceStatus.EXCUSED if seat.name == "Hilde Rong" else AttendanceStatus.PRESENT)
                for seat in seats
            },
        )
    if not meeting.minutes_approved_at:
        services.decision_record(case=agreement, outcome=Outcome.ADOPTED, text=agreement.proposed_decision)
        services.decision_record(
            case=model,
            outcome=Outcome.AMENDED,
            text="Bidragsmodellen for 2026 blir vedteken slik han er lagd fram. Programkontoret vurderer til "
            "neste år om taket skal følgje deflatoren.",
            unanimous=False,
            votes_for=5,
            votes_against=1,
        )
        services.decision_record(case=security, outcome=Outcome.ADOPTED, text=security.proposed_decision)
        services.meeting_update(
            meeting=meeting, minutes_text="Leiaren takka programkontoret for arbeidet med avtalen og modellen."
        )
        services.minutes_approve(meeting=meeting, approved_in="Ved e-postrunde til medlemene.")
    if not meeting.minutes_published_at:
        services.minutes_publish(meeting=meeting)
        # The demo's meeting took place a year ago: date its steps as they happened.
        Meeting.objects.filter(pk=meeting.pk).update(
            notice_sent_at=_at(date(2025, 11, 13), 12),
            minutes_approved_at=_at(date(2025, 12, 4), 15),
            minutes_published_at=_at(date(2025, 12, 5), 9),
        )
    adopted = ContributionModel.objects.filter(year=2026, status=ModelStatus.ADOPTED).first()
    if adopted is not None:
        adopted.adopted_in_case = model
        adopted.adopted_by = f"{body.name}, sak {model.reference}"
        adopted.save(update_fields=["adopted_in_case", "adopted_by"])
    AgreementTemplate.objects.filter(title="Samarbeidsavtale DigiVestland 2025–2028").update(adopted_in_case=agreement)
    meeting.refresh_from_db()
    return meeting


def _coming_meeting(body: Body, officer: User) -> Meeting:
    """In about two weeks: notice sent, the budget and the portfolio on the agenda."""
    meeting = Meeting.objects.filter(body=body, starts_at__gte=timezone.now()).order_by("starts_at").first()
    if meeting is None:
        day = timezone.localdate() + timedelta(days=16)
        meeting = services.meeting_create(
            body=body,
            starts_at=_at(day, 9),
            ends_at=_at(day, 12),
            place="Teams",
            video_link="https://møte.digivestland.example/styringsgruppa",
            chair="Ingrid Haugland",
            notice_text="Styringsgruppa blir kalla inn til møte. Sakspapira ligg ved. Meld forfall til programkontoret "
            "seinast tre dagar før møtet.",
        )
        services.case_counter_continue(body=body, year=meeting.starts_at.year, last_number=60)
    common = {"case_officer": officer}
    budget = _case(
        body,
        meeting,
        f"Budsjett for programkontoret {meeting.starts_at.year + 1}",
        agenda_position=1,
        background="Kostnadsoverslaget for neste år byggjer på vedteken bemanning og prosjektleiing.",
        assessment="Grunnfinansieringa frå medlemsbidraga dekkjer sekretariatet; prosjekta blir finansierte med "
        "skjønsmidlar og eigeninnsats.",
        proposed_decision="Styringsgruppa vedtek budsjettet slik det er lagt fram.",
        **common,
    )
    portfolio = _case(
        body,
        meeting,
        "Prioritering av porteføljen",
        agenda_position=2,
        background="Digitaliseringsutvalet har vurdert ti nye idear frå faggruppene.",
        assessment="Fire tiltak blir tilrådde: digital byggjesøknad, felles hendingshandtering, velferdsteknologi og "
        "kompetanseløft i digital transformasjon.",
        proposed_decision="Styringsgruppa prioriterer dei fire tilrådde tiltaka for neste år.",
        **common,
    )
    staffing = _case(
        body,
        meeting,
        "Tilsetjing av verksemdsarkitekt",
        agenda_position=3,
        exempt=True,
        legal_basis="offl. § 25",
        background="Stillinga har vore lyst ut, og det er fem søkjarar.",
        assessment="Innstillinga følgjer av intervju og referansar.",
        proposed_decision="Den innstilte søkjaren blir tilsett.",
        **common,
    )
    _attach(budget, "Budsjettforslag med kostnadsoverslag", _budget_table(meeting.starts_at.year))
    _attach(
        portfolio,
        "Tilråding frå digitaliseringsutvalet",
        "<p>Utvalet har vurdert ti idear etter nytte for innbyggjarane, gevinstpotensial og kor mange medlemer "
        "som kan ta løysinga i bruk.</p><ol><li>Digital byggjesøknad: auke delen digitale søknader.</li>"
        "<li>Felles hendingshandtering for informasjonstryggleik.</li><li>Velferdsteknologi i heimetenesta.</li>"
        "<li>Kompetanseløft i digital transformasjon for leiarar.</li></ol>",
    )
    _attach(staffing, "Innstilling", "<p>Innstillinga er unnateken offentlegheit etter offl. § 25.</p>")
    if meeting.status == MeetingStatus.PLANNED:
        services.meeting_send_notice(meeting=meeting)
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def load_demo() -> DemoUser:
    demo_user_save(BOARD_MEMBER)
    bodies = _bodies()
    body = bodies["Styringsgruppa"]
    seats = _steering_group(body)
    officer = User.objects.get(username="sekretariat")
    held = _held_meeting(body, seats, officer)
    coming = _coming_meeting(body, officer)
    for meeting, kind in (
        (held, DocumentKind.MINUTES),
        (held, DocumentKind.BOARD_PACK),
        (coming, DocumentKind.BOARD_PACK),
    ):
        if not meeting.document_runs.filter(kind=kind, status="succeeded").exists():
            services.document_run_start(meeting=meeting, kind=kind)
    # The council of representatives: a seat, representative and deputy, for every member.
    services.council_seats_sync()
    _name_masfjorden_seat(bodies["Representantskapet"])
    _news()
    return BOARD_MEMBER


NEWS = [
    (
        "Høring om bidragsmodellen for 2027",
        "Sekretariatet sender utkastet til bidragsmodell for 2027 på høring til alle medlemmer. Hver kommune ser "
        "hva modellen betyr for eget bidrag, og kan svare i portalen til fristen.",
        ["director", "finance_officer"],
    ),
    (
        "Representantskapet møtes 23. april",
        "Representantskapet behandler årsmelding og regnskap for 2025. Sakspapirene kommer med innkallingen.",
        ["director", "contact"],
    ),
]


def _news() -> None:
    """Two messages from the secretariat on the news page, as if mailed already (the demo sends no mail)."""
    from governance.models import Announcement

    officer = User.objects.filter(username="sekretariat").first()
    for title, text, roles in NEWS:
        if not Announcement.objects.filter(title=title).exists():
            count = services.announcement_recipient_count(roles=roles).mailed
            Announcement.objects.create(
                title=title, text=text, to_roles=roles, created_by=officer, sent_at=timezone.now(), recipients=count
            )


def _name_masfjorden_seat(council) -> None:
    """Masfjorden's director holds its seat, with the contact as deputy (the other seats are still to be named)."""
    for username, role in (("direktor", MembershipRole.MEMBER), ("kontakt", MembershipRole.SUBSTITUTE)):
        person = User.objects.filter(username=username).first()
        if person is None:
            continue
        council.memberships.filter(organisation=person.organisation, role=role, term_end__isnull=True).update(
            person=person, name=person.get_full_name(), title=person.job_title
        )
