"""The demo network's year: DigiVestland's annual cycle, the 2025 accounts and the approved 2025 annual report.

Safe to run again: duties are found by title, figures are set to the same values, and the report is submitted,
approved and frozen only once."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from annual import services
from annual.choices import Check, OwnerRole
from annual.models import AnnualReport, AnnualReportRun, Duty
from funding.models import Contribution
from governance import services as governance
from governance.choices import MeetingStatus, Outcome
from governance.models import Body, Meeting
from members.models import User

REPORT_YEAR = 2025
COUNCIL_MEETING = date(2026, 4, 23)

# (title, description, month, day, owner, done when, body, days of notice)
DUTIES = [
    (
        "Regnskap og faktiske tall for fjoråret",
        "Vertskommunen avslutter regnskapet; faktiske tall per budsjettpost legges inn eller importeres.",
        2,
        28,
        OwnerRole.SECRETARIAT,
        Check.ACTUALS,
        None,
        21,
    ),
    (
        "Folketall per 1. januar registrert",
        "SSB publiserer folketallet per 1. januar i februar; det brukes i neste års bidragsmodell.",
        3,
        31,
        OwnerRole.SECRETARIAT,
        Check.POPULATION,
        None,
        21,
    ),
    (
        "Årets medlemsbidrag fakturert",
        "Fakturakjøring for årets bidrag, med EHF til hvert medlem.",
        3,
        31,
        OwnerRole.SECRETARIAT,
        Check.INVOICES,
        None,
        14,
    ),
    (
        "Representantskapets årsmøte",
        "Representantskapet godkjenner årsmelding og regnskap.",
        6,
        15,
        OwnerRole.SECRETARIAT,
        Check.MEETING,
        "Representantskapet",
        45,
    ),
    (
        "Årsmelding og regnskap for fjoråret godkjent",
        "Sekretariatet skriver årsmeldingen; representantskapet godkjenner den, og den låses.",
        6,
        30,
        OwnerRole.SECRETARIAT,
        Check.REPORT,
        None,
        30,
    ),
    (
        "Kommunal deflator for neste år registrert",
        "Regjeringen legger fram statsbudsjettet i oktober med kommunal deflator for neste år.",
        10,
        15,
        OwnerRole.SECRETARIAT,
        Check.DEFLATOR,
        None,
        14,
    ),
    (
        "Bidragsmodell for neste år vedtatt",
        "Styringsgruppa vedtar modellen før kommunene behandler egne budsjetter.",
        10,
        31,
        OwnerRole.LEADER,
        Check.MODEL,
        None,
        30,
    ),
    (
        "Styringsgruppas møte før jul",
        "Budsjett og prioritering av porteføljen for neste år.",
        12,
        20,
        OwnerRole.SECRETARIAT,
        Check.MEETING,
        "Styringsgruppa",
        30,
    ),
    (
        "Budsjett for neste år vedtatt",
        "Budsjettet for programkontoret og prosjektene vedtas i styringsgruppa.",
        12,
        20,
        OwnerRole.SECRETARIAT,
        Check.BUDGET,
        None,
        30,
    ),
    (
        "Samarbeidsavtaler signert innen fristen",
        "Kommunedirektørene signerer samarbeidsavtalen i portalen før invitasjonen løper ut.",
        12,
        31,
        OwnerRole.DIRECTOR,
        Check.AGREEMENTS,
        None,
        30,
    ),
]

INTRODUCTION = (
    "2025 var det første året i den nye avtaleperioden 2025–2028. Alle 40 medlemmer videreførte samarbeidet, og "
    "nettverket styrket arbeidet med felles løsninger innen e-helse og informasjonssikkerhet.\n\n"
    "Styringsgruppa vedtok bidragsmodellen for 2026 og avtaleteksten for digital signering i portalen."
)
ACTIVITIES = (
    "Programkontoret fulgte opp innføringen av nasjonale løsninger (DigiHelse, Kjernejournal og Digisos) i "
    "medlemskommunene, og faggruppene delte maler for risikovurdering og personvernkonsekvenser.\n\n"
    "Skjønnsmidler fra Statsforvalteren finansierte fire prosjekter, med egeninnsats fra deltakende kommuner."
)
OUTLOOK = (
    "I 2026 prioriterer nettverket digital byggesøknad, felles hendelseshåndtering, velferdsteknologi og et "
    "kompetanseløft i digital transformasjon for ledere."
)


def _actuals_2025() -> dict[str, Decimal]:
    contributions = sum(Contribution.objects.filter(year=REPORT_YEAR).values_list("amount", flat=True), Decimal(0))
    return {
        "staff": Decimal("10412350.00"),
        "projects": Decimal("9874120.00"),
        "other_costs": Decimal("1702880.00"),
        "contributions": contributions,
        "grants": Decimal("2600000.00"),
        "host_in_kind": Decimal("9100000.00"),
        "other_income": Decimal("45000.00"),
    }


def _duties() -> None:
    for title, description, month, day, owner, done_when, body, remind in DUTIES:
        duty = Duty.objects.filter(title=title).first() or Duty(title=title)
        duty.description, duty.month, duty.day, duty.owner = description, month, day, owner
        duty.done_when, duty.remind_days = done_when, remind
        duty.body = Body.objects.get(name=body) if body else None
        duty.full_clean()
        duty.save()


def _render_now(report: AnnualReport) -> None:
    """Render the report's waiting PDF here (a worker would do it), so the demo holds it at once."""
    for run in AnnualReportRun.objects.filter(report=report, status__in=["queued", "running"]):
        services.annual_report_render_execute(run_id=run.pk)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _approved_report() -> AnnualReport:
    officer = User.objects.get(username="sekretariat")
    report = AnnualReport.objects.filter(year=REPORT_YEAR).first()
    if report is None or services.annual_report_can_edit(report):
        report = services.annual_report_save(
            year=REPORT_YEAR, introduction=INTRODUCTION, activities=ACTIVITIES, outlook=OUTLOOK
        )
    if report.case_id is None:
        report = services.annual_report_submit(report=report, requested_by=officer)
        _render_now(report)
    case = report.case
    council = case.body
    meeting = Meeting.objects.filter(body=council, starts_at=_at(COUNCIL_MEETING, 12)).first()
    if meeting is None:
        meeting = governance.meeting_create(
            body=council,
            starts_at=_at(COUNCIL_MEETING, 12),
            ends_at=_at(COUNCIL_MEETING, 15),
            place="Bergen rådhus, bystyresalen",
            chair="Ingrid Haugland",
            notice_text="Representantskapet innkalles til årsmøte. Sakspapirene ligger ved.",
        )
    if case.meeting_id is None:
        governance.case_update(case=case, meeting=meeting, agenda_position=1)
    if meeting.status == MeetingStatus.PLANNED:
        governance.meeting_send_notice(meeting=meeting)
        governance.meeting_record_attendance(meeting=meeting, attendance={})
        case.refresh_from_db()
        governance.decision_record(case=case, outcome=Outcome.ADOPTED, text=case.proposed_decision)
        governance.minutes_approve(meeting=meeting, approved_in="Protokollen ble godkjent ved møtets slutt.")
        governance.minutes_publish(meeting=meeting)
        # The meeting took place in April: date its steps as they happened.
        Meeting.objects.filter(pk=meeting.pk).update(
            notice_sent_at=_at(date(2026, 4, 2), 12),
            minutes_approved_at=_at(COUNCIL_MEETING, 15),
            minutes_published_at=_at(date(2026, 4, 24), 9),
        )
    report = AnnualReport.objects.select_related("case__decision", "case__meeting").get(pk=report.pk)
    if services.annual_report_can_freeze(report):
        services.annual_report_render_start(report=report, requested_by=officer)
        _render_now(report)
    return report


@transaction.atomic
def load_demo() -> None:
    _duties()
    services.actuals_save(year=REPORT_YEAR, values=dict(_actuals_2025()))
    _approved_report()
