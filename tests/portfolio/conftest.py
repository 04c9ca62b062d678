from datetime import date
from decimal import Decimal

import pytest

from portfolio import services
from tests.factories import initiative as make_initiative


@pytest.fixture
def project(personas):
    """An approved project of the own organisation, funded by a grant with 50 % own effort, with a benefit,
    internal notes and one status report."""
    initiative = make_initiative(
        owner=personas.own,
        title="Økt andel digitale byggesøknader",
        internal_notes="Hemmelig notat om budsjettet",
        project_leader="Ingrid Haugland",
        start=date(2024, 1, 8),
        end=date(2026, 6, 30),
        participants=[(personas.foreign, "participant")],
    )
    for source, amount in (("county_governor", "600000"), ("own_effort", "612345")):
        services.funding_line_add(
            initiative=initiative, values={"year": 2024, "source": source, "budget": Decimal(amount)}
        )
    services.benefit_add(
        initiative=initiative,
        values={
            "description": "Høyere andel digitale søknader",
            "owner": "Tjenesteeier byggesak",
            "indicator": "Andel digitale søknader",
            "unit": "%",
            "baseline": Decimal(45),
            "target": Decimal(80),
        },
    )
    for state in ("concept", "approved"):
        services.initiative_transition(
            initiative=initiative, to_state=state, reason="Styringsgruppen, sak 37-23", decided_by=personas.secretariat
        )
    initiative.refresh_from_db()
    return initiative
