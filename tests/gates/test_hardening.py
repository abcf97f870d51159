"""Hardening: production settings pass Django's deployment checks, and no float reaches a money path."""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ccpro.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 random characters
        "ALLOWED_HOSTS": "api.example.com",
        # the house's receiving account, which `check --deploy` requires (trading/checks.py)
        "HOUSE_BANK_BENEFICIARY": "CCPro SRL",
        "HOUSE_BANK_NAME": "Banca Transilvania",
        "HOUSE_BANK_IBAN": "RO49 AAAA 1B31 0075 9384 0000",
        "HOUSE_BANK_SWIFT": "BTRLRO22",
        **overrides,
    }
    return {k: v for k, v in env.items() if v is not None}


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_check_deploy_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"HOUSE_BANK_IBAN": None}, "trading.E002"),
        ({"HOUSE_BANK_BENEFICIARY": ""}, "trading.E001"),
        ({"HOUSE_BANK_IBAN": "RO49 AAAA 1B31 0075 9384 0001"}, "trading.E003"),  # checksum
        ({"HOUSE_BANK_IBAN": "RO49 AAAA 1B31 0075"}, "trading.E003"),  # Romania's length
        ({"HOUSE_BANK_SWIFT": "BTRL-RO2"}, "trading.E004"),
        ({"HOUSE_BANK_SWIFT": "DEUTDEFF"}, "trading.E005"),  # a German bank for a Romanian IBAN
    ],
    ids=["no-iban", "no-beneficiary", "iban-checksum", "iban-length", "bic-format", "bic-country"],
)
def test_check_deploy_refuses_a_missing_or_invalid_house_bank_account(overrides, error):
    """Buyers paying by bank transfer are sent to HOUSE_BANK_*: without it, or with a mistyped IBAN/BIC, the
    deployment check fails (trading/checks.py)."""
    result = _manage("check", "--deploy", env=_production_env(**overrides))
    assert result.returncode != 0
    assert error in result.stderr, result.stdout + result.stderr


def test_check_deploy_takes_a_house_account_without_bic():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env(HOUSE_BANK_SWIFT=""))
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_are_secure():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.ALLOWED_HOSTS)"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=_production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True True True True ['api.example.com']"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    result = _manage("check", env=_production_env(**{missing: None}))
    assert result.returncode != 0
    assert missing in result.stderr


# --- no float in money paths ---------------------------------------------------------------------

APP_DIRS = sorted({p.parent for p in ROOT.glob("*/apps.py")} | {ROOT / "ccpro"})
SKIP_PARTS = {"migrations", "tests", "settings", "__pycache__"}
# A statement may opt out with a comment on its first line saying why (`timeout=2.5  # float-ok: seconds`).
OPT_OUT = "# float-ok:"


def _app_modules():
    for app in APP_DIRS:
        for path in sorted(app.rglob("*.py")):
            if not SKIP_PARTS & set(path.relative_to(ROOT).parts):
                yield path


def float_uses(source: str) -> list[tuple[int, str]]:
    """float(...) calls, float literals, FloatField, and DRF decimals rendered as numbers."""
    lines = source.splitlines()
    tree = ast.parse(source)
    statement_of = {}  # node -> innermost statement holding it (ast.walk is breadth first: deeper ones come later)
    for statement in ast.walk(tree):
        if isinstance(statement, ast.stmt):
            for child in ast.walk(statement):
                statement_of[id(child)] = statement
    found = []
    for node in ast.walk(tree):
        what = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
            what = "float(...) call"
        elif isinstance(node, ast.Constant) and type(node.value) is float:
            what = f"float literal {node.value!r}"
        elif isinstance(node, (ast.Attribute, ast.Name)) and getattr(node, "attr", getattr(node, "id", "")) in (
            "FloatField",
        ):
            what = "FloatField"
        elif (
            isinstance(node, ast.keyword)
            and node.arg == "coerce_to_string"
            and getattr(node.value, "value", 1) is False
        ):
            what = "decimal rendered as a JSON number (coerce_to_string=False)"
        elif isinstance(node, ast.keyword) and node.arg == "parse_float":
            what = "parse_float"
        if what:
            statement = statement_of.get(id(node), node)
            if OPT_OUT not in lines[node.lineno - 1] and OPT_OUT not in lines[statement.lineno - 1]:
                found.append((node.lineno, what))
    return found


def test_scanner_catches_floats():
    source = (
        "from decimal import Decimal\n"
        "a = float(x)\n"
        "b = Decimal(0.1)\n"
        "c = models.FloatField()\n"
        "d = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)\n"
        "e = 2.5  # float-ok: seconds\n"
        "f = Decimal('0.1')\n"
        "g = {  # float-ok: a made-up demo curve\n"
        "    'XBT': 0.06,\n"
        "}\n"
        "def h(timeout: float = 5.0):  # float-ok: seconds\n"
        "    return 1 + 0.5 * timeout\n"
    )
    assert [line for line, _ in float_uses(source)] == [2, 3, 4, 5, 12]


def test_no_float_in_app_code():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _app_modules()
        for line, what in float_uses(path.read_text())
    ]
    assert not offenders, (
        "money is Decimal end to end (if a statement is not money, say why on its first line: `# float-ok: why`):\n"
        + "\n".join(offenders)
    )
