"""The dashboard panel of notifications (registered in `ccpro.portal.DASHBOARD_PANELS`): the newest unread."""

from . import selectors

PANEL_SIZE = 5


def unread_panel(request) -> dict:
    unread = selectors.notification_list(user=request.user, type=selectors.UNREAD)
    newest = list(unread[: PANEL_SIZE + 1])
    return {
        "notifications": newest[:PANEL_SIZE],
        "unread": selectors.notification_unread_count(user=request.user) if len(newest) > PANEL_SIZE else len(newest),
    }
