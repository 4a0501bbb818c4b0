"""A throwaway PostgreSQL cluster: `initdb` into a temporary directory, the server listening only
on a unix socket inside it (no TCP port at all), removed on exit. For tests, benchmarks and
`govwatch cluster demo`; production points `--db` at a server of its own.

Needs Debian's `postgresql` package (binaries under /usr/lib/postgresql/*/bin, or on PATH). As
root the server runs as the `postgres` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import urllib.parse
import uuid
from pathlib import Path
from types import TracebackType


class ClusterError(RuntimeError):
    """No cluster could be started; the message says what is missing."""


def server_bin() -> Path | None:
    """Where initdb/pg_ctl are, newest version first; None when the server is not installed."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
        reverse=True,
    )
    found = candidates[0] if candidates else shutil.which("initdb")
    return Path(found).parent if found else None


def missing_reason() -> str | None:
    """Why no throwaway cluster can start here (None: it can)."""
    if server_bin() is None:
        return "PostgreSQL server binaries missing: apt-get install postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and no `postgres` user to run the server as"
    return None


class TempCluster:
    """`with TempCluster() as cluster: cluster.url` — a server for as long as the block runs;
    `settings` are server settings beside the defaults (`{"shared_buffers": "1GB"}`)."""

    def __init__(self, max_connections: int = 200, settings: dict[str, str] | None = None) -> None:
        reason = missing_reason()
        if reason:
            raise ClusterError(reason)
        self.bin = server_bin() or Path()
        self.dir = Path(tempfile.mkdtemp(prefix="govwatch-pg-"))
        self.data = self.dir / "data"
        self.socket_dir = self.dir
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self.user = "govwatch"
        self.max_connections = max_connections
        self.settings = settings or {}
        self.started = False

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*self._as, *command], capture_output=True, text=True, cwd=self.dir, check=False
        )
        if result.returncode != 0:
            raise ClusterError(f"{command[0]} failed: {(result.stderr or result.stdout).strip()}")

    def start(self) -> TempCluster:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust",
                  "-E", "UTF8", "--locale", "C", "--no-sync")  # fmt: skip
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
            f"-c fsync=off -c max_connections={self.max_connections}"
        ) + "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.dir / "server.log"), "start")  # fmt: skip
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        """A libpq URL to `database` over the cluster's socket."""
        host = urllib.parse.quote(str(self.socket_dir), safe="")
        return f"postgresql://{self.user}@/{database}?host={host}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = name or "gw_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(ClusterError):
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> TempCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
