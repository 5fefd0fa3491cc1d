"""Reports read the replica named by REPORTS_DATABASE_URL (lianmeng.core.db_router), everything else the
primary, with two real databases of the run's kind (SQLite files or PostgreSQL databases).

The replica is a copy of the primary taken before more organizations joined (what a lagging replica
holds): the reports then count the replica's members, the directory counts the primary's, and a person
created after the copy still signs in to the reports page (accounts and sessions always come from the
primary)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.sites import Prepared

from .conftest import base_env, run_cli

SETUP = """
from lianmeng.core import demo
from lianmeng.core.demo_support import make_uscc
from lianmeng.core.models import City
from lianmeng.core.actors import SYSTEM
from lianmeng.membership.commands import OrganizationCreate
from lianmeng.membership.services import organization_create

demo.load(accounts=False)
city = City.objects.filter(is_member=True).order_by("position", "code").first()
for i in range({n}):
    name = "{prefix}单位" + str(i)
    organization_create(
        cmd=OrganizationCreate.build({{"name": name, "uscc": make_uscc(name, division=city.code, kind="park"),
                                      "kind": "park", "city": city.code, "tier": "ordinary"}}),
        actor=SYSTEM,
    )
"""

CHECK = """
import json
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lianmeng.accounts.models import User
from lianmeng.membership.models import Organization

year = timezone.localdate().year
user = User.objects.create_user(username="report-reader", password="a-long-password-123")
client = Client()
with CaptureQueriesContext(connections["reports"]) as on_replica, CaptureQueriesContext(connections["default"]) as on_primary:
    api = client.get(f"/api/v1/reports/{year}")
replica_api_queries, primary_api_queries = len(on_replica), len(on_primary)
client.force_login(user)
page = client.get("/reports/")
directory = client.get("/api/v1/organizations")
print("RESULT " + json.dumps({
    "api_status": api.status_code,
    "api_active": api.json()["membership"]["active"],
    "replica_queries": replica_api_queries,
    "primary_queries": primary_api_queries,
    "page_status": page.status_code,
    "page_login_redirect": page.status_code == 302,
    "primary_active": Organization.objects.filter(status="active").count(),
    "directory_status": directory.status_code,
}))
"""


def _clone(primary: str, replica_dir: Path) -> str:
    """A snapshot of the primary as a second database (SQLite backup API, or CREATE DATABASE ... TEMPLATE)."""
    if primary.startswith("sqlite:///"):
        source = primary.removeprefix("sqlite:///")
        target = replica_dir / "replica.sqlite3"
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return f"sqlite:///{target}"
    import uuid

    import psycopg

    server, name = primary.rsplit("/", 1)
    replica = f"{name}_replica_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{replica}" TEMPLATE "{name}"')
    return f"{server}/{replica}"


def _drop(url: str) -> None:
    if url.startswith("sqlite:///"):
        return
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_reports_read_the_replica_and_everything_else_the_primary(tmp_path: Path, prepared: Prepared) -> None:
    var = tmp_path / "var"
    var.mkdir()
    primary = prepared.database(var, "primary")
    env = base_env(LIANMENG_VAR_DIR=str(var), DATABASE_URL=primary.url, DEBUG="true", LIANMENG_TESTING="1")
    replica_url = ""
    try:
        run_cli(env, "shell", "-c", SETUP.format(n=3, prefix="早"))
        replica_url = _clone(primary.url, tmp_path)
        run_cli(env, "shell", "-c", SETUP.format(n=2, prefix="晚"))  # joined after the replica's snapshot

        out = run_cli({**env, "REPORTS_DATABASE_URL": replica_url}, "shell", "-c", CHECK).stdout
        result = json.loads(
            next(x for x in out.splitlines() if x.startswith("RESULT ")).removeprefix("RESULT ")
        )
        assert result["api_status"] == 200
        assert result["primary_active"] == 5
        assert result["api_active"] == 3  # the replica's count
        assert result["replica_queries"] > 0
        assert result["page_status"] == 200  # the new account was read from the primary
        assert result["directory_status"] == 200

        # Without REPORTS_DATABASE_URL the same report counts the primary.
        out = run_cli(
            env,
            "shell",
            "-c",
            "import json; from django.test import Client; from django.utils import timezone; "
            "r = Client().get(f'/api/v1/reports/{timezone.localdate().year}'); "
            "print('ACTIVE', r.json()['membership']['active'])",
        ).stdout
        assert "ACTIVE 5" in out
    finally:
        if replica_url:
            _drop(replica_url)
        primary.drop()
