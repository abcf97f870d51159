"""Portal pages of accounts: sign up, verify, sign in/out, passwords, security, account closing.

Thin like `apis.py`: a form validates with the API's input rules, one service or selector does the work, a
refusal (domain error) is shown next to its field or on top of the form. Sessions use Django's login() with
CSRF protection; the sign-in limits are the API's (`services.user_credentials_check`).
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ccpro import errors
from ccpro.api.request import client_ip
from ccpro.portal import login_required

from . import forms, selectors, services
from .models import SecurityEvent, User

# The account created by this browser session: verifying its email signs this session in.
SIGNUP_SESSION_KEY = "portal_signup_user"


def _verify_url(email: str) -> str:
    return f"{reverse('accounts:verify-email')}?{urlencode({'email': email})}"


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


def _anonymous_only(view):
    """Sign-up and sign-in pages send an already signed-in user to the dashboard."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("portal-dashboard")
        return view(request, *args, **kwargs)

    return wrapped


# --- Sign up and email verification ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_anonymous_only
def signup(request):
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.validated
        language = translation.get_language() or "en"
        try:
            user = services.user_register(
                email=data["email"],
                password=data.get("password"),
                first_name=data["firstName"],
                last_name=data["lastName"],
                date_of_birth=data["dateOfBirth"],
                phone=data.get("phone", ""),
                address=data.get("address"),
                source=User.Source.PORTAL,
                language=language[:2] if language[:2] in User.Language.values else User.Language.EN,
            )
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            request.session[SIGNUP_SESSION_KEY] = str(user.pk)
            messages.success(request, _("Your account is open. We emailed you a code to verify your address."))
            return redirect(_verify_url(user.email))
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify_email(request):
    """The code form; the mailed link (`?email=&code=`) opens it filled in, one click confirms."""
    if request.method == "POST":
        form = forms.EmailVerifyForm(request.POST)
        if form.is_valid():
            try:
                user = services.user_email_verify(
                    code=form.validated["code"], email=form.validated["email"], ip=client_ip(request)
                )
            except errors.DomainError as error:
                if isinstance(error, errors.Locked):  # already verified
                    messages.info(request, _("This email address is already verified. Sign in to continue."))
                    return redirect("accounts:login")
                form.add_domain_error(error)
            else:
                return _after_verification(request, user)
    else:
        form = forms.EmailVerifyForm(
            initial={"email": request.GET.get("email", ""), "code": request.GET.get("code", "")}
        )
    return render(request, "accounts/verify_email.html", {"form": form})


def _after_verification(request, user: User):
    if request.session.get(SIGNUP_SESSION_KEY) == str(user.pk):
        # This browser opened the account a moment ago with its password: sign it in.
        del request.session[SIGNUP_SESSION_KEY]
        login(request, user)
        services.security_event_record(user=user, code=SecurityEvent.Code.LOGIN_SUCCESS, ip=client_ip(request))
        messages.success(request, _("Your email address is verified. Welcome to CCPro."))
        return redirect("portal-dashboard")
    messages.success(request, _("Your email address is verified. Sign in to continue."))
    return redirect(f"{reverse('accounts:login')}?{urlencode({'email': user.email})}")


@require_POST
def verify_email_resend(request):
    form = forms.EmailReverifyForm(request.POST)
    email = request.POST.get("email", "")
    if form.is_valid():
        try:
            services.user_email_reverify(email=form.validated["email"], ip=client_ip(request))
        except errors.DomainError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(request, _("We emailed you a new verification code."))
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect(_verify_url(email))


def _messages_of(error: errors.DomainError) -> list[str]:
    if error.errors:
        return [message for field_errors in error.errors.values() for message in field_errors]
    return [error.message]


# --- Sign in and out -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_anonymous_only
def login_view(request):
    form = forms.LoginForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_session_login(
                email=form.validated["email"], password=form.validated["password"], ip=client_ip(request)
            )
        except errors.AccountInactive:
            # The password was right; the account is not verified yet (or was deactivated by staff).
            messages.warning(
                request,
                _(
                    "Your account is inactive. If you have not verified your email address yet, "
                    "enter the code we emailed you."
                ),
            )
            return redirect(_verify_url(form.validated["email"]))
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            login(request, user)
            return redirect(_safe_next(request) or "portal-dashboard")
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request) or ""})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.user_logout(user=request.user, token=None, ip=client_ip(request))
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


# --- Forgotten password ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def forgot_password(request):
    form = forms.ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_forgot(email=form.validated["email"], as_link=True, ip=client_ip(request))
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            ttl_minutes = int(settings.PASSWORD_RESET_TTL.total_seconds() // 60)
            context = {"email": form.validated["email"], "ttl_minutes": ttl_minutes}
            return render(request, "accounts/forgot_password_sent.html", context)
    return render(request, "accounts/forgot_password.html", {"form": form})


@require_http_methods(["GET", "POST"])
def reset_password(request):
    """The mailed link (`?email=&token=`) opens this form filled in; the user chooses the new password."""
    if request.method == "POST":
        form = forms.ResetPasswordForm(request.POST)
        if form.is_valid():
            try:
                services.password_reset(
                    email=form.validated["email"],
                    token=form.validated["token"],
                    password=form.validated["password"],
                    ip=client_ip(request),
                )
            except errors.DomainError as error:
                form.add_domain_error(error)
            else:
                if request.user.is_authenticated:
                    logout(request)
                messages.success(request, _("Your password has been changed. Sign in with the new one."))
                return redirect(f"{reverse('accounts:login')}?{urlencode({'email': form.validated['email']})}")
    else:
        form = forms.ResetPasswordForm(
            initial={"email": request.GET.get("email", ""), "token": request.GET.get("token", "")}
        )
    return render(request, "accounts/reset_password.html", {"form": form})


# --- Security: log, tokens, password ---------------------------------------------------------------


def _security_page(request, *, password_form=None, status=200):
    context = {
        "nav": "security",
        "events": selectors.security_event_list(user=request.user),
        "tokens": selectors.access_token_list(user=request.user),
        "password_form": password_form or forms.PasswordChangeForm(),
    }
    return render(request, "accounts/security.html", context, status=status)


@require_GET
@login_required
def security(request):
    return _security_page(request)


@require_POST
@login_required
def password_change(request):
    form = forms.PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.password_change(
                user=request.user,
                current_password=form.validated["current_password"],
                new_password=form.validated["new_password"],
                current_token=None,
                ip=client_ip(request),
            )
        except errors.DomainError as error:
            if isinstance(error, errors.PreconditionFailed):  # the current password is wrong
                form.add_error("current_password", error.message)
            else:
                form.add_domain_error(error)
        else:
            # This session stays signed in; other sessions end (Django checks the password hash) and the
            # service revoked every API token.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:security")
    return _security_page(request, password_form=form, status=422)


@require_POST
@login_required
def token_revoke(request):
    form = forms.AccessTokenRevokeForm(request.POST)
    if form.is_valid():
        try:
            services.access_token_invalidate(
                user=request.user, token_reference=form.cleaned_data["token"], ip=client_ip(request)
            )
        except errors.DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The access token has been revoked."))
    else:
        messages.error(request, _("This action is unauthorized."))
    return redirect(f"{reverse('accounts:security')}#tokens")


# --- Account closing -------------------------------------------------------------------------------


def _close_page(request, *, form=None, status=200):
    user = request.user
    close_on = user.self_deleted_at + settings.SELF_DELETE_GRACE_PERIOD if user.self_deleted_at else None
    context = {
        "nav": "account",
        "form": form or forms.AccountCloseForm(),
        "close_on": close_on,
        "grace_days": settings.SELF_DELETE_GRACE_PERIOD.days,
        "options_form": forms.OptionsForm(initial={"language": user.language, "theme": user.theme}),
    }
    return render(request, "accounts/account_close.html", context, status=status)


@require_GET
@login_required
def account_close(request):
    return _close_page(request)


@require_POST
@login_required
def account_close_initiate(request):
    form = forms.AccountCloseForm(request.POST)
    if form.is_valid():
        try:
            services.account_close_initiate(
                user=request.user, password=form.validated["password"], ip=client_ip(request)
            )
        except errors.DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, _("Closing your account has started. We emailed you the date and how to cancel it.")
            )
            return redirect("accounts:account-close")
    return _close_page(request, form=form, status=422)


@require_POST
@login_required
def account_close_abort(request):
    try:
        services.account_close_abort(user=request.user, ip=client_ip(request))
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Closing your account has been cancelled."))
    return redirect("accounts:account-close")


# --- Options: language and theme -------------------------------------------------------------------


@require_POST
@login_required
def options_update(request):
    form = forms.OptionsForm(request.POST)
    form.is_valid()
    try:
        user = services.user_options_update(
            user=request.user,
            language=form.cleaned_data.get("language") or None,
            theme=form.cleaned_data.get("theme") or None,
        )
    except errors.DomainError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        translation.activate(user.language)  # the confirmation already speaks the chosen language
        messages.success(request, _("Your preferences have been saved."))
    return redirect(_safe_next(request) or "accounts:account-close")
