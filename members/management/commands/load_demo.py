from django.core.management.base import BaseCommand

from members.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Build (or refresh) a demo network from real municipal data; safe to run again."

    def handle(self, *args, **options):
        users = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is in place. Log in with:"))
        for spec in users:
            self.stdout.write(f"  {spec.username:<14} / {DEMO_PASSWORD}   {spec.title} ({spec.number})")
