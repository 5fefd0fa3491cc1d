"""``{% can "app.verb_thing" user obj as ok %}``: ask an app's policy whether to render a link or button.

The answer comes from ``lianmeng.<app>.policies.can_<verb_thing>(user, *args)``, the same predicate the
view or selector behind the link applies, so a page never shows what its viewer cannot open
(docs/DEVELOPING.md, "Links follow the policies").
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from typing import Any

from django import template

register = template.Library()

_NAME = re.compile(r"^(?P<app>[a-z_]+)\.(?P<verb>[a-z_]+)$")


@functools.cache
def policy(name: str) -> Callable[..., bool]:
    """The predicate ``can_<verb>`` of ``lianmeng.<app>.policies`` for ``"<app>.<verb>"``."""
    match = _NAME.match(name)
    if match is None:
        raise template.TemplateSyntaxError(f"policy name must look like 'app.verb_thing', not {name!r}")
    module = importlib.import_module(f"lianmeng.{match['app']}.policies")
    check = getattr(module, f"can_{match['verb']}", None)
    if not callable(check):
        raise template.TemplateSyntaxError(f"lianmeng.{match['app']}.policies has no can_{match['verb']}")
    return check


@register.simple_tag
def can(name: str, user: Any, *args: Any) -> bool:
    return bool(policy(name)(user, *args))
