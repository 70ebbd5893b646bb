"""A real LRS for tests: Learning Locker's statement service (npm xapi-statements), in memory,
on a free 127.0.0.1 port, started and stopped by its own PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "node_modules" / "xapi-statements"
LAUNCHER = Path(__file__).with_name("lrs_launcher.js")
HEADERS = {"X-Experience-API-Version": "1.0.3"}
AUTH = ("test-key", "test-secret")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LRS:
    endpoint: str
    process: subprocess.Popen

    def post(self, statements: list[dict[str, Any]]) -> list[str]:
        response = httpx.post(self.endpoint + "statements", json=statements, auth=AUTH,
                              headers=HEADERS, timeout=30)
        response.raise_for_status()
        return list(response.json())

    def all(self) -> list[dict[str, Any]]:
        out, url = [], self.endpoint + "statements?limit=500&ascending=true"
        while url:
            body = httpx.get(url, auth=AUTH, headers=HEADERS, timeout=30).json()
            out += body["statements"]
            url = httpx.URL(self.endpoint).join(body["more"]).__str__() if body["more"] else ""
        return out


def start_lrs(tmp: Path) -> LRS:
    if not SERVICE.exists():
        pytest.fail("node_modules/xapi-statements is missing: run `make test`, which installs it")
    port = free_port()
    env = {**os.environ, "AUTH_REPO": "test", "EVENTS_REPO": "test", "MODELS_REPO": "memory",
           "STORAGE_REPO": "local", "EXPRESS_PORT": str(port), "WINSTON_CONSOLE_LEVEL": "error",
           "FS_LOCAL_STORAGE_DIR": str(tmp), "EXPRESS_MORGAN_DIRECTORY": str(tmp / "logs"),
           "XAPI_STATEMENTS_DIR": str(SERVICE), "NODE_NO_WARNINGS": "1"}
    process = subprocess.Popen(["node", str(LAUNCHER)], cwd=tmp, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}/xAPI/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(endpoint + "about", timeout=1).status_code == 200:
                return LRS(endpoint, process)
        except httpx.HTTPError:
            time.sleep(0.1)
        if process.poll() is not None:
            break
    stop_lrs(LRS(endpoint, process))
    pytest.fail("the test LRS (xapi-statements) did not start within 30 s")


def stop_lrs(lrs: LRS) -> None:
    if lrs.process.poll() is None:
        lrs.process.send_signal(signal.SIGTERM)
        try:
            lrs.process.wait(10)
        except subprocess.TimeoutExpired:
            lrs.process.kill()
            lrs.process.wait()


@pytest.fixture
def lrs(tmp_path: Path) -> Iterator[LRS]:
    """A fresh, empty LRS per test (the in-memory store cannot be cleared otherwise)."""
    server = start_lrs(tmp_path)
    yield server
    stop_lrs(server)
