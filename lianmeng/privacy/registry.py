"""The one list of personal data (PIPL): which fields of which models hold a person's data, how a row is
linked to its person, and what erasure does to each field.

``tests/privacy/test_registry.py`` fails when a model gains a field whose name looks personal (name,
mobile, phone, email, id_number, contact, address, birth, author, leader, …) or a foreign key to the
user model that is neither listed here (``PERSONAL``), nor explained in ``NOT_PERSONAL`` or
``USER_REFERENCES``: the list cannot silently fall behind the models.

A row belongs to a person when one of its ``users`` paths is the person's account, one of its
``mobiles`` / ``emails`` fields holds one of the person's numbers or addresses, or (for the few fields
that hold nothing but a name) one of its ``names`` / ``name_lists`` fields holds the person's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# What erasure writes into a field.
PSEUDONYM = "pseudonym"  # "已删除用户 #123"
BLANK = "blank"  # ""
NULL = "null"  # None
PLACEHOLDER = "placeholder"  # "D<row id>": blank but unique, for fields under a unique constraint
USERNAME = "username"  # "erased-<user id>"
FILE = "file"  # the stored file is deleted and the field emptied
NAME_IN_LIST = "name_in_list"  # the person's name inside a comma list is replaced by the pseudonym
JSON = "json"  # the person's values inside a JSON document are replaced by REDACTED
REPR = "repr"  # the person's values inside a text (an audit row's description) are replaced by REDACTED

REDACTED = "[已删除]"


@dataclass(frozen=True)
class PersonalModel:
    model: str  # app_label.ModelName
    fields: Mapping[str, str] = field(default_factory=dict)  # personal field -> what erasure writes
    users: tuple[
        str, ...
    ] = ()  # paths of foreign keys to the person's account ("registered_by", "expert__user")
    # Of ``users``, the paths that make the row the person's own (the account, the expert profile). A row
    # linked only by another path (registered_by: a contact registering a colleague) is the person's
    # record, but its personal fields are someone else's unless a mobile, e-mail or name matches.
    owner_links: tuple[str, ...] = ()
    mobiles: tuple[str, ...] = ()  # fields holding the person's mobile number
    emails: tuple[str, ...] = ()  # fields holding the person's e-mail address
    names: tuple[str, ...] = ()  # fields holding nothing but a name (linked by the exact name)
    name_lists: tuple[str, ...] = ()  # comma lists of names (authors, team)
    on_erase: Mapping[str, object] = field(default_factory=dict)  # other fields set on erasure
    delete_rows: bool = False  # erasure deletes the person's rows (credentials without a fact to keep)
    reindex: str = ""  # dotted path of the function that refreshes derived search columns
    derived: tuple[str, ...] = ()  # search columns computed from the personal fields (refreshed by reindex)
    files: tuple[str, ...] = ()  # file fields included in the person's download (their uploads)
    not_exported: tuple[str, ...] = ()  # left out of the download (secrets, or other people's data)
    optional: bool = False  # a model of a third-party app that may not be installed
    note: str = ""


PERSONAL: tuple[PersonalModel, ...] = (
    PersonalModel(
        "accounts.User",
        fields={
            "username": USERNAME,
            "display_name": PSEUDONYM,
            "first_name": BLANK,
            "last_name": BLANK,
            "email": BLANK,
            "mobile": BLANK,
        },
        users=("pk",),
        owner_links=("pk",),
        mobiles=("mobile",),
        emails=("email",),
        on_erase={"is_active": False, "is_staff": False, "is_superuser": False},
        note="the account; its password is made unusable, its roles removed and its API tokens revoked",
    ),
    PersonalModel("accounts.RoleAssignment", users=("user",), delete_rows=True, note="access rights"),
    PersonalModel("accounts.ApiToken", users=("user",), note="revoked on erasure (accounts.services)"),
    PersonalModel(
        "otp_totp.TOTPDevice",
        users=("user",),
        delete_rows=True,
        not_exported=("key",),
        optional=True,
        note="two-factor authenticator (a credential)",
    ),
    PersonalModel(
        "otp_static.StaticDevice", users=("user",), delete_rows=True, optional=True, note="recovery codes"
    ),
    PersonalModel(
        "membership.MembershipApplication",
        fields={"contact_name": PSEUDONYM, "contact_mobile": BLANK, "contact_email": BLANK, "letter": FILE},
        mobiles=("contact_mobile",),
        emails=("contact_email",),
        files=("letter",),
        note="the applicant's contact person and the signed commitment letter",
    ),
    PersonalModel("governance.CouncilSeat", users=("representative",)),
    PersonalModel("governance.SeatRepresentative", users=("user",)),
    PersonalModel(
        "governance.Attendance",
        fields={"proxy_name": PSEUDONYM},
        names=("proxy_name",),
        note="the name of a proxy attending a council meeting",
    ),
    PersonalModel("governance.Motion", users=("proposer",)),
    PersonalModel("governance.Vote", users=("cast_by",), note="open ballots only carry the choice"),
    PersonalModel("governance.Task", users=("owner_user",)),
    PersonalModel("governance.MeetingPaper", users=("uploaded_by",), files=("file",)),
    PersonalModel(
        "activities.Registration",
        fields={"name": PSEUDONYM, "mobile": PLACEHOLDER, "email": BLANK, "role": BLANK},
        users=("registered_by",),
        mobiles=("mobile",),
        emails=("email",),
        note="an attendee; the status (registered, attended …) stays so that counts do not change",
    ),
    PersonalModel("activities.CalendarFeedToken", users=("user",), delete_rows=True),
    PersonalModel(
        "notifications.Notification",
        users=("recipient",),
        owner_links=("recipient",),
        delete_rows=True,
        note="in-app notifications (站内消息) addressed to the person",
    ),
    PersonalModel(
        "notifications.NotificationPreference",
        users=("user",),
        owner_links=("user",),
        delete_rows=True,
        note="how the person wants to be told (in-app, mail, daily digest)",
    ),
    PersonalModel("activities.EventPhoto", users=("uploaded_by",), files=("image",)),
    PersonalModel(
        "library.Expert",
        fields={"name": PSEUDONYM, "mobile": BLANK, "email": BLANK, "id_number": BLANK, "biography": BLANK},
        users=("user",),
        owner_links=("user",),
        mobiles=("mobile",),
        emails=("email",),
        on_erase={"status": "inactive", "availability": "unavailable", "publish_consent": False},
        reindex="lianmeng.library.services.experts.expert_index_fields",
        derived=("search_text", "name_pinyin", "name_initials", "name_sort"),
        note="the expert profile; review scores and answers stay under the pseudonym",
    ),
    PersonalModel("library.CommitteeMembership", users=("expert__user",)),
    PersonalModel("library.Consultation", users=("asked_by",)),
    PersonalModel("library.ConsultationAnswer", users=("expert__user",)),
    PersonalModel("library.Project", users=("submitted_by",)),
    PersonalModel(
        "library.Achievement",
        fields={"authors": NAME_IN_LIST},
        users=("submitted_by",),
        name_lists=("authors",),
        reindex="lianmeng.library.services.achievements.achievement_index_fields",
        derived=("search_text",),
    ),
    PersonalModel("library.AchievementFile", users=("uploaded_by",), files=("file",)),
    PersonalModel(
        "research.Proposal",
        fields={"leader": PSEUDONYM, "team": NAME_IN_LIST},
        users=("submitted_by",),
        names=("leader",),
        name_lists=("team",),
    ),
    PersonalModel(
        "research.Entry", fields={"authors": NAME_IN_LIST}, users=("submitted_by",), name_lists=("authors",)
    ),
    PersonalModel("research.Assignment", users=("expert__user",)),
    PersonalModel("research.Review", users=("assignment__expert__user",)),
    PersonalModel(
        "research.Objection",
        fields={"name": PSEUDONYM, "contact": BLANK, "ip": NULL},
        mobiles=("contact",),
        emails=("contact",),
        note="a person objecting during 公示; the objection and its answer stay",
    ),
    PersonalModel(
        "matchmaking.Resource",
        fields={"contact_name": PSEUDONYM, "contact_phone": BLANK, "contact_email": BLANK},
        users=("created_by",),
        mobiles=("contact_phone",),
        emails=("contact_email",),
    ),
    PersonalModel("matchmaking.MatchRequest", users=("requester",)),
    PersonalModel("matchmaking.SlotSeat", users=("person",)),
    PersonalModel("publicity.Article", users=("author",)),
    PersonalModel(
        "core.AuditEntry",
        fields={"actor_repr": PSEUDONYM, "ip": NULL, "old": JSON, "new": JSON, "target_repr": REPR},
        users=("actor",),
        owner_links=("actor",),
        not_exported=("old", "new", "target_repr"),
        note="audit rows stay (who did what, when); the person's values inside them are redacted",
    ),
)

# Fields whose names look personal but are not a person's data, and why.
NOT_PERSONAL: Mapping[str, str] = {
    "core.AllianceSettings.name": "the alliance's name",
    "notifications.Notification.mail_state": "whether the notification was mailed (not an address)",
    "core.AllianceSettings.name_en": "the alliance's name",
    "core.AllianceSettings.short_name": "the alliance's name",
    "core.AllianceSettings.contact_phone": "the secretariat's office telephone",
    "core.AllianceSettings.contact_email": "the secretariat's office mailbox",
    "core.AllianceSettings.contact_address": "the secretariat's office address",
    "core.City.name": "a city",
    "core.City.name_en": "a city",
    "core.ScheduleRun.name": "a periodic job",
    "accounts.ApiToken.name": "a label the user gave a token",
    "membership.Organization.name": "an organization (not a natural person)",
    "membership.Organization.short_name": "an organization",
    "membership.Organization.address": "an organization's public address",
    "membership.Organization.phone": "an organization's public telephone",
    "membership.Organization.email": "an organization's public mailbox",
    "membership.Organization.name_pinyin": "search column of the organization's name",
    "membership.Organization.name_initials": "search column of the organization's name",
    "membership.Organization.name_sort": "search column of the organization's name",
    "membership.MembershipApplication.name": "the applying organization",
    "membership.MembershipApplication.short_name": "the applying organization",
    "membership.MembershipApplication.address": "the applying organization's address",
    "activities.Event.address": "the venue of an event",
    "activities.Registration.organization_name": "the attendee's organization",
    "library.ExpertiseField.name": "a field of expertise",
    "library.StrategyTag.name": "a national-strategy tag",
    "library.Expert.organization_name": "the expert's organization",
    "library.Project.name": "a project",
    "library.Project.name_pinyin": "search column of the project's name",
    "library.Project.name_initials": "search column of the project's name",
    "library.Project.name_sort": "search column of the project's name",
    "library.Landing.park_name": "a park (organization)",
    "library.Achievement.name_pinyin": "search column of the achievement's title",
    "library.Achievement.name_initials": "search column of the achievement's title",
    "library.Achievement.name_sort": "search column of the achievement's title",
    "library.AchievementFile.original_name": "the name of an uploaded file",
    "library.ConsultationAttachment.original_name": "the name of an uploaded file",
    "research.ProposalFile.original_name": "the name of an uploaded file",
    "research.EntryFile.original_name": "the name of an uploaded file",
    "research.Criterion.name": "a review criterion",
    "research.SelectionRound.objection_contact": "the office that receives objections (published in 公示)",
    "research.AssignmentJob.signature": "a fingerprint of the round's entries, experts and conflicts",
    "reporting.DataVersion.name": "the name of a data-version counter (e.g. annual report)",
}

# Foreign keys to the user model that record who acted (facts kept on erasure, the account row itself
# carries the pseudonym) and are not exported as the person's own records.
USER_REFERENCES: Mapping[str, str] = {
    "membership.MembershipEvent.actor": "who recorded a membership event",
    "notifications.Notification.actor": "whose action a notification reports (to someone else)",
    "membership.ApplicationReview.actor": "who reviewed an application",
    "governance.RotationChange.created_by": "who recorded a rotation change",
    "governance.PresidencyHandover.recorded_by": "who recorded a handover",
    "governance.CharterVersion.recorded_by": "who recorded a charter version",
    "governance.Meeting.convened_by": "who convened a meeting",
    "governance.Resolution.signed_off_by": "who signed a resolution off",
    "governance.Notice.author": "who wrote a notice (secretariat)",
    "governance.NoticeReceipt.read_by_user": "who confirmed an organization read a notice",
    "governance.Task.created_by": "who created a task",
    "governance.TaskNote.author": "who wrote a progress note",
    "activities.Event.created_by": "who created an event",
    "activities.Registration.checked_in_by": "who checked an attendee in",
    "library.ProjectStageChange.actor": "who moved a project",
    "library.Landing.actor": "who recorded a landing",
    "library.ConsultationAssignment.assigned_by": "who assigned an expert",
    "library.ProjectEvaluation.attached_by": "who attached an evaluation",
    "research.SelectionRound.created_by": "who created a round",
    "research.Objection.responded_by": "who answered an objection",
    "research.AssignmentJob.created_by": "who started an assignment computation",
    "reporting.ReportFile.requested_by": "who asked for an annual report file to be built",
    "matchmaking.MatchRequest.responder": "who answered a request",
    "matchmaking.MatchRequest.outcome_by": "who recorded an outcome",
    "matchmaking.Meeting.recorded_by": "who recorded a meeting",
    "matchmaking.SessionSlot.booked_by": "who booked a slot",
    "privacy.Erasure.actor": "who carried out an erasure",
    "privacy.Erasure.user": "the erased account (pseudonymised)",
}


def installed() -> tuple[PersonalModel, ...]:
    """The registered models whose app is installed (third-party ones are optional)."""
    from django.apps import apps

    out = []
    for entry in PERSONAL:
        try:
            apps.get_model(entry.model)
        except LookupError:
            if entry.optional:
                continue
            raise
        out.append(entry)
    return tuple(out)


def personal_field_names() -> set[str]:
    """``app_label.Model.field`` of every registered personal field and link."""
    out: set[str] = set()
    for entry in PERSONAL:
        for name in (*entry.fields, *entry.mobiles, *entry.emails, *entry.names, *entry.name_lists):
            out.add(f"{entry.model}.{name}")
        for path in entry.users:
            out.add(f"{entry.model}.{path.split('__')[0]}")
        for name in (*entry.derived, *entry.files):
            out.add(f"{entry.model}.{name}")
    return out
