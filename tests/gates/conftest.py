import pytest

from .concurrency import FIGURES


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("concurrency figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _transfer_kyc_limits_off(monkeypatch):
    """The gates' transfers are made between users at KYC level 0 (who may move nothing): the transfers' KYC limits
    check (tested in tests/transfers/test_transfer_gates.py) is switched off here."""
    monkeypatch.setattr("trading.transfers.kyc_limits_check", lambda **kwargs: None)
