"""Ready-made databases and static files for tests that run real `lianmeng` processes.

Migrating an empty database takes 15-20 s (Django renders the model states of about a hundred
migrations) and collecting the static files 4 s (21 s before the Brotli level of lianmeng.core.staticstorage). Tests that start `lianmeng serve`, `worker` or
`restore` on a site of their own used to do both each time. Now the first such test of a pytest run
takes the run's own test database, just migrated by pytest-django, as the template of its engine (or
migrates one for the other engine) and collects the static files once; every later database is a copy (a
file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL) and every var/ directory gets a copy
of the collected files. Tests of migrating itself (a restore into an empty database) still start from empty.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
SECRET = "ops-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a child `lianmeng` process: none of pytest's settings, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LIANMENG_", "PYTEST", "DJANGO_", "PROMETHEUS_", "SITE_URL", "METRICS_"))
        and k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "REPORTS_DATABASE_URL"}
    }
    env.update(extra)
    return env


def run_cli(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "lianmeng.cli", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"lianmeng {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def postgres_url() -> str | None:
    """The run's DATABASE_URL when it names PostgreSQL (the PostgreSQL run of `make test`)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@dataclass
class Database:
    url: str
    _drop: Callable[[], None] | None = None

    def drop(self) -> None:
        if self._drop:
            self._drop()


def _create_postgres(server: str, name: str, template: str | None = None) -> Database:
    import psycopg

    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def drop() -> None:
        with psycopg.connect(server + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return Database(f"{server}/{name}", drop)


class Prepared:
    """Per pytest run: a migrated template per engine and one set of collected static files, made on
    first use under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._templates: dict[str, Database] = {}
        self._static: Path | None = None

    def _env(self, url: str) -> dict[str, str]:
        var = self.root / "var"
        var.mkdir(exist_ok=True)
        return base_env(LIANMENG_VAR_DIR=str(var), DATABASE_URL=url, SECRET_KEY=SECRET, DEBUG="false")

    def _template(self, engine: str) -> Database:
        if engine not in self._templates:
            if engine == "sqlite":
                template = Database(f"sqlite:///{self.root / 'template.sqlite3'}")
            else:
                server = (postgres_url() or "").rsplit("/", 1)[0]
                template = _create_postgres(server, f"lianmeng_tpl_{uuid.uuid4().hex[:10]}")
            run_cli(self._env(template.url), "migrate", "--noinput", "-v0", timeout=900)
            self._templates[engine] = template
        return self._templates[engine]

    def adopt(self, connection: Any) -> None:
        """Take the run's test database, just migrated by pytest-django, as the template of its engine
        instead of migrating another one (15-20 s less per run). Called before any test has written to
        it: a flushed test database has lost the rows the migrations seed."""
        vendor = "sqlite" if connection.vendor == "sqlite" else "postgresql"
        if vendor in self._templates:
            return
        if vendor == "sqlite":
            import sqlite3

            target = self.root / "template.sqlite3"
            connection.ensure_connection()
            copy = sqlite3.connect(target)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
            self._templates[vendor] = Database(f"sqlite:///{target}")
            return
        from django.db import connections

        source = connection.settings_dict["NAME"]
        connections.close_all()  # PostgreSQL copies a database only while nobody is connected to it
        server = (postgres_url() or "").rsplit("/", 1)[0]
        self._templates[vendor] = _create_postgres(server, f"lianmeng_tpl_{uuid.uuid4().hex[:10]}", source)

    def database(self, directory: Path, name: str, *, engine: str | None = None) -> Database:
        """A migrated database of its own: a SQLite file in ``directory``, or a new PostgreSQL database
        (dropped by ``Database.drop``). ``engine`` defaults to the run's database."""
        engine = engine or ("postgresql" if postgres_url() else "sqlite")
        template = self._template(engine)
        if engine == "sqlite":
            source = Path(template.url.removeprefix("sqlite:///"))
            target = directory / f"{name}.sqlite3"
            for path in source.parent.glob(source.name + "*"):  # the database and any -wal / -shm file
                shutil.copy(path, directory / path.name.replace(source.name, target.name))
            return Database(f"sqlite:///{target}")
        server, template_name = template.url.rsplit("/", 1)
        return _create_postgres(server, f"lianmeng_{name}_{uuid.uuid4().hex[:8]}", template_name)

    def static(self, var: Path) -> None:
        """var/static as `lianmeng collectstatic` with production settings leaves it."""
        if self._static is None:
            run_cli(
                self._env(f"sqlite:///{self.root / 'static-only.sqlite3'}"),
                "collectstatic",
                "--noinput",
                "-v0",
            )
            self._static = self.root / "var" / "static"
        shutil.copytree(self._static, var / "static", dirs_exist_ok=True)

    def close(self) -> None:
        for template in self._templates.values():
            template.drop()
