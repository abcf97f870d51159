from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app with demo data has a `demo.seed()` returning lines to print; order follows dependencies.
DEMO_MODULES = [
    "accounts.demo",
    "accounts.instruments_demo",
    "notifications.demo",
    "trading.demo",
    "platforms.demo",
    "platforms.checkout_demo",
    "kyc.demo",
    "trading.transfer_demo",
    "trading.order_demo",
]


class Command(BaseCommand):
    help = "Create the demo data (idempotent) and print the credentials to sign in with."

    def handle(self, *args, **options):
        with transaction.atomic():
            lines = [line for module in DEMO_MODULES for line in import_module(module).seed()]
        self.stdout.write(self.style.SUCCESS("Demo data ready:"))
        for line in lines:
            self.stdout.write(f"  {line}")
