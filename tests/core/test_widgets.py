"""core.widgets.PlainSelect writes the same HTML as Django's Select, without a template per option."""

from django import forms
from django.test.html import parse_html

from core.widgets import PlainSelect


class _Form(forms.Form):
    colour = forms.ChoiceField(
        choices=[("", "All colours"), ("red", "Red & <b>"), ("Groups", [("g1", "Green"), ("g2", "Grey")])],
        required=False,
    )


def _both(data):
    plain = _Form(data)
    plain.fields["colour"].widget = PlainSelect(choices=plain.fields["colour"].choices, attrs={"class": "form-select"})
    django = _Form(data)
    django.fields["colour"].widget = forms.Select(
        choices=django.fields["colour"].choices, attrs={"class": "form-select"}
    )
    return str(plain["colour"]), str(django["colour"])


def test_the_plain_select_renders_as_django_does_with_the_choice_selected_and_labels_escaped():
    for data in ({}, {"colour": "red"}, {"colour": "g2"}):
        plain, django = _both(data)
        assert parse_html(plain) == parse_html(django), (plain, django)
    plain, _ = _both({"colour": "g2"})
    assert '<option value="g2" selected>Grey</option>' in plain
    assert "Red &amp; &lt;b&gt;" in plain and "<b>" not in plain
