"""One helper builds every email from templates/emails/<name>-subject.txt, -body.txt and -body.html.

A message is built at once (from the state the transaction sees) and sent only when the transaction that asked for it
commits, so a rollback sends nothing; outside a transaction it is sent at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def send_templated(
    name: str,
    context: dict[str, Any],
    to: Sequence[str],
    attachments: Sequence[tuple[str, bytes, str]] = (),
    language: str = "nb",
    *,
    topic: str | None = None,
    always_to: Sequence[str] = (),
) -> EmailMultiAlternatives | None:
    """Build the message and send it after the current transaction commits; returns the message.

    An optional mail names its `topic` (core.mail_preferences.MailTopic): it goes only to those of `to` who have not
    chosen to go without it, and to `always_to` regardless (the invoice address); with nobody left nothing is sent."""
    if topic is not None:
        from core.mail_preferences import wanted

        to = list(dict.fromkeys([*always_to, *wanted(topic, [a for a in to if a not in always_to])]))
        if not to:
            return None
    # Letters to member organisations are Norwegian documents, whatever language the sender uses.
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, list(to))
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    transaction.on_commit(message.send)
    return message
