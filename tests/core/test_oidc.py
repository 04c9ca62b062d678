"""Sign-in through OpenID Connect against a real provider on loopback (tests/oidc/, oidc-provider from npm, with
ID-porten's claims and levels): the person is matched by the keyed hash of the identity number, an unknown person
gets no account, and a token that is not this session's, not fresh or not ours is refused."""

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.urls import reverse

from core import oidc, policy
from core.models import ProviderSignIn
from members.models import User
from members.services import user_identity_register
from tests.factories import UserFactory
from tests.oidc_provider import national_identity_number, sign_in_at_provider

pytestmark = pytest.mark.django_db

CALLBACK = "/accounts/idporten/callback/"


@pytest.fixture
def director(personas, idporten):
    return user_identity_register(user=personas.director, national_identity_number=national_identity_number(1))


def _begin(client, path: str = "/accounts/idporten/") -> str:
    response = client.get(path)
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def _signed_in_as(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_the_identity_number_is_stored_only_as_a_keyed_hash(director, settings):
    number = national_identity_number(1)
    assert director.pid_hash == oidc.identity_hash(number) and number not in director.pid_hash
    assert len(director.pid_hash) == 64
    settings.IDENTITY_HASH_KEY = "another-key"
    assert oidc.identity_hash(number) != director.pid_hash  # keyed: without the key the hash tells nothing


def test_a_registered_director_signs_in_with_idporten(client, director, idporten):
    url = _begin(client)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(idporten.issuer)
    # The authorization code flow with PKCE, state and nonce, at the sign-in level.
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]
    assert query["acr_values"] == ["idporten-loa-substantial"]
    back = sign_in_at_provider(url, pid=national_identity_number(1), acr="idporten-loa-substantial", amr="MinID")
    response = client.get(CALLBACK, back)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in_as(client) == director
    record = ProviderSignIn.objects.get(user=director)
    assert (record.provider, record.acr, record.amr, record.second_factor) == (
        "idporten",
        "idporten-loa-substantial",
        "MinID",
        True,
    )
    assert record.authenticated_at is not None


def test_an_unknown_person_gets_a_clear_page_and_no_account(client, director):
    users = User.objects.count()
    back = sign_in_at_provider(_begin(client), pid=national_identity_number(7))
    response = client.get(CALLBACK, back)
    assert response.status_code == 403
    assert b"no account for you" in response.content
    assert _signed_in_as(client) is None and User.objects.count() == users


def test_a_replayed_code_is_refused(client, director, django_user_model):
    back = sign_in_at_provider(_begin(client), pid=national_identity_number(1))
    assert client.get(CALLBACK, back).status_code == 302
    client.logout()
    # The same redirect again, in the same browser and in another: the flow was used, and so was the code.
    assert client.get(CALLBACK, back).status_code == 400
    other = type(client)()
    assert other.get(CALLBACK, back).status_code == 400
    assert _signed_in_as(client) is None and _signed_in_as(other) is None


def test_a_replayed_code_under_a_fresh_state_is_refused_by_the_provider(client, director):
    """An attacker who caught a code starts a flow of their own and hands the portal the stolen code with it."""
    stolen = sign_in_at_provider(_begin(client), pid=national_identity_number(1))
    assert client.get(CALLBACK, stolen).status_code == 302
    attacker = type(client)()
    fresh = parse_qs(urlsplit(_begin(attacker)).query)["state"][0]
    response = attacker.get(CALLBACK, {**stolen, "state": fresh})
    assert response.status_code == 400 and _signed_in_as(attacker) is None


def test_a_token_with_another_nonce_is_refused(client, director):
    url = _begin(client)
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["nonce"] = "a-nonce-this-session-never-sent"
    back = sign_in_at_provider(urlunsplit(parts._replace(query=urlencode(query))), pid=national_identity_number(1))
    response = client.get(CALLBACK, back)
    assert response.status_code == 400 and _signed_in_as(client) is None
    assert not ProviderSignIn.objects.exists()


def test_an_expired_token_is_refused(client, director, time_machine):
    back = sign_in_at_provider(_begin(client), pid=national_identity_number(1))
    time_machine.move_to(timedelta(hours=2))  # the ID token lives an hour
    response = client.get(CALLBACK, back)
    assert response.status_code == 400 and _signed_in_as(client) is None


def test_a_sign_in_below_the_levels_of_idporten_is_refused(client, director):
    back = sign_in_at_provider(_begin(client), pid=national_identity_number(1), acr="idporten-loa-low")
    assert client.get(CALLBACK, back).status_code == 400
    assert _signed_in_as(client) is None


def test_a_cancelled_sign_in_says_so(client, director):
    url = _begin(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = client.get(CALLBACK, {"error": "access_denied", "state": state})
    assert response.status_code == 400 and b"cancelled" in response.content


def test_without_idporten_settings_the_pages_do_not_exist_and_the_login_page_offers_the_password(client, personas):
    assert client.get("/accounts/idporten/").status_code == 404
    assert client.get(CALLBACK).status_code == 404
    page = client.get(reverse("login")).content
    assert b"ID-porten" not in page and b'name="password"' in page


def test_the_login_page_offers_idporten_and_the_staff_provider(client, idporten):
    page = client.get(reverse("login")).content.decode()
    assert "Log in with ID-porten" in page and "Secretariat: log in with Microsoft Entra ID" in page


@pytest.mark.parametrize(("amr", "verified"), [("pwd mfa", True), ("pwd", False)])
def test_the_secretariat_signs_in_with_the_hosts_provider_whose_second_factor_counts(
    client, personas, idporten, amr, verified
):
    staff = UserFactory(
        username="stine", organisation=personas.host, is_secretariat=True, email="stine@bergen.kommune.no"
    )
    back = sign_in_at_provider(_begin(client, "/accounts/staff/"), email="Stine@bergen.kommune.no", amr=amr, acr="")
    response = client.get("/accounts/staff/callback/", back)
    assert _signed_in_as(client) == staff
    record = ProviderSignIn.objects.get(user=staff)
    assert (record.provider, record.amr, record.second_factor) == ("staff", amr, verified)
    dashboard = client.get(reverse("members:agreement_list"))
    if verified:
        assert response["Location"] == "/" and dashboard.status_code == 200
    else:  # no second factor asserted: the portal's own second step follows
        assert response["Location"].startswith(reverse("otp_setup"))
        assert dashboard.status_code == 302


def test_the_hosts_provider_signs_in_only_secretariat_users(client, personas, idporten):
    UserFactory(organisation=personas.own, is_director=True, email="dir@masfjorden.kommune.no")
    back = sign_in_at_provider(_begin(client, "/accounts/staff/"), email="dir@masfjorden.kommune.no", amr="pwd mfa")
    assert client.get("/accounts/staff/callback/", back).status_code == 403
    assert _signed_in_as(client) is None


def test_a_provider_sign_in_is_no_device_to_type_a_code_from(client, personas, idporten):
    staff = UserFactory(
        username="sven", organisation=personas.host, is_secretariat=True, email="sven@bergen.kommune.no"
    )
    back = sign_in_at_provider(_begin(client, "/accounts/staff/"), email="sven@bergen.kommune.no", amr="pwd mfa")
    client.get("/accounts/staff/callback/", back)
    client.logout()
    # Signing in with the password later, the secretariat user enrols an authenticator: there is no code to type.
    staff.set_password("correct-horse-battery")
    staff.save()
    response = client.post(reverse("login"), {"username": "sven", "password": "correct-horse-battery"})
    assert response["Location"].startswith(reverse("otp_setup"))
    assert not policy.is_secretariat(staff)
