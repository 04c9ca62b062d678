"""Norwegian presentation of money and numbers, independent of templates."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\xa0"


def group_thousands(value: int | Decimal, *, separator: str) -> str:
    sign = "-" if value < 0 else ""
    digits = f"{abs(int(value))}"
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + separator.join(groups or ["0"])


def format_nok(value: Decimal | int | None, *, language: str = "nb", decimals: int = 0) -> str:
    """`kr 133 820` in Norwegian, `NOK 133,820` in English; decimals only when asked for."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole = group_thousands(int(amount), separator=NBSP if language == "nb" else ",")
    if amount < 0 and int(amount) == 0:
        whole = "-" + whole
    if decimals:
        fraction = f"{abs(amount) % 1:.{decimals}f}"[2:]
        whole += ("," if language == "nb" else ".") + fraction
    return f"kr{NBSP}{whole}" if language == "nb" else f"NOK{NBSP}{whole}"


def text_paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs that flow: blank lines separate paragraphs, a line break inside a
    paragraph is a space (texts are often wrapped by hand), a paragraph's first line starting with "§" is its
    heading, and lines starting with "- " or "• " are list items. Every piece of text in the result is escaped."""
    from django.utils.html import escape

    parts: list[str] = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines and lines[0].startswith("§"):
            parts.append(f"<h3>{escape(lines.pop(0))}</h3>")
        # Runs of prose lines and of list items, in order: ("p", [lines]) or ("ul", [items]).
        runs: list[tuple[str, list[str]]] = []
        for line in lines:
            if line[:2] in ("- ", "• "):
                if runs and runs[-1][0] == "ul":
                    runs[-1][1].append(line[2:].strip())
                else:
                    runs.append(("ul", [line[2:].strip()]))
            elif runs and runs[-1][0] == "ul" and line[:1].islower():
                runs[-1][1][-1] += " " + line  # a list item wrapped onto the next line
            elif runs and runs[-1][0] == "p":
                runs[-1][1].append(line)
            else:
                runs.append(("p", [line]))
        for kind, content in runs:
            if kind == "p":
                parts.append(f"<p>{escape(' '.join(content))}</p>")
            else:
                parts.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in content) + "</ul>")
    return "\n".join(parts)
