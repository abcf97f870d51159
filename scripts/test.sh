#!/usr/bin/env bash
# Installs everything into a virtualenv and runs every check and the whole test suite against the real
# PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
# The portal's browser tests (marker `browser`) drive Debian's Chromium through Playwright, never a browser
# download. CI runs as root on Debian: install it there when it is missing.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

export DJANGO_SETTINGS_MODULE=ccpro.settings.test
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ccpro}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/14}

echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== django checks"
"$VENV/bin/python" manage.py check --fail-level WARNING
"$VENV/bin/python" manage.py makemigrations --check --dry-run
echo "== pytest"
"$VENV/bin/pytest" --create-db "$@"
# The schema fuzzing gate needs a live server and runs on the whole suite only (not on `test.sh some_test.py`).
if [ $# -eq 0 ] && [ "${SKIP_FUZZ:-0}" != 1 ]; then
  echo "== schema fuzzing (scripts/schemathesis.sh)"
  ./scripts/schemathesis.sh
fi
