"""Path converters for numbers in URLs, bounded so that a number no column can hold finds no page (404) rather
than reaching the database."""

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


class IdConverter:
    """A primary key: a positive number that fits PostgreSQL's bigint."""

    regex = "[0-9]{1,19}"
    largest = 2**63 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.largest:
            raise ValueError(f"{number} is beyond the largest id")
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    register_converter(YearConverter, "year")
    register_converter(IdConverter, "id")
