"""The one-page project status PDF (WeasyPrint), rendered by one function that the task and the view share."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.documents import html_to_pdf


def status_report_html(report) -> str:
    from portfolio import selectors

    initiative = report.initiative
    # Documents are in Bokmål whatever language the person who triggers the rendering uses.
    with translation.override("nb"):
        return render_to_string(
            "portfolio/pdf/status_report.html",
            {
                "report": report,
                "initiative": initiative,
                "participations": initiative.participations.select_related("organisation"),
                "funding": selectors.funding_summary(initiative),
                "benefits": selectors.benefits_with_latest(initiative),
                "network_name": settings.NETWORK_NAME,
                "logo": (settings.BASE_DIR / "static" / "img" / "logo.svg").read_text(encoding="utf-8"),
            },
        )


def status_report_pdf(report) -> bytes:
    return html_to_pdf(status_report_html(report))
