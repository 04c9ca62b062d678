"""The annual report: compiled from the year's data with the secretariat's text, in the council's language, rendered
by a worker, approved in a governance case and then frozen; the command writes it."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from annual import services
from annual.models import AnnualReport
from governance import services as governance
from governance.choices import BodyKind, DecisionRule, Outcome
from governance.models import Body
from tests.governance.world import aware

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\xa0", " ")


@pytest.fixture
def council(personas):
    return Body.objects.create(
        name="Representantskapet",
        kind=BodyKind.COUNCIL,
        mandate="Godkjenner årsmelding og regnskap.",
        decision_rule=DecisionRule.MAJORITY,
        language="nn",
    )


@pytest.fixture
def year_2025(personas):
    """Some of 2025: a member joined, the budget and its actuals."""
    from funding.services import budget_save
    from members.models import Organisation

    Organisation.objects.filter(pk=personas.own.pk).update(member_from=dt.date(2025, 7, 1))
    budget_save(year=2025, staff_costs=Decimal(10600000))
    services.actuals_save(year=2025, values={"staff": Decimal("10412350")})


def approve(report, *, outcome=Outcome.ADOPTED):
    meeting = governance.meeting_create(body=report.case.body, starts_at=aware(2026, 4, 23, 12))
    governance.case_update(case=report.case, meeting=meeting)
    governance.meeting_send_notice(meeting=meeting)
    governance.meeting_record_attendance(meeting=meeting, attendance={})
    governance.decision_record(case=report.case, outcome=outcome, text="Vedteke.")
    if outcome == Outcome.ADOPTED:
        governance.minutes_approve(meeting=meeting)
    return AnnualReport.objects.get(pk=report.pk)


def test_written_put_before_the_council_approved_then_frozen(
    personas, council, year_2025, django_capture_on_commit_callbacks, tmp_path
):
    report = services.annual_report_save(year=2025, introduction="Eit godt år for nettverket.", outlook="Vidare.")
    assert report.language == "nn"
    with django_capture_on_commit_callbacks(execute=True):
        report = services.annual_report_submit(report=report, requested_by=personas.secretariat)
    report.refresh_from_db()
    assert report.case.body == council and report.case.title == "Årsmelding og rekneskap for 2025"
    assert report.pdf and report.pages >= 2 and report.frozen_at is None
    draft = text_of(report.pdf.read())
    assert "Årsmelding 2025" in draft and "Eit godt år for nettverket." in draft
    assert "Masfjorden" in draft and "10 412 350" in draft
    # Before the council: the text and the papers stay as they are.
    assert not services.annual_report_can_edit(report)
    with pytest.raises(ValidationError):
        services.annual_report_save(year=2025, introduction="Endra i siste liten.")
    with pytest.raises(ValidationError):
        services.annual_report_render_start(report=report)
    report = approve(report)
    assert services.annual_report_is_approved(report) and services.annual_report_can_freeze(report)
    with django_capture_on_commit_callbacks(execute=True):
        services.annual_report_render_start(report=report)
    report.refresh_from_db()
    assert report.frozen_at is not None
    frozen = report.pdf.read()
    assert "Godkjend av Representantskapet i sak 1/26" in text_of(frozen)
    with pytest.raises(ValidationError):
        services.annual_report_render_start(report=report)
    with pytest.raises(ValidationError):
        services.annual_report_save(year=2025, introduction="Etterpå.")
    out = tmp_path / "arsmelding.pdf"
    call_command("annual-report", "2025", "--out", str(out))
    assert out.read_bytes() == frozen


def test_a_report_sent_back_by_the_council_is_written_again(personas, council, django_capture_on_commit_callbacks):
    report = services.annual_report_save(year=2025, introduction="Utkast.")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.annual_report_submit(report=report)
    report = approve(report, outcome=Outcome.POSTPONED)
    assert not services.annual_report_is_approved(report) and services.annual_report_can_edit(report)
    services.annual_report_save(year=2025, introduction="Betre utkast.")


def test_the_command_compiles_a_draft_when_nothing_is_approved(personas, year_2025, tmp_path):
    out = tmp_path / "utkast.pdf"
    call_command("annual-report", "2025", "--out", str(out))
    text = text_of(out.read_bytes())
    assert "Årsmelding 2025" in text and "Utkast: ikke godkjent ennå." in text
    assert "Budsjett mot regnskap" in text and "10 412 350" in text


def test_the_secretariat_writes_and_submits_on_the_page(client, personas, council, django_capture_on_commit_callbacks):
    client.force_login(personas.secretariat)
    url = reverse("annual:report_detail", kwargs={"year": 2025})
    assert client.post(url, {"introduction": "Innleiing.", "activities": "", "outlook": ""}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("annual:report_submit", kwargs={"year": 2025}))
    page = client.get(url).content.decode()
    assert "Before the council" in page and "1/26" in page
    response = client.get(reverse("annual:report_pdf", kwargs={"year": 2025}))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(personas.director)
    assert client.post(url, {"introduction": "Kapra."}).status_code == 403
    assert client.get(reverse("annual:report_pdf", kwargs={"year": 2025})).status_code == 200
