"""Start the project's Celery worker as a real process, for tests."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery


def start_worker(
    *, queue: str, hostname: str, env: dict, log: Path, client: Celery, pool: str = "solo"
) -> subprocess.Popen:
    """`celery -A config worker` on `queue`, with `env` over this process's
    environment; returns once the worker answers a ping. `pool="prefork"` runs
    the tasks in one child process (see `pool_children`)."""
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "-Q",
                queue,
                "--hostname",
                hostname,
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            env={**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false", "LOG_LEVEL": "INFO", **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not client.control.ping(destination=[hostname], timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The Celery worker did not start:\n{log.read_text()}")
    return process


def pool_children(process: subprocess.Popen) -> list[int]:
    """The process ids of a prefork worker's pool children."""
    children = []
    for task in Path(f"/proc/{process.pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children += [int(pid) for pid in text]
    return children


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
