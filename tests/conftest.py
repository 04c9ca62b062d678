"""Named personas: the secretariat, a director, a finance officer and a contact of one municipality,
and an outsider (director and finance officer) of another."""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client, RequestFactory

from members.models import Organisation, User
from tests.factories import OrganisationFactory, PopulationFigureFactory, UserFactory


@dataclass
class Personas:
    host: Organisation
    own: Organisation
    foreign: Organisation
    secretariat: User
    director: User
    finance: User
    contact: User
    outsider: User

    def by_role(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


# Argon2 is deliberately slow; tests create many users.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@contextlib.contextmanager
def tasks_in_process() -> Iterator[None]:
    """Celery tasks run in the caller's own process while inside."""
    from network.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Run Celery tasks in the test's own process, except in tests that start a real worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    with tasks_in_process():
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a page another test cached (core.cache.cache_public_page) is not
    served to this one, whose database was rolled back to the same state."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _language_of_the_suite(settings):
    """Each test starts in the suite's language, whatever an earlier request activated in this thread."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def norwegian(client, settings):
    """Pages in Bokmål, as users meet them by default (the suite itself runs in English, the msgids)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    return client


ROLES = ["anonymous", "secretariat", "director", "finance", "contact", "outsider"]


@pytest.fixture
def personas(db) -> Personas:
    return build_personas()


def build_personas() -> Personas:
    host = OrganisationFactory(name="Bergen", number="4601", is_host=True)
    own = OrganisationFactory(name="Masfjorden", number="4634", buyer_reference="4634-DIGI")
    foreign = OrganisationFactory(name="Voss", number="4621", buyer_reference="4621-DIGI")
    for organisation, population in ((host, 291940), (own, 1691), (foreign, 16471)):
        PopulationFigureFactory(organisation=organisation, count=population)
    return Personas(
        host=host,
        own=own,
        foreign=foreign,
        secretariat=as_verified(
            with_authenticator(UserFactory(username="siri", organisation=host, is_secretariat=True))
        ),
        director=UserFactory(username="dag", organisation=own, is_director=True),
        finance=UserFactory(username="oyvind", organisation=own, is_finance_officer=True),
        contact=UserFactory(username="kari", organisation=own, is_contact=True),
        outsider=UserFactory(username="vilde", organisation=foreign, is_finance_officer=True, is_director=True),
    )


# The second login step: the secretariat persona has an authenticator, and a test client that logs in a user
# with one also passes the second step (django_otp.login), as the browser does after entering a code.
# Tests of the step itself log in with `Client.force_login(user, verified=False)`.
def with_authenticator(user: User) -> User:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def as_verified(user: User) -> User:
    """The user as a request that passed the second step carries it (django_otp's middleware), for service tests."""
    import functools

    from django_otp import devices_for_user
    from django_otp.middleware import is_verified

    user.otp_device = next(devices_for_user(user))
    user.is_verified = functools.partial(is_verified, user)
    return user


class VerifyingClient(Client):
    def force_login(self, user, backend=None, *, verified: bool = True):
        super().force_login(user, backend)
        from django_otp import devices_for_user, login

        device = next(devices_for_user(user), None) if verified else None
        if device is not None:
            request = RequestFactory().get("/")
            request.session, request.user = self.session, user
            login(request, device)
            request.session.save()


@pytest.fixture
def client() -> VerifyingClient:
    return VerifyingClient()


def client_for(client, personas: Personas, role: str):
    user = personas.by_role(role)
    if user is not None:
        client.force_login(user)
    return client


# A real OpenID Connect provider (tests/oidc/, oidc-provider from npm) on loopback, for the tests of sign-in through
# ID-porten and the host's provider; the portal under test (Django's test client) is at http://testserver.
OIDC_PORTAL = "http://testserver"


@pytest.fixture(scope="session")
def oidc_provider():
    from tests.oidc_provider import running_provider

    clients = [
        {
            "client_id": "portal-idporten",
            "redirect_uris": [
                f"{OIDC_PORTAL}/accounts/idporten/callback/",
                f"{OIDC_PORTAL}/members/agreements/identified/",
            ],
        },
        {"client_id": "portal-staff", "redirect_uris": [f"{OIDC_PORTAL}/accounts/staff/callback/"]},
    ]
    with running_provider(clients) as provider:
        yield provider


@pytest.fixture
def idporten(settings, oidc_provider):
    """The portal with ID-porten and the host's provider configured against the test provider."""
    from tests.oidc_provider import CLIENT_SECRET

    settings.PORTAL_BASE_URL = OIDC_PORTAL
    settings.IDPORTEN_ISSUER, settings.IDPORTEN_CLIENT_ID = oidc_provider.issuer, "portal-idporten"
    settings.STAFF_OIDC_ISSUER, settings.STAFF_OIDC_CLIENT_ID = oidc_provider.issuer, "portal-staff"
    settings.IDPORTEN_CLIENT_SECRET = settings.STAFF_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.IDENTITY_HASH_KEY = "identity-key-for-tests"
    return oidc_provider
