"""The portfolio's owner filter keeps its options (hundreds of organisations) in the cache under the portfolio
pages' generation: a new owner, or an owner's new name, is offered at once."""

import pytest
from django.urls import reverse

from members.services import organisation_update
from tests.factories import OrganisationFactory, initiative

pytestmark = pytest.mark.django_db


def _owners(client) -> str:
    html = client.get(reverse("portfolio:initiative_list")).content.decode()
    return html[html.index('name="owner"') : html.index("</select>", html.index('name="owner"'))]


@pytest.mark.parametrize("signed_in", [True, False])
def test_a_new_owner_and_a_new_name_are_offered_at_once(client, personas, signed_in):
    if signed_in:
        client.force_login(personas.secretariat)
    first = OrganisationFactory(name="Alver kommune")
    initiative(owner=first, title="Digital byggesak")
    assert "Alver kommune" in _owners(client)
    second = OrganisationFactory(name="Fedje kommune")
    assert "Fedje kommune" not in _owners(client)  # owns nothing yet
    initiative(owner=second, title="Felles innbyggerdialog")
    assert "Fedje kommune" in _owners(client)
    organisation_update(organisation=second, name="Fedje herad")
    owners = _owners(client)
    assert "Fedje herad" in owners and "Fedje kommune" not in owners
    # A chosen owner still filters by the organisation itself.
    page = client.get(reverse("portfolio:initiative_list"), {"owner": second.pk}).content.decode()
    assert "Felles innbyggerdialog" in page and "Digital byggesak" not in page
