"""A person's national identity number for ID-porten: kept only as a keyed hash, checked, never twice."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from core import oidc
from members.models import User
from members.services import user_identity_register
from tests.oidc_provider import national_identity_number

pytestmark = pytest.mark.django_db


def test_only_the_keyed_hash_is_kept_also_in_the_history(personas):
    number = national_identity_number(3)
    user = user_identity_register(user=personas.director, national_identity_number=f" {number[:6]} {number[6:]} ")
    assert user.pid_hash == oidc.identity_hash(number)
    stored = [str(value) for row in User.history.filter(pk=user.pk).values() for value in row.values()]
    stored += [str(value) for value in User.objects.filter(pk=user.pk).values().get().values()]
    assert not any(number in value for value in stored)


# Too short, too long, not digits, and eleven digits whose last check digit is wrong (01018100157 is right).
@pytest.mark.parametrize("number", ["1234567890", "123456789012", "0101810015x", "01018100158"])
def test_a_number_that_is_not_one_is_refused(personas, number):
    with pytest.raises(ValidationError):
        user_identity_register(user=personas.director, national_identity_number=number)
    assert User.objects.get(pk=personas.director.pk).pid_hash is None


def test_one_number_one_account_and_an_empty_number_removes_it(personas):
    number = national_identity_number(4)
    user_identity_register(user=personas.director, national_identity_number=number)
    with pytest.raises(ValidationError, match="Another account"):
        user_identity_register(user=personas.outsider, national_identity_number=number)
    assert user_identity_register(user=personas.director, national_identity_number="").pid_hash is None


def test_the_command_reads_the_number_from_standard_input(personas, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(national_identity_number(5) + "\n"))
    out = io.StringIO()
    call_command("register_identity", personas.director.username, stdout=out)
    assert "registered" in out.getvalue()
    assert User.objects.get(pk=personas.director.pk).pid_hash == oidc.identity_hash(national_identity_number(5))
    monkeypatch.setattr("sys.stdin", io.StringIO("12345\n"))
    with pytest.raises(CommandError, match="11 digits"):
        call_command("register_identity", personas.director.username)
