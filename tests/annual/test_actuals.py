"""Budget against actuals: figures entered or imported from the host's accounts (whole or not at all, every bad
line named), with the deviation in kroner and per cent."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from annual import selectors, services
from annual.actuals_file import ActualsFileError, parse_actuals, parse_amount
from annual.models import BudgetActual

GOOD = b"year;line;amount\n2025;staff;10 412 350,00\n2025;grants;2600000\n2025;other_income;45000.50\n"


def test_a_good_file_is_read_with_norwegian_and_plain_amounts():
    rows = parse_actuals(b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n"))
    assert [(r.year, r.line, r.amount) for r in rows] == [
        (2025, "staff", Decimal("10412350.00")),
        (2025, "grants", Decimal("2600000.00")),
        (2025, "other_income", Decimal("45000.50")),
    ]


def test_a_bad_file_names_every_bad_line_and_column():
    content = (
        b"year,line,amount\n2025,staff,100\n20x5,staff,100\n2025,coffee,100\n"
        b"2025,grants,-5\n2025,staff,200\n2025,grants\n"
    )
    with pytest.raises(ActualsFileError) as refused:
        parse_actuals(content)
    assert refused.value.errors == [
        "Line 3, year: '20x5' is not a year.",
        "Line 4, line: 'coffee' is not a budget line "
        "(contributions, grants, host_in_kind, other_costs, other_income, projects, staff).",
        "Line 5, amount: '-5' is not an amount in kroner.",
        "Line 6: staff 2025 is also on line 2.",
        "Line 7: expected 3 columns, found 2.",
    ]
    with pytest.raises(ActualsFileError, match="Line 1: the columns"):
        parse_actuals(b"aar;post;belop\n2025;staff;1\n")
    with pytest.raises(ActualsFileError, match="UTF-8"):
        parse_actuals("year;line;amount\n2025;staff;1 000\n".encode("utf-16"))


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_amounts_read_back_in_every_way_the_accounts_write_them(amount):
    plain = f"{amount:.2f}"
    norwegian = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    assert parse_amount(plain) == parse_amount(norwegian) == amount


@pytest.mark.django_db
def test_an_import_is_whole_or_nothing(personas):
    services.actuals_save(year=2025, values={"staff": Decimal(1)})
    with pytest.raises(ActualsFileError):
        services.actuals_import(content=GOOD + b"2025;coffee;1\n")
    assert list(BudgetActual.objects.values_list("line", "amount")) == [("staff", Decimal("1.00"))]
    assert len(services.actuals_import(content=GOOD)) == 3
    assert BudgetActual.objects.get(year=2025, line="staff").amount == Decimal("10412350.00")


@pytest.mark.django_db
def test_deviations_in_kroner_and_per_cent(client, personas):
    from funding.services import budget_save

    budget_save(year=2025, staff_costs=Decimal(10600000), grant_income=Decimal(2600000))
    services.actuals_import(content=GOOD)
    rows = {row.line: row for row in selectors.actual_rows(year=2025)}
    assert rows["staff"].deviation == Decimal("-187650.00")
    assert rows["staff"].deviation_percent == Decimal("-1.8")
    assert rows["grants"].deviation_percent == Decimal("0.0")
    assert rows["projects"].actual is None and rows["projects"].deviation is None
    assert rows["other_income"].deviation_percent is None  # nothing budgeted: no per cent
    client.force_login(personas.finance)
    page = client.get(reverse("annual:actuals", kwargs={"year": 2025})).content.decode()
    assert "-1.8 %" in page and "<form" not in page.split('id="actuals"')[1]


@pytest.mark.django_db
def test_the_secretariat_enters_and_imports_figures_on_the_pages(client, personas):
    client.force_login(personas.secretariat)
    url = reverse("annual:actuals", kwargs={"year": 2025})
    response = client.post(url, {"staff": "1000", "projects": ""})
    assert response.status_code == 302
    assert list(BudgetActual.objects.values_list("line", "amount")) == [("staff", Decimal("1000.00"))]
    bad = SimpleUploadedFile("regnskap.csv", GOOD + b"2025;staff;2\n", content_type="text/csv")
    page = client.post(reverse("annual:actuals_import"), {"file": bad}).content.decode()
    assert "Line 5: staff 2025 is also on line 2." in page and "Nothing was saved" in page
    assert BudgetActual.objects.count() == 1
    good = SimpleUploadedFile("regnskap.csv", GOOD, content_type="text/csv")
    response = client.post(reverse("annual:actuals_import"), {"file": good})
    assert response.status_code == 302 and response.url == url
    assert BudgetActual.objects.count() == 3
