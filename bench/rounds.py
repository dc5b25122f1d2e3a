"""One measured wrk round, and what the machine did meanwhile: whose CPU it was, and how wrk's
connections were spread over the server's processes.

A round's req/s on a shared machine moves with the neighbours; these figures say, round by round,
whether a slow round was the machine (other processes' CPU, the hypervisor's steal) or the server
(its CPU per request, or its connections piled on one worker). Linux only (/proc); elsewhere the
figures are None.
"""
from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import wrkout

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU of a process so far, all its threads (0 once it is gone)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        # The command name, in parentheses, may hold spaces: fields are counted after it.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    return 0.0


def machine_cpu_seconds() -> tuple[float, float] | None:
    """(busy, steal): CPU seconds all cores spent busy since boot, and those the hypervisor took."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
        return (user + nice + system + irq + softirq + steal) / _TICK, steal / _TICK
    return None


def connections(pids: list[int], port: int) -> list[int]:
    """Established TCP connections to `port` held by each of `pids` (those holding none left out), most first."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                # local address "0100007F:1F90", state 01 = ESTABLISHED, inode is the tenth field
                if len(parts) > 9 and parts[3] == "01" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    counts = []
    for pid in pids:
        held = 0
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    link = os.readlink(fd)
                    if link.startswith("socket:[") and link[8:-1] in inodes:
                        held += 1
        if held:
            counts.append(held)
    return sorted(counts, reverse=True)


@dataclass(frozen=True)
class Round:
    server: str
    label: str
    result: wrkout.WrkResult
    seconds: float  # wall time of the wrk process
    cpus: int
    server_cpu: float  # CPU seconds of the server's processes (workers and their parent)
    wrk_cpu: float
    others_cpu: float | None  # every other process's CPU seconds, the hypervisor's steal included
    steal: float | None
    spread: list[int]  # wrk's connections per server process, a second into the round

    @property
    def capacity(self) -> float:
        return self.seconds * self.cpus

    @property
    def server_us_per_request(self) -> float | None:
        return self.server_cpu / self.result.requests * 1e6 if self.result.requests else None

    def as_dict(self) -> dict[str, Any]:
        share = (lambda s: None if s is None else round(s / self.capacity, 3))
        return {"server": self.server, "round": self.label, "rps": round(self.result.rps, 1),
                "p50_ms": self.result.p50_ms, "p99_ms": self.result.p99_ms,
                "server_us_per_request": None if self.server_us_per_request is None
                else round(self.server_us_per_request, 1),
                "server_cpu_share": share(self.server_cpu), "wrk_cpu_share": share(self.wrk_cpu),
                "others_cpu_share": share(self.others_cpu), "steal_share": share(self.steal),
                "connections": self.spread}

    def describe(self) -> str:
        parts = [f"connections {'/'.join(map(str, self.spread)) or '?'}"]
        if self.server_us_per_request is not None:
            parts.append(f"{self.server_us_per_request:.0f} us server CPU a request")
        if self.others_cpu is not None:
            parts.append(f"others {self.others_cpu / self.capacity:.0%} of the machine")
        if self.steal:
            parts.append(f"steal {self.steal / self.capacity:.0%}")
        return ", ".join(parts)


def measure(command: list[str], server: str, label: str, server_pids: list[int], port: int, seconds: int,
            timeout: float) -> Round:
    """Runs one wrk `command` of `seconds`, noting the CPU everyone used meanwhile; the parsed figures.

    `server_pids`: the server's processes (parent and workers); `port`: the one wrk connects to.
    """
    cpus = len(os.sched_getaffinity(0))
    server_before = sum(process_cpu_seconds(pid) for pid in server_pids)
    machine_before = machine_cpu_seconds()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    spread: list[int] = []
    try:
        # wrk opens its connections at once; a second in, they are all accepted and busy.
        with contextlib.suppress(subprocess.TimeoutExpired):
            wrk.wait(min(1.0, seconds / 2))
        if wrk.poll() is None:
            spread = connections(server_pids, port)
        stdout, stderr = wrk.communicate(timeout=timeout)
    except BaseException:
        wrk.kill()
        wrk.wait()
        raise
    elapsed = time.monotonic() - started
    machine_after = machine_cpu_seconds()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = sum(process_cpu_seconds(pid) for pid in server_pids) - server_before
    if wrk.returncode != 0:
        raise RuntimeError(f"wrk failed ({wrk.returncode}):\n{stderr}{stdout}")
    wrk_cpu = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    ours = (self_after.ru_utime + self_after.ru_stime) - (self_before.ru_utime + self_before.ru_stime)
    others = steal = None
    if machine_before and machine_after:
        steal = machine_after[1] - machine_before[1]
        others = max(0.0, machine_after[0] - machine_before[0] - server_cpu - wrk_cpu - ours)
    return Round(server, label, wrkout.parse(stdout), elapsed, cpus, server_cpu, wrk_cpu, others, steal, spread)


def slow_rounds(rounds: list[Round], below: float = 0.6) -> list[Round]:
    """Rounds whose req/s fell below `below` times the median of the same server's rounds."""
    slow = []
    for round_ in rounds:
        same = sorted(r.result.rps for r in rounds if r.server == round_.server)
        if len(same) >= 2 and round_.result.rps < below * same[len(same) // 2]:
            slow.append(round_)
    return slow
