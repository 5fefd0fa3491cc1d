"""Every write in the libraries (experts, committee, projects, achievements, consultations, imports)."""

from .experts import (
    EXPERT_SELF_EDITABLE,
    committee_appoint,
    committee_end_term,
    expert_clean,
    expert_create,
    expert_index_fields,
    expert_update,
)
from .projects import (
    PROJECT_TRANSITIONS,
    landing_clean,
    landing_record,
    project_clean,
    project_create,
    project_index_fields,
    project_next_stages,
    project_transition,
    project_update,
)

__all__ = [
    "EXPERT_SELF_EDITABLE",
    "PROJECT_TRANSITIONS",
    "committee_appoint",
    "committee_end_term",
    "expert_clean",
    "expert_create",
    "expert_index_fields",
    "expert_update",
    "landing_clean",
    "landing_record",
    "project_clean",
    "project_create",
    "project_index_fields",
    "project_next_stages",
    "project_transition",
    "project_update",
]
