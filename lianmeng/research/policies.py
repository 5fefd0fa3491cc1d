"""Who may do what in research leads (pure predicates; conflicts are checked in ``services``/``selectors``).
The state machines (``machines.py``) name some of them as the guards of their transitions."""

from __future__ import annotations

from typing import Any

from lianmeng.library.models import Expert, ExpertStatus

from .models import Assignment, Entry, Proposal, RoundStatus, SelectionRound


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_secretariat(user: Any) -> bool:
    return signed_in(user) and bool(user.is_secretariat)


def contact_org_ids(user: Any) -> set[int]:
    return set(user.contact_organization_ids) if signed_in(user) else set()


def expert_of(user: Any) -> Expert | None:
    """The library Expert linked to this account, or None."""
    if not signed_in(user):
        return None
    cached: Expert | bool | None = getattr(user, "_research_expert", False)
    if cached is not False:
        return cached if isinstance(cached, Expert) else None
    expert = Expert.objects.filter(user=user, status=ExpertStatus.ACTIVE).first()
    user._research_expert = expert
    return expert


def can_manage_research(user: Any, obj: Any = None) -> bool:
    """Calls, rounds, assignment, eligibility, 公示 and finalisation are the secretariat's."""
    return is_secretariat(user)


def can_submit_for(user: Any, organization: Any) -> bool:
    """Members submit proposals and entries for their own organization; the secretariat for any."""
    if is_secretariat(user):
        return True
    return organization is not None and getattr(organization, "pk", organization) in contact_org_ids(user)


def can_withdraw_entry(user: Any, entry: Entry) -> bool:
    """The entering organization's contacts (or the secretariat) withdraw an entry."""
    return can_submit_for(user, entry.organization_id)


def can_edit_proposal(user: Any, proposal: Proposal) -> bool:
    return is_secretariat(user) or proposal.organization_id in contact_org_ids(user)


def can_answer_invitation(user: Any, assignment: Assignment) -> bool:
    """Only the invited expert accepts or declines their invitation."""
    expert = expert_of(user)
    return expert is not None and assignment.expert_id == expert.pk


def can_see_round(user: Any, round_: SelectionRound) -> bool:
    """Drafts are the secretariat's; rounds taking entries, in review or in 公示/final are visible."""
    return round_.status != RoundStatus.DRAFT or is_secretariat(user)


def round_is_public(round_: SelectionRound) -> bool:
    return round_.status in (RoundStatus.PUBLICITY, RoundStatus.FINAL)
