"""Case numbers per body and year (37/23): in order, without gaps or duplicates, also under concurrency."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from governance import services
from governance.models import Body, Case, CaseCounter
from tests.governance.world import steering_group


def _case(body, year, title="Sak"):
    return services.case_create(body=body, year=year, title=title, proposed_decision="Vedtas.")


@pytest.mark.django_db
def test_each_body_and_year_has_its_own_series(personas):
    body = steering_group(personas)
    other = Body.objects.create(name="Representantskapet", kind="council", mandate="-", decision_rule="majority")
    assert _case(other, 2026).number == 1
    first, second = _case(body, 2026), _case(body, 2026)
    next_year = _case(body, 2027)
    assert (first.number, second.number, next_year.number) == (1, 2, 1)
    assert first.reference == "1/26"
    assert next_year.reference == "1/27"


@pytest.mark.django_db
def test_a_series_begun_elsewhere_continues_and_never_goes_back(personas):
    body = steering_group(personas)
    services.case_counter_continue(body=body, year=2023, last_number=36)
    assert _case(body, 2023).reference == "37/23"
    with pytest.raises(ValidationError, match="37/23 is already given"):
        services.case_counter_continue(body=body, year=2023, last_number=10)


@pytest.mark.django_db
def test_a_number_taken_in_a_transaction_that_fails_is_given_again(personas):
    body = steering_group(personas)
    _case(body, 2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        _case(body, 2026)
        raise RuntimeError("the surrounding work failed")
    assert _case(body, 2026).number == 2
    assert list(Case.objects.values_list("number", flat=True).order_by("number")) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_a_number_is_taken_only_inside_the_transaction_that_uses_it(personas):
    body = steering_group(personas)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.case_number_allocate(body=body, year=2030)
    with transaction.atomic():
        assert services.case_number_allocate(body=body, year=2030) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_exactly_one_to_n(personas):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    body = steering_group(personas)
    threads_count, per_thread = 8, 5
    barrier = threading.Barrier(threads_count)
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def register(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                case = _case(body, 2026, title=f"Sak fra tråd {worker}, nr. {n}")
                with lock:
                    numbers.append(case.number)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(worker,)) for worker in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    expected = list(range(1, threads_count * per_thread + 1))
    assert sorted(numbers) == expected
    assert sorted(Case.objects.filter(body=body, year=2026).values_list("number", flat=True)) == expected
    assert CaseCounter.objects.get(body=body, year=2026).last_number == threads_count * per_thread
