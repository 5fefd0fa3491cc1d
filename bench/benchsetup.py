"""What the benchmarks share: the project on the path, settings for a benchmark database of their own,
creating that database, the figures printed, and running a measurement in a child process.

    import benchsetup  # first, before Django
    benchsetup.prepare("lm_act_bench")   # PostgreSQL unless DATABASE_URL says otherwise
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def prepare(database: str) -> None:
    """Settings for a benchmark: ``DATABASE_URL`` defaults to PostgreSQL database ``database``,
    DEBUG on, files under var/bench."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianmeng.settings")
    os.environ.setdefault("DATABASE_URL", f"postgresql://postgres@127.0.0.1:5432/{database}")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LIANMENG_VAR_DIR", str(ROOT / "var" / "bench"))


def ensure_database() -> None:
    """Create the PostgreSQL database ``DATABASE_URL`` names when it does not exist yet."""
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def child_settings(database: str, name: str, var_dir: str, database_url: str = "") -> None:
    """Settings of a measuring child process, DEBUG off: ``database_url`` when given, else for
    ``database`` "postgres" the local PostgreSQL database ``name`` (created when missing), else SQLite
    under var/``var_dir`` (a DATABASE_URL of the environment is ignored then)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "lianmeng.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["DEBUG"] = "false"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    elif database == "postgres":
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"],
            capture_output=True,
            check=False,
        )
    else:
        os.environ["LIANMENG_VAR_DIR"] = str(ROOT / "var" / var_dir)
        os.environ.pop("DATABASE_URL", None)


def stats(times: list[float]) -> str:
    """Median and 95th percentile of ``times`` (milliseconds)."""
    times = sorted(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return f"median {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   ({len(times)} runs)"


def child_json(script: str, args: list[str]) -> dict[str, Any]:
    """Run ``script`` with ``args`` in a fresh interpreter (one database per process) and return the JSON
    object on the last line it prints; its stderr (progress) is passed on."""
    out = subprocess.run(
        [sys.executable, script, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    sys.stderr.write(out.stderr[-2000:])
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def both_databases(script: str, args: list[str]) -> dict[str, dict[str, Any]]:
    """``child_json`` of ``script --database D *args`` for SQLite, then PostgreSQL: {D: its JSON}."""
    return {
        database: child_json(script, ["--database", database, *args]) for database in ("sqlite", "postgres")
    }
