#!/usr/bin/env bash
# The portal's translations. `./scripts/messages.sh` refreshes locale/{ro,de}/LC_MESSAGES/django.po from the code and
# templates (new strings get an empty msgstr to translate); `./scripts/messages.sh compile` writes the .mo that
# Django reads. Both files are committed, so running the site needs no gettext tools; a test checks they agree.
# Needs GNU gettext (apt-get install gettext).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-ccpro.settings.test}
if [ "${1:-}" = compile ]; then
  "$VENV/bin/python" manage.py compilemessages -l ro -l de --ignore='.venv/*'
else
  "$VENV/bin/python" manage.py makemessages -l ro -l de --no-location --no-wrap \
    --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks --ignore=static --ignore=test-artifacts \
    --ignore=control --ignore=docs
  echo "Translate the entries with an empty msgstr in locale/{ro,de}/LC_MESSAGES/django.po, then: $0 compile"
fi
