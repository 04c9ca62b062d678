"""Sign-in and step-up through OpenID Connect: ID-porten for the people of member organisations, the host
organisation's own provider (Microsoft Entra ID or the like) for the secretariat.

Authlib runs the protocol: the authorization code flow with PKCE (S256), state and nonce, and the ID token's
signature (the provider's published keys), issuer, audience, expiry and nonce. This module adds what a sign-in and a
signature rest on: the person is matched to the portal user the secretariat registered, by a keyed hash of the
national identity number in ID-porten's `pid` claim (the number itself is never stored); a step-up is accepted only
at level high, authenticated after the step-up began and within IDPORTEN_STEP_UP_MAX_AGE seconds, for this client,
with the nonce this session sent. Each flow is kept in the session under its state and used once.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as django_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.middleware import is_verified as otp_is_verified
from joserfc.errors import JoseError

from core.models import ProviderSignIn

logger = logging.getLogger(__name__)

IDPORTEN = "idporten"
STAFF = "staff"
LEVEL_SUBSTANTIAL = "idporten-loa-substantial"
LEVEL_HIGH = "idporten-loa-high"
LEVELS = (LEVEL_SUBSTANTIAL, LEVEL_HIGH)
FLOW_PREFIX = "oidc-flow-"
# Seconds the portal's and the provider's clocks may differ.
CLOCK_SKEW = 30
CALLBACKS = {IDPORTEN: "idporten_callback", STAFF: "staff_callback"}
STEP_UP_CALLBACK = "members:agreement_identified"


class Refused(Exception):
    """A sign-in or step-up the portal does not accept; `message` says why, in words for the person."""

    def __init__(self, message: str, purpose: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.purpose = purpose or {}


class UnknownPerson(Refused):
    """The provider knows the person; the portal has no account for them."""


@dataclass(frozen=True)
class Assertion:
    """What the provider asserted in a verified ID token."""

    provider: str
    subject: str
    acr: str = ""
    amr: tuple[str, ...] = ()
    authenticated_at: datetime | None = None
    identity_hash: str = ""  # the keyed hash of `pid` (ID-porten); never the number itself
    email: str = ""
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def methods(self) -> str:
        return " ".join(self.amr)


@dataclass(frozen=True)
class _Config:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    auth_method: str


def _config(provider: str) -> _Config | None:
    prefix = "IDPORTEN" if provider == IDPORTEN else "STAFF_OIDC"
    issuer = getattr(settings, f"{prefix}_ISSUER", "")
    client_id = getattr(settings, f"{prefix}_CLIENT_ID", "")
    if not (issuer and client_id):
        return None
    return _Config(
        issuer=issuer,
        client_id=client_id,
        client_secret=getattr(settings, f"{prefix}_CLIENT_SECRET", ""),
        scopes=getattr(settings, f"{prefix}_SCOPES", "openid"),
        auth_method=settings.OIDC_TOKEN_AUTH_METHOD,
    )


def configured(provider: str) -> bool:
    """Whether the provider's issuer and client are set (else the portal signs in with passwords as before)."""
    return _config(provider) is not None


def idporten_configured() -> bool:
    return configured(IDPORTEN)


_clients: dict[_Config, Any] = {}


def _client(provider: str) -> Any:
    """Authlib's client for the provider; its discovery document and keys are fetched once per process."""
    config = _config(provider)
    if config is None:
        raise Refused(_("Sign-in through this provider is not set up."))
    if config not in _clients:
        oauth = OAuth()
        _clients[config] = oauth.register(
            name=provider,
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": config.scopes,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": config.auth_method,
                "timeout": 10,
            },
        )
    return _clients[config]


def identity_hash(national_identity_number: str) -> str:
    """The keyed hash (HMAC-SHA256, IDENTITY_HASH_KEY) a person's national identity number is stored and matched as."""
    digits = "".join(national_identity_number.split())
    if len(digits) != 11 or not digits.isdigit():
        raise ValidationError(_("A national identity number has 11 digits."))
    return hmac.new(settings.IDENTITY_HASH_KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()


def _redirect_uri(provider: str, step_up: bool) -> str:
    """The address the provider sends the person back to, as registered with it (PORTAL_BASE_URL + path)."""
    name = STEP_UP_CALLBACK if step_up else CALLBACKS[provider]
    return settings.PORTAL_BASE_URL + reverse(name)


def start(request: HttpRequest, *, provider: str, purpose: dict[str, Any], step_up: bool = False) -> HttpResponse:
    """Send the person to the provider. A step-up asks ID-porten for level high and a fresh authentication
    (prompt=login, max_age); the purpose (what to do on return) waits in the session under the flow's state."""
    client = _client(provider)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    params: dict[str, Any] = {"state": state, "nonce": nonce}
    if provider == IDPORTEN:
        params["acr_values"] = LEVEL_HIGH if step_up else settings.IDPORTEN_SIGN_IN_LEVEL
    if step_up:
        params.update(prompt="login", max_age=settings.IDPORTEN_STEP_UP_MAX_AGE)
    request.session[FLOW_PREFIX + state] = {
        "provider": provider,
        "nonce": nonce,
        "step_up": step_up,
        "started": time.time(),
        "purpose": purpose,
    }
    try:
        return client.authorize_redirect(request, _redirect_uri(provider, step_up), **params)
    except (OAuthError, requests.RequestException, ValueError, KeyError) as error:
        request.session.pop(FLOW_PREFIX + state, None)
        logger.warning("The %s provider could not be reached: %s", provider, error)
        raise Refused(_("The sign-in service cannot be reached just now. Try again in a little while.")) from None


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def finish(request: HttpRequest, *, provider: str, step_up: bool = False) -> tuple[Assertion, dict[str, Any]]:
    """Take the person back from the provider: exchange the code (once) and check the ID token.

    Returns what was asserted and the purpose given to start(); raises Refused with the purpose when not accepted."""
    flow = request.session.pop(FLOW_PREFIX + request.GET.get("state", ""), None)
    if flow is None or flow["provider"] != provider or flow["step_up"] != step_up:
        raise Refused(_("This sign-in was already used or was not started in this browser. Start again."))
    purpose = flow["purpose"]
    if request.GET.get("error"):
        raise Refused(_("The sign-in was cancelled or refused at the provider."), purpose)
    config = _config(provider)
    assert config is not None  # _client() refused otherwise
    try:
        token = _client(provider).authorize_access_token(request)
    except (OAuthError, JoseError, requests.RequestException, ValueError, KeyError) as error:
        logger.warning("A %s sign-in was refused: %s", provider, error)
        raise Refused(_("The sign-in could not be verified. Start again."), purpose) from None
    claims = dict(token.get("userinfo") or {})
    _check_token(claims, flow, config, purpose)
    acr = str(claims.get("acr") or "")
    authenticated_at = _timestamp(claims.get("auth_time"))
    if provider == IDPORTEN:
        if acr not in ((LEVEL_HIGH,) if step_up else LEVELS):
            if step_up:
                message = _(
                    "The sign-in was at a lower security level than signing needs (%(level)s). Use BankID, Buypass or "
                    "Commfides, or MinID with the app."
                )
            else:
                message = _("The sign-in was at too low a security level (%(level)s).")
            raise Refused(message % {"level": acr or "–"}, purpose)
        if not claims.get("pid"):
            raise Refused(_("ID-porten did not say who signed in."), purpose)
    if step_up:
        _check_fresh(authenticated_at, flow, purpose)
    amr = claims.get("amr") or ()
    assertion = Assertion(
        provider=provider,
        subject=str(claims.get("sub") or ""),
        acr=acr,
        amr=tuple(str(m) for m in ([amr] if isinstance(amr, str) else amr)),
        authenticated_at=authenticated_at,
        identity_hash=identity_hash(str(claims["pid"])) if claims.get("pid") else "",
        email=str(claims.get("email") or claims.get("preferred_username") or ""),
        name=str(claims.get("name") or ""),
    )
    return assertion, purpose


def _check_token(claims: dict[str, Any], flow: dict[str, Any], config: _Config, purpose: dict[str, Any]) -> None:
    """Our own checks besides Authlib's: an ID token was there, with this session's nonce, meant for this client."""
    if not claims:
        raise Refused(_("The provider sent no ID token. Start again."), purpose)
    if not hmac.compare_digest(str(claims.get("nonce") or ""), flow["nonce"]):
        raise Refused(_("The sign-in could not be verified. Start again."), purpose)
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if config.client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != config.client_id):
        raise Refused(_("The sign-in could not be verified. Start again."), purpose)


def _check_fresh(authenticated_at: datetime | None, flow: dict[str, Any], purpose: dict[str, Any]) -> None:
    """A step-up's authentication happened after it began and no longer ago than IDPORTEN_STEP_UP_MAX_AGE."""
    now = time.time()
    at = authenticated_at.timestamp() if authenticated_at else None
    if at is None or at < flow["started"] - CLOCK_SKEW or now - at > settings.IDPORTEN_STEP_UP_MAX_AGE + CLOCK_SKEW:
        raise Refused(
            _("The authentication is too old to sign with. Sign again; ID-porten asks you to authenticate anew."),
            purpose,
        )


def has_second_factor(assertion: Assertion) -> bool:
    """ID-porten's levels are two-factor by definition; the host's provider says so in `amr`."""
    if assertion.provider == IDPORTEN:
        return assertion.acr in LEVELS
    return bool(set(assertion.amr) & set(settings.STAFF_OIDC_SECOND_FACTOR_AMR))


def person_for(assertion: Assertion) -> Any:
    """The active portal user the assertion names, or None: by the hash of the national identity number for
    ID-porten; for the host's provider, by the email address of exactly one secretariat user."""
    users = get_user_model().objects.filter(is_active=True)
    if assertion.provider == IDPORTEN:
        return users.filter(pid_hash=assertion.identity_hash).first() if assertion.identity_hash else None
    if not assertion.email:
        return None
    matches = list(users.filter(is_secretariat=True, email__iexact=assertion.email)[:2])
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def sign_in(request: HttpRequest, *, assertion: Assertion) -> Any:
    """Log the matched person in and record the sign-in with its level and methods; where the provider asserted a
    second factor, the session counts as verified (the secretariat's second step, core.two_factor)."""
    user = person_for(assertion)
    if user is None:
        raise UnknownPerson(
            _(
                "You were identified, but the portal has no account for you. The secretariat registers the people "
                "who may sign in; ask them to add you."
            )
        )
    second_factor = has_second_factor(assertion)
    record = ProviderSignIn(
        user=user,
        name=f"{assertion.provider} {assertion.methods}".strip()[:64],
        confirmed=True,
        provider=assertion.provider,
        subject=assertion.subject[:255],
        acr=assertion.acr[:100],
        amr=assertion.methods[:200],
        authenticated_at=assertion.authenticated_at,
        second_factor=second_factor,
    )
    record.full_clean()
    record.save()
    django_login(request, user, backend="core.policy.PolicyBackend")
    if second_factor:
        otp_login(request, record)
        # As django-otp's middleware installs it on the next request; this one goes on to decide where to go.
        user.is_verified = functools.partial(otp_is_verified, user)
    return user


def same_person(user: Any, assertion: Assertion) -> bool:
    """Whether a step-up authenticated the person who is signed in (by the stored hash of their identity number)."""
    stored = getattr(user, "pid_hash", None) or ""
    return bool(stored and assertion.identity_hash and hmac.compare_digest(stored, assertion.identity_hash))
