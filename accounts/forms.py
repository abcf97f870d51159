"""Portal forms of accounts. They render fields and carry errors; the rules are the API's.

Each form validates its data with the same `InputSerializer` the matching API endpoint uses (`apis.py`), so a
field is accepted or refused with the same rule and the same message on both surfaces. Only what exists on the
web alone (repeating a new password) is checked here.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ccpro import errors

from . import apis
from .models import User


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → {"address.country": ["…"]}."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and detail and all(not isinstance(item, dict | list) for item in detail):
        return {prefix or "__all__": [str(item) for item in detail]}
    if isinstance(detail, list):
        flat = {}
        for item in detail:
            flat.update(_flatten(item, prefix))
        return flat
    return {prefix or "__all__": [str(detail)]}


class AccessibleForm(forms.Form):
    """Ties each input to its help text and errors (aria-describedby, aria-invalid) as
    `templates/portal/includes/field.html` renders them."""

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            ids = [f"{bound.auto_id}-help"] if field.help_text else []
            ids += [f"{bound.auto_id}-error-{n}" for n in range(1, len(self.errors.get(name, [])) + 1)]
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-help"


class ContractForm(AccessibleForm):
    """A form whose rules are an API `InputSerializer`.

    `input_serializer` is the serializer class; `contract_fields` maps the serializer's field paths to this
    form's field names (a path not listed, or not a form field, lands in the non-field errors)."""

    input_serializer = None
    contract_fields: dict[str, str] = {}

    def contract_data(self, cleaned: dict) -> dict:
        """The request body the API would receive for this form."""
        data: dict = {}
        for path, name in self.contract_fields.items():
            value = cleaned.get(name)
            if value in (None, ""):
                continue
            target = data
            *parents, leaf = path.split(".")
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value
        return data

    def clean(self):
        cleaned = super().clean()
        serializer = self.input_serializer(data=self.contract_data(cleaned))
        if serializer.is_valid():
            self.validated = serializer.validated_data
        else:
            self.validated = None
            for path, messages in _flatten(serializer.errors).items():
                self.add_contract_error(path, messages)
        return cleaned

    def add_contract_error(self, path: str, messages: list[str]) -> None:
        name = self.contract_fields.get(path)
        for message in messages:
            self.add_error(name if name in self.fields else None, message)

    def add_domain_error(self, error: errors.DomainError) -> None:
        """Show a refusal of a service: its field errors next to their fields, otherwise its message on top."""
        if error.errors:
            for path, messages in _flatten(error.errors).items():
                self.add_contract_error(path, messages)
        else:
            self.add_error(None, error.message)


def _text(**attrs):
    return forms.TextInput(attrs=attrs)


def _password(autocomplete: str):
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


class NewPasswordMixin:
    """Typing the new password twice is a web-only safeguard; the password rules are the API's."""

    def clean(self):
        cleaned = super().clean()
        password, confirmation = cleaned.get("password"), cleaned.get("password_confirmation")
        if password and confirmation is not None and password != confirmation:
            self.add_error("password_confirmation", _("The password confirmation does not match."))
        return cleaned


# Fields are not `required` here: the serializer words every missing value the way the API does.


class SignUpForm(NewPasswordMixin, ContractForm):
    input_serializer = apis.UserCreateInput
    contract_fields = {
        "firstName": "first_name",
        "lastName": "last_name",
        "email": "email",
        "dateOfBirth": "date_of_birth",
        "phone": "phone",
        "address.country": "country",
        "password": "password",
    }

    first_name = forms.CharField(label=_("First name"), required=False, widget=_text(autocomplete="given-name"))
    last_name = forms.CharField(label=_("Last name"), required=False, widget=_text(autocomplete="family-name"))
    email = forms.CharField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        help_text=_("You must be at least 18 years old."),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        widget=_text(autocomplete="tel", inputmode="numeric"),
        help_text=_("Digits only, with the country code, e.g. 40721234567."),
    )
    country = forms.ChoiceField(label=_("Country of residence (optional)"), required=False, choices=())
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=_password("new-password"),
        help_text=_("At least 8 characters."),
    )
    password_confirmation = forms.CharField(
        label=_("Repeat the password"), required=False, strip=False, widget=_password("new-password")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        countries = apis.selectors.country_list()
        self.fields["country"].choices = [("", "—")] + [(c["code"], c["name"]) for c in countries]


class LoginForm(ContractForm):
    input_serializer = apis.AuthenticateInput
    contract_fields = {"email": "email", "password": "password"}

    email = forms.CharField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(label=_("Password"), required=False, strip=False, widget=_password("current-password"))


class EmailVerifyForm(ContractForm):
    input_serializer = apis.EmailVerifyInput
    contract_fields = {"email": "email", "code": "code"}

    email = forms.CharField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    code = forms.CharField(
        label=_("Verification code"),
        required=False,
        widget=_text(autocomplete="one-time-code", autocapitalize="characters", spellcheck="false"),
        help_text=_("The 6 characters we emailed you."),
    )


class EmailReverifyForm(ContractForm):
    input_serializer = apis.EmailOrIdInput
    contract_fields = {"email": "email"}

    email = forms.CharField(required=False, widget=forms.HiddenInput)


class ForgotPasswordForm(ContractForm):
    input_serializer = apis.ForgotPasswordInput
    contract_fields = {"email": "email"}

    email = forms.CharField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class ResetPasswordForm(NewPasswordMixin, ContractForm):
    input_serializer = apis.ResetPasswordInput
    contract_fields = {"email": "email", "token": "token", "password": "password"}

    email = forms.CharField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    token = forms.CharField(
        label=_("Reset code"), required=False, widget=_text(autocomplete="one-time-code", spellcheck="false")
    )
    password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=_password("new-password"),
        help_text=_("At least 8 characters."),
    )
    password_confirmation = forms.CharField(
        label=_("Repeat the new password"), required=False, strip=False, widget=_password("new-password")
    )


class PasswordChangeForm(NewPasswordMixin, ContractForm):
    input_serializer = apis.ChangePasswordInput
    contract_fields = {"current_password": "current_password", "new_password": "password"}

    current_password = forms.CharField(
        label=_("Current password"), required=False, strip=False, widget=_password("current-password")
    )
    password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=_password("new-password"),
        help_text=_("At least 8 characters. Your other sessions and API tokens are signed out."),
    )
    password_confirmation = forms.CharField(
        label=_("Repeat the new password"), required=False, strip=False, widget=_password("new-password")
    )


class AccessTokenRevokeForm(AccessibleForm):
    # The token as the listing shows it (masked); the service decides whether it is one of the caller's.
    token = forms.CharField(max_length=191, widget=forms.HiddenInput)


class AccountCloseForm(ContractForm):
    input_serializer = apis.PasswordInput
    contract_fields = {"password": "password"}

    password = forms.CharField(
        label=_("Confirm with your password"), required=False, strip=False, widget=_password("current-password")
    )


class OptionsForm(AccessibleForm):
    """The user's `options`. The values offered come from the model; `services.user_options_update` decides."""

    language = forms.CharField(label=_("Language"), required=False, widget=forms.Select)
    theme = forms.CharField(label=_("Theme"), required=False, widget=forms.Select)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].widget.choices = settings.LANGUAGES
        self.fields["theme"].widget.choices = [(User.Theme.LIGHT, _("Light")), (User.Theme.DARK, _("Dark"))]
