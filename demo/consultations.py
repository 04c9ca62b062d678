"""Demo consultation round: the draft 2027 contribution model sent to every member, open for answers, with the case
in the steering group that will decide it. Running it again changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from demo.funding import HOST_IN_KIND, POPULATION_DATE, POPULATION_NOTE, _formula_rules, _upsert_model
from funding.choices import ModelMode, ModelStatus
from funding.services import OverrideInput
from governance import consultations, services
from governance.choices import ConsultationPosition, ConsultationSubject
from governance.models import Body, Case, Consultation
from members.models import Organisation, User

MODEL_NAME = "Forslag 2027: 110 000 kr fast og 22 kr per innbyggjar, tak 550 000 kr"
TITLE = "Høyring: bidragsmodell for 2027"
CASE_TITLE = "Bidragsmodell for 2027"


def _model_2027():
    host = Organisation.objects.get(is_host=True)
    return _upsert_model(
        MODEL_NAME,
        year=2027,
        status=ModelStatus.PROPOSAL,
        values={
            "base_year": 2027,
            "mode": ModelMode.FORMULA,
            "cap_indexed": True,
            "population_date": POPULATION_DATE,
            "description": "Fast grunnbeløp og kroner per innbyggjar med tak, stilt i 2027-kroner; taket følgjer "
            "deflatoren frå 2028. " + POPULATION_NOTE,
        },
        rules=_formula_rules("110000", "22", "550000"),
        overrides=[OverrideInput(host, True, None, HOST_IN_KIND, "Vertskommune: stiller sekretariat og kontor")],
    )


def _deciding_case() -> Case:
    body = Body.objects.get(name="Styringsgruppa")
    case = Case.objects.filter(body=body, title=CASE_TITLE).first()
    if case is None:
        case = services.case_create(
            body=body,
            title=CASE_TITLE,
            case_officer=User.objects.get(username="sekretariat"),
            background="Bidragsmodellen for 2025–2028 går ut. Utkastet til ny modell har vore på høyring hos alle "
            "medlemene; oppsummeringa av svara ligg ved saka når fristen er ute.",
            proposed_decision="Styringsgruppa vedtek bidragsmodellen for 2027 slik han er lagd fram.",
        )
    return case


@transaction.atomic
def load_demo() -> None:
    model = _model_2027()
    case = _deciding_case()
    if Consultation.objects.filter(title=TITLE).exists():
        return
    consultation = consultations.consultation_open(
        title=TITLE,
        subject_kind=ConsultationSubject.CONTRIBUTION_MODEL,
        subject_id=model.pk,
        description="Styringsgruppa ber kvar medlemskommune seie om ho stør utkastet til bidragsmodell for 2027. "
        "Tabellen viser kva kvar kommune ville betale. Kommunedirektøren (eller den direktøren har delegert til) "
        "svarar, og kan endre svaret fram til fristen.",
        deadline=timezone.localdate() + timedelta(days=21),
        case=case,
        opened_by=User.objects.get(username="sekretariat"),
    )
    voss = Organisation.objects.filter(number="4621").first()
    if voss is not None:
        consultations.consultation_answer(
            consultation=consultation,
            organisation=voss,
            position=ConsultationPosition.REMARKS,
            comment="Voss stør modellen, men ber om at taket blir vurdert på nytt før 2028.",
            answered_by_name="Kommunedirektøren i Voss",
        )
