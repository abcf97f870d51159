"""Concurrency harness: run one callable from many threads at once against the real PostgreSQL and report
what happened (outcomes, throughput, latency), for tests marked `django_db(transaction=True)`.

The ledger and transfer issues add their scenarios to tests/gates/test_concurrency.py (or their own test
modules) with `run_concurrently`; `report` puts the figures in the pytest summary ("concurrency figures").
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections

FIGURES: list[str] = []


@dataclass
class ConcurrencyResult:
    name: str
    threads: int
    outcomes: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def calls(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        rate = self.calls / self.elapsed_s if self.elapsed_s else 0
        return (
            f"{self.name}: {self.threads} threads, {self.calls} calls in {self.elapsed_s:.2f} s "
            f"({rate:.0f}/s), latency p50 {self.percentile(0.5):.1f} ms "
            f"p99 {self.percentile(0.99):.1f} ms, mean {statistics.fmean(self.latencies_ms or [0]):.1f} ms; "
            f"outcomes {dict(self.outcomes)}; exceptions {len(self.errors)}"
        )


def run_concurrently(
    name: str, call: Callable[[int, int], object], *, threads: int = 8, calls_per_thread: int = 1
) -> ConcurrencyResult:
    """`call(thread_index, call_index)` from `threads` threads released together by a barrier; each returned
    value is counted as an outcome (return something hashable and telling: a status code, an error name)."""
    result = ConcurrencyResult(name=name, threads=threads)
    barrier = threading.Barrier(threads)
    lock = threading.Lock()

    def worker(index: int):
        try:
            barrier.wait()
            for n in range(calls_per_thread):
                started = time.perf_counter()
                try:
                    outcome = call(index, n)
                except Exception as exc:  # noqa: BLE001 - counted and re-raised by the test
                    outcome = type(exc).__name__
                    with lock:
                        result.errors.append(exc)
                with lock:
                    result.latencies_ms.append((time.perf_counter() - started) * 1000)
                    result.outcomes[outcome] += 1
        finally:
            connections.close_all()  # each thread has its own connection

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    result.elapsed_s = time.perf_counter() - started
    return result


def report(result: ConcurrencyResult) -> ConcurrencyResult:
    FIGURES.append(result.summary())
    return result
