from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from simple_history.models import HistoricalRecords

from core.validators import validate_bank_account, validate_org_number


class NetworkProfile(models.Model):
    """The network itself as invoices and documents name it: its name, legal entity and payment details."""

    name = models.CharField(_("network name"), max_length=200, default="DigiVestland")
    legal_name = models.CharField(
        _("legal entity"), max_length=200, help_text=_("The body that invoices, usually the host municipality.")
    )
    org_number = models.CharField(_("organisation number"), max_length=9, validators=[validate_org_number])
    in_foretaksregisteret = models.BooleanField(
        _("registered in Foretaksregisteret"), default=False, help_text=_("Municipalities usually are not.")
    )
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=4)
    city = models.CharField(_("postal town"), max_length=100)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    bank_account = models.CharField(_("bank account"), max_length=11, validators=[validate_bank_account])
    payment_terms_days = models.PositiveSmallIntegerField(_("days to pay"), default=30)
    vat_exemption_reason = models.CharField(
        _("why there is no VAT"),
        max_length=300,
        default="Medlemsbidraget er ikke omfattet av merverdiavgiftsloven (ikke avgiftspliktig omsetning).",
    )
    invoice_line_text = models.CharField(
        _("invoice line"),
        max_length=200,
        default="Medlemsbidrag {network} {year}",
        help_text=_("{network} and {year} are filled in."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("network profile")
        verbose_name_plural = _("network profile")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> NetworkProfile:
        profile = cls.objects.order_by("pk").first()
        if profile is None:
            raise NetworkProfile.DoesNotExist(
                "The network profile (legal entity, organisation number, bank account) is not set up; "
                "fill it in under Administration."
            )
        return profile


class ThrottleHit(models.Model):
    """One request of a rate-limited kind (a password reset, a signing code) by one address or one client.

    Only a digest of the address or IP is kept; rows older than a day are deleted as new ones come in."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="throttle_lookup")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]} {self.at:%Y-%m-%d %H:%M}"


class ProviderSignIn(Device):
    """A sign-in through an OpenID Connect provider (ID-porten, the host's own), with what the provider asserted.

    It is a django-otp device so that a sign-in whose provider asserted a second factor (`amr`) verifies the session
    as a code from an authenticator does (core.two_factor); no code is ever checked against it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_sign_ins", verbose_name=_("user")
    )
    provider = models.CharField(_("provider"), max_length=20)
    subject = models.CharField(_("subject at the provider"), max_length=255)
    acr = models.CharField(_("level"), max_length=100, blank=True)
    amr = models.CharField(_("methods"), max_length=200, blank=True)
    authenticated_at = models.DateTimeField(_("authenticated"), null=True, blank=True)
    second_factor = models.BooleanField(_("second factor asserted"), default=False)
    at = models.DateTimeField(_("signed in"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in through a provider")
        verbose_name_plural = _("sign-ins through a provider")

    def verify_token(self, token: object) -> bool:
        return False  # the provider verified the person; there is nothing to type here


class PageGeneration(models.Model):
    """A number raised whenever data some cached pages show changes; pages cached under an older number are stale."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    number = models.PositiveBigIntegerField(_("number"), default=0)

    class Meta:
        verbose_name = _("page generation")
        verbose_name_plural = _("page generations")

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class MailOptOut(models.Model):
    """A mail a person chose not to get (core.mail_preferences lists which can be chosen); mails the law or the
    person's own account needs are always sent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_opt_outs", verbose_name=_("user")
    )
    topic = models.CharField(_("mail"), max_length=20)
    at = models.DateTimeField(_("chosen"), auto_now_add=True)

    class Meta:
        verbose_name = _("mail not wanted")
        verbose_name_plural = _("mails not wanted")
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="one_opt_out_per_user_and_mail")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.topic}"
