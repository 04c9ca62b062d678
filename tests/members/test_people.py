"""A member's director, and whoever the director delegates to, keep the organisation's people and invoicing
details; the policy decides which roles each may give, and the history records every change."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import policy
from members import selectors
from members.models import User
from members.services import organisation_invoicing_update, person_create, person_remove, person_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KARI = {"first_name": "Kari", "last_name": "Nordmann", "email": "kari@masfjorden.example.no", "job_title": "Rådgiver"}


def test_a_director_registers_a_person_with_an_account_who_gets_a_link_to_choose_a_password(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = person_create(
            organisation=personas.own, by=personas.director, roles={"project_leader"}, may_log_in=True, phone="", **KARI
        )
    assert person.organisation == personas.own and person.roles == {"project_leader"}
    assert not person.has_usable_password()
    assert mail.outbox[-1].to == ["kari@masfjorden.example.no"]
    assert "/accounts/reset/" in mail.outbox[-1].body or "reset" in mail.outbox[-1].body


def test_a_person_without_an_account_cannot_sign_in(personas, client):
    person = person_create(
        organisation=personas.own, by=personas.director, roles={"contact"}, may_log_in=False, phone="", **KARI
    )
    person.set_password("et-langt-passord-2026")
    person.save()
    response = client.post(reverse("login"), {"username": person.username, "password": "et-langt-passord-2026"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert person in selectors.people_list(user=personas.director, organisation=personas.own)


def test_a_delegate_gives_everyday_roles_but_not_the_directors_or_the_delegation(personas):
    delegate = UserFactory(username="delegert", organisation=personas.own, is_contact=True, is_delegate=True)
    assert policy.assignable_roles(delegate, personas.own) == {"finance_officer", "contact", "project_leader"}
    for role in ("director", "delegate"):
        with pytest.raises(ValidationError):
            person_create(organisation=personas.own, by=delegate, roles={role}, may_log_in=False, phone="", **KARI)
    assert not User.objects.filter(first_name="Kari", last_name="Nordmann").exists()
    # The director is not the delegate's to change or remove.
    assert not policy.can_manage_person(delegate, personas.director)
    with pytest.raises(ValidationError):
        person_remove(person=personas.director, by=delegate)
    assert policy.can_manage_person(delegate, personas.finance)


def test_a_finance_officer_or_contact_without_the_delegation_keeps_nothing(personas):
    for user in (personas.finance, personas.contact):
        assert policy.assignable_roles(user, personas.own) == frozenset()
        assert not policy.can(user, "organisation.change_invoicing", personas.own)
    assert not policy.can(personas.outsider, "organisation.manage_people", personas.own)


def test_roles_the_user_may_not_give_stay_as_they_are(personas):
    delegate = UserFactory(username="delegert", organisation=personas.own, is_contact=True, is_delegate=True)
    both = UserFactory(username="begge", organisation=personas.own, is_finance_officer=True)
    person_update(person=both, by=delegate, roles={"contact"}, may_log_in=True, first_name="Berit")
    both.refresh_from_db()
    assert both.roles == {"contact"} and both.first_name == "Berit"


def test_removing_a_person_closes_the_account_and_the_history_keeps_them(personas, client):
    person_remove(person=personas.finance, by=personas.director)
    personas.finance.refresh_from_db()
    assert not personas.finance.is_active
    assert personas.finance not in selectors.people_list(user=personas.director, organisation=personas.own)
    with pytest.raises(ValidationError):
        person_remove(person=personas.director, by=personas.director)


def test_an_unusable_einvoice_address_is_refused_and_nothing_is_saved(personas):
    with pytest.raises(ValidationError) as error:
        organisation_invoicing_update(
            organisation=personas.own, buyer_reference="Ny", einvoice_endpoint="0192:123456789", invoice_email=""
        )
    assert "einvoice_endpoint" in error.value.message_dict
    personas.own.refresh_from_db()
    assert personas.own.buyer_reference == "4634-DIGI"


def test_the_secretariat_sees_who_changed_the_buyers_reference_and_when(personas, client):
    client.force_login(personas.director)
    response = client.post(
        reverse("members:invoicing_update", kwargs={"pk": personas.own.pk}),
        {"buyer_reference": "Ansvar 1200", "einvoice_endpoint": "", "invoice_email": "faktura@masfjorden.example.no"},
    )
    assert response.status_code == 302
    history = selectors.organisation_history(user=personas.secretariat, organisation=personas.own)
    change = next(entry for entry in history if entry.action == "changed")
    assert change.who == personas.director.get_full_name() or change.who == personas.director.username
    assert {(c.field, c.old, c.new) for c in change.changes} >= {
        ("buyer's reference", "4634-DIGI", "Ansvar 1200"),
        ("invoice email", "", "faktura@masfjorden.example.no"),
    }


def test_a_director_adds_a_person_through_the_page(personas, client):
    client.force_login(personas.director)
    url = reverse("members:person_create", kwargs={"pk": personas.own.pk})
    page = client.get(url)
    assert b'value="director"' in page.content
    response = client.post(url, {**KARI, "phone": "", "roles": ["finance_officer"], "may_log_in": ""})
    assert response.status_code == 302
    assert User.objects.get(first_name="Kari").roles == {"finance_officer"}
