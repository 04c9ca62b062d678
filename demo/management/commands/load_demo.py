from django.core.management.base import BaseCommand
from django.db import transaction

from demo.agreements import load_demo as load_agreements_demo
from demo.annual import load_demo as load_annual_demo
from demo.consultations import load_demo as load_consultations_demo
from demo.funding import load_catalogue_demo, load_settlement_demo, load_sharing_demo
from demo.funding import load_demo as load_funding_demo
from demo.governance import load_demo as load_governance_demo
from demo.members import DEMO_PASSWORD, DEMO_TOTP_SECRET
from demo.members import load_demo as load_members_demo
from demo.portfolio import load_demo as load_portfolio_demo


class Command(BaseCommand):
    help = "Build (or refresh) a demo network from real municipal data; safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = load_members_demo()
            load_funding_demo()
            load_agreements_demo()
            load_portfolio_demo()
            # Governance: bodies, the steering group's meetings and a steering-group member's login
            users = [*users, load_governance_demo()]
            # A project's cost-sharing plan: after the portfolio, whose initiative it belongs to.
            load_sharing_demo()
            # An open consultation round on the draft 2027 contribution model, with the case that will decide it.
            load_consultations_demo()
            # Its actual cost and the year's settlement: credit notes of part of each share's invoice.
            load_settlement_demo()
            # The network's year: the annual cycle, the 2025 accounts and the approved 2025 annual report
            load_annual_demo()
            # A service ordered and invoiced; a one-off contribution and the solution open to its contributors (last:
            # its invoices are dated today, after every other invoice the demo issues)
            load_catalogue_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is in place. Log in with:"))
        for spec in users:
            self.stdout.write(f"  {spec.username:<14} / {DEMO_PASSWORD}   {spec.title} ({spec.number})")
        # The secretariat's second login step: a code from an authenticator app holding the demo key.
        self.stdout.write(
            f"Secretariat accounts then ask for a code: add the key {DEMO_TOTP_SECRET} to an authenticator app "
            "(TOTP, 6 digits, 30 seconds)."
        )
