from django.conf import settings


def client_ip(request) -> str | None:
    """The caller's IP. Behind N trusted proxies (NUM_PROXIES), the Nth address from the right of
    X-Forwarded-For; never the left-most one, which the client writes itself."""
    proxies = getattr(settings, "NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:255]
