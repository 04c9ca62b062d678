"""`consultation_reminders`: remind the members that have not answered a round whose deadline is near (the same
work as the daily beat task; running it twice sends nothing twice)."""

from django.core.management.base import BaseCommand

from governance.consultations import consultation_send_reminders


class Command(BaseCommand):
    help = "Remind, once per round, each member organisation that has not answered a round closing soon."

    def handle(self, *args, **options):
        reminded = consultation_send_reminders()
        self.stdout.write(f"{reminded} organisation(s) reminded.")
