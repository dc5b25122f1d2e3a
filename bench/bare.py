"""The baseline: a bare Flask endpoint answering the same URL with a user's skills from memory.

Served by gunicorn with the add-on's own settings (`gunicorn bare:app` from bench/), it measures
what Flask, gunicorn and the machine cost before the add-on does any work: no JWT, no database.
BENCH_SKILLS_PER_USER (default 15) sets the length of the answer, to match the seeded users'.
"""
from __future__ import annotations

import os

from flask import Flask, jsonify

app = Flask(__name__)
_SKILLS = [f"Skill {n:04d}" for n in range(int(os.environ.get("BENCH_SKILLS_PER_USER", "15")))]


@app.get("/api/user-skills")
def user_skills():  # type: ignore[no-untyped-def]
    return jsonify({"skills": _SKILLS})


@app.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    return jsonify({"ok": True})
