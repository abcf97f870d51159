#!/usr/bin/env bash
# Installs everything and runs the whole system on http://127.0.0.1:8000 : web (API, admin, portal),
# a Celery worker and Celery beat, with demo data. Without DATABASE_URL / CELERY_BROKER_URL / REDIS_URL it
# uses embedded defaults (an SQLite file, a filesystem broker, a database cache); set them for PostgreSQL
# and Redis. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
PORT=${PORT:-8000}
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt

export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-ccpro.settings.base}
export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}
export SMS_BACKEND=${SMS_BACKEND:-notifications.sms.backends.file.SmsBackend}
. scripts/demo_env.sh  # the demo's receiving bank account (HOUSE_BANK_*), never a settings default
mkdir -p var

"$VENV/bin/python" manage.py migrate --noinput
[ -n "${REDIS_URL:-}" ] || "$VENV/bin/python" manage.py createcachetable
"$VENV/bin/python" manage.py collectstatic --noinput -v 0
"$VENV/bin/python" manage.py demo_seed

trap 'trap - EXIT INT TERM; kill 0 2>/dev/null' EXIT INT TERM
"$VENV/bin/celery" -A ccpro worker --loglevel INFO --concurrency 2 &
"$VENV/bin/celery" -A ccpro beat --loglevel INFO &
echo "Web on http://127.0.0.1:$PORT  (portal /, API /api/v1/, docs /api/docs/, admin /admin/, health /health/)"
echo "Mail is written to var/mail/, SMS to var/sms/ (EMAIL_BACKEND / SMS_BACKEND change that)."
"$VENV/bin/gunicorn" ccpro.wsgi --bind "127.0.0.1:$PORT" --workers 2 --access-logfile - &
wait
