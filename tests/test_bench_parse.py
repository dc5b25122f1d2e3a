"""The benchmark's pure part: wrk's output read into numbers (samples captured from real wrk 4.1.0 runs)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("wrkout", Path(__file__).resolve().parents[1] / "bench" / "wrkout.py")
assert _spec and _spec.loader
wrkout = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("wrkout", wrkout)  # dataclasses look their module up there
_spec.loader.exec_module(wrkout)

# bench/bare.py under gunicorn, requests.lua cycling through three URLs, one of them a 404.
WITH_404S = """\
Running 3s test @ http://127.0.0.1:18731
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.04ms    7.13ms  87.25ms   90.36%
    Req/Sec     1.72k     0.91k    4.46k    78.33%
  Latency Distribution
     50%    3.97ms
     75%    7.61ms
     90%   12.87ms
     99%   36.86ms
  10309 requests in 3.01s, 3.58MB read
  Non-2xx or 3xx responses: 3436
Requests/sec:   3422.25
Transfer/sec:      1.19MB
"""

# One connection: latencies in microseconds.
MICROSECONDS = """\
Running 2s test @ http://127.0.0.1:18731
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   533.46us    1.02ms  18.33ms   97.05%
    Req/Sec     2.39k   402.83     2.91k    61.90%
  Latency Distribution
     50%  388.00us
     75%  462.00us
     90%  542.00us
     99%    3.85ms
  4998 requests in 2.10s, 1.71MB read
Requests/sec:   2381.79
Transfer/sec:    835.02KB
"""

# The server killed a second into the run.
SOCKET_ERRORS = """\
Running 3s test @ http://127.0.0.1:18731
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.25ms    7.49ms  53.39ms   83.61%
    Req/Sec     0.89k   335.53     1.35k    77.27%
  Latency Distribution
     50%    5.58ms
     75%   11.90ms
     90%   18.34ms
     99%   34.94ms
  1970 requests in 3.08s, 690.58KB read
  Socket errors: connect 0, read 16, write 82193, timeout 0
Requests/sec:    638.67
Transfer/sec:    223.88KB
"""


def test_figures_and_non_2xx_answers() -> None:
    result = wrkout.parse(WITH_404S)
    assert (result.requests, result.seconds, result.rps) == pytest.approx((10309, 3.01, 3422.25))
    assert (result.p50_ms, result.p75_ms, result.p90_ms, result.p99_ms) == pytest.approx((3.97, 7.61, 12.87, 36.86))
    assert (result.non_2xx, result.socket_errors) == (3436, 0)
    assert not result.ok


def test_microsecond_latencies_and_a_clean_run() -> None:
    result = wrkout.parse(MICROSECONDS)
    assert result.p50_ms == pytest.approx(0.388)
    assert result.p99_ms == pytest.approx(3.85)
    assert (result.requests, result.rps, result.non_2xx, result.socket_errors) == (4998, 2381.79, 0, 0)
    assert result.ok


def test_socket_errors_are_counted() -> None:
    result = wrkout.parse(SOCKET_ERRORS)
    assert result.socket_errors == 16 + 82193
    assert not result.ok


@pytest.mark.parametrize("text, ms", [("1.02s", 1020.0), ("850.00us", 0.85), ("2.50ms", 2.5), ("1.00m", 60000.0)])
def test_durations(text: str, ms: float) -> None:
    assert wrkout.duration_ms(text) == pytest.approx(ms)


def test_output_without_latency_distribution_is_refused() -> None:
    without = "\n".join(line for line in MICROSECONDS.splitlines() if "%" not in line or "Stdev" in line)
    with pytest.raises(wrkout.WrkOutputError, match="--latency"):
        wrkout.parse(without)
    with pytest.raises(wrkout.WrkOutputError):
        wrkout.parse("unable to connect to 127.0.0.1:1 Connection refused\n")
