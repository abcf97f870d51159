"""Portal page behind a quote's signed `confirmUrl`: shows the quote and confirms it (the link is the credential)."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ccpro.errors import DomainError

from . import orders


@require_http_methods(["GET", "POST"])
def quote_confirm_page(request, token):
    try:
        quote = orders.quote_from_confirm_link(token=token, query=request.GET)
    except DomainError:
        return render(request, "trading/quote_confirm.html", {"invalid": True}, status=404)
    order = error = None
    if request.method == "POST":
        try:
            order = orders.quote_confirm(user=quote.user, quote_id=quote.pk)
        except DomainError as exc:
            error = exc.message
            if exc.errors:
                error = " ".join(message for messages in exc.errors.values() for message in messages)
        quote.refresh_from_db()
    return render(request, "trading/quote_confirm.html", {"quote": quote, "order": order, "error": error})
