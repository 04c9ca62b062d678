"""Register the national identity number a person signs in with through ID-porten (only its keyed hash is kept).

The number is read from standard input (typed, or piped from a file), not from the command line, so it stays out of
shell history and the process list: `python manage.py register_identity direktor < number.txt`."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from members.models import User
from members.services import user_identity_register


class Command(BaseCommand):
    help = "Register a user's national identity number for ID-porten (read from standard input; empty removes it)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}")
        try:
            user = user_identity_register(user=user, national_identity_number=sys.stdin.readline().strip())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{username}: {'registered' if user.pid_hash else 'removed'}")
