from decimal import Decimal

import pytest

from core.formatting import format_nok


@pytest.mark.parametrize(
    ("value", "language", "decimals", "text"),
    [
        (Decimal("133820"), "nb", 0, "kr\xa0133\xa0820"),
        (Decimal("133820"), "en", 0, "NOK\xa0133,820"),
        (Decimal("500000.5"), "nb", 0, "kr\xa0500\xa0001"),
        (Decimal("1817.44"), "nb", 2, "kr\xa01\xa0817,44"),
        (Decimal("-60000"), "nb", 0, "kr\xa0-60\xa0000"),
        (0, "nb", 0, "kr\xa00"),
    ],
)
def test_format_nok(value, language, decimals, text):
    assert format_nok(value, language=language, decimals=decimals) == text
