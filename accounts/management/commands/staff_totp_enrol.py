"""Enrol a staff member's admin second factor: `manage.py staff_totp_enrol EMAIL [--replace]`."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.staff_otp import staff_totp_enrol, totp_secret
from ccpro import errors


class Command(BaseCommand):
    help = (
        "Give a staff member a confirmed TOTP device for the admin and print its otpauth:// URI (scan it with an "
        "authenticator app) and secret. An existing device is shown again unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--replace", action="store_true", help="Drop the existing device(s) and make a new key.")

    def handle(self, *args, email, replace, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user {email}.")
        try:
            device = staff_totp_enrol(user=user, replace=replace)
        except errors.StateConflict as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"otpauth URI: {device.config_url}")
        self.stdout.write(f"secret: {totp_secret(device)}")
