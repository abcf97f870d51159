"""The second factor staff need for the Django admin (TOTP through django-otp).

The admin site is `StaffOTPAdminSite`, django-otp's `OTPAdminSite` (set in ccpro/urls.py): a staff member
reaches an admin page only with a session verified by one of their confirmed TOTP devices, whose code is typed on
the admin login page next to the password. Devices are enrolled by an operator (`manage.py staff_totp_enrol
EMAIL`, which prints the otpauth:// URI to scan) or by a verified superuser in the admin (TOTP devices); nobody
enrols a device for themselves with a password only, so a stolen password alone never opens the admin.
"""

from base64 import b32encode
from binascii import unhexlify

from django.db import transaction
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from ccpro import errors

from .models import User

DEVICE_NAME = "Authenticator"


def totp_secret(device: TOTPDevice) -> str:
    """The device's key in base32, as authenticator apps take it typed in."""
    return b32encode(unhexlify(device.key)).decode()


@transaction.atomic
def staff_totp_enrol(*, user: User, replace: bool = False) -> TOTPDevice:
    """A confirmed TOTP device for a staff member. An existing device is kept (and returned) unless `replace`,
    which removes the staff member's TOTP devices and creates a new key (a lost phone)."""
    if not user.is_staff:
        raise errors.StateConflict("Only staff members get an admin second factor.")
    devices = TOTPDevice.objects.select_for_update().filter(user=user)
    if replace:
        devices.delete()
    else:
        existing = devices.filter(confirmed=True).order_by("pk").first()
        if existing is not None:
            return existing
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)


def staff_totp_demo_line(user: User) -> str:
    """For demo_seed: the staff member's TOTP secret and otpauth:// URI (a device is created when missing)."""
    device = staff_totp_enrol(user=user)
    return f"  admin second factor for {user.email}: TOTP secret {totp_secret(device)}  ({device.config_url})"


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form (email, password, code), where a staff member with one device need not pick
    it from the list first: the code is checked against that device (and only that one)."""

    def clean_otp(self, user):
        if user is not None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                self.cleaned_data["otp_device"] = devices[0].persistent_id
        return super().clean_otp(user)


class StaffOTPAdminSite(OTPAdminSite):
    """Only staff whose session was verified by one of their OTP devices reach any admin page."""

    login_form = StaffOTPAuthenticationForm
