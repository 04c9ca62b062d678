"""Path converters for numbers in URLs, bounded so that a number outside what may be stored finds no page (404)
rather than reaching a service or the database. (Ids need none: Django finds no row for an id beyond the
column's range.)"""

from django.urls import register_converter

from core.validators import EARLIEST_YEAR, LATEST_YEAR


class YearConverter:
    """A year within the years people may enter (core.validators)."""

    regex = "[0-9]{1,4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise ValueError(f"{year} is outside {EARLIEST_YEAR}..{LATEST_YEAR}")
        return year

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    register_converter(YearConverter, "year")
