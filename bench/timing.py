"""Latency samples and their summary: p50, p95 in milliseconds."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Samples:
    """Seconds per call, and (for HTTP) the SQL query count each response reported."""

    seconds: list[float] = field(default_factory=list)
    query_counts: list[int] = field(default_factory=list)

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18] * 1000

    @property
    def queries(self) -> int | None:
        """The query count when every request ran the same number, else the maximum."""
        return max(self.query_counts) if self.query_counts else None

    @property
    def query_count_constant(self) -> bool:
        return len(set(self.query_counts)) <= 1

    def summary(self) -> dict[str, float | int | bool | None]:
        return {
            "n": len(self.seconds),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "queries": self.queries,
            "queries_constant": self.query_count_constant,
        }


# One timed call: seconds taken, and the SQL query count the server reported (None when not known).
Probe = Callable[[int], tuple[float, int | None]]


def measure_interleaved(
    probes: dict[str, tuple[Probe, int]], *, rounds: int, warmup: int, log: Callable[[str], None] = print
) -> dict[str, Samples]:
    """Call every probe once per round, round after round, so load from elsewhere hits all alike.

    ``probes`` maps a name to ``(probe, every)``: the probe runs in every ``every``-th round (a slow
    floor needs fewer runs). The first ``warmup`` rounds are not timed.
    """
    samples = {name: Samples() for name in probes}
    for round_number in range(warmup + rounds):
        if round_number % 50 == 0:
            log(f"  round {round_number} of {warmup + rounds}")
        for name, (probe, every) in probes.items():
            if round_number % every:
                continue
            seconds, query_count = probe(round_number)
            if round_number >= warmup:
                samples[name].seconds.append(seconds)
                if query_count is not None:
                    samples[name].query_counts.append(query_count)
    return samples
