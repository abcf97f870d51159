"""Portal pages of notifications: the inbox (all, unread, read) with mark-as-read (all, or one), and what needs
doing now.

The same selectors and services as the API's `apis.py`: `notification_list`, `permanent_notification_list`,
`notification_mark_all_read`; marking a single one read is `notification_mark_read` (the API has no such
endpoint). The dashboard's panel of the newest unread ones is `notifications.panels`."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ccpro import errors
from ccpro.api.pagination import paginate
from ccpro.portal import login_required

from . import selectors, services
from .apis import PER_PAGE, NotificationFilterInput

FILTERS = (None, selectors.UNREAD, selectors.READ)


@require_GET
@login_required
def inbox(request):
    filters = NotificationFilterInput(data=request.GET)
    kind = filters.validated_data.get("type") if filters.is_valid() else None
    try:
        items, meta = paginate(
            selectors.notification_list(user=request.user, type=kind), page=request.GET.get("page"), per_page=PER_PAGE
        )
    except errors.NotFound:  # a malformed page number: the first page
        return redirect(request.path + (f"?type={kind}" if kind else ""))
    entries, unread = selectors.permanent_notification_list(user=request.user)
    context = {
        "nav": "notifications",
        "notifications": items,
        "page": meta,
        "kind": kind or "",
        "unread": unread,
        # The unread count is the page's own header; the other permanent entries are what needs doing now.
        "todo": [entry for entry in entries if entry["code"] != "notifications_unread"],
    }
    return render(request, "notifications/inbox.html", context)


@require_POST
@login_required
def mark_all_read(request):
    marked = services.notification_mark_all_read(user=request.user).count()
    if marked:
        messages.success(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", marked)
            % {"count": marked},
        )
    else:
        messages.info(request, _("Nothing to mark: you have read everything."))
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_read(request, notification):
    """Mark one notification read, then go back where the button was (the inbox page, its filter, the dashboard)."""
    try:
        services.notification_mark_read(user=request.user, notification_id=notification)
    except errors.NotFound:
        raise Http404() from None
    back = request.POST.get("next", "")
    # Only a path of this site: anything else (another host, a bare word that `redirect` would try to reverse as a
    # view name) goes back to the inbox.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("notifications:inbox")
    return HttpResponseRedirect(back)
