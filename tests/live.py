"""Real server processes for tests: gunicorn with the project's gunicorn.conf.py, Flask's dev server."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """A server process on 127.0.0.1:`port` whose standard output and error go to `log`."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.log = log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serve(command: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = REPO,
          ready_path: str = "/healthz", timeout: float = 60) -> Iterator[Served]:
    """Start `command`, wait until `ready_path` answers, and stop it (SIGTERM, then SIGKILL) afterwards."""
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, stdout=sink,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    served = Served(process, port, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"{command[0]} exited with {process.returncode}:\n{served.output()}")
            try:
                requests.get(served.url + ready_path, timeout=2)
                break
            except requests.RequestException:  # refused, or accepted before a worker is up
                if time.monotonic() > deadline:
                    raise AssertionError(f"{command} did not answer in {timeout} s:\n{served.output()}") from None
                time.sleep(0.2)
        yield served
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
