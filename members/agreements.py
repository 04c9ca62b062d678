"""Every write in the cooperation-agreement flow: texts, invitations, signing, declining, countersigning, sealing.

Every step is recorded in the agreement's audit trail (AgreementEvent) inside the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import oidc, policy
from core.documents import StoredDocumentAltered, document_read, html_to_pdf
from core.emails import send_templated
from core.mail_preferences import MailTopic
from core.rules import rule
from core.throttle import SIGNING_CODE, Throttled, throttle
from members.choices import AgreementStatus, MembershipStatus, SignatureParty
from members.models import Agreement, AgreementEvent, AgreementTemplate, OneTimeSecret, Organisation, Signature, User
from members.sealing import Pkcs11Key, SealingError, bundle_signed_original, seal_pdf

logger = logging.getLogger(__name__)

OPEN = (AgreementStatus.INVITED, AgreementStatus.OPENED)
MAX_CODE_ATTEMPTS = 5


@rule
def agreement_can_sign(agreement: Agreement) -> bool:
    """The organisation's director can sign (or decline) while the agreement is open."""
    return agreement.status in OPEN


@rule
def agreement_can_countersign(agreement: Agreement) -> bool:
    """The network's leader countersigns once the organisation has signed."""
    return agreement.status == AgreementStatus.SIGNED


@rule
def membership_can_withdraw(organisation: Organisation) -> bool:
    """Only a current member can give notice."""
    return organisation.membership_status == MembershipStatus.MEMBER


@dataclass(frozen=True)
class Actor:
    """Who does a step, from where (for the audit trail)."""

    user: Any
    ip_address: str | None = None
    user_agent: str = ""


def _digest(secret: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


def _event(agreement: Agreement, action: str, actor: Actor | None = None, detail: str = "") -> None:
    AgreementEvent.objects.create(
        agreement=agreement,
        action=action,
        detail=detail[:500],
        actor=actor.user if actor and getattr(actor.user, "pk", None) else None,
        ip_address=actor.ip_address if actor else None,
    )


def agreement_document(template: AgreementTemplate, organisation: Organisation) -> bytes:
    """The PDF a director reads and signs: the agreement text for this organisation with its appendices."""
    with translation.override("nb"):
        html = render_to_string(
            "members/pdf/agreement.html", {"template": template, "organisation": organisation, "signatures": None}
        )
    return html_to_pdf(html)


# ------------------------------------------------------------------------------------------------
# Texts and invitations


@transaction.atomic
def agreement_template_publish(*, template: AgreementTemplate) -> AgreementTemplate:
    """Publish a version; from now on it never changes."""
    template = AgreementTemplate.objects.select_for_update().get(pk=template.pk)
    if template.published_at is not None:
        raise ValidationError(_("This version is already published."))
    template.full_clean()
    AgreementTemplate.objects.filter(pk=template.pk).update(published_at=timezone.now())
    template.refresh_from_db()
    return template


def _directors(organisation: Organisation) -> list[User]:
    return list(User.objects.filter(organisation=organisation, is_director=True, is_active=True).exclude(email=""))


def _secretariat_addresses() -> list[str]:
    return list(
        User.objects.filter(is_secretariat=True, is_active=True).exclude(email="").values_list("email", flat=True)
    )


def _send_link(agreement: Agreement, recipients: list[User], *, reminder: bool) -> None:
    for person in recipients:
        token = secrets.token_urlsafe(32)
        OneTimeSecret.objects.create(
            agreement=agreement,
            user=person,
            purpose=OneTimeSecret.LINK,
            digest=_digest(token),
            expires_at=timezone.now() + timedelta(days=settings.AGREEMENT_LINK_DAYS),
        )
        path = reverse("members:agreement_link", kwargs={"token": token})
        send_templated(
            "agreement-reminder" if reminder else "agreement-invitation",
            {
                "agreement": agreement,
                "person": person,
                "path": path,
                "link_days": settings.AGREEMENT_LINK_DAYS,
                "base_url": settings.PORTAL_BASE_URL,
            },
            [person.email],
            topic=MailTopic.AGREEMENT,
        )


@transaction.atomic
def agreement_invite(
    *, template: AgreementTemplate, organisations: list[Organisation], expires_on: date, actor: Actor
) -> list[Agreement]:
    """Invite organisations to sign a published text; each gets its own PDF, stored with its SHA-256."""
    if template.published_at is None:
        raise ValidationError(_("Publish the text before inviting anyone to sign it."))
    if expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": _("The invitation must expire after today.")})
    missing = [o.name for o in organisations if not _directors(o)]
    if missing:
        raise ValidationError(
            _("These organisations have no municipal director with an email address: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    agreements = []
    for organisation in organisations:
        if (
            Agreement.objects.filter(template=template, organisation=organisation)
            .exclude(status__in=[AgreementStatus.DECLINED, AgreementStatus.EXPIRED])
            .exists()
        ):
            continue
        content = agreement_document(template, organisation)
        agreement = Agreement(
            template=template,
            organisation=organisation,
            expires_on=expires_on,
            invited_by=actor.user if getattr(actor.user, "pk", None) else None,
            document_sha256=hashlib.sha256(content).hexdigest(),
        )
        agreement.document.save(f"avtale-{organisation.pk}-{template.pk}.pdf", ContentFile(content), save=False)
        agreement.save()
        _event(agreement, "invited", actor, expires_on.isoformat())  # shown as "Expires …" (detail_text)
        _send_link(agreement, _directors(organisation), reminder=False)
        agreements.append(agreement)
    return agreements


def _link_secret(token: str):
    return OneTimeSecret.objects.filter(digest=_digest(token), purpose=OneTimeSecret.LINK)


def agreement_link_usable(*, token: str) -> bool:
    """Whether an emailed link still works; looking does not use it up (mail scanners open links too)."""
    secret = _link_secret(token).first()
    return secret is not None and secret.used_at is None and secret.expires_at >= timezone.now()


@transaction.atomic
def agreement_link_open(*, token: str, actor: Actor) -> Agreement:
    """Use an emailed link: it works once and expires; the agreement counts as opened."""
    secret = _link_secret(token).select_for_update().select_related("agreement").first()
    if secret is None or secret.used_at is not None or secret.expires_at < timezone.now():
        raise ValidationError(_("This link has been used or has expired. Log in to find the agreement."))
    secret.used_at = timezone.now()
    secret.save(update_fields=["used_at"])
    agreement = secret.agreement
    _event(agreement, "link_used", actor)
    return agreement


def agreement_opened(*, agreement: Agreement, actor: Actor) -> None:
    """The first time an invited director looks at the agreement."""
    if agreement.status == AgreementStatus.INVITED and policy.can(actor.user, "agreement.sign", agreement):
        with transaction.atomic():
            Agreement.objects.filter(pk=agreement.pk, status=AgreementStatus.INVITED).update(
                status=AgreementStatus.OPENED, opened_at=timezone.now()
            )
            _event(agreement, "opened", actor)


# ------------------------------------------------------------------------------------------------
# Signing: decision and password, then a one-time code by email


def _check_signer(agreement: Agreement, actor: Actor, party: str) -> None:
    if party == SignatureParty.MEMBER:
        allowed = policy.can(actor.user, "agreement.sign", agreement) and agreement_can_sign(agreement)
    else:
        allowed = policy.can(actor.user, "agreement.countersign") and agreement_can_countersign(agreement)
    if not allowed:
        raise PermissionDenied
    if agreement.expires_on < timezone.localdate() and party == SignatureParty.MEMBER:
        raise ValidationError(_("The invitation has expired."))
    if (
        party == SignatureParty.NETWORK
        and agreement.signatures.filter(party=SignatureParty.MEMBER, user=actor.user).exists()
    ):
        raise ValidationError(
            _("You signed this agreement for the member; someone else must countersign it for the network.")
        )


def countersign_mandate(template: AgreementTemplate) -> str:
    """What the network's countersignature rests on: the case that adopted the text, or the configured mandate."""
    case = template.adopted_in_case
    if case is not None:
        return f"{case.body.name}, sak {case.reference}"
    if settings.AGREEMENT_COUNTERSIGN_MANDATE:
        return settings.AGREEMENT_COUNTERSIGN_MANDATE
    raise ValidationError(
        _(
            "No mandate to countersign: name the case that adopted the agreement text, "
            "or set AGREEMENT_COUNTERSIGN_MANDATE."
        )
    )


def _check_decision_date(agreement: Agreement, decision_date: date) -> None:
    """The member's decision is dated: not in the future, and not before the agreement text existed."""
    written = timezone.localdate(agreement.template.created_at)
    # A text entered after it was adopted existed from the meeting that adopted it.
    case = agreement.template.adopted_in_case
    if case is not None and case.meeting is not None:
        written = min(written, timezone.localdate(case.meeting.starts_at))
    if decision_date > timezone.localdate():
        raise ValidationError({"decision_date": _("The date of the decision cannot be in the future.")})
    if decision_date < written:
        raise ValidationError(
            {
                "decision_date": _("The decision cannot be older than the agreement text (%(date)s).")
                % {"date": f"{written:%d.%m.%Y}"}
            }
        )


def decision_date_check(*, agreement: Agreement, decision_date: date) -> None:
    """The decision's date as signing will check it, asked before the signer is sent to ID-porten."""
    _check_decision_date(agreement, decision_date)


def _document_hash(agreement: Agreement) -> str:
    with agreement.document.open("rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    if digest != agreement.document_sha256:
        raise ValidationError(_("The stored agreement document has been altered; it cannot be signed."))
    return digest


def signing_code_send(*, agreement: Agreement, actor: Actor, password: str, party: str) -> None:
    """Fresh authentication, step 1: the password again, then a one-time code by email (not offered where ID-porten
    is configured: there the signer authenticates anew with ID-porten at level high)."""
    _check_signer(agreement, actor, party)
    if oidc.idporten_configured():
        raise ValidationError(_("Sign with ID-porten."))
    try:  # counted before the password is checked: guessing it here is limited too
        throttle(
            scope="signing_code", address=actor.user.email, client=actor.ip_address or "unknown", limit=SIGNING_CODE
        )
    except Throttled as refused:
        raise ValidationError(refused.message) from None
    if not actor.user.check_password(password):
        _event(agreement, "password_refused", actor)  # kept: the refusal is part of the audit trail
        raise ValidationError({"password": _("The password is not correct.")})
    with transaction.atomic():
        _check_code_budget(agreement)
        _send_code(agreement, actor, party)


def _check_code_budget(agreement: Agreement) -> None:
    """At most SIGNING_CODES_PER_HOUR codes per agreement in any hour: asking for new codes does not buy more
    guesses. The agreement's row is locked so that requests at the same moment are counted one after the other."""
    Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
    limit, since = settings.SIGNING_CODES_PER_HOUR, timezone.now() - timedelta(hours=1)
    sent = list(
        AgreementEvent.objects.filter(agreement=agreement, action="code_sent", at__gt=since)
        .order_by("at")
        .values_list("at", flat=True)
    )
    if len(sent) >= limit:
        again = timezone.localtime(sent[-limit] + timedelta(hours=1))
        raise ValidationError(
            _(
                "%(count)d codes have been sent for this agreement in the last hour, the most allowed. "
                "Ask for a new code after %(time)s."
            )
            % {"count": len(sent), "time": again.strftime("%H:%M")}
        )


def _send_code(agreement: Agreement, actor: Actor, party: str) -> None:
    OneTimeSecret.objects.filter(
        agreement=agreement, user=actor.user, purpose=OneTimeSecret.CODE, used_at__isnull=True
    ).update(used_at=timezone.now())
    code = f"{secrets.randbelow(10**6):06d}"
    secret = OneTimeSecret.objects.create(
        agreement=agreement,
        user=actor.user,
        purpose=OneTimeSecret.CODE,
        digest=secrets.token_hex(32),  # replaced below by a digest bound to this record
        expires_at=timezone.now() + timedelta(minutes=settings.SIGNING_CODE_MINUTES),
    )
    secret.digest = _digest(f"code:{secret.pk}:{code}")
    secret.save(update_fields=["digest"])
    send_templated(
        "signing-code",
        {"agreement": agreement, "code": code, "minutes": settings.SIGNING_CODE_MINUTES},
        [actor.user.email],
    )
    _event(agreement, "code_sent", actor, party)


def _use_code(agreement: Agreement, actor: Actor, code: str) -> None:
    """Spend the user's current code, or raise; wrong attempts are counted and kept even when signing fails."""
    refusal = None
    with transaction.atomic():
        secret = (
            OneTimeSecret.objects.select_for_update()
            .filter(agreement=agreement, user=actor.user, purpose=OneTimeSecret.CODE, used_at__isnull=True)
            .order_by("-pk")
            .first()
        )
        if secret is None or secret.expires_at < timezone.now():
            refusal = _("The code has expired. Ask for a new one.")
        elif secret.attempts >= MAX_CODE_ATTEMPTS:
            refusal = _("Too many wrong codes. Ask for a new one.")
        elif not hmac.compare_digest(secret.digest, _digest(f"code:{secret.pk}:{code.strip()}")):
            secret.attempts += 1
            secret.save(update_fields=["attempts"])
            _event(agreement, "code_refused", actor)
            refusal = _("The code is not correct.")
        else:
            secret.used_at = timezone.now()
            secret.save(update_fields=["used_at"])
    if refusal:
        raise ValidationError({"code": refusal})


def _check_step_up(actor: Actor, assertion: oidc.Assertion | None) -> None:
    """Where ID-porten is configured, a signature or a refusal rests on a fresh ID-porten authentication at level
    high (checked on the ID token by core.oidc.finish) of the very person who is signed in."""
    if assertion is None or assertion.provider != oidc.IDPORTEN or assertion.acr != oidc.LEVEL_HIGH:
        raise ValidationError(_("Sign with ID-porten at security level high."))
    if not actor.user.pid_hash:
        raise ValidationError(
            _("No national identity number is registered for your account. Ask the secretariat to register it.")
        )
    if not oidc.same_person(actor.user, assertion):
        raise ValidationError(
            _("You authenticated with ID-porten as someone other than the person signed in here. Nothing was signed.")
        )


def _authenticate(agreement: Agreement, actor: Actor, code: str, assertion: oidc.Assertion | None) -> None:
    """The fresh authentication a signature rests on: ID-porten where configured, else the mailed code."""
    if oidc.idporten_configured():
        _check_step_up(actor, assertion)
    else:
        _use_code(agreement, actor, code)


def agreement_sign(
    *,
    agreement: Agreement,
    actor: Actor,
    decision_body: str,
    decision_case: str,
    decision_date: date,
    code: str = "",
    assertion: oidc.Assertion | None = None,
) -> Signature:
    """Fresh authentication, step 2 (the code, or the ID-porten step-up); then the director's signature on the exact
    bytes they read."""
    _check_signer(agreement, actor, SignatureParty.MEMBER)
    _check_decision_date(agreement, decision_date)
    _authenticate(agreement, actor, code, assertion)
    with transaction.atomic():
        return _sign(agreement, actor, decision_body, decision_case, decision_date, assertion)


def _evidence(assertion: oidc.Assertion | None) -> dict[str, Any]:
    if assertion is None:
        return {}
    return {
        "assurance_level": assertion.acr,
        "authenticated_at": assertion.authenticated_at,
        "identity_provider": assertion.methods,
        "identity_hash": assertion.identity_hash,
    }


def _record_signature(
    agreement: Agreement, actor: Actor, party: str, assertion: oidc.Assertion | None, **decision: Any
) -> Signature:
    """Lock the agreement, check the signer again and record their signature on the stored document's bytes."""
    member = party == SignatureParty.MEMBER
    signature = Signature(
        agreement=agreement,
        party=party,
        user=actor.user,
        organisation=agreement.organisation if member else actor.user.organisation,
        role=_("Municipal director") if member else _("Leader of the network"),
        signer_name=actor.user.get_full_name() or actor.user.username,
        signed_at=timezone.now(),
        ip_address=actor.ip_address,
        user_agent=actor.user_agent[:500],
        document_sha256=_document_hash(agreement),
        **_evidence(assertion),
        **decision,
    )
    signature.full_clean()
    signature.save()
    return signature


def _sign(
    agreement: Agreement,
    actor: Actor,
    decision_body: str,
    decision_case: str,
    decision_date: date,
    assertion: oidc.Assertion | None,
):
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _check_signer(agreement, actor, SignatureParty.MEMBER)
    _check_decision_date(agreement, decision_date)
    signature = _record_signature(
        agreement,
        actor,
        SignatureParty.MEMBER,
        assertion,
        decision_body=decision_body,
        decision_case=decision_case,
        decision_date=decision_date,
    )
    Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.SIGNED)
    _event(
        agreement,
        "signed",
        actor,
        f"{decision_body}, sak {decision_case}, {decision_date:%d.%m.%Y}; SHA-256 {signature.document_sha256}"
        + _evidence_text(signature),
    )
    send_templated("agreement-signed", {"agreement": agreement, "signature": signature}, _secretariat_addresses())
    return signature


def _evidence_text(signature: Signature) -> str:
    if not signature.assurance_level:
        return ""
    at = timezone.localtime(signature.authenticated_at) if signature.authenticated_at else None
    return (
        f"; ID-porten {signature.assurance_level}, {signature.identity_provider or '-'}, {at:%d.%m.%Y %H:%M:%S}"
        if at
        else f"; ID-porten {signature.assurance_level}"
    )


def agreement_countersign(
    *, agreement: Agreement, actor: Actor, code: str = "", assertion: oidc.Assertion | None = None
) -> Agreement:
    """The network's leader countersigns; the agreement is completed, sealed and (from its start) in force.

    The countersignature is recorded under the agreement's lock and committed; the sealed document is rendered
    after that, outside the lock (agreement_complete)."""
    _check_signer(agreement, actor, SignatureParty.NETWORK)
    countersign_mandate(agreement.template)
    _authenticate(agreement, actor, code, assertion)
    with transaction.atomic():
        _countersign(agreement, actor, assertion)
    agreement_complete(agreement=agreement)
    return Agreement.objects.get(pk=agreement.pk)


def _countersign(agreement: Agreement, actor: Actor, assertion: oidc.Assertion | None) -> None:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _check_signer(agreement, actor, SignatureParty.NETWORK)
    signature = _record_signature(
        agreement, actor, SignatureParty.NETWORK, assertion, mandate=countersign_mandate(agreement.template)
    )
    # Countersigned is the claim: nobody can countersign again, and the seal is what remains to be done.
    Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.COUNTERSIGNED)
    _event(agreement, "countersigned", actor, f"SHA-256 {signature.document_sha256}" + _evidence_text(signature))


def seal(pdf: bytes, *, reason: str) -> bytes:
    """Seal ``pdf`` with the network's key (a file, or in an HSM through PKCS#11), time-stamped when a TSA is set."""
    pkcs11 = None
    if settings.SEAL_PKCS11_MODULE:
        pkcs11 = Pkcs11Key(
            module=settings.SEAL_PKCS11_MODULE,
            token=settings.SEAL_PKCS11_TOKEN,
            pin=settings.SEAL_PKCS11_PIN,
            key_label=settings.SEAL_PKCS11_KEY_LABEL,
        )
    return seal_pdf(
        pdf,
        certificate_path=settings.SEAL_CERTIFICATE_PATH,
        key_path=settings.SEAL_KEY_PATH,
        key_password=settings.SEAL_KEY_PASSWORD.encode() if settings.SEAL_KEY_PASSWORD else None,
        pkcs11=pkcs11,
        timestamp_url=settings.SEAL_TSA_URL,
        trust_roots=[settings.SEAL_TRUST_ROOT_PATH],
        reason=reason,
    )


def signed_original_name(agreement: Agreement) -> str:
    return f"avtale-{agreement.organisation_id}-{agreement.template_id}-signert-original.pdf"


def _sealed_document(agreement: Agreement) -> bytes:
    """The signed PDF's own bytes, unchanged, with the signature page and audit trail after its pages and the
    original embedded as its source; then sealed. Nothing of the agreement is rendered anew from live data."""
    try:
        original = document_read(agreement.document, agreement.document_sha256, "agreement document")
    except StoredDocumentAltered as error:
        raise SealingError(str(error)) from error
    signatures = list(agreement.signatures.select_related("organisation").order_by("signed_at"))
    events = list(agreement.events.select_related("actor").order_by("at", "pk"))
    name = signed_original_name(agreement)
    with translation.override("nb"):
        html = render_to_string(
            "members/pdf/agreement.html",
            {
                "template": agreement.template,
                "organisation": agreement.organisation,
                "signatures": signatures,
                "events": events,
                "agreement": agreement,
                "signature_page": True,
                "original_name": name,
            },
        )
    bundle = bundle_signed_original(
        original, html_to_pdf(html), filename=name, description="Avtalen slik den ble signert"
    )
    return seal(bundle, reason=f"Samarbeidsavtale {agreement.organisation.legal_name}")


def agreement_complete(*, agreement: Agreement) -> bool:
    """Render the countersigned agreement with its signature page and audit trail, seal it and store it once.

    Rendering and sealing take seconds and run without holding the agreement's lock; the result is stored under a
    short lock, and only if no one stored a seal meanwhile. Returns whether this call stored it."""
    agreement = Agreement.objects.select_related("organisation", "template").get(pk=agreement.pk)
    if agreement.sealed_sha256:
        return False
    if not agreement.signatures.filter(party=SignatureParty.NETWORK).exists():
        raise ValidationError(_("The agreement is not countersigned yet; it cannot be sealed."))
    sealed = _sealed_document(agreement)
    with transaction.atomic():
        agreement = (
            Agreement.objects.select_for_update().select_related("organisation", "template").get(pk=agreement.pk)
        )
        if agreement.sealed_sha256:
            return False
        agreement.sealed.save(
            f"avtale-{agreement.organisation.pk}-{agreement.template.pk}-signert.pdf", ContentFile(sealed), save=False
        )
        agreement.sealed_sha256 = hashlib.sha256(sealed).hexdigest()
        agreement.completed_at = timezone.now()
        in_force = agreement.template.period_start <= timezone.localdate()
        agreement.status = AgreementStatus.IN_FORCE if in_force else AgreementStatus.COUNTERSIGNED
        agreement.save(update_fields=["sealed", "sealed_sha256", "completed_at", "status"])
        _event(agreement, "sealed", None, f"SHA-256 {agreement.sealed_sha256}")
    return True


@transaction.atomic
def agreement_decline(
    *, agreement: Agreement, actor: Actor, reason: str, assertion: oidc.Assertion | None = None
) -> Agreement:
    """Decline on behalf of the organisation; the secretariat and earlier signers of the same text are told.
    Where ID-porten is configured, declining rests on a fresh authentication at level high, as signing does."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _check_signer(agreement, actor, SignatureParty.MEMBER)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for declining.")})
    if oidc.idporten_configured():
        _check_step_up(actor, assertion)
        assert assertion is not None  # _check_step_up refused otherwise
        at = timezone.localtime(assertion.authenticated_at) if assertion.authenticated_at else None
        reason_note = f" (ID-porten {assertion.acr}, {assertion.methods or '-'}, {at:%d.%m.%Y %H:%M:%S})" if at else ""
    else:
        reason_note = ""
    Agreement.objects.filter(pk=agreement.pk).update(
        status=AgreementStatus.DECLINED, declined_at=timezone.now(), decline_reason=reason
    )
    _event(agreement, "declined", actor, reason + reason_note)
    earlier = (
        User.objects.filter(signatures__agreement__template=agreement.template, signatures__party=SignatureParty.MEMBER)
        .exclude(email="")
        .distinct()
    )
    recipients = sorted(set(_secretariat_addresses()) | {person.email for person in earlier})
    send_templated("agreement-declined", {"agreement": agreement, "reason": reason}, recipients)
    agreement.refresh_from_db()
    return agreement


# ------------------------------------------------------------------------------------------------
# Reminders, expiry and withdrawal


def agreements_remind_and_expire(*, today: date | None = None, days_before: int = 7) -> tuple[int, int]:
    """Seal countersigned agreements whose seal is missing; remind directors a week before an invitation expires;
    expire the ones whose date has passed."""
    today = today or timezone.localdate()
    reminded = expired = 0
    for agreement in Agreement.objects.filter(status=AgreementStatus.COUNTERSIGNED, sealed_sha256=""):
        try:  # countersigned, but the seal could not be stored then: try again
            agreement_complete(agreement=agreement)
        except SealingError:
            logger.exception("Could not seal agreement %s", agreement.pk)
    for agreement in Agreement.objects.filter(status__in=OPEN, expires_on__lt=today):
        with transaction.atomic():
            Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.EXPIRED)
            _event(agreement, "expired")
        expired += 1
    due = Agreement.objects.filter(
        status__in=OPEN,
        reminded_at__isnull=True,
        expires_on__lte=today + timedelta(days=days_before),
        expires_on__gte=today,
    )
    for agreement in due.select_related("organisation", "template"):
        with transaction.atomic():
            _send_link(agreement, _directors(agreement.organisation), reminder=True)
            Agreement.objects.filter(pk=agreement.pk).update(reminded_at=timezone.now())
            _event(agreement, "reminded")
        reminded += 1
    return reminded, expired


def membership_end_after_notice(notice_given_on: date, notice_months: int) -> date:
    """Membership ends at the end of the month in which the notice period runs out."""
    month = notice_given_on.month - 1 + notice_months
    year, month = notice_given_on.year + month // 12, month % 12 + 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return next_month - timedelta(days=1)


@transaction.atomic
def membership_withdraw(*, organisation: Organisation, notice_given_on: date, notice_months: int) -> Organisation:
    """Register a notice of withdrawal; membership (and so the contribution) ends after the notice period."""
    from members.services import organisation_update

    if not membership_can_withdraw(organisation):
        raise ValidationError(_("Only a current member can give notice."))
    return organisation_update(
        organisation=organisation,
        membership_status=MembershipStatus.NOTICE_GIVEN,
        notice_given_on=notice_given_on,
        member_until=membership_end_after_notice(notice_given_on, notice_months),
    )
