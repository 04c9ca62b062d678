"""The second login step for the secretariat (django-otp): enrolment, codes, backup codes, and the policy."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import policy
from tests.factories import UserFactory
from tests.test_access_matrix import world_once  # noqa: F401 - a fixture: objects of every kind

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
SECRETARIAT_PAGE = "members:population_import"


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def log_in(client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def test_the_password_alone_does_not_give_secretariat_permissions(client, personas):
    response = log_in(client, "siri", next_url=reverse(SECRETARIAT_PAGE))
    assert response.status_code == 302
    assert response.url.startswith(reverse("otp_verify"))
    assert "next=%2Fmembers%2F" in response.url
    # A secretariat page sends the user to the code step instead of serving it.
    page = client.get(reverse(SECRETARIAT_PAGE))
    assert page.status_code == 302 and page.url.startswith(reverse("otp_verify"))
    # ... and the start page shows only what any member of the host sees.
    assert client.get(reverse("dashboard")).context["is_secretariat"] is False
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_code_from_the_authenticator_completes_the_login(client, personas):
    log_in(client, "siri", next_url=reverse(SECRETARIAT_PAGE))
    device = TOTPDevice.objects.get(user=personas.secretariat)
    response = client.post(reverse("otp_verify"), {"token": code_for(device), "next": reverse(SECRETARIAT_PAGE)})
    assert response.status_code == 302 and response.url == reverse(SECRETARIAT_PAGE)
    assert client.get(reverse(SECRETARIAT_PAGE)).status_code == 200
    assert client.get(reverse("dashboard")).context["is_secretariat"] is True
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_is_refused_at_the_field(client, personas):
    log_in(client, "siri")
    device = TOTPDevice.objects.get(user=personas.secretariat)
    response = client.post(reverse("otp_verify"), {"token": code_for(device, offset=10)})
    assert response.status_code == 200
    assert "The code is wrong or has expired" in response.content.decode()
    assert response.context["form"].errors["token"]
    assert client.get(reverse(SECRETARIAT_PAGE)).status_code == 302


def test_an_open_redirect_through_next_is_refused(client, personas):
    log_in(client, "siri")
    device = TOTPDevice.objects.get(user=personas.secretariat)
    response = client.post(reverse("otp_verify"), {"token": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("dashboard")


def test_enrolment_shows_a_qr_code_drawn_here_and_issues_backup_codes_that_work_once(client, personas):
    user = UserFactory(username="nina", organisation=personas.host, is_secretariat=True)
    response = log_in(client, "nina")
    assert response.url.startswith(reverse("otp_setup"))
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<svg role="img" [^>]*class="otp-qr"><title>QR code', html)
    assert not re.search(r'(src|href)="https?://', html), "the QR code must not come from a third party"
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert client.get(response.url).context["secret"] == page.context["secret"]  # the same key on reload

    wrong = client.post(reverse("otp_setup"), {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["token"]
    done = client.post(reverse("otp_setup"), {"token": code_for(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse(SECRETARIAT_PAGE)).status_code == 200

    # Next time: the code step, where a backup code works exactly once.
    client.post(reverse("logout"))
    assert log_in(client, "nina").url.startswith(reverse("otp_verify"))
    assert client.post(reverse("otp_verify"), {"token": codes[0]}).status_code == 302
    assert client.get(reverse(SECRETARIAT_PAGE)).status_code == 200
    client.post(reverse("logout"))
    log_in(client, "nina")
    assert client.post(reverse("otp_verify"), {"token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_a_user_with_an_authenticator_cannot_enrol_another(client, personas):
    log_in(client, "siri")
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("otp_verify"))
    assert not TOTPDevice.objects.filter(user=personas.secretariat, confirmed=False).exists()


@pytest.mark.parametrize("username", ["dag", "oyvind", "kari", "vilde"])
def test_other_roles_have_no_second_step(client, personas, username):
    response = log_in(client, username)
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert client.get(reverse("otp_verify")).status_code == 302


SECRETARIAT_PERMISSIONS = [name for name, rule in policy.RULES.items() if rule.secretariat and not rule.public]


@pytest.mark.parametrize("permission", SECRETARIAT_PERMISSIONS)
def test_the_policy_grants_secretariat_permissions_only_to_a_verified_session(rf, client, personas, permission):
    """Both ways: unverified → nothing beyond what any member has; verified → everything the rule grants."""
    from django_otp.middleware import OTPMiddleware

    user = personas.secretariat
    if permission == "agreement.countersign":
        user.is_director = True
        user.save(update_fields=["is_director"])

    def request_user(verified: bool):
        client.force_login(user, verified=verified)
        request = rf.get("/")
        request.session = client.session
        request.user = type(user).objects.get(pk=user.pk)  # a fresh instance, as each request has
        OTPMiddleware(lambda r: None)(request)
        request.user.is_verified()  # resolve the lazy user now, while this session is the client's
        return request.user

    unverified, verified = request_user(False), request_user(True)
    assert policy.can(verified, permission)
    member_would = policy.RULES[permission].signed_in
    assert policy.can(unverified, permission) is member_would
    assert policy.is_secretariat(verified) and not policy.is_secretariat(unverified)


def test_the_second_step_can_be_switched_off(client, personas, settings):
    settings.OTP_REQUIRED_FOR_SECRETARIAT = False
    response = log_in(client, "siri")
    assert response.url == reverse("dashboard")
    assert client.get(reverse(SECRETARIAT_PAGE)).status_code == 200


def test_a_user_loaded_outside_a_request_never_counts_as_verified(personas):
    assert not policy.is_secretariat(type(personas.secretariat).objects.get(pk=personas.secretariat.pk))


def test_the_demo_secretariat_logs_in_with_a_code_from_the_documented_key(client):
    import base64

    from demo.members import DEMO_PASSWORD, DEMO_TOTP_KEY, DEMO_TOTP_SECRET, load_demo

    load_demo()
    assert base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode() == DEMO_TOTP_SECRET
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert DEMO_TOTP_SECRET in readme
    for username in ("sekretariat", "leder"):
        client.post(reverse("logout"))
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.url.startswith(reverse("otp_verify"))
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY), 30, 0, 6, 0)
        assert client.post(reverse("otp_verify"), {"token": f"{totp.token():06d}"}).status_code == 302
        assert client.get(reverse(SECRETARIAT_PAGE)).status_code == 200


def test_the_admin_login_is_the_portals_two_step_login(client, personas):
    response = client.get(reverse("admin:login"), {"next": "/admin/members/"})
    assert response.status_code == 302 and response.url == f"{reverse('login')}?next=/admin/members/"
    log_in(client, "siri", next_url="/admin/members/")
    # Signed in with the password only, the admin sends the user on to the code.
    assert client.get("/admin/members/", follow=True).redirect_chain[-1][0].startswith(reverse("otp_verify"))
    device = TOTPDevice.objects.get(user=personas.secretariat)
    response = client.post(reverse("otp_verify"), {"token": code_for(device), "next": "/admin/members/"})
    assert response.url == "/admin/members/"
    assert client.get("/admin/members/").status_code == 200


def _secretariat_only_cases():
    from tests.test_access_matrix import MATRIX, MEMBER_ROLES

    for case in MATRIX:
        for which, expect in case.expect.items():
            if expect["secretariat"] in (200, 302) and all(expect[role] in (403, 404) for role in MEMBER_ROLES):
                hidden = all(expect[role] == 404 for role in MEMBER_ROLES)
                yield pytest.param(case, which, hidden, id=f"{case.name}-{case.method}-{which or 'page'}")


class TestEverySecretariatPage:
    """Against one world (built once for the class)."""

    @pytest.mark.parametrize(("case", "which", "hidden"), list(_secretariat_only_cases()))
    def test_every_secretariat_page_asks_an_unverified_session_for_the_code(
        self,
        client,
        world_once,  # noqa: F811
        case,
        which,
        hidden,
    ):
        """Where members are refused, the code is asked for; what members do not even see stays unseen (404)."""
        kwargs = dict(case.kwargs)
        if case.target is not None:
            kwargs.update(case.target(world_once, which))
        url = reverse(case.name, kwargs=kwargs or None)
        client.force_login(world_once.secretariat, verified=False)
        response = getattr(client, case.method)(url)
        if hidden:
            assert response.status_code == 404
            return
        assert response.status_code == 302 and response.url.startswith(reverse("otp_verify")), (url, response)
        assert f"next={url.replace('/', '%2F')}" in response.url


def test_after_wrong_codes_the_page_says_how_long_to_wait(client, personas):
    import datetime

    import time_machine
    from django.utils import timezone

    log_in(client, "siri")
    device = TOTPDevice.objects.get(user=personas.secretariat)
    for _ in range(3):
        client.post(reverse("otp_verify"), {"token": code_for(device, offset=20)})  # wrong: 1, 2, 4 seconds
    response = client.post(reverse("otp_verify"), {"token": code_for(device)})
    assert response.status_code == 200
    assert response.context["form"].errors["token"][0].startswith("Too many wrong codes in a row. Wait ")
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        assert client.post(reverse("otp_verify"), {"token": code_for(device)}).status_code == 302
