"""Benchmark server settings: production-like (Argon2, no DEBUG, Redis cache) plus a constant-JSON floor view
mounted by benchmarks/urls.py only. Never used by the project's own deployments."""

from ccpro.settings.base import *  # noqa: F403
from ccpro.settings.base import LOGGING

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
LOGGING["root"]["level"] = "WARNING"
