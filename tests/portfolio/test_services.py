import hashlib
import subprocess
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from portfolio import services
from portfolio.models import Adoption, NationalSolution, StatusReport, Transition
from tests.factories import initiative as make_initiative
from tests.pdf_archival import assert_archival

pytestmark = pytest.mark.django_db


def test_a_transition_records_who_when_and_why(personas):
    initiative = make_initiative(owner=personas.own)
    with time_machine.travel("2025-03-11 10:00:00+01:00", tick=False):
        transition = services.initiative_transition(
            initiative=initiative,
            to_state="concept",
            reason="Faggruppen anbefalte det",
            decided_by=personas.secretariat,
        )
    initiative.refresh_from_db()
    assert initiative.state == "concept"
    assert (transition.from_state, transition.to_state) == ("idea", "concept")
    assert transition.decided_by == personas.secretariat
    assert transition.reason == "Faggruppen anbefalte det"
    assert transition.decided_at.date() == date(2025, 3, 11)


def test_a_transition_needs_a_reason(personas):
    initiative = make_initiative(owner=personas.own)
    with pytest.raises(ValidationError) as error:
        services.initiative_transition(initiative=initiative, to_state="concept", reason="  ")
    assert "reason" in error.value.error_dict
    assert Transition.objects.count() == 0


def test_a_move_outside_the_life_cycle_is_refused_and_nothing_changes(personas):
    initiative = make_initiative(owner=personas.own)
    with pytest.raises(ValidationError) as error:
        services.initiative_transition(initiative=initiative, to_state="execution", reason="Hopper over")
    assert error.value.error_dict["to_state"][0].messages == [
        "An initiative cannot go from Idea to Project: execution."
    ]
    initiative.refresh_from_db()
    assert initiative.state == "idea" and Transition.objects.count() == 0


def test_approval_is_refused_without_a_funding_plan_and_allowed_once_it_meets_the_rule(personas):
    initiative = make_initiative(owner=personas.own, start=date(2025, 1, 1), end=date(2025, 12, 31))
    services.initiative_transition(initiative=initiative, to_state="concept", reason="ok")
    services.benefit_add(
        initiative=initiative,
        values={"description": "b", "owner": "Tjenesteeier", "indicator": "i", "baseline": 1, "target": 2},
    )
    with pytest.raises(ValidationError, match="Approval needs a funding plan"):
        services.initiative_transition(initiative=initiative, to_state="approved", reason="Sak 1/25")
    services.funding_line_add(initiative=initiative, values={"year": 2025, "source": "ks", "budget": Decimal(500000)})
    services.funding_line_add(
        initiative=initiative, values={"year": 2025, "source": "own_effort", "budget": Decimal(499999), "hours": 800}
    )
    with pytest.raises(ValidationError, match="own effort of at least half"):
        services.initiative_transition(initiative=initiative, to_state="approved", reason="Sak 1/25")
    services.funding_line_add(initiative=initiative, values={"year": 2026, "source": "own_effort", "budget": 1})
    services.initiative_transition(initiative=initiative, to_state="approved", reason="Sak 1/25")
    initiative.refresh_from_db()
    assert initiative.state == "approved"


def test_a_funding_line_with_a_negative_amount_names_the_field(personas):
    initiative = make_initiative(owner=personas.own)
    with pytest.raises(ValidationError) as error:
        services.funding_line_add(initiative=initiative, values={"year": 2025, "source": "ks", "budget": -1})
    assert "budget" in error.value.error_dict


def test_participants_are_set_exactly(personas):
    initiative = make_initiative(owner=personas.own, participants=[(personas.foreign, "participant")])
    services.participations_set(
        initiative=initiative, participants=[(personas.foreign, "pilot"), (personas.host, "observer")]
    )
    assert sorted(initiative.participations.values_list("organisation__name", "role")) == [
        ("Bergen", "observer"),
        ("Voss", "pilot"),
    ]


def test_a_realised_value_on_the_same_date_replaces_the_first(project):
    benefit = project.benefits.get()
    services.benefit_value_record(benefit=benefit, measured_on=date(2025, 6, 30), value=Decimal(60))
    services.benefit_value_record(benefit=benefit, measured_on=date(2025, 6, 30), value=Decimal(61))
    services.benefit_value_record(benefit=benefit, measured_on=date(2025, 12, 31), value=Decimal(70))
    assert list(benefit.values.values_list("value", flat=True)) == [Decimal(61), Decimal(70)]


def test_a_status_report_gets_a_one_page_pdf_rendered_by_the_worker_once(
    project, personas, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        report = services.status_report_create(
            initiative=project,
            values={
                "period_start": date(2025, 1, 1),
                "period_end": date(2025, 6, 30),
                "rag": "yellow",
                "summary": "To kommuner er forsinket.",
            },
            reported_by=personas.secretariat,
        )
    report.refresh_from_db()
    content = report.pdf.read()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == report.pdf_sha256
    assert_archival(content, language="nb")
    path = tmp_path / "status.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Økt andel digitale byggesøknader" in text and "To kommuner er forsinket." in text
    assert "Gul" in text  # rendered in Bokmål
    # Rendering again changes nothing; the stored bytes are what a download returns.
    again = services.status_report_pdf_ensure(report=StatusReport.objects.get(pk=report.pk))
    assert again.pdf_sha256 == report.pdf_sha256
    assert services.status_report_pdf_bytes(report=again) == content


def test_a_pdf_that_was_altered_after_storing_is_refused(project, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    report = services.status_report_create(
        initiative=project,
        values={"period_start": date(2025, 1, 1), "period_end": date(2025, 6, 30), "rag": "green", "summary": "ok"},
    )
    report = services.status_report_pdf_ensure(report=report)
    with open(report.pdf.path, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(RuntimeError, match="does not match"):
        services.status_report_pdf_bytes(report=report)


def test_a_report_period_must_end_after_it_starts(project):
    with pytest.raises(ValidationError):
        services.status_report_create(
            initiative=project,
            values={"period_start": date(2025, 6, 30), "period_end": date(2025, 1, 1), "rag": "red", "summary": "x"},
        )


def test_adoption_is_one_row_per_member_and_solution(personas):
    solution = NationalSolution.objects.create(name="Kjernejournal")
    services.adoption_set(solution=solution, organisation=personas.own, status="planned", status_date=date(2026, 3, 1))
    services.adoption_set(solution=solution, organisation=personas.own, status="adopted", status_date=date(2026, 9, 1))
    adoption = Adoption.objects.get()
    assert (adoption.status, adoption.status_date) == ("adopted", date(2026, 9, 1))
