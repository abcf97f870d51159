#!/usr/bin/env bash
# Schema fuzzing gate (see scripts/fuzz_api.py): a live server on its own PostgreSQL database, every operation
# of /api/schema/ fuzzed with a valid token. Extra arguments go to `schemathesis run`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ccpro}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/14}
exec "$VENV/bin/python" scripts/fuzz_api.py "$@"
