from . import ledger_admin  # noqa: F401  (registers the read-only ledger views)
