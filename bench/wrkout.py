"""wrk's text output turned into numbers (pure functions: no process, no I/O)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = r"(\d+(?:\.\d+)?)(us|ms|s|m|h)"


class WrkOutputError(ValueError):
    """wrk's output lacks a figure the benchmark needs (was it run with --latency?)."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.non_2xx == 0 and self.socket_errors == 0


def duration_ms(text: str) -> float:
    """'1.23ms' -> 1.23, '850.00us' -> 0.85, '1.02s' -> 1020.0."""
    match = re.fullmatch(_DURATION, text.strip())
    if not match:
        raise WrkOutputError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_SECONDS[match.group(2)] * 1000.0


def parse(output: str) -> WrkResult:
    """The figures of one `wrk --latency` run."""
    rps = re.search(r"^Requests/sec:\s+(\d+(?:\.\d+)?)\s*$", output, re.M)
    total = re.search(r"^\s*(\d+) requests in " + _DURATION + r",", output, re.M)
    if not rps or not total:
        raise WrkOutputError("wrk printed no 'Requests/sec' or 'N requests in' line")
    percentiles: dict[str, float] = {}
    for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.M):
        percentiles[pct] = duration_ms(value)
    missing = {"50", "75", "90", "99"} - percentiles.keys()
    if missing:
        raise WrkOutputError("wrk printed no latency distribution (run it with --latency)")
    non_2xx = re.search(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", output, re.M)
    sockets = re.search(r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output, re.M)
    return WrkResult(
        requests=int(total.group(1)),
        seconds=duration_ms(total.group(2) + total.group(3)) / 1000.0,
        rps=float(rps.group(1)),
        p50_ms=percentiles["50"], p75_ms=percentiles["75"],
        p90_ms=percentiles["90"], p99_ms=percentiles["99"],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )
