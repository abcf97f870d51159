import re

import pytest
from django.core import mail
from django.test import Client, TestCase


@pytest.fixture
def web():
    """A browser-like client: cookies, and CSRF checked as for a real browser."""
    return Client(enforce_csrf_checks=True)


def csrf_post(client, path, data=None, **extra):
    """POST like the browser does: fetch the page's CSRF cookie first, send it back as the form field."""
    client.get(path.split("?")[0], follow=True)
    if "csrftoken" not in client.cookies:  # a POST-only path: any page with a form sets the cookie
        client.get("/login", follow=True)
    token = client.cookies["csrftoken"].value
    # The test's transaction never commits: run the on-commit work (mail) as a real request would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, {**(data or {}), "csrfmiddlewaretoken": token}, **extra)


def signed_in(client, user):
    client.force_login(user)
    return client


def last_mail_link(path: str) -> str:
    """The portal link (path and query) in the newest mail that has one for `path`."""
    for message in reversed(mail.outbox):
        match = re.search(rf"https?://[^\s\"']+({re.escape(path)}\?[^\s\"'<]+)", message.body)
        if match:
            return match.group(1).replace("&amp;", "&")
    raise AssertionError(f"no mail with a {path} link")


def mailed_code(message) -> str:
    match = re.search(r"verification code is: ([A-Z0-9]+)", message.body)
    assert match, message.body
    return match.group(1)
