"""Which mails a person may choose not to get, and the one check every optional mail passes (core.emails).

A mail is optional when it tells of something the person can also find in the portal (a consultation opened, board
documents out, a copy of an invoice, an agreement waiting for a signature, a message from the secretariat). Mails the
law or the person's own account needs go always: the invoice to the organisation's invoice address, reminders of
unpaid invoices, signing codes, password resets and the welcome that opens an account."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from core.models import MailOptOut


class MailTopic(TextChoices):
    CONSULTATION = "consultation", _("A consultation is opened")
    BOARD_DOCUMENTS = "board_documents", _("Notices and minutes of the bodies I sit in")
    INVOICE = "invoice", _("A copy of each invoice issued to my organisation")
    AGREEMENT = "agreement", _("An agreement waiting for my signature")
    MESSAGE = "message", _("Messages from the secretariat")


# Shown on the preferences page as always sent, with why.
ALWAYS_SENT = (
    _("The invoice itself, to the organisation's invoice address, and reminders of unpaid invoices"),
    _("Signing codes when you sign an agreement"),
    _("Password reset links and the welcome that opens your account"),
    _("The answer to an idea or need you submitted"),
)


def wanted(topic: str, addresses: Iterable[str]) -> list[str]:
    """`addresses` without those of people who chose not to get mails of `topic` (addresses of no person stay)."""
    if topic not in MailTopic.values:
        raise ValueError(f"Unknown mail topic {topic!r}: add it to MailTopic")
    addresses = list(dict.fromkeys(addresses))
    lowered = {address.lower() for address in addresses}
    declined = {
        email.lower()
        for email in MailOptOut.objects.filter(topic=topic).values_list("user__email", flat=True)
        if email and email.lower() in lowered
    }
    return [address for address in addresses if address.lower() not in declined]


def topics_declined(user: Any) -> set[str]:
    return set(MailOptOut.objects.filter(user=user).values_list("topic", flat=True))


@transaction.atomic
def mail_preferences_set(*, user: Any, declined: Sequence[str]) -> set[str]:
    """Keep the mails `user` chose not to get: exactly the topics in `declined`."""
    unknown = set(declined) - set(MailTopic.values)
    if unknown:
        raise ValueError(f"Unknown mail topics: {sorted(unknown)}")
    MailOptOut.objects.filter(user=user).exclude(topic__in=list(declined)).delete()
    for topic in declined:
        MailOptOut.objects.get_or_create(user=user, topic=topic)
    return topics_declined(user)
