"""Benchmark server settings: production-like (Argon2, no DEBUG, Redis cache) plus a constant-JSON floor view
mounted by benchmarks/urls.py only. Never used by the project's own deployments."""

from ccpro.settings.base import *  # noqa: F403
from ccpro.settings.base import API_PATH_PREFIXES, LOGGING

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
LOGGING["root"]["level"] = "WARNING"
# The floors (bench/…) are API requests: they go through the API's middleware, not the pages' (sessions, CSRF,
# messages…), so that the ratios compare an endpoint with the cheapest request of the same stack.
API_PATH_PREFIXES = (*API_PATH_PREFIXES, "/bench/")
