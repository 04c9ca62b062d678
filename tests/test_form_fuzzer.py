"""Every form and list filter of the portal, fed odd values by hypothesis as a role that may use it.

The pages are those of the access matrix (tests/test_access_matrix.py, which walks the URLconf): each is fetched
as the first role the matrix lets in, and its <form> elements are read from the HTML. Each form is then submitted
with generated values (empty, huge, negative, NUL, far dates, unicode, lists for single values, over-long text,
odd files). No answer may be a server error, and a refused submission (4xx, or the form shown again with its
errors) leaves every table's row count as it was. Filters (GET forms) must never change a row.

Few examples per form keep the run short; with CI set, hypothesis is derandomized so every run tries the same
values.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django import forms as django_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import ContextList
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import ROLES, client_for
from tests.test_access_matrix import MATRIX, OK, world  # noqa: F401 (world is the fixture the pages need)

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FORM = 4
EXAMPLES_PER_FILTER = 2
# Besides the generated values, every form is tried with each of these in every field at once.
EVERY_FIELD = ["", "\x00", "9999-12-31", "0001-01-01T00:00", "99999999999", "²", "x" * 300]

# Tables that record the request rather than the data: sessions, and the login throttle's attempts.
NOT_DATA = {"django_session", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog"}

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "-0.01",
    "1.5",
    "2147483648",
    "-2147483649",
    "99999999999",
    "9223372036854775808",
    "1e309",
    "NaN",
    "-Infinity",
    "0001-01-01",
    "9999-12-31",
    "275760-09-13",
    "31.12.9999",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2026-02-30",
    "\x00",
    "4634\x00",
    "²",
    "١٢٣",
    "½",
    "Fjord & Fjell <b>",
    "Čáhcesuolu ŋ ŧ",
    "🙂" * 3,
    "' OR 1=1 --",
    "../../etc/passwd",
    "https://example.com/",
    "//example.com",
    "x" * 300,
    "9" * 60,
    "a" * 5000,
]


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "select-multiple" or "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    role: str
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.method, _pattern(self.action), tuple(sorted(self.fields)))

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.action} (from {self.page} as {self.role}; {sorted(self.fields)})"


class FormParser(HTMLParser):
    """The page's forms, their fields, the options of each select and the value each field starts with."""

    def __init__(self, page: str, role: str):
        super().__init__(convert_charrefs=True)
        self.page, self.role = page, role
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: Field | None = None
        self.option: str | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "form":
            action = urljoin(self.page, attributes.get("action") or self.page)
            self.current = Form(self.page, self.role, attributes.get("method", "get").lower(), action)
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        name = attributes.get("name")
        if tag in ("input", "button") and name and name != "csrfmiddlewaretoken":
            kind = attributes.get("type", "text" if tag == "input" else "submit").lower()
            existing = self.current.fields.get(name)
            if existing and kind in ("radio", "checkbox"):
                existing.options.append(attributes.get("value", "on"))
            else:
                self.current.fields[name] = Field(
                    name, kind, attributes.get("value", ""), [attributes.get("value", "on")]
                )
        elif tag == "select" and name:
            kind = "select-multiple" if "multiple" in attributes else "select"
            self.select = self.current.fields[name] = Field(name, kind)
        elif tag == "option" and self.select is not None:
            self.option = attributes.get("value")
            if self.option is not None:
                self.select.options.append(self.option)
        elif tag == "textarea" and name:
            self.textarea = self.current.fields[name] = Field(name, "textarea")

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        elif self.select is not None and self.option is None and data.strip():
            # <option> without a value sends its text
            self.select.options.append(data.strip())

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea":
            self.textarea = None


def _pattern(url: str) -> str:
    """The URL's path with its numbers as #, so the same form on two objects counts once."""
    path = urlsplit(url).path
    return "/".join("#" if part.isdigit() else part for part in path.split("/"))


def _pages(personas) -> list[tuple[str, str]]:
    """(url, role): each page of the matrix answered with 200, as a role that gets it."""
    pages = []
    for case in MATRIX:
        if case.method != "get":
            continue
        for which, expectations in case.expect.items():
            kwargs = dict(case.kwargs)
            if case.target is not None:
                kwargs.update(case.target(personas, which))
            url = reverse(case.name, kwargs=kwargs or None)
            allowed = [role for role in ROLES if expectations[role] == OK]
            # The first role let in, and a director where one is (the signing forms are the director's).
            pages += [(url, role) for role in allowed[:1] + [r for r in allowed[1:] if r == "director"]]
    return pages


def discover(client, personas) -> list[Form]:
    found: dict[tuple, Form] = {}
    for url, role in _pages(personas):
        client.logout()
        response = client_for(client, personas, role).get(url)
        assert response.status_code == OK, f"{url} as {role}: {response.status_code}"
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = FormParser(url, role)
        parser.feed(response.content.decode())
        for form in parser.forms:
            if urlsplit(form.action).netloc not in ("", "testserver"):
                continue
            found.setdefault(form.key, form)
    return list(found.values())


def _file_contents() -> st.SearchStrategy[bytes]:
    rows = st.lists(st.sampled_from(NASTY), min_size=1, max_size=5).map(",".join)
    headers = st.sampled_from(
        [
            "kommunenummer,name,county,population,population_date",
            "date,amount,kid,reference",
            "",
        ]
    )
    csv_file = st.builds(lambda head, lines: "\n".join([head, *lines]).encode(), headers, st.lists(rows, max_size=3))
    return st.one_of(
        csv_file,
        st.sampled_from([b"", b"\x00" * 16, b"%PDF-1.7\n%%EOF", b"PK\x03\x04", "æøå".encode("latin-1")]),
        st.binary(max_size=64),
    )


def _value(form_field: Field) -> st.SearchStrategy:
    if form_field.kind == "file":
        names = st.sampled_from(["file.csv", "file.pdf", "", "a" * 300 + ".csv", "../x.csv", "fil\x00.csv"])
        return st.builds(lambda name, content: SimpleUploadedFile(name or "x", content), names, _file_contents())
    choices = [option for option in form_field.options if option is not None]
    if form_field.value:
        choices.append(form_field.value)
    single = st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=20),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        *([st.sampled_from(choices)] if choices else []),
    )
    # Several values where one is expected, and one odd value where several are.
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


def _submission(form: Form) -> st.SearchStrategy[dict]:
    """Every field sometimes left out; the rest with a generated value."""
    return st.fixed_dictionaries({}, optional={name: _value(f) for name, f in form.fields.items()})


def row_counts() -> dict[str, int]:
    tables = [table for table in connection.introspection.table_names() if table not in NOT_DATA]
    query = " UNION ALL ".join(
        f"SELECT {i}, count(*) FROM {connection.ops.quote_name(table)}"  # noqa: S608 (names from the schema)
        for i, table in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return {tables[i]: count for i, count in cursor.fetchall()}


def refused(response) -> bool:
    """A 4xx, or the page shown again with a form that has errors."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code != 200 or response.context is None:
        return False
    contexts = response.context if isinstance(response.context, ContextList) else [response.context]
    for context in contexts:
        for value in context.flatten().values():
            if isinstance(value, django_forms.BaseForm) and value.is_bound and value.errors:
                return True
    return False


class _Undo(Exception):
    """Raised to roll back a submission's savepoint, so every example starts from the same world."""


FUZZ = settings(
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
    suppress_health_check=list(HealthCheck),
)

COVERED: dict[str, int] = {"submissions": 0}


def fuzz(client, personas, form: Form, examples: int) -> None:
    user_role = form.role

    def submit(data):
        user = personas.by_role(user_role)
        signed_in = client.session.get("_auth_user_id")
        if signed_in != (str(user.pk) if user else None):  # a login or logout form changed who is signed in
            client.logout()
            client_for(client, personas, user_role)
        with contextlib.suppress(_Undo), transaction.atomic():
            before = row_counts()
            send = client.post if form.method == "post" else client.get
            response = send(form.action, data)
            COVERED["submissions"] += 1
            assert response.status_code < 500, f"{form}: {response.status_code} for {data!r}"
            if form.method != "post" or refused(response):
                assert row_counts() == before, f"{form}: refused, yet rows changed for {data!r}"
            raise _Undo

    for value in EVERY_FIELD:
        submit = example(data=dict.fromkeys(form.fields, value))(submit)
    settings(FUZZ, max_examples=examples)(given(data=_submission(form))(submit))()


def test_no_form_or_filter_breaks_on_odd_input(client, world):  # noqa: F811
    forms = discover(client, world)
    posts = [form for form in forms if form.method == "post" and form.fields]
    filters = [form for form in forms if form.method == "get" and form.fields]
    failures = []
    for form, examples in [
        *((form, EXAMPLES_PER_FORM) for form in posts),
        *((f, EXAMPLES_PER_FILTER) for f in filters),
    ]:
        try:
            fuzz(client, world, form, examples)
        except Exception as error:  # every form is tried; all failures are reported together
            failures.append(f"{form}: {error!r}"[:2000])
    print(f"\nForm fuzzer: {len(posts)} forms, {len(filters)} filters, {COVERED['submissions']} submissions")
    assert not failures, "\n\n".join(failures)
    # The walk must keep finding the portal's forms (a broken parser would find none and pass).
    assert len(posts) >= 30 and len(filters) >= 5, (len(posts), len(filters))
