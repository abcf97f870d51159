"""The URLconf walked as data: every route with its full pattern, view class and allowed methods."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

KEYWORD = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "api/v1/user/<str:user>/securities"
    callback: object
    name: str | None

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def keywords(self) -> list[str]:
        return [m["name"] for m in KEYWORD.finditer(self.route)]

    @property
    def methods(self) -> list[str]:
        view = self.view_class
        if view is None:
            return []
        return [m.upper() for m in METHODS if hasattr(view, m) and m in view.http_method_names]

    def path(self, **values) -> str:
        return "/" + KEYWORD.sub(lambda m: str(values[m["name"]]), self.route)

    def __str__(self) -> str:
        return self.route


def _walk(patterns, prefix: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield Route(route=prefix + str(entry.pattern), callback=entry.callback, name=entry.name)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, ""))


def api_routes() -> list[Route]:
    return [r for r in all_routes() if r.route.startswith("api/v1/")]


def user_routes() -> list[Route]:
    """`api/v1/user/<user>` and everything under it."""
    return [r for r in api_routes() if re.match(r"^api/v1/user/<(?:\w+:)?user>(/|$)", r.route)]
