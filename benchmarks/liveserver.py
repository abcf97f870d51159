"""A throw-away live CCPro: its own PostgreSQL database, migrated and seeded, served by gunicorn on a free
loopback port. Used by the schema fuzzing gate (scripts/fuzz_api.py) and the load benchmarks
(benchmarks/load.py); never touches the database of the pytest run or of anybody else.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ccpro"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_named(name: str, base: str | None = None) -> str:
    """The server of DATABASE_URL (or the machine default) with another database name."""
    parts = urlsplit(base or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def database_name(url: str | None = None) -> str:
    """The database name of DATABASE_URL (or the machine default)."""
    return urlsplit(url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL).path.lstrip("/")


def _admin_conninfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))


class LiveServer:
    """`with LiveServer(name=...) as server:` creates the database, migrates it, serves it, then cleans up.

    `server.manage_python(code)` runs Django code against the same database (seeding); `server.url` is the
    base URL; `server.worker_pids()` the gunicorn workers (for memory figures).
    """

    def __init__(
        self,
        *,
        name: str,
        settings: str = "ccpro.settings.test",
        workers: int = 2,
        threads: int = 1,
        env: dict[str, str] | None = None,
        keep_database: bool = False,
        log_path: Path | None = None,
        gunicorn_args: tuple[str, ...] = (),
    ):
        self.database = name
        self.database_url = database_url_named(name)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.threads = threads
        self.keep_database = keep_database
        self.log_path = log_path or ROOT / "var" / f"{name}-server.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": self.database_url,
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.gunicorn_args = gunicorn_args
        self.process: subprocess.Popen | None = None

    # --- database ------------------------------------------------------------------------------
    def create_database(self) -> None:
        with psycopg.connect(_admin_conninfo(self.database_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def drop_database(self) -> None:
        with psycopg.connect(_admin_conninfo(self.database_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def manage_python(self, code: str) -> str:
        """Run `code` in `manage.py shell` against this server's database; returns what it printed."""
        return self.manage("shell", "--no-imports", "-c", code)

    # --- server --------------------------------------------------------------------------------
    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "w")  # noqa: SIM115 - kept open for the server's life
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            "ccpro.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            *self.gunicorn_args,
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/countries", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def worker_pids(self) -> list[int]:
        if not self.process:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    # --- HTTP helpers --------------------------------------------------------------------------
    def request(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def seed_user(self, email: str, password: str) -> str:
        """A verified, active user; returns its id."""
        code = f"""
from django.core.cache import cache
from django.utils import timezone
cache.clear()  # rate-limit counters of an earlier run on the same Redis database
from accounts.models import User
from platforms.services import platform_user_link
user = User.objects.create_user({email!r}, {password!r}, first_name="Fuzz", last_name="Tester",
                                is_active=True, email_verified_at=timezone.now())
platform_user_link(user=user)
print(user.pk)
"""
        return self.manage_python(code).strip().splitlines()[-1]

    def reset_cache(self) -> None:
        """Forget rate-limit counters (e.g. failed sign-ins a fuzzer made) so the next sign-in succeeds."""
        self.manage_python("from django.core.cache import cache; cache.clear()")

    def authenticate(self, email: str, password: str) -> str:
        status, body = self.request("POST", "/api/v1/authenticate", {"email": email, "password": password})
        if status != 200:
            raise RuntimeError(f"POST /api/v1/authenticate answered {status}: {body}")
        return body["data"]["id"]

    # --- context manager -----------------------------------------------------------------------
    def __enter__(self) -> LiveServer:
        self.create_database()
        try:
            self.manage("migrate", "--noinput")
            self.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        if not self.keep_database:
            self.drop_database()
