import pytest

from funding.services import contributions_recompute
from tests.factories import contribution_model, network_profile


@pytest.fixture
def invoicing(personas):
    """The personas' network with an adopted 2026 model, computed contributions and a network profile."""
    network_profile(personas.host)
    contribution_model(year=2026, exempt=[personas.host])
    contributions_recompute(year=2026)
    personas.own.email = "postmottak@masfjorden.example.no"
    personas.own.save()
    return personas
