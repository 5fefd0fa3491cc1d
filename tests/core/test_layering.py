"""The apps' import graph: no app imports an app declared after it in ``settings.INSTALLED_APPS`` (core
at the bottom, notifications and privacy on top of everything they serve), and no import hides inside a
function to dodge a cycle unless the cycle is unavoidable and says so (a ``# cycle: …`` comment), or the
import is kept late on purpose and says why (``# late: …``: a module read once the environment is set, a
heavy optional library kept out of web start-up).

The modules are parsed (``ast``), not imported: imports under ``if TYPE_CHECKING:`` are annotations only
and do not count.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.one_pass  # reads the source only

ROOT = Path(__file__).resolve().parents[2] / "lianmeng"
APPS = [name.split(".")[1] for name in settings.INSTALLED_APPS if name.startswith("lianmeng.")]
RANK = {app: i for i, app in enumerate(APPS)}

# Imports of a later app that are allowed, by (module, imported app): each with its reason. Keep it small.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {
    # Orchestration over every app: the data generator and the demo loader build a whole alliance.
    ("core.management.commands.generate", "activities"): "test-data generator builds every app's rows",
    ("core.management.commands.generate", "library"): "test-data generator builds every app's rows",
    ("core.management.commands.generate", "matchmaking"): "test-data generator builds every app's rows",
    ("core.management.commands.generate", "membership"): "test-data generator builds every app's rows",
    # Notifications is declared last so that its demo runs after every other app's (demo order is
    # INSTALLED_APPS order), yet every app tells people through it: notify/mail_later are a service
    # of the platform, importing nothing but core and accounts (checked below).
    **{
        (module, "notifications"): "notifications is the delivery service every app uses"
        for module in (
            "activities.tasks",
            "core.taskqueue_views",
            "governance.services.council",
            "governance.services.secretariat",
            "library.mail",
            "matchmaking.mail",
            "membership.mail",
            "research.mail",
            "research.services.results",
        )
    },
    # A membership application admitted by council vote: membership asks governance for the admission
    # motion (governance builds on membership's models; the call is the one way back).
    ("membership.services", "governance"): "admission by council vote (motion of an application)",
    ("membership.views", "governance"): "the review page links the council motion if the viewer may open it",
    # The portal's home and about pages show the member directory's figures.
    ("core.views", "membership"): "portal home/about read member organizations",
    ("core.views", "matchmaking"): "the desk's first steps offer posting a resource",
    ("core.audit_text", "library"): "audit sentences name experts",
    ("core.audit_text", "privacy"): "audit sentences mask personal fields named by the privacy registry",
    ("core.cache", "reporting"): "cached portal pages are invalidated with the reports",
    # core <- accounts: the user model and API tokens (AUTH_USER_MODEL lives in accounts).
    ("core.api_support", "accounts"): "bearer-token authentication reads accounts.ApiToken",
    ("core.health", "accounts"): "the health check counts users",
    ("core.observability", "accounts"): "the request log names the signed-in user",
    ("core.management.commands.serve", "accounts"): "serve checks the accounts' throttle store",
    # An event's outcomes link library projects: the relation itself (Event.projects -> library.Project) lives
    # in activities, so its selectors, pickers, services and demo read library's rules for seeing a project.
    # (The matchmaking and news blocks of an event page come the other way: core.nav.object_sections.)
    ("activities.demo", "library"): "demo events cite library projects",
    ("activities.pickers", "library"): "event summaries pick related library projects",
    ("activities.selectors", "library"): "event summaries list related library projects",
    ("activities.services", "library"): "event summaries link related library projects",
}

# Function-level imports of lianmeng modules without a "# cycle:" comment, per app: may only go down.
FUNCTION_IMPORT_BUDGET = {
    # Imports kept inside a function say why: ``# cycle: …`` (the module cannot be imported at the top
    # without a cycle) or ``# late: …`` (kept late on purpose, e.g. the metrics module, read once
    # PROMETHEUS_MULTIPROC_DIR is set, and accounts' throttle in the observability module that
    # settings.LOGGING loads before the apps). None is left without its reason.
    **dict.fromkeys(APPS, 0),
}


@dataclass(frozen=True)
class Import:
    module: str  # dotted, under lianmeng (e.g. "membership.services")
    target: str  # the imported app
    line: int
    in_function: bool
    commented: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[Import]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    module = _module_name(path)
    app = module.split(".")[0]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            fn = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            tc = type_checking or (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - child.level + 1]
                    names = [".".join(["lianmeng", *base, *([child.module] if child.module else [])])]
                else:
                    names = [child.module or ""]
            for name in names:
                bits = name.split(".")
                if bits[0] != "lianmeng" or len(bits) < 2 or tc:
                    continue
                target = bits[1] if bits[1] in RANK else app
                end = child.end_lineno or child.lineno
                text = "".join(lines[max(child.lineno - 2, 0) : end])
                out.append(
                    Import(module, target, child.lineno, in_function, "# cycle:" in text or "# late:" in text)
                )
            visit(child, fn, tc)

    visit(tree, False, False)
    return out


def _all_imports() -> list[Import]:
    out: list[Import] = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                out.extend(_imports(path))
    return out


def test_no_app_imports_an_app_declared_after_it() -> None:
    upward = {
        (i.module, i.target): i.line for i in _all_imports() if RANK[i.target] > RANK[i.module.split(".")[0]]
    }
    unexplained = sorted(
        f"{m} imports {t} (line {line})" for (m, t), line in upward.items() if (m, t) not in ALLOWED_UPWARD
    )
    assert not unexplained, "lower apps import higher ones:\n" + "\n".join(unexplained)
    stale = sorted(f"{m} -> {t}" for (m, t) in ALLOWED_UPWARD if (m, t) not in upward)
    assert not stale, "allowed imports that no longer exist (remove them from ALLOWED_UPWARD):\n" + "\n".join(
        stale
    )


def test_notifications_builds_only_on_core_and_accounts() -> None:
    # What makes the upward imports of notifications harmless: it depends on nothing above accounts,
    # except its demo (which runs last on purpose).
    deps = {
        i.target
        for i in _all_imports()
        if i.module.startswith("notifications") and i.module != "notifications.demo"
    }
    assert deps <= {"core", "accounts", "notifications"}, deps


def test_function_level_imports_stay_within_budget() -> None:
    hidden = Counter(i.module.split(".")[0] for i in _all_imports() if i.in_function and not i.commented)
    over = {
        app: (hidden[app], budget) for app, budget in FUNCTION_IMPORT_BUDGET.items() if hidden[app] > budget
    }
    where = sorted(
        f"{i.module}:{i.line}"
        for i in _all_imports()
        if i.in_function and not i.commented and i.module.split(".")[0] in over
    )
    assert not over, (
        f"function-level imports over budget {over}: move them to the top or comment the cycle "
        "(# cycle: …) or the reason to import late (# late: …):\n" + "\n".join(where)
    )
