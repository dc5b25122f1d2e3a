"""bench/run.py's before/after table (--before): each figure of the other settings beside the current one."""
from __future__ import annotations

from bench import run

RUNS = [
    {"database": "sqlite", "read_rps": 2400.0, "read_p99_ms": 20.5, "read_ratio": 0.55, "ace_ratio": 1.3,
     "before": {"read_rps": 2200.0, "read_p99_ms": 31.25, "read_ratio": 0.5, "ace_ratio": 1.2},
     "stall": {"stall_ratio": 0.98, "stalled_read_p99_ms": 57.5, "before": {"stall_ratio": 0.25,
                                                                             "stalled_read_p99_ms": 990.0}}},
    {"database": "postgresql", "read_ratio": 0.52, "read_ratio_unpinned": 0.44,
     "before": {"read_ratio": 0.51}, "before_unpinned": {"read_ratio": 0.41}},
]


def row(table: str, label: str) -> list[str]:
    line = next(line for line in table.splitlines() if line.startswith(label))
    return line[len(label):].split()


def test_each_figure_has_its_before_beside_it() -> None:
    table = run.before_after(RUNS)
    assert table.splitlines()[0].split()[1:] == ["sqlite", "before", "sqlite", "after", "postgresql", "before",
                                                 "postgresql", "after"]
    assert row(table, "GET /api/user-skills req/s") == ["2,200", "2,400", "-", "-"]
    assert row(table, "  p99 ms") == ["31.25", "20.50", "-", "-"]  # the read's, the first of the two rows
    assert row(table, "read_ratio") == ["0.50", "0.55", "0.51", "0.52"]
    assert row(table, "  without pinning") == ["-", "-", "0.41", "0.44"]
    assert row(table, "ace_ratio") == ["1.20", "1.30", "-", "-"]
    assert row(table, "reads while admin checks wait on a slow Jira / without") == ["0.25", "0.98", "-", "-"]
    assert row(table, "  their p99 ms with the checks") == ["990.00", "57.50", "-", "-"]


def test_serving_reads_the_config_file_the_flags_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    conf = tmp_path / "gunicorn-before.conf.py"
    conf.write_text('workers = 3\nworker_class = "sync"\n')
    assert run.serving(["--config", str(conf)]) == {"workers": 3, "worker_class": "sync", "threads": 1,
                                                    "keepalive": 2}
    assert run.serving(["--config", str(conf), "--threads", "4"])["threads"] == 4
    assert run.serving([])["worker_class"] == "gthread"  # the repository's gunicorn.conf.py
