"""Form widgets the portal's pages share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


class PlainSelect(forms.Select):
    """A single select whose options are written in Python instead of a template each.

    Django's Select renders every option through its own template (attributes included); with a list of the
    network's organisations (hundreds of options) that took most of a page's time. The HTML is the same as the
    Select's for what the portal uses: options and one level of option groups, the chosen value selected.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        chosen = set(self.format_value(value))
        parts = [f"<select{flatatt(final_attrs)}>"]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # a group: (group label, [(value, label), ...])
                parts.append(f'<optgroup label="{escape(option_value)}">')
                parts.extend(self._option(sub_value, sub_label, chosen) for sub_value, sub_label in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value and label is escaped above)

    @staticmethod
    def _option(value: Any, label: Any, chosen: set[str]) -> str:
        text = "" if value is None else str(value)
        selected = " selected" if text in chosen else ""
        return f'<option value="{escape(text)}"{selected}>{escape(label)}</option>'
