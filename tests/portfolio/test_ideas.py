"""Ideas and needs from the members: submitted, joined by other organisations ("we have this need too"),
assessed by the secretariat (into the portfolio, merged or answered), the submitter told by mail, and listed
publicly without the names of people."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from portfolio.choices import State, SuggestionStatus
from portfolio.models import Initiative, SuggestionSupport
from portfolio.services import suggestion_submit, suggestion_support, suggestion_triage

pytestmark = pytest.mark.django_db

NEED = {
    "kind": "need",
    "title": "Digital søknad om parkeringstillatelse",
    "problem": "Søknadene kommer på papir og tastes inn for hånd.",
    "who_meets_it": "Innbyggere med nedsatt funksjonsevne og saksbehandlere i fire kommuner.",
    "gain": "Kortere saksbehandlingstid og færre feil.",
}


def test_a_need_joined_by_another_municipality_and_taken_into_the_portfolio(
    personas, django_capture_on_commit_callbacks
):
    need = suggestion_submit(by=personas.contact, **NEED)
    assert need.organisation == personas.own and need.status == SuggestionStatus.SUBMITTED
    suggestion_support(suggestion=need, by=personas.outsider)
    suggestion_support(suggestion=need, by=personas.outsider)  # twice is once
    assert list(need.supports.values_list("organisation", flat=True)) == [personas.foreign.pk]
    with pytest.raises(ValidationError):
        suggestion_support(suggestion=need, by=personas.director)  # their own organisation's

    with django_capture_on_commit_callbacks(execute=True):
        suggestion_triage(
            suggestion=need,
            by=personas.secretariat,
            outcome="portfolio",
            focus_area="solutions",
            service_area="ehealth",
        )
    need.refresh_from_db()
    assert need.status == SuggestionStatus.IN_PORTFOLIO
    assert need.initiative.state == State.IDEA and need.initiative.owner == personas.own
    assert mail.outbox[-1].to == [personas.contact.email]
    assert need.title in mail.outbox[-1].subject
    with pytest.raises(ValidationError):
        suggestion_support(suggestion=need, by=personas.outsider)


def test_an_answer_needs_a_reason_and_nothing_is_saved_without_one(personas):
    need = suggestion_submit(by=personas.contact, **NEED)
    with pytest.raises(ValidationError):
        suggestion_triage(suggestion=need, by=personas.secretariat, outcome="answer", reason="  ")
    need.refresh_from_db()
    assert need.status == SuggestionStatus.SUBMITTED and not mail.outbox
    suggestion_triage(suggestion=need, by=personas.secretariat, outcome="answer", reason="KS løser dette nasjonalt.")
    need.refresh_from_db()
    assert (need.status, need.reason) == (SuggestionStatus.ANSWERED, "KS løser dette nasjonalt.")


def test_a_portfolio_outcome_without_areas_is_refused_whole(personas):
    need = suggestion_submit(by=personas.contact, **NEED)
    with pytest.raises(ValidationError):
        suggestion_triage(suggestion=need, by=personas.secretariat, outcome="portfolio")
    assert not Initiative.objects.exists()
    need.refresh_from_db()
    assert need.status == SuggestionStatus.SUBMITTED


def test_merging_moves_the_organisations_behind_it_to_the_other(personas):
    first = suggestion_submit(by=personas.outsider, **NEED)
    second = suggestion_submit(by=personas.contact, **{**NEED, "title": "Parkeringskort på nett"})
    suggestion_support(suggestion=second, by=personas.outsider)
    with pytest.raises(ValidationError):
        suggestion_triage(suggestion=second, by=personas.secretariat, outcome="merge", merge_into=second)
    suggestion_triage(suggestion=second, by=personas.secretariat, outcome="merge", merge_into=first)
    second.refresh_from_db()
    assert second.status == SuggestionStatus.MERGED and second.merged_into == first
    # The own organisation now stands behind the first; the foreign one put it forward and is not counted twice.
    assert set(SuggestionSupport.objects.filter(suggestion=first).values_list("organisation", flat=True)) == {
        personas.own.pk
    }


def test_the_public_list_shows_outcomes_and_organisations_but_no_names_of_people(personas, client):
    need = suggestion_submit(by=personas.contact, **NEED)
    suggestion_support(suggestion=need, by=personas.outsider)
    suggestion_triage(suggestion=need, by=personas.secretariat, outcome="answer", reason="Løst i Digisos.")
    for url in (reverse("portfolio:suggestion_list"), need.get_absolute_url()):
        page = client.get(url).content.decode()
        assert NEED["title"] in page and personas.own.name in page and "Answered" in page
        for person in (personas.contact, personas.outsider, personas.secretariat):
            assert person.email not in page and person.last_name not in page and person.username not in page


def test_a_member_person_submits_through_the_page(personas, client):
    client.force_login(personas.finance)
    response = client.post(reverse("portfolio:suggestion_create"), NEED)
    assert response.status_code == 302
    client.force_login(personas.outsider)
    response = client.post(response.url + "support/")
    assert response.status_code == 302
    assert SuggestionSupport.objects.get().organisation == personas.foreign
