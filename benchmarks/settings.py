"""Benchmark server settings: production-like (Argon2, no DEBUG, Redis cache) plus a constant-JSON floor view
mounted by benchmarks/urls.py only. Never used by the project's own deployments."""

from ccpro.settings.base import *  # noqa: F403
from ccpro.settings.base import API_PATH_PREFIXES, LOGGING

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
LOGGING["root"]["level"] = "WARNING"
# The floor the ratios use (/bench/floor) is a bare DRF view on this server outside the API's prefix, as in every
# run since the first: the project's default middleware, sessions, CSRF and messages included. The same view
# under /bench/api/ goes through the API's lighter stack (ccpro/api/middleware.py): load.py prints it as an
# informational line, so the ratios to that stricter floor can be read off the same run (docs/performance.md).
API_PATH_PREFIXES = (*API_PATH_PREFIXES, "/bench/api/")
