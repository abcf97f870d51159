"""Key structure and value types of JSON bodies, compared recursively with the reference's examples."""

from __future__ import annotations


def kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


class ShapeComparison:
    """Compare `actual` against the reference `expected`; `decisions` maps a JSON path (`data.kyc.links`,
    `data.wallets[]`) to the documented reason why CCPro knowingly differs there. A decision whose path now
    matches the reference is reported as obsolete, so it is removed once the divergence is gone."""

    def __init__(self, decisions: dict[str, str] | None = None):
        self.decisions = decisions or {}
        self.problems: list[str] = []
        self.applied: set[str] = set()
        self.obsolete: set[str] = set()

    def run(self, expected, actual) -> ShapeComparison:
        self.problems = self._compare(expected, actual, "$", use_decisions=True)
        return self

    def _compare(self, expected, actual, path: str, *, use_decisions: bool) -> list[str]:
        if use_decisions and path in self.decisions:
            self.applied.add(path)
            if not self._compare(expected, actual, path, use_decisions=False):
                self.obsolete.add(path)
            return []
        expected_kind, actual_kind = kind(expected), kind(actual)
        if expected_kind != actual_kind:
            return [f"{path}: the reference has {expected_kind}, CCPro answers {actual_kind} ({actual!r:.80})"]
        problems: list[str] = []
        if expected_kind == "object":
            for key in expected.keys() - actual.keys():
                problems.append(f"{path}.{key}: missing (the reference has it)")
            for key in actual.keys() - expected.keys():
                problems.append(f"{path}.{key}: not in the reference")
            for key in expected.keys() & actual.keys():
                problems += self._compare(expected[key], actual[key], f"{path}.{key}", use_decisions=use_decisions)
        elif expected_kind == "list":
            item_path = f"{path}[]"
            if expected and not actual:
                if use_decisions and item_path in self.decisions:
                    self.applied.add(item_path)
                    return []
                return [f"{path}: the reference has items, CCPro answered an empty list (make the case create some)"]
            for item in actual:
                attempts = [self._compare(ref, item, item_path, use_decisions=use_decisions) for ref in expected]
                if attempts and all(attempts):
                    problems += attempts[0]
                    break
        return problems


def compare_shapes(expected, actual, decisions: dict[str, str] | None = None) -> ShapeComparison:
    return ShapeComparison(decisions).run(expected, actual)
