"""Delivery of mail to users: rendered from templates in the user's language, sent by a Celery task after commit."""

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

SUPPORTED_LANGUAGES = [code for code, _ in settings.LANGUAGES]


def _render(template: str, language: str, suffix: str, context: dict) -> str:
    names = [f"emails/{language}/{template}.{suffix}", f"emails/en/{template}.{suffix}"]
    with translation.override(language):
        return render_to_string(names, context)


def email_render(*, template: str, language: str, context: dict) -> dict:
    """Subject, text and HTML of a mail template (`templates/emails/<lang>/<name>.{subject,txt,html}`)."""
    language = language if language in SUPPORTED_LANGUAGES else "en"
    context = {"site_url": settings.SITE_URL, **context}
    rendered = {
        "subject": " ".join(_render(template, language, "subject.txt", context).split()),
        "text": _render(template, language, "txt", context),
    }
    try:
        rendered["html"] = _render(template, language, "html", context)
    except TemplateDoesNotExist:
        rendered["html"] = None
    return rendered


def email_enqueue(*, to: str, template: str, language: str = "en", context: dict | None = None) -> None:
    """Render now (no model objects cross into the task) and send once the transaction commits."""
    from .tasks import email_send_task

    rendered = email_render(template=template, language=language, context=context or {})
    transaction.on_commit(lambda: email_send_task.delay(to=to, **rendered))


def email_send(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
