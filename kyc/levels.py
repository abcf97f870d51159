"""The level rules, as pure functions over a platform's levels and the set of a user's accepted items.

- A level's identity documents are one requirement met two ways: both sides of a government ID, or a passport
  (the reference's POST kyc takes `governmentIdFront/Back` *or* `passport`).
- Documents are checked against data the user typed: identity documents and the selfie need the personal data
  accepted, a utility bill needs the address accepted. So a level requiring them implies `personal`/`address`.
- A user's level is the highest whose requirements are all met; level 0 when none is.
"""

from dataclasses import dataclass
from decimal import Decimal

IDENTITY_ITEMS = frozenset({"governmentIdFront", "governmentIdBack", "passport", "selfieWithId"})
DOCUMENT_ITEMS = frozenset({"governmentIdFront", "governmentIdBack", "passport", "utilityBill", "selfieWithId"})

# The user-facing steps, in the order a user is asked for them; `required` names one of these.
STEPS = ("email", "phone", "personal", "address", "documents", "video", "enhancedDueDiligence")
STEP_OF_ITEM = {
    **{item: "documents" for item in DOCUMENT_ITEMS | {"extendedProofOfFunds"}},
    "email": "email",
    "phone": "phone",
    "personal": "personal",
    "address": "address",
    "video": "video",
    "enhancedDueDiligence": "enhancedDueDiligence",
}


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    required: tuple[str, ...]
    max_buy: Decimal
    max_sell: Decimal

    def max_for(self, side: str) -> Decimal:
        return self.max_buy if side == "buy" else self.max_sell


def expand(required) -> frozenset[str]:
    """A level's items plus the data steps its documents are checked against."""
    items = set(required)
    if items & IDENTITY_ITEMS:
        items.add("personal")
    if "utilityBill" in items:
        items.add("address")
    return frozenset(items)


def satisfied(accepted) -> frozenset[str]:
    """Accepted items, with the passport standing for both ID sides and both sides standing for a passport."""
    items = set(accepted)
    if "passport" in items:
        items |= {"governmentIdFront", "governmentIdBack"}
    if {"governmentIdFront", "governmentIdBack"} <= items:
        items.add("passport")
    return frozenset(items)


def level_of(levels: list[Level], accepted) -> int:
    done = satisfied(accepted)
    return max((lv.number for lv in levels if expand(lv.required) <= done), default=0)


def level_get(levels: list[Level], number: int) -> Level | None:
    return next((lv for lv in levels if lv.number == number), None)


def next_level(levels: list[Level], number: int) -> Level | None:
    return next((lv for lv in sorted(levels, key=lambda lv: lv.number) if lv.number > number), None)


def open_items(levels: list[Level], number: int, accepted) -> frozenset[str]:
    """Items some level above the user's still needs: what the user may submit now."""
    done = satisfied(accepted)
    needed = set()
    for lv in levels:
        if lv.number > number:
            needed |= expand(lv.required)
    return frozenset(needed - done)


def missing_for(level: Level | None, accepted) -> frozenset[str]:
    if level is None:
        return frozenset()
    return frozenset(expand(level.required) - satisfied(accepted))


def first_step(items) -> str | None:
    steps = {STEP_OF_ITEM[item] for item in items}
    return next((step for step in STEPS if step in steps), None)


def level_for_amount(levels: list[Level], *, current: int, side: str, total: Decimal) -> tuple[bool, int | None]:
    """(allowed, required level): allowed when the user's level permits `total` in the period; otherwise the
    lowest higher level whose maximum covers it (None when no level does)."""
    mine = level_get(levels, current)
    if mine is not None and total <= mine.max_for(side):
        return True, None
    higher = sorted((lv for lv in levels if lv.number > current), key=lambda lv: lv.number)
    return False, next((lv.number for lv in higher if total <= lv.max_for(side)), None)


DOCUMENT_ITEMS_ORDER = ("governmentIdFront", "governmentIdBack", "passport", "utilityBill", "selfieWithId")
