"""Who may do what in the libraries (pure predicates; the same rules for HTML, API, exports, files)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from lianmeng.core.actors import is_system

from .models import (
    Achievement,
    CommitteeMembership,
    Consultation,
    ConsultationStatus,
    Expert,
    ExpertStatus,
    Project,
    ProjectStage,
    Visibility,
)


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_secretariat(user: Any) -> bool:
    return signed_in(user) and bool(user.is_secretariat)


def contact_org_ids(user: Any) -> set[int]:
    return set(user.contact_organization_ids) if signed_in(user) else set()


# Experts ---------------------------------------------------------------------------------------


def is_own_expert_profile(user: Any, expert: Expert) -> bool:
    return signed_in(user) and expert.user_id is not None and expert.user_id == user.pk


def can_manage_experts(user: Any) -> bool:
    """The secretariat; the system too (demo data and seeded reviewers)."""
    return is_secretariat(user) or is_system(user)


def can_view_expert(user: Any, expert: Expert) -> bool:
    """The public sees experts who consented to publish; signed-in users all experts in the library."""
    if is_secretariat(user) or is_own_expert_profile(user, expert):
        return True
    if expert.status != ExpertStatus.ACTIVE:
        return False
    return signed_in(user) or expert.publish_consent


def can_view_expert_personal_data(user: Any, expert: Expert | None = None) -> bool:
    """PIPL: mobile, e-mail and ID number only for the secretariat and the expert."""
    if is_secretariat(user):
        return True
    return expert is not None and is_own_expert_profile(user, expert)


def can_view_expert_biography(user: Any, expert: Expert) -> bool:
    return expert.publish_consent or can_view_expert_personal_data(user, expert)


def can_edit_expert(user: Any, expert: Expert) -> bool:
    return is_secretariat(user) or is_own_expert_profile(user, expert)


def can_manage_committee(user: Any) -> bool:
    """The secretariat; the system too (demo data)."""
    return is_secretariat(user) or is_system(user)


def committee_is_current(term: CommitteeMembership, on: datetime.date | None = None) -> bool:
    on = on or timezone.localdate()
    return term.term_start <= on <= term.term_end


# Projects --------------------------------------------------------------------------------------

PUBLIC_STAGES = (ProjectStage.LANDED, ProjectStage.OPERATING)
MEMBER_STAGES = (
    ProjectStage.EVALUATING,
    ProjectStage.INCUBATING,
    ProjectStage.LANDED,
    ProjectStage.OPERATING,
)


def can_submit_project(user: Any, lead_organization: Any) -> bool:
    """The secretariat for any lead, a contact for their own; the system too (demo data: a
    matchmaking outcome that created a project)."""
    if is_secretariat(user) or is_system(user):
        return True
    return lead_organization is not None and getattr(lead_organization, "pk", None) in contact_org_ids(user)


def is_project_party(user: Any, project: Project, partner_ids: set[int] | None = None) -> bool:
    orgs = contact_org_ids(user)
    if not orgs:
        return False
    if project.lead_organization_id in orgs:
        return True
    partners = (
        partner_ids
        if partner_ids is not None
        else set(project.partner_organizations.values_list("pk", flat=True))
    )
    return bool(orgs & partners)


def can_view_project(user: Any, project: Project) -> bool:
    if is_secretariat(user):
        return True
    if project.stage in PUBLIC_STAGES:
        return True
    if signed_in(user) and project.stage in MEMBER_STAGES:
        return True
    return is_project_party(user, project)


def can_edit_project(user: Any, project: Project) -> bool:
    if is_secretariat(user):
        return True
    return project.stage != ProjectStage.CLOSED and project.lead_organization_id in contact_org_ids(user)


def can_record_landing(user: Any, project: Project, city: Any = None) -> bool:
    """The secretariat, or the coordinator of the city where the project lands."""
    if is_secretariat(user):
        return True
    if city is None or not signed_in(user):
        return False
    return getattr(city, "pk", city) in user.coordinated_city_codes


def can_open_landing_form(user: Any, project: Project) -> bool:
    """Who is offered the 登记落地 form: the secretariat and city coordinators (the city they pick is
    checked by ``can_record_landing`` on saving)."""
    return is_secretariat(user) or bool(signed_in(user) and user.coordinated_city_codes)


def can_review_project(user: Any, project: Project) -> bool:
    """Evaluate, incubate, land, or end a landed project: the secretariat (machines.PROJECT)."""
    return is_secretariat(user)


def can_steer_project(user: Any, project: Project) -> bool:
    """Withdraw a project before it lands, or report it operating: the secretariat or a contact of the
    lead organization (machines.PROJECT)."""
    return is_secretariat(user) or project.lead_organization_id in contact_org_ids(user)


# Achievements ----------------------------------------------------------------------------------


def can_submit_achievement(user: Any, owner_organization: Any = None) -> bool:
    if is_secretariat(user):
        return True
    return owner_organization is not None and getattr(owner_organization, "pk", None) in contact_org_ids(user)


def can_view_achievement(user: Any, achievement: Achievement) -> bool:
    if achievement.visibility == Visibility.PUBLIC:
        return True
    if is_secretariat(user):
        return True
    if achievement.visibility == Visibility.MEMBERS:
        return signed_in(user)
    return signed_in(user) and (
        achievement.owner_organization_id in contact_org_ids(user) or achievement.submitted_by_id == user.pk
    )


def can_edit_achievement(user: Any, achievement: Achievement) -> bool:
    if is_secretariat(user):
        return True
    return signed_in(user) and achievement.owner_organization_id in contact_org_ids(user)


def can_set_showcase(user: Any) -> bool:
    return is_secretariat(user)


# Consultations ---------------------------------------------------------------------------------


def can_ask_consultation(user: Any, organization: Any) -> bool:
    return getattr(organization, "pk", organization) in contact_org_ids(user) or is_secretariat(user)


def can_open_consultation_form(user: Any) -> bool:
    """The question form asks on behalf of one's organization: contacts of a member organization only."""
    return bool(contact_org_ids(user))


def assigned_expert(user: Any, consultation: Consultation) -> Expert | None:
    if not signed_in(user):
        return None
    for assignment in consultation.assignments.select_related("expert"):
        if assignment.expert.user_id == user.pk:
            return assignment.expert
    return None


def can_view_consultation(user: Any, consultation: Consultation) -> bool:
    if is_secretariat(user):
        return True
    if consultation.organization_id in contact_org_ids(user):
        return True
    return assigned_expert(user, consultation) is not None


def can_assign_consultation(user: Any, consultation: Consultation | None = None) -> bool:
    return is_secretariat(user)


def can_answer_consultation(user: Any, consultation: Consultation) -> bool:
    return assigned_expert(user, consultation) is not None


def can_rate_consultation(user: Any, consultation: Consultation) -> bool:
    return consultation.organization_id in contact_org_ids(user)


def can_attach_evaluation(user: Any, consultation: Consultation, project: Project) -> bool:
    if consultation.status not in (ConsultationStatus.ANSWERED, ConsultationStatus.RATED):
        return False
    if is_secretariat(user):
        return True
    orgs = contact_org_ids(user)
    return consultation.organization_id in orgs and project.lead_organization_id in orgs


def can_import(user: Any) -> bool:
    return is_secretariat(user)


def can_export(user: Any) -> bool:
    return signed_in(user)


def can_remind_consultations(user: Any) -> bool:
    """The daily reminder of overdue consultations: the system (the worker's job) or the secretariat."""
    return is_system(user) or is_secretariat(user)
