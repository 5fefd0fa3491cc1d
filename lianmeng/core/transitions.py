"""One way to change a state: a transition table per state machine.

A machine lists its states (the model's ``TextChoices``), where records start, which states are final,
and the transitions ``(source, action, target)``. A transition may name a *guard*: the name of a policy
function (``can_<verb>_<thing>(user, obj) -> bool``) in the app's ``policies`` module that must allow the
actor. Services ask the machine for the next state; it raises the one error style of the house::

    EVENT = Machine(
        "activities.event",
        states=EventStatus,
        initial=[EventStatus.DRAFT],
        final=[EventStatus.CANCELLED, EventStatus.CLOSED],
        transitions=[
            T(EventStatus.DRAFT, "publish", EventStatus.PUBLISHED),
            T(EventStatus.PUBLISHED, "cancel", EventStatus.CANCELLED, guard="can_cancel_event"),
        ],
        policies="lianmeng.activities.policies",
    )
    event.status = EVENT.target(event.status, "publish")             # ValidationError on "status"
    EVENT.check(event.status, "cancel", actor=user, obj=event)      # and PermissionDenied by the guard

Every machine registers itself in ``MACHINES``; ``tests/core/test_transitions.py`` checks each one is
complete (every state reachable from a start state, no dead end except the final states, every guard
an existing policy).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _

MACHINES: dict[str, Machine] = {}


@dataclass(frozen=True)
class T:
    """One transition: in state ``source``, ``action`` leads to ``target`` if ``guard`` allows it."""

    source: str
    action: str
    target: str
    guard: str | None = None


class Machine:
    def __init__(
        self,
        name: str,
        *,
        states: type[TextChoices],
        initial: Iterable[str],
        final: Iterable[str],
        transitions: Iterable[T],
        policies: str | None = None,
        field: str = "status",
    ) -> None:
        self.name = name
        self.states = states
        self.initial = frozenset(str(s) for s in initial)
        self.final = frozenset(str(s) for s in final)
        self.transitions = tuple(transitions)
        self.policies = policies
        self.field = field
        self._by_source: dict[str, dict[str, T]] = {}
        for t in self.transitions:
            actions = self._by_source.setdefault(str(t.source), {})
            if t.action in actions:
                raise ValueError(f"{name}: two transitions for {t.action!r} from {t.source!r}")
            actions[t.action] = t
        MACHINES[name] = self

    # ------------------------------------------------------------------ queries

    def label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return str(state)

    def actions(self, state: str) -> list[str]:
        """The actions possible from ``state`` (in table order), whoever acts."""
        return list(self._by_source.get(str(state), {}))

    def can(self, state: str, action: str, *, actor: Any = None, obj: Any = None) -> bool:
        """Whether ``action`` is possible from ``state`` and its guard (if any) allows ``actor``."""
        t = self._by_source.get(str(state), {}).get(action)
        if t is None:
            return False
        return t.guard is None or self.guard(t.guard)(actor, obj)

    def allowed(self, state: str, *, actor: Any, obj: Any = None) -> list[str]:
        """The actions ``actor`` may take from ``state`` now (for the page's buttons)."""
        return [a for a in self.actions(state) if self.can(state, a, actor=actor, obj=obj)]

    def targets(self, state: str, *, actor: Any = None, obj: Any = None) -> list[str]:
        """The states ``actor`` may move to from ``state`` (machines whose actions are the target's name)."""
        return [self._by_source[str(state)][a].target for a in self.allowed(state, actor=actor, obj=obj)]

    def guard(self, name: str) -> Callable[[Any, Any], bool]:
        if self.policies is None:
            raise LookupError(f"{self.name}: guard {name!r} without a policies module")
        module = importlib.import_module(self.policies)
        fn: Callable[[Any, Any], bool] = getattr(module, name)
        return fn

    # ------------------------------------------------------------------ writes

    def target(self, state: str, action: str) -> str:
        """The state ``action`` leads to from ``state``; a ValidationError on the machine's field (the
        house's one message: the current state and why nothing happened) when it is not possible."""
        t = self._by_source.get(str(state), {}).get(action)
        if t is None:
            raise ValidationError(
                {self.field: _("当前状态为“%(status)s”，不能执行该操作") % {"status": self.label(state)}}
            )
        return str(t.target)

    def check(self, state: str, action: str, *, actor: Any, obj: Any = None) -> str:
        """Like :meth:`target`, and the transition's guard must allow ``actor`` (PermissionDenied)."""
        target = self.target(state, action)
        t = self._by_source[str(state)][action]
        if t.guard is not None and not self.guard(t.guard)(actor, obj):
            raise PermissionDenied
        return target

    # ------------------------------------------------------------------ completeness

    def problems(self) -> list[str]:
        """What makes the machine incomplete (empty when it is sound)."""
        out: list[str] = []
        values = {str(v) for v in self.states.values}
        for t in self.transitions:
            for s in (t.source, t.target):
                if str(s) not in values:
                    out.append(f"{self.name}: unknown state {s!r}")
            if t.guard is not None:
                try:
                    self.guard(t.guard)
                except (LookupError, AttributeError, ImportError):
                    out.append(f"{self.name}: guard {t.guard!r} is no policy")
        for s in self.initial | self.final:
            if s not in values:
                out.append(f"{self.name}: unknown state {s!r}")
        seen = set(self.initial)
        todo = list(self.initial)
        while todo:
            s = todo.pop()
            for t in self._by_source.get(s, {}).values():
                if str(t.target) not in seen:
                    seen.add(str(t.target))
                    todo.append(str(t.target))
        for s in sorted(values - seen):
            out.append(f"{self.name}: state {s!r} cannot be reached")
        for s in sorted(values - self.final):
            if not self._by_source.get(s):
                out.append(f"{self.name}: state {s!r} is a dead end but not final")
        for s in sorted(self.final):
            if self._by_source.get(s):
                out.append(f"{self.name}: final state {s!r} has transitions")
        return out
