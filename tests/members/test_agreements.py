"""The cooperation agreement signed online: by the right director only, with fresh authentication,
countersigned by the network's leader, completed as a sealed PDF that breaks if one byte changes."""

import hashlib
import html
import io
import re
import subprocess
import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core.templatetags.portal import orgnr
from members import agreements
from members.agreements import signed_original_name
from members.choices import AgreementStatus
from members.models import (
    Agreement,
    AgreementEvent,
    AgreementTemplate,
    ImmutableRecordError,
    Organisation,
    Signature,
)
from members.sealing import SealingError, create_development_certificate, signed_original, verify_seal
from tests.conftest import as_verified, with_authenticator
from tests.factories import UserFactory, valid_org_number
from tests.pdf_archival import assert_archival
from tests.tsa import time_stamping_authority

# Mails leave when the transaction that asked for them commits, and these journeys read them: real commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seal(settings, tmp_path):
    certificate, key = create_development_certificate(directory=tmp_path / "seal")
    settings.SEAL_CERTIFICATE_PATH, settings.SEAL_KEY_PATH, settings.SEAL_TRUST_ROOT_PATH = (
        certificate,
        key,
        certificate,
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AGREEMENT_COUNTERSIGN_MANDATE = "Årsmøtet, sak 4/24"
    return certificate


@pytest.fixture
def signing(personas, seal):
    template = AgreementTemplate.objects.create(
        title="Samarbeidsavtale DigiVestland",
        version=1,
        period_start=date(2025, 1, 1),
        period_end=date(2028, 12, 31),
        body="§ 1 Formål\nPartene samarbeider om digitalisering.",
        funding_appendix="Fast grunnbeløp og kroner per innbygger.",
    )
    template = agreements.agreement_template_publish(template=template)
    leader = with_authenticator(
        UserFactory(username="lena", organisation=personas.host, is_secretariat=True, is_director=True)
    )
    actor = agreements.Actor(user=personas.secretariat, ip_address="10.0.0.1")
    (agreement,) = agreements.agreement_invite(
        template=template,
        organisations=[personas.own],
        expires_on=timezone.localdate() + timedelta(days=30),
        actor=actor,
    )
    personas.leader = leader
    personas.agreement = agreement
    return personas


def code_from_mail() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def sign_in_browser(client, people, user, *, decision=True):
    client.force_login(user)
    url = people.agreement.get_absolute_url()
    client.get(url)  # reads the agreement first
    data = {"password": "correct-horse-battery"}
    if decision:
        data.update(
            decision_body="Formannskapet", decision_case="109/2020", decision_date=f"{timezone.localdate():%d.%m.%Y}"
        )
    client.post(reverse("members:agreement_sign_start", kwargs={"pk": people.agreement.pk}), data)
    return client.post(
        reverse("members:agreement_sign_confirm", kwargs={"pk": people.agreement.pk}), {"code": code_from_mail()}
    ), url


def test_director_signs_leader_countersigns_and_the_sealed_pdf_validates(client, signing, seal):
    invitation_mail = mail.outbox[0]
    assert invitation_mail.to == [signing.director.email]
    sign_in_browser(client, signing, signing.director, decision=True)
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.SIGNED
    signature = Signature.objects.get(party="member")
    assert (signature.user, signature.organisation) == (signing.director, signing.own)
    assert signature.document_sha256 == agreement.document_sha256
    assert (signature.decision_body, signature.decision_case, signature.decision_date) == (
        "Formannskapet",
        "109/2020",
        timezone.localdate(),
    )
    assert signature.ip_address == "127.0.0.1"
    sign_in_browser(client, signing, signing.leader, decision=False)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE
    sealed = client.get(reverse("members:agreement_sealed", kwargs={"pk": agreement.pk})).content
    check = verify_seal(sealed, trust_roots=[seal])
    assert check.valid and check.intact and check.trusted and check.covers_whole_document, check.problems
    tampered = bytearray(sealed)
    index = sealed.index(b"stream") + 40
    tampered[index] ^= 0x01
    assert not verify_seal(bytes(tampered), trust_roots=[seal]).valid
    client.force_login(signing.director)
    assert client.get(reverse("members:agreement_sealed", kwargs={"pk": agreement.pk})).content == sealed
    client.force_login(UserFactory(organisation=signing.foreign, is_director=True))
    assert client.get(reverse("members:agreement_sealed", kwargs={"pk": agreement.pk})).status_code == 404
    actions = list(AgreementEvent.objects.values_list("action", flat=True))
    assert actions[:2] == ["invited", "opened"] and "signed" in actions and actions[-1] == "sealed"


@pytest.mark.parametrize("role", ["finance", "contact", "outsider", "secretariat"])
def test_nobody_else_can_sign_for_the_organisation(client, signing, role):
    user = getattr(signing, role)
    client.force_login(user)
    response = client.post(
        reverse("members:agreement_sign_start", kwargs={"pk": signing.agreement.pk}),
        {
            "password": "correct-horse-battery",
            "decision_body": "x",
            "decision_case": "1",
            "decision_date": "2020-01-01",
        },
    )
    assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        agreements.signing_code_send(
            agreement=signing.agreement,
            actor=agreements.Actor(user=user),
            password="correct-horse-battery",
            party="member",
        )
    assert not Signature.objects.exists()


def test_a_director_of_another_municipality_cannot_see_or_sign(client, signing):
    other = UserFactory(organisation=signing.foreign, is_director=True)
    client.force_login(other)
    assert client.get(signing.agreement.get_absolute_url()).status_code == 404
    with pytest.raises(PermissionDenied):
        agreements.signing_code_send(
            agreement=signing.agreement,
            actor=agreements.Actor(user=other),
            password="correct-horse-battery",
            party="member",
        )


def test_a_secretariat_member_who_is_not_the_leader_cannot_countersign(signing):
    actor = agreements.Actor(user=signing.director)
    agreements.signing_code_send(
        agreement=signing.agreement, actor=actor, password="correct-horse-battery", party="member"
    )
    agreements.agreement_sign(
        agreement=signing.agreement,
        actor=actor,
        code=code_from_mail(),
        decision_body="Kommunestyret",
        decision_case="12/25",
        decision_date=timezone.localdate(),
    )
    with pytest.raises(PermissionDenied):
        agreements.signing_code_send(
            agreement=signing.agreement,
            actor=agreements.Actor(user=signing.secretariat),
            password="correct-horse-battery",
            party="network",
        )


def test_wrong_password_and_wrong_code_are_refused(signing):
    actor = agreements.Actor(user=signing.director)
    with pytest.raises(ValidationError, match="password is not correct"):
        agreements.signing_code_send(agreement=signing.agreement, actor=actor, password="nope", party="member")
    agreements.signing_code_send(
        agreement=signing.agreement, actor=actor, password="correct-horse-battery", party="member"
    )
    code = code_from_mail()
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(agreements.MAX_CODE_ATTEMPTS):
        with pytest.raises(ValidationError, match="code is not correct"):
            agreements.agreement_sign(
                agreement=signing.agreement,
                actor=actor,
                code=wrong,
                decision_body="F",
                decision_case="1",
                decision_date=timezone.localdate(),
            )
    with pytest.raises(ValidationError, match="Too many wrong codes"):
        agreements.agreement_sign(
            agreement=signing.agreement,
            actor=actor,
            code=code,
            decision_body="F",
            decision_case="1",
            decision_date=timezone.localdate(),
        )
    assert not Signature.objects.exists()


def test_a_code_expires_and_works_once(signing, time_machine):
    actor = agreements.Actor(user=signing.director)
    agreements.signing_code_send(
        agreement=signing.agreement, actor=actor, password="correct-horse-battery", party="member"
    )
    code = code_from_mail()
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    with pytest.raises(ValidationError, match="expired"):
        agreements.agreement_sign(
            agreement=signing.agreement,
            actor=actor,
            code=code,
            decision_body="F",
            decision_case="1",
            decision_date=timezone.localdate(),
        )


def test_the_emailed_link_works_once_and_expires(client, signing, time_machine):
    path = re.search(r"(/members/agreements/link/[^\s\"]+/)", mail.outbox[0].body).group(1)
    first = client.post(path)
    assert first.status_code == 302 and first.url == signing.agreement.get_absolute_url()
    assert client.post(path).status_code == 410
    assert client.get(path).status_code == 410
    agreements._send_link(signing.agreement, [signing.director], reminder=True)
    later = re.search(r"(/members/agreements/link/[^\s\"]+/)", mail.outbox[-1].body).group(1)
    time_machine.move_to(timezone.now() + timedelta(days=15))
    assert client.get(later).status_code == 410
    assert client.post(later).status_code == 410


def test_opening_the_emailed_link_asks_to_continue_and_spends_nothing(client, signing):
    """A mail scanner that fetches the link (GET, any number of times) leaves it working for the reader."""
    path = re.search(r"(/members/agreements/link/[^\s\"]+/)", mail.outbox[0].body).group(1)
    for _scan in range(3):
        page = client.get(path)
        assert page.status_code == 200
        assert '<form method="post">' in page.content.decode()
        assert "Continue to the agreement" in page.content.decode()
    assert not signing.agreement.events.filter(action="link_used").exists()
    assert signing.agreement.secrets.get(purpose="link").used_at is None
    used = client.post(path)
    assert used.status_code == 302 and used.url == signing.agreement.get_absolute_url()
    assert signing.agreement.events.filter(action="link_used").count() == 1


def test_codes_per_agreement_and_hour_are_capped(signing, time_machine, settings):
    """Asking for new codes does not buy more guesses: the fourth code within the hour is refused."""
    nine = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    director = agreements.Actor(user=signing.director)
    agreement = signing.agreement
    wrong = 0
    for minute in range(settings.SIGNING_CODES_PER_HOUR):
        time_machine.move_to(nine + timedelta(minutes=minute * 10), tick=False)
        agreements.signing_code_send(
            agreement=agreement, actor=director, password="correct-horse-battery", party="member"
        )
        for _attempt in range(agreements.MAX_CODE_ATTEMPTS):
            with pytest.raises(ValidationError):
                agreements.agreement_sign(
                    agreement=agreement,
                    actor=director,
                    code="000000" if code_from_mail() != "000000" else "111111",
                    decision_body="Formannskapet",
                    decision_case="1",
                    decision_date=date(2025, 1, 1),
                )
            wrong += 1
    sent = len(mail.outbox)
    time_machine.move_to(nine + timedelta(minutes=55), tick=False)
    with pytest.raises(ValidationError, match="3 codes have been sent for this agreement in the last hour") as caught:
        agreements.signing_code_send(
            agreement=agreement, actor=director, password="correct-horse-battery", party="member"
        )
    assert "Ask for a new code after 10:00" in str(caught.value)
    assert len(mail.outbox) == sent
    assert wrong == settings.SIGNING_CODES_PER_HOUR * agreements.MAX_CODE_ATTEMPTS == 15
    assert agreement.events.filter(action="code_sent").count() == 3
    time_machine.move_to(nine + timedelta(hours=1, seconds=1), tick=False)
    agreements.signing_code_send(agreement=agreement, actor=director, password="correct-horse-battery", party="member")
    assert len(mail.outbox) == sent + 1


def test_declining_tells_the_secretariat_and_earlier_signers(client, signing, personas):
    from members.services import organisation_update

    organisation_update(organisation=personas.foreign, buyer_reference="x")
    earlier = UserFactory(organisation=personas.foreign, is_director=True)
    (other,) = agreements.agreement_invite(
        template=signing.agreement.template,
        organisations=[personas.foreign],
        expires_on=timezone.localdate() + timedelta(days=30),
        actor=agreements.Actor(user=personas.secretariat),
    )
    actor = agreements.Actor(user=earlier)
    agreements.signing_code_send(agreement=other, actor=actor, password="correct-horse-battery", party="member")
    agreements.agreement_sign(
        agreement=other,
        actor=actor,
        code=code_from_mail(),
        decision_body="Kommunestyret",
        decision_case="5/25",
        decision_date=timezone.localdate(),
    )
    client.force_login(signing.director)
    client.post(
        reverse("members:agreement_decline", kwargs={"pk": signing.agreement.pk}),
        {"reason": "Kommunestyret vedtok ikke å slutte seg til."},
    )
    agreement = Agreement.objects.get(pk=signing.agreement.pk)
    assert agreement.status == AgreementStatus.DECLINED
    notice = mail.outbox[-1]
    assert set(notice.to) == {personas.secretariat.email, signing.leader.email, earlier.email}
    assert "Kommunestyret vedtok ikke" in notice.body


def test_a_published_text_never_changes(signing):
    template = signing.agreement.template
    template.body = "changed"
    with pytest.raises(ImmutableRecordError):
        template.save()


def test_reminder_before_expiry_and_expiry(signing, time_machine):
    sent = len(mail.outbox)
    start = timezone.now()
    time_machine.move_to(start + timedelta(days=24))
    assert agreements.agreements_remind_and_expire() == (1, 0)
    assert len(mail.outbox) == sent + 1 and "ennå ikke signert" in mail.outbox[-1].body
    assert agreements.agreements_remind_and_expire() == (0, 0)  # reminded once
    time_machine.move_to(start + timedelta(days=34))
    assert agreements.agreements_remind_and_expire() == (0, 1)
    assert Agreement.objects.get().status == AgreementStatus.EXPIRED


def test_withdrawal_ends_membership_after_notice_and_contributions_follow(signing, personas):
    from funding.services import contributions_recompute
    from tests.factories import contribution_model

    agreements.membership_withdraw(organisation=personas.own, notice_given_on=date(2026, 3, 10), notice_months=6)
    personas.own.refresh_from_db()
    assert (personas.own.membership_status, personas.own.member_until) == ("notice_given", date(2026, 9, 30))
    contribution_model(year=2026, exempt=[personas.host])
    contributions_recompute(year=2026)
    contribution = personas.own.contributions.get(year=2026)
    assert (contribution.months, contribution.amount) == (9, 100365)  # 133 820 × 9/12
    contribution_model(year=2027, exempt=[personas.host])
    contributions_recompute(year=2027)
    assert not personas.own.contributions.filter(year=2027).exists()


def test_export_signed_writes_every_sealed_agreement_checked_at_b_lta(client, signing, seal, time_stamps, tmp_path):
    sign_in_browser(client, signing, signing.director, decision=True)
    sign_in_browser(client, signing, signing.leader, decision=False)
    output = io.StringIO()
    call_command("agreements", "export-signed", "--out", str(tmp_path / "out"), stdout=output)
    (exported,) = (tmp_path / "out").iterdir()
    agreement = Agreement.objects.get()
    assert f"{exported.name}: PAdES B-LTA valid, timestamp " in output.getvalue()
    assert f"signed original SHA-256 {agreement.document_sha256} as recorded" in output.getvalue()
    assert "AdES long-term validation: PASSED, signature existed by " in output.getvalue()
    # pdfsig (poppler, NSS) trusts the seal once the development root is in its certificate store
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "root", "-t", "CT,C,C", "-i", str(seal)], check=True)
    pdfsig = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(exported)], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature Validation: Signature is Valid." in pdfsig
    assert "Certificate Validation: Certificate is Trusted." in pdfsig


def test_a_wrong_password_or_date_comes_back_beside_the_field_and_sends_no_code(client, signing):
    client.force_login(signing.director)
    sent = len(mail.outbox)
    data = {"decision_body": "Formannskapet", "decision_case": "109/2020", "password": "correct-horse-battery"}
    response = client.post(
        reverse("members:agreement_sign_start", kwargs={"pk": signing.agreement.pk}),
        {**data, "decision_date": "31.02.2020"},
    )
    assert response.status_code == 200 and "decision_date" in response.context["start_form"].errors
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_decision_date_helptext id_decision_date_error"' in page
    assert response.context["start_form"]["decision_body"].value() == "Formannskapet"  # what was typed stays
    response = client.post(
        reverse("members:agreement_sign_start", kwargs={"pk": signing.agreement.pk}),
        {**data, "decision_date": "17.11.2020", "password": "wrong"},
    )
    assert response.context["start_form"].errors["password"] == ["The password is not correct."]
    assert len(mail.outbox) == sent


def test_the_audit_trail_names_each_step_in_words(client, signing):
    sign_in_browser(client, signing, signing.director)
    client.force_login(signing.secretariat)
    page = client.get(signing.agreement.get_absolute_url()).content.decode()
    assert "<td>One-time code sent</td>" in page and "<td>Signed</td>" in page
    assert "code_sent" not in page


def _signed_by_the_director(signing):
    _signed_by(signing, signing.director)
    return signing.agreement


def test_a_countersignature_is_kept_when_sealing_fails_and_two_sealers_at_once_store_one_seal(
    signing, settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs it")
    signed = _signed_by_the_director(signing)
    leader = agreements.Actor(user=as_verified(signing.leader))
    agreements.signing_code_send(agreement=signed, actor=leader, password="correct-horse-battery", party="network")
    key_path, settings.SEAL_KEY_PATH = settings.SEAL_KEY_PATH, tmp_path / "missing-key.pem"
    with pytest.raises(SealingError):
        agreements.agreement_countersign(agreement=signed, actor=leader, code=code_from_mail())
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.COUNTERSIGNED and not agreement.sealed_sha256
    assert Signature.objects.filter(party="network").count() == 1
    with pytest.raises(PermissionDenied):  # countersigned once: the claim holds
        agreements.signing_code_send(
            agreement=agreement, actor=leader, password="correct-horse-battery", party="network"
        )

    settings.SEAL_KEY_PATH = key_path
    barrier, stored, errors = threading.Barrier(2), [], []

    def seal():
        try:
            barrier.wait()
            stored.append(agreements.agreement_complete(agreement=agreement))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=seal) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(stored) == [False, True]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE and agreement.sealed_sha256
    assert AgreementEvent.objects.filter(action="sealed").count() == 1
    assert [path.name for path in (tmp_path / "media").rglob("*signert*.pdf")] == [agreement.sealed.name.split("/")[-1]]


def test_the_daily_run_seals_a_countersigned_agreement_whose_seal_is_missing(signing, settings, tmp_path):
    signed = _signed_by_the_director(signing)
    leader = agreements.Actor(user=as_verified(signing.leader))
    agreements.signing_code_send(agreement=signed, actor=leader, password="correct-horse-battery", party="network")
    key_path, settings.SEAL_KEY_PATH = settings.SEAL_KEY_PATH, tmp_path / "missing-key.pem"
    with pytest.raises(SealingError):
        agreements.agreement_countersign(agreement=signed, actor=leader, code=code_from_mail())
    settings.SEAL_KEY_PATH = key_path
    agreements.agreements_remind_and_expire()
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.IN_FORCE and agreement.sealed_sha256


def test_a_rolled_back_transaction_sends_no_agreement_mail(signing):
    sent = len(mail.outbox)

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        agreements.agreement_decline(
            agreement=signing.agreement, actor=agreements.Actor(user=signing.director), reason="Ikke nå"
        )
        raise Abandoned
    assert len(mail.outbox) == sent
    assert Agreement.objects.get().status == AgreementStatus.INVITED
    agreements.agreement_decline(
        agreement=signing.agreement, actor=agreements.Actor(user=signing.director), reason="Ikke nå"
    )
    assert len(mail.outbox) == sent + 1


def test_behind_a_trusted_proxy_the_audit_trail_keeps_the_clients_address(client, signing, settings):
    settings.TRUSTED_PROXIES = ["10.20.0.0/24"]
    # The left-most entry is whatever the client sent; the proxy appended the address it saw.
    client.defaults.update(REMOTE_ADDR="10.20.0.5", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7")
    sign_in_browser(client, signing, signing.director, decision=True)
    assert Signature.objects.get(party="member").ip_address == "198.51.100.7"


def test_from_a_peer_that_is_not_a_listed_proxy_x_forwarded_for_is_ignored(client, signing, settings):
    settings.TRUSTED_PROXIES = ["10.20.0.5"]
    client.defaults.update(REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    sign_in_browser(client, signing, signing.director, decision=True)
    assert Signature.objects.get(party="member").ip_address == "192.0.2.9"


def test_the_leader_is_told_when_the_seal_cannot_be_made_and_the_countersignature_stands(client, signing, settings):
    sign_in_browser(client, signing, signing.director, decision=True)
    settings.SEAL_KEY_PATH = settings.SEAL_KEY_PATH.with_name("missing-key.pem")
    response, url = sign_in_browser(client, signing, signing.leader, decision=False)
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "could not be made now" in page
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.COUNTERSIGNED and not agreement.sealed_sha256


def _signed_by(people, director) -> None:
    actor = agreements.Actor(user=director)
    agreements.signing_code_send(
        agreement=people.agreement, actor=actor, password="correct-horse-battery", party="member"
    )
    agreements.agreement_sign(
        agreement=people.agreement,
        actor=actor,
        code=code_from_mail(),
        decision_body="Kommunestyret",
        decision_case="12/26",
        decision_date=timezone.localdate(),
    )
    people.agreement = Agreement.objects.get(pk=people.agreement.pk)


def test_who_signed_for_the_member_cannot_countersign_for_the_network(signing):
    # The leader is also the host municipality's director: signing the host's agreement for the host is
    # allowed, countersigning that same agreement for the network is not.
    (signing.agreement,) = agreements.agreement_invite(
        template=signing.agreement.template,
        organisations=[signing.host],
        expires_on=timezone.localdate() + timedelta(days=30),
        actor=agreements.Actor(user=signing.secretariat),
    )
    _signed_by(signing, signing.leader)
    with pytest.raises(ValidationError) as refused:
        agreements.signing_code_send(
            agreement=signing.agreement,
            actor=agreements.Actor(user=as_verified(signing.leader)),
            password="correct-horse-battery",
            party="network",
        )
    assert "someone else must countersign" in " ".join(refused.value.messages)
    assert not Signature.objects.filter(party="network").exists()
    assert Agreement.objects.get(pk=signing.agreement.pk).status == AgreementStatus.SIGNED


def test_the_countersignature_records_its_mandate_and_the_sealed_pdf_prints_it(signing, seal):
    _signed_by(signing, signing.director)
    leader = agreements.Actor(user=as_verified(signing.leader))
    agreements.signing_code_send(
        agreement=signing.agreement, actor=leader, password="correct-horse-battery", party="network"
    )
    agreements.agreement_countersign(agreement=signing.agreement, actor=leader, code=code_from_mail())
    assert Signature.objects.get(party="network").mandate == "Årsmøtet, sak 4/24"
    assert Signature.objects.get(party="member").mandate == ""
    agreement = Agreement.objects.get()
    with agreement.sealed.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Årsmøtet, sak 4/24" in text


def test_without_a_mandate_nobody_can_countersign(signing, settings):
    _signed_by(signing, signing.director)
    settings.AGREEMENT_COUNTERSIGN_MANDATE = ""
    leader = agreements.Actor(user=as_verified(signing.leader))
    agreements.signing_code_send(
        agreement=signing.agreement, actor=leader, password="correct-horse-battery", party="network"
    )
    with pytest.raises(ValidationError) as refused:
        agreements.agreement_countersign(agreement=signing.agreement, actor=leader, code=code_from_mail())
    assert "No mandate to countersign" in " ".join(refused.value.messages)
    assert not Signature.objects.filter(party="network").exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "cannot be in the future"), (-400, "cannot be older than the agreement text")],
)
def test_the_decision_date_is_neither_in_the_future_nor_older_than_the_text(signing, days, message):
    AgreementTemplate.objects.filter(pk=signing.agreement.template_id).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    signing.agreement = Agreement.objects.get(pk=signing.agreement.pk)
    actor = agreements.Actor(user=signing.director)
    agreements.signing_code_send(
        agreement=signing.agreement, actor=actor, password="correct-horse-battery", party="member"
    )
    with pytest.raises(ValidationError) as refused:
        agreements.agreement_sign(
            agreement=signing.agreement,
            actor=actor,
            code=code_from_mail(),
            decision_body="Kommunestyret",
            decision_case="12/26",
            decision_date=timezone.localdate() + timedelta(days=days),
        )
    assert message in " ".join(refused.value.messages)
    assert not Signature.objects.exists()
    # The code was not spent on a refused date: the same code signs with a valid one.
    agreements.agreement_sign(
        agreement=signing.agreement,
        actor=actor,
        code=code_from_mail(),
        decision_body="Kommunestyret",
        decision_case="12/26",
        decision_date=timezone.localdate() - timedelta(days=29),
    )
    assert Signature.objects.get().decision_date == timezone.localdate() - timedelta(days=29)


def test_anyone_can_verify_a_sealed_agreement_and_a_file_that_is_not_ours_says_so(client, signing):
    _signed_by(signing, signing.director)
    leader = agreements.Actor(user=as_verified(signing.leader))
    agreements.signing_code_send(
        agreement=signing.agreement, actor=leader, password="correct-horse-battery", party="network"
    )
    agreements.agreement_countersign(agreement=signing.agreement, actor=leader, code=code_from_mail())
    with Agreement.objects.get().sealed.open("rb") as handle:
        sealed = handle.read()
    url = reverse("verify")

    page = client.post(url, {"document": SimpleUploadedFile("avtale.pdf", sealed, "application/pdf")})
    text = page.content.decode()
    assert page.status_code == 200
    assert "unchanged since it was sealed" in text
    assert "Samarbeidsavtale DigiVestland" in text and signing.own.legal_name in text
    assert "Årsmøtet, sak 4/24" in text and "Kommunestyret" in text
    assert "not an agreement sealed by the network" not in text
    assert page.context["seal"].valid
    assert "PAdES B-B" in text and "no timestamp: the time of sealing is the portal's own clock" in html.unescape(text)
    assert "Embedded and unchanged" in text and page.context["original_matches"]

    tampered = bytearray(sealed)
    tampered[sealed.index(b"stream") + 40] ^= 0x01
    page = client.post(url, {"document": SimpleUploadedFile("avtale.pdf", bytes(tampered), "application/pdf")})
    text = page.content.decode()
    assert "not an agreement sealed by the network" in text
    assert signing.own.legal_name not in text

    page = client.post(url, {"document": SimpleUploadedFile("avtale.pdf", b"kommune;innbyggere\n", "text/csv")})
    assert page.context["form"].errors["document"] == ["The file is not a PDF."]
    page = client.post(url, {"document": SimpleUploadedFile("avtale.csv", sealed, "text/csv")})
    assert page.context["form"].errors["document"] == ["Choose a .pdf file."]


@pytest.fixture
def time_stamps(settings, seal, tmp_path):
    """A time-stamping authority on loopback that really signs (OpenSSL), under the development root."""
    with time_stamping_authority(tmp_path / "tsa", root_certificate=seal, root_key=settings.SEAL_KEY_PATH) as url:
        settings.SEAL_TSA_URL = url
        yield url


def test_the_sealed_agreement_holds_the_signed_bytes_and_is_b_lta_after_the_organisation_number_changed(
    client, signing, seal, time_stamps, tmp_path
):
    sign_in_browser(client, signing, signing.director)
    signed_number = signing.own.org_number
    Organisation.objects.filter(pk=signing.own.pk).update(org_number=valid_org_number())  # corrected after signing
    sign_in_browser(client, signing, signing.leader, decision=False)
    agreement = Agreement.objects.get()
    sealed = client.get(reverse("members:agreement_sealed", kwargs={"pk": agreement.pk})).content

    original = signed_original(sealed)
    assert original is not None
    assert_archival(sealed, language="nb")  # the sealed agreement is PDF/A-3 (which allows the embedded original)
    assert_archival(original, language="nb")
    assert (
        {hashlib.sha256(original).hexdigest()}
        == set(agreement.signatures.values_list("document_sha256", flat=True))
        == {agreement.document_sha256}
    )
    (tmp_path / "sealed.pdf").write_bytes(sealed)
    text = subprocess.run(["pdftotext", str(tmp_path / "sealed.pdf"), "-"], capture_output=True, check=True).stdout
    assert orgnr(signed_number).encode() in text  # the pages are the signed ones: the number as it was signed
    assert orgnr(Organisation.objects.get(pk=signing.own.pk).org_number).encode() not in text
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(tmp_path / "sealed.pdf")], check=True)
    assert (tmp_path / signed_original_name(agreement)).read_bytes() == original  # any PDF tool can extract it

    check = verify_seal(sealed, trust_roots=[seal])
    assert check.valid, check.problems
    assert (check.level, check.intact, check.trusted) == ("B-LTA", True, True)
    assert check.timestamp is not None and abs(check.timestamp - timezone.now()) < timedelta(minutes=5)
    pdfsig = subprocess.run(["pdfsig", str(tmp_path / "sealed.pdf")], capture_output=True, text=True, check=False)
    assert "Signature Validation: Signature is Valid." in pdfsig.stdout
    assert "ETSI.CAdES.detached" in pdfsig.stdout and "SHA-256" in pdfsig.stdout

    page = client.post(reverse("verify"), {"document": SimpleUploadedFile("avtale.pdf", sealed, "application/pdf")})
    text = page.content.decode()
    assert "PAdES B-LTA" in text and "by a time-stamping authority" in text and "Embedded and unchanged" in text

    tampered = bytearray(sealed)
    tampered[sealed.index(b"stream") + 40] ^= 0x01
    assert not verify_seal(bytes(tampered), trust_roots=[seal]).valid


def test_without_a_time_stamping_authority_the_seal_stays_b_b(client, signing, seal):
    sign_in_browser(client, signing, signing.director)
    sign_in_browser(client, signing, signing.leader, decision=False)
    sealed = client.get(reverse("members:agreement_sealed", kwargs={"pk": Agreement.objects.get().pk})).content
    check = verify_seal(sealed, trust_roots=[seal])
    assert check.valid and (check.level, check.timestamp) == ("B-B", None)
