"""The rotating presidency as a pure function of the plan and its changes.

Terms are derived, not stored: term ``n`` starts the day after term ``n - 1`` ends, so terms can
neither overlap nor leave gaps. Equality: within a cycle each holder has one turn (it serves, or
its turn is skipped by a resolution); a new cycle starts only when every holder of the order in
force has had its turn.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

REORDER = "reorder"
SKIP = "skip"
DEFER = "defer"
TERM_LENGTH = "term_length"
MAX_TERM_MONTHS = 60


@dataclass(frozen=True)
class Change:
    kind: str
    effective_sequence: int
    order: tuple[int, ...] = ()
    organization: int | None = None
    term_months: int | None = None


@dataclass(frozen=True)
class Term:
    sequence: int  # 0-based: the founding term is 0 (shown as 第1任)
    cycle: int  # 0-based
    organization: int
    starts_on: datetime.date
    ends_on: datetime.date

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def number(self) -> int:
        return self.sequence + 1


@dataclass
class State:
    """The rotation just before term ``sequence`` picks its holder (after that term's changes)."""

    sequence: int
    cycle: int
    order: list[int]
    had_turn: set[int]  # holders that served or were skipped in the current cycle
    queue: list[int]  # holders still to serve in the current cycle, in order
    term_months: int
    starts_on: datetime.date
    skipped: list[tuple[int, int]] = field(default_factory=list)  # (cycle, organization)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ChangeRefused(ValueError):
    """A change that would break the rotation's rules; ``field`` and ``code`` say why."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


def check_change(state: State, change: Change) -> None:
    """Raise ChangeRefused when ``change`` cannot apply to ``state`` (the rotation at its sequence)."""
    if change.kind == REORDER:
        if not change.order:
            raise ChangeRefused("order", "empty_order")
        if len(set(change.order)) != len(change.order):
            raise ChangeRefused("order", "duplicate_holder")
    elif change.kind in (SKIP, DEFER):
        if change.organization not in state.order:
            raise ChangeRefused("organization", "not_a_holder")
        if change.organization in state.had_turn:
            raise ChangeRefused("organization", "already_had_turn")
        if change.kind == DEFER and state.queue and state.queue[-1] == change.organization:
            raise ChangeRefused("organization", "already_last")
    elif change.kind == TERM_LENGTH:
        if not change.term_months or not 1 <= change.term_months <= MAX_TERM_MONTHS:
            raise ChangeRefused("term_months", "bad_term_length")
    else:
        raise ChangeRefused("kind", "unknown_kind")


def _apply(state: State, change: Change) -> None:
    if change.kind == REORDER:
        state.order = list(change.order)
        state.queue = [h for h in state.order if h not in state.had_turn]
    elif change.kind == SKIP and change.organization is not None:
        state.queue.remove(change.organization)
        state.had_turn.add(change.organization)
        state.skipped.append((state.cycle, change.organization))
    elif change.kind == DEFER and change.organization is not None:
        state.queue.remove(change.organization)
        state.queue.append(change.organization)
    elif change.kind == TERM_LENGTH and change.term_months:
        state.term_months = change.term_months


class Rotation:
    """Walks the rotation term by term. Changes apply at their sequence, in the order given."""

    MAX_TERMS = 5_000

    def __init__(
        self,
        *,
        start_date: datetime.date,
        term_months: int,
        order: Iterable[int],
        changes: Iterable[Change] = (),
    ) -> None:
        self.start_date = start_date
        self.term_months = term_months
        self.order = list(order)
        self.changes = sorted(changes, key=lambda c: c.effective_sequence)

    def _initial(self) -> tuple[State, list[Change]]:
        state = State(
            sequence=0,
            cycle=0,
            order=list(self.order),
            had_turn=set(),
            queue=list(self.order),
            term_months=self.term_months,
            starts_on=self.start_date,
        )
        return state, list(self.changes)

    @staticmethod
    def _prepare(state: State, pending: list[Change]) -> bool:
        """Apply the changes due at ``state.sequence`` and roll the cycle; False when nobody is left."""
        while pending and pending[0].effective_sequence <= state.sequence:
            change = pending.pop(0)
            try:
                check_change(state, change)
            except ChangeRefused:
                continue  # a stored change that no longer applies is ignored, never half-applied
            _apply(state, change)
        if not state.queue:
            if not state.order:
                return False
            state.cycle += 1
            state.had_turn = set()
            state.queue = list(state.order)
        return True

    @staticmethod
    def _pick(state: State) -> Term:
        holder = state.queue.pop(0)
        state.had_turn.add(holder)
        ends_on = add_months(state.starts_on, state.term_months) - datetime.timedelta(days=1)
        term = Term(state.sequence, state.cycle, holder, state.starts_on, ends_on)
        state.starts_on = ends_on + datetime.timedelta(days=1)
        state.sequence += 1
        return term

    def state_at(self, sequence: int) -> State:
        """The rotation just before term ``sequence`` picks its holder, with that term's changes applied."""
        state, pending = self._initial()
        while True:
            self._prepare(state, pending)
            if state.sequence >= sequence or not state.queue:
                return state
            self._pick(state)

    def terms_until(self, day: datetime.date) -> list[Term]:
        """Every term up to the one holding ``day``, the rest of its cycle and the first of the next."""
        state, pending = self._initial()
        terms: list[Term] = []
        current_cycle = 0
        while len(terms) < self.MAX_TERMS and self._prepare(state, pending):
            term = self._pick(state)
            terms.append(term)
            if term.contains(day):
                current_cycle = term.cycle
            if term.starts_on > day and term.cycle > current_cycle:
                break
        return terms

    def term_on(self, day: datetime.date) -> Term | None:
        return next((t for t in self.terms_until(day) if t.contains(day)), None)
