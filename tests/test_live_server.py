"""The tests' LiveServer: stopping it lets the requests in hand finish before the next test empties the tables."""
from __future__ import annotations

import threading
import time
import urllib.request

from flask import Flask

from .conftest import LiveServer


def test_stop_waits_for_the_requests_being_answered() -> None:
    app = Flask(__name__)
    started, finished = threading.Event(), threading.Event()

    @app.get("/slow")
    def slow() -> str:
        started.set()
        time.sleep(2)  # longer than serve_forever takes to notice shutdown() (its 0.5 s poll)
        finished.set()
        return "done"

    server = LiveServer(app)
    caller = threading.Thread(target=lambda: urllib.request.urlopen(server.url + "/slow", timeout=5).read())
    caller.start()
    assert started.wait(5)
    server.stop()
    # Without the wait, stop() returned while the request's thread was still inside the view.
    assert finished.is_set()
    caller.join(5)
