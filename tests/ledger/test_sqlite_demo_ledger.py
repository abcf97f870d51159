"""The embedded demo (scripts/run.sh without DATABASE_URL) on SQLite: seeded, its ledger passes ledger_check.

SQLite keeps 18-decimal amounts as 15-digit floats; ledger_check must not report that rounding as an unbalanced
book there (it did: the demo's sell_to_crypto fill came back 1.6e-16 ETH off), while PostgreSQL stays exact."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_seeded_sqlite_demo_ledger_checks_clean(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(DJANGO_SETTINGS_MODULE="ccpro.settings.base", CCPRO_VAR_DIR=str(tmp_path))
    for step in (("migrate", "-v0"), ("createcachetable",), ("demo_seed",)):
        done = _manage(*step, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    assert str(tmp_path) in done.stderr  # the run used this test's own SQLite file, not the checkout's var/
    checked = _manage("ledger_check", "--no-progress", env=env)
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert "ledger_check: OK" in checked.stdout
    accounts, entries = checked.stdout.split("(")[1].split(" accounts, ")
    assert int(accounts) > 0 and int(entries.split()[0]) > 0
