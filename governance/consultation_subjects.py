"""The drafts a consultation round can be opened on, by kind, and what each member would pay under them.

The drafts live in the apps that keep them (contribution models and cost-sharing plans in funding, agreement texts
in members), and funding stands above governance: each app registers a source for its kind here (funding does so
in its AppConfig.ready), and the round keeps what the source gave when it was sent out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from governance.choices import ConsultationSubject


@dataclass(frozen=True)
class MemberAmount:
    organisation_id: int
    name: str
    amount: Decimal


@dataclass(frozen=True)
class Draft:
    """A draft as it is sent out: its title, its text, and what each member would pay (empty when not money)."""

    title: str
    text: str = ""
    amounts: list[MemberAmount] = field(default_factory=list)
    problem: str = ""  # why the amounts cannot be shown (missing population figures, ...)


@dataclass(frozen=True)
class Source:
    kind: str
    drafts: Callable[[], list[tuple[int, str]]]  # the drafts a round may be opened on: (id, label)
    draft: Callable[[int], Draft]  # one of them as it is sent out; LookupError when there is none by that id


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    _SOURCES[source.kind] = source


def source_for(kind: str) -> Source | None:
    """The source of drafts of `kind`, or None for a document that is only uploaded (a strategy)."""
    return _SOURCES.get(kind)


def draft_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every draft a round may be opened on, grouped by kind, as choices "kind:id"."""
    groups = []
    for kind, label in ConsultationSubject.choices:
        source = _SOURCES.get(kind)
        if source is not None:
            groups.append((str(label), [(f"{kind}:{pk}", name) for pk, name in source.drafts()]))
    return groups


def _agreement_drafts() -> list[tuple[int, str]]:
    from members.models import AgreementTemplate

    drafts = AgreementTemplate.objects.filter(published_at__isnull=True).order_by("-period_start", "-version")
    return [(template.pk, f"{template.title} (v{template.version})") for template in drafts]


def _agreement_draft(pk: int) -> Draft:
    from members.models import AgreementTemplate

    try:
        template = AgreementTemplate.objects.get(pk=pk, published_at__isnull=True)
    except AgreementTemplate.DoesNotExist:
        raise LookupError(pk) from None
    parts = [template.body, template.funding_appendix, template.organisation_appendix, template.statutes_appendix]
    return Draft(title=f"{template.title} (v{template.version})", text="\n\n".join(p for p in parts if p.strip()))


register(Source(ConsultationSubject.AGREEMENT, _agreement_drafts, _agreement_draft))
