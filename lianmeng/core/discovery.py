"""Find a module by name in every Lianmeng app (urls, api, desk, portal, demo, search_provider, ...)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    """(app config, module) for each installed ``lianmeng.<app>.<name>``, in INSTALLED_APPS order.

    A missing module is skipped; an import error inside an existing module is raised.
    """
    for config in apps.get_app_configs():
        if not config.name.startswith("lianmeng."):
            continue
        dotted = f"{config.name}.{name}"
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
            continue
        yield config, module
