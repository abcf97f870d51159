"""Length-aware pages with the reference's meta {total, currentPage, perPage, lastPage}."""

import math

from django.db.models import QuerySet

from ccpro import errors


def paginate(queryset: QuerySet | list, *, page, per_page: int = 25):
    """Returns (items of the page, meta). A page beyond the last is empty; a malformed page is 404.

    A list (already fetched, e.g. one object looked up by id) is paged the same way without a count query."""
    number = page_number(page)
    total = len(queryset) if isinstance(queryset, list) else queryset.count()
    offset = (number - 1) * per_page
    items = list(queryset[offset : offset + per_page]) if offset < total else []
    return items, page_meta(total=total, page=number, per_page=per_page)


def page_number(page) -> int:
    """`?page=N` as a number from 1 (the first page when absent); anything else is 404."""
    try:
        number = int(page or 1)
    except (TypeError, ValueError) as exc:
        raise errors.NotFound() from exc
    if number < 1:
        raise errors.NotFound()
    return number


def page_meta(*, total: int, page: int, per_page: int) -> dict:
    return {"total": total, "currentPage": page, "perPage": per_page, "lastPage": max(1, math.ceil(total / per_page))}
