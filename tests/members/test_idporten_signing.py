"""Signing as oneself: with ID-porten configured, signing, declining and countersigning each rest on a fresh
ID-porten authentication at level high of the person signed in, asked of a real provider on loopback
(tests/oidc/); the signature and the sealed agreement carry the level, the time, the provider and the identity's
keyed hash, and the mailed code is not offered."""

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core import oidc
from members import agreements
from members.choices import AgreementStatus
from members.models import Agreement, AgreementEvent, Signature
from members.services import user_identity_register
from tests.members import test_agreements
from tests.oidc_provider import national_identity_number, sign_in_at_provider

pytestmark = pytest.mark.django_db(transaction=True)

# The agreement to sign, as the tests of the mailed-code flow set it up.
seal, signing = test_agreements.seal, test_agreements.signing

STEP_UP_CALLBACK = "/members/agreements/identified/"
DIRECTOR_PID, LEADER_PID = national_identity_number(1), national_identity_number(2)


@pytest.fixture
def people(signing, idporten):
    user_identity_register(user=signing.director, national_identity_number=DIRECTOR_PID)
    user_identity_register(user=signing.leader, national_identity_number=LEADER_PID)
    signing.director.refresh_from_db()
    signing.leader.refresh_from_db()
    return signing


def _decision() -> dict[str, str]:
    return {
        "decision_body": "Formannskapet",
        "decision_case": "109/2020",
        "decision_date": f"{timezone.localdate():%d.%m.%Y}",
    }


def _step_up(client, people, user, *, data=None, path="members:agreement_sign_start") -> str:
    client.force_login(user)
    client.get(people.agreement.get_absolute_url())
    response = client.post(reverse(path, kwargs={"pk": people.agreement.pk}), data or {})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def _sign(client, people, *, pid=DIRECTOR_PID, acr="idporten-loa-high", amr="BankID"):
    url = _step_up(client, people, people.director, data=_decision())
    back = sign_in_at_provider(url, pid=pid, acr=acr, amr=amr)
    return client.get(STEP_UP_CALLBACK, back, follow=True)


def test_the_step_up_asks_for_level_high_and_a_fresh_authentication(client, people, idporten):
    url = _step_up(client, people, people.director, data=_decision())
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(idporten.issuer)
    assert query["acr_values"] == ["idporten-loa-high"] and query["prompt"] == ["login"]
    assert query["max_age"] == ["120"] and query["code_challenge_method"] == ["S256"] and query["nonce"]


def test_director_signs_with_idporten_leader_countersigns_and_the_sealed_pdf_prints_the_evidence(client, people):
    response = _sign(client, people)
    assert b"Signed. The network" in response.content
    signature = Signature.objects.get(party="member")
    assert (signature.assurance_level, signature.identity_provider) == ("idporten-loa-high", "BankID")
    assert signature.identity_hash == people.director.pid_hash and DIRECTOR_PID not in signature.identity_hash
    assert abs(signature.authenticated_at - timezone.now()) < timedelta(minutes=1)
    assert b"ID-porten, level idporten-loa-high, through BankID" in response.content
    # The leader countersigns the same way, with their own identity.
    back = sign_in_at_provider(
        _step_up(client, people, people.leader), pid=LEADER_PID, acr="idporten-loa-high", amr="Buypass"
    )
    client.get(STEP_UP_CALLBACK, back)
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.IN_FORCE
    countersignature = Signature.objects.get(party="network")
    assert (countersignature.identity_provider, countersignature.identity_hash) == ("Buypass", people.leader.pid_hash)
    sealed = client.get(reverse("members:agreement_sealed", kwargs={"pk": agreement.pk})).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(sealed)).pages)
    assert "ID-porten, nivå idporten-loa-high, via BankID" in text
    assert f"{timezone.localtime(signature.authenticated_at):%d.%m.%Y %H:%M:%S}" in text
    assert "via Buypass" in text
    assert not AgreementEvent.objects.filter(action="code_sent").exists()


def test_the_mailed_code_is_not_offered(client, people):
    client.force_login(people.director)
    page = client.get(people.agreement.get_absolute_url()).content.decode()
    assert "Sign with ID-porten" in page and "one-time code" not in page and 'name="password"' not in page
    with pytest.raises(ValidationError, match="ID-porten"):
        agreements.signing_code_send(
            agreement=people.agreement,
            actor=agreements.Actor(user=people.director),
            password="correct-horse-battery",
            party="member",
        )
    with pytest.raises(ValidationError, match="ID-porten"):  # a code, or nothing, is no signature here
        agreements.agreement_sign(
            agreement=people.agreement,
            actor=agreements.Actor(user=people.director),
            code="123456",
            decision_body="Formannskapet",
            decision_case="1/2020",
            decision_date=timezone.localdate(),
        )


def test_level_substantial_is_too_low_to_sign(client, people):
    response = _sign(client, people, acr="idporten-loa-substantial", amr="MinID")
    assert b"lower security level than signing needs" in response.content
    assert not Signature.objects.exists() and Agreement.objects.get().status == AgreementStatus.OPENED


def test_authenticating_as_someone_else_signs_nothing(client, people):
    response = _sign(client, people, pid=LEADER_PID)
    assert b"as someone other than the person signed in" in response.content
    assert not Signature.objects.exists()


def test_an_authentication_older_than_max_age_signs_nothing(client, people, time_machine):
    url = _step_up(client, people, people.director, data=_decision())
    back = sign_in_at_provider(url, pid=DIRECTOR_PID)
    time_machine.move_to(timezone.now() + timedelta(minutes=5))
    response = client.get(STEP_UP_CALLBACK, back, follow=True)
    assert b"too old to sign with" in response.content and not Signature.objects.exists()


def test_a_step_up_used_twice_signs_once(client, people):
    url = _step_up(client, people, people.director, data=_decision())
    back = sign_in_at_provider(url, pid=DIRECTOR_PID)
    client.get(STEP_UP_CALLBACK, back)
    response = client.get(STEP_UP_CALLBACK, back, follow=True)
    assert b"already used" in response.content and Signature.objects.count() == 1


def test_a_sign_in_cannot_stand_in_for_a_step_up(client, people):
    """The ID token of an ordinary sign-in (its own callback, no prompt=login) is not taken at the step-up's door."""
    client.force_login(people.director)
    sign_in = client.get("/accounts/idporten/")["Location"]
    back = sign_in_at_provider(sign_in, pid=DIRECTOR_PID)
    response = client.get(STEP_UP_CALLBACK, back, follow=True)
    assert response.status_code == 200 and not Signature.objects.exists()


def test_a_wrong_decision_date_comes_back_before_idporten(client, people):
    client.force_login(people.director)
    data = {**_decision(), "decision_date": "01.01.1990"}
    response = client.post(reverse("members:agreement_sign_start", kwargs={"pk": people.agreement.pk}), data)
    assert response.status_code == 200 and b"cannot be older than the agreement text" in response.content


def test_declining_needs_the_step_up_too(client, people):
    url = _step_up(
        client, people, people.director, data={"reason": "Kommunestyret sa nei."}, path="members:agreement_decline"
    )
    assert parse_qs(urlsplit(url).query)["acr_values"] == ["idporten-loa-high"]
    assert Agreement.objects.get().status == AgreementStatus.OPENED  # nothing declined before ID-porten answers
    client.get(STEP_UP_CALLBACK, sign_in_at_provider(url, pid=DIRECTOR_PID, amr="Commfides"))
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.DECLINED and agreement.decline_reason == "Kommunestyret sa nei."
    detail = AgreementEvent.objects.get(action="declined").detail
    assert "ID-porten idporten-loa-high, Commfides" in detail


def test_the_service_signs_only_on_a_step_up_at_level_high_of_a_registered_person(signing, settings):
    """The service's own guard, whatever a view hands it."""
    settings.IDPORTEN_ISSUER, settings.IDPORTEN_CLIENT_ID = "https://test.idporten.no", "portal"
    actor = agreements.Actor(user=signing.director)
    decision = {"decision_body": "Formannskapet", "decision_case": "1/2020", "decision_date": timezone.localdate()}
    substantial = oidc.Assertion(provider="idporten", subject="s", acr="idporten-loa-substantial")
    with pytest.raises(ValidationError, match="security level high"):
        agreements.agreement_sign(agreement=signing.agreement, actor=actor, assertion=substantial, **decision)
    high = oidc.Assertion(provider="idporten", subject="s", acr="idporten-loa-high", identity_hash="0" * 64)
    with pytest.raises(ValidationError, match="No national identity number is registered"):
        agreements.agreement_sign(agreement=signing.agreement, actor=actor, assertion=high, **decision)
    assert not Signature.objects.exists()
