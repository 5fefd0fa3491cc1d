"""Every write on achievements: entries, private files, showcase selection."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lianmeng.accounts.models import User
from lianmeng.core import audit, concurrency
from lianmeng.core.actors import Actor
from lianmeng.core.files import display_name, stored_name
from lianmeng.core.search import name_pinyin, search_text
from lianmeng.core.validators import clean_upload
from lianmeng.membership.models import Organization

from .. import policies
from ..commands import AchievementCreate, AchievementUpdate, ShowcaseSet, given
from ..models import Achievement, AchievementFile, AchievementKind, Visibility
from .experts import BATCH, bulk_m2m, raise_if
from .references import Errors, References

OFFICE_PDF_IMAGES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10


def clean_achievement_file(upload: UploadedFile[bytes], field: str = "file") -> str:
    """Size and real type (by content) of an achievement file; returns the MIME type."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            {
                field: _("文件不能超过 %(max)s，当前为 %(size)s")
                % {"max": filesizeformat(MAX_FILE_BYTES), "size": filesizeformat(upload.size)}
            }
        )
    try:
        return clean_upload(upload, field=field, allowed=OFFICE_PDF_IMAGES, max_bytes=MAX_FILE_BYTES)
    except ValidationError as exc:
        raise ValidationError(
            {field: _("文件类型不符合要求：只接受 PDF、Word、Excel、PowerPoint、JPEG、PNG（按文件内容判断）")}
        ) from exc


_KIND_LABELS = dict(AchievementKind.choices)


def achievement_index_fields(
    achievement: Achievement, organizations: list[Organization] | None = None
) -> None:
    if organizations is None:
        organizations = list(achievement.organizations.all()) if achievement.pk else []
    achievement.search_text = search_text(
        achievement.title,
        achievement.authors,
        " ".join(o.name for o in organizations),
        str(_KIND_LABELS.get(achievement.kind, achievement.kind)),  # get_kind_display() rebuilds a dict
        achievement.keywords,
        achievement.abstract,
        achievement.application_scenarios,
        achievement.awards,
    )
    full, initials, achievement.name_sort = name_pinyin(achievement.title)
    achievement.name_pinyin, achievement.name_initials = full[:400], initials[:200]


def achievement_rules(
    cmd: AchievementCreate | AchievementUpdate, refs: References | None = None
) -> dict[str, Any]:
    """The achievement's values with the organizations resolved (the fields given, for an update; the
    showcase is set apart); one ValidationError naming every organization that does not exist."""
    refs = refs or References()
    errors: Errors = {}
    values = given(cmd) if isinstance(cmd, AchievementUpdate) else cmd.model_dump()
    for key in ("version", "showcase", "showcase_year"):
        values.pop(key, None)
    if "organizations" in values:
        values["organizations"] = refs.organizations(
            values["organizations"] or [], errors, "organizations", _lazy("完成单位")
        )
    if "owner_organization" in values:
        values["owner_organization"] = refs.one_organization(
            values["owner_organization"], errors, "owner_organization", _lazy("提交单位")
        )
    raise_if(errors)
    return values


def _audit_view(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (sorted(o.pk for o in v) if k == "organizations" else v) for k, v in values.items()}


def achievement_validate(
    *,
    cmd: AchievementCreate | AchievementUpdate | None,
    files: list[UploadedFile[bytes]] | None = None,
    achievement: Achievement | None = None,
) -> dict[str, Any]:
    """Every check of an achievement's references and new files at once (``cmd`` is None when the
    fields themselves were already refused); raise one ValidationError naming every bad field. Writes
    nothing: the form calls it when its own checks failed, and the edit view before adding files."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if cmd is not None:
        try:
            values = achievement_rules(cmd)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    files = files or []
    stored = achievement.files.count() if achievement is not None else 0
    if stored + len(files) > MAX_FILES:
        errors.setdefault("files", []).append(_("每项成果最多上传 %(n)d 个文件") % {"n": MAX_FILES})
    for upload in files:
        try:
            clean_achievement_file(upload, "files")
        except ValidationError as exc:
            errors.setdefault("files", []).extend(
                f"{display_name(upload.name or '')}{_('：')}{m}" for m in exc.message_dict["files"]
            )
    raise_if(errors)
    return values


def _owner(values: dict[str, Any], actor: Actor) -> Organization | None:
    """The submitting organization: the one given, else a contact's only organization."""
    owner: Organization | None = values.get("owner_organization")
    if owner is None and isinstance(actor, User) and actor.is_authenticated and not actor.is_secretariat:
        orgs = actor.contact_organizations
        owner = values["owner_organization"] = orgs[0] if len(orgs) == 1 else None
    return owner


def _achievement_new(values: dict[str, Any], actor: Actor) -> tuple[Achievement, list[Organization]]:
    owner = values.get("owner_organization")
    achievement = Achievement(
        **{k: v for k, v in values.items() if k != "organizations"},
        submitted_by=actor if isinstance(actor, User) and actor.is_authenticated else None,
    )
    orgs = values["organizations"] or ([owner] if owner else [])
    achievement_index_fields(achievement, orgs)
    return achievement, orgs


@transaction.atomic
def achievement_create(
    *, cmd: AchievementCreate, actor: Actor, files: list[UploadedFile[bytes]] | None = None
) -> Achievement:
    """A member adds an achievement for its organization (the secretariat for any); files are checked
    before anything is saved, so a bad file leaves nothing behind."""
    values = achievement_rules(cmd)
    owner = _owner(values, actor)
    if not policies.can_submit_achievement(actor, owner):
        raise PermissionDenied(_("只能为本单位提交成果"))
    files = files or []
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("每项成果最多上传 %(n)d 个文件") % {"n": MAX_FILES}})
    types = [clean_achievement_file(f, "files") for f in files]
    achievement, orgs = _achievement_new(values, actor)
    achievement.save()
    achievement.organizations.set(orgs)
    for upload, mime in zip(files, types, strict=True):
        _store_file(achievement, upload, mime, actor)
    audit.record(actor=actor, action="achievement.create", target=achievement, new=_audit_view(values))
    return achievement


@transaction.atomic
def achievements_import(
    *, cmds: list[AchievementCreate], actor: Actor, refs: References, file: str
) -> list[Achievement]:
    """Many achievements at once (an import): the rules of ``achievement_create`` for every row, one
    insert per table. One audit entry for the import,
    naming its row count and file."""
    rows = [achievement_rules(cmd, refs) for cmd in cmds]
    if not all(policies.can_submit_achievement(actor, _owner(values, actor)) for values in rows):
        raise PermissionDenied(_("只能为本单位提交成果"))
    made = [_achievement_new(values, actor) for values in rows]
    items = [a for a, _orgs in made]
    Achievement.objects.bulk_create(items, batch_size=BATCH)
    bulk_m2m(Achievement.organizations.through, "achievement", "organization", items, [o for _a, o in made])
    audit.record(
        actor=actor, action="import.achievements", target=items[0], new={"rows": len(items), "file": file}
    )
    return items


@transaction.atomic
def achievement_update(*, achievement: Achievement, cmd: AchievementUpdate, actor: Actor) -> Achievement:
    if not policies.can_edit_achievement(actor, achievement):
        raise PermissionDenied
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    concurrency.check(achievement, given(cmd))
    cleaned = achievement_rules(cmd)
    if "owner_organization" in cleaned and not policies.is_secretariat(actor):
        raise ValidationError({"owner_organization": _("只有秘书处可以修改此项")})
    scalar = [k for k in cleaned if k != "organizations"]
    before = audit.snapshot(achievement, scalar)
    for key in scalar:
        setattr(achievement, key, cleaned[key])
    if "organizations" in cleaned:
        achievement.organizations.set(cleaned["organizations"])
    achievement_index_fields(achievement)
    achievement.save()
    old, new = audit.changes(before, audit.snapshot(achievement, scalar))
    if "organizations" in cleaned:
        new["organizations"] = sorted(o.pk for o in cleaned["organizations"])
    concurrency.bump(achievement, new)
    audit.record(actor=actor, action="achievement.update", target=achievement, old=old, new=new)
    if {"showcase", "showcase_year"} & cmd.model_fields_set:
        showcase = achievement.showcase if cmd.showcase is None else cmd.showcase
        achievement = achievement_set_showcase(
            achievement=achievement,
            cmd=ShowcaseSet(showcase=showcase, showcase_year=cmd.showcase_year),
            actor=actor,
        )
    return achievement


@transaction.atomic
def achievement_set_showcase(*, achievement: Achievement, cmd: ShowcaseSet, actor: Actor) -> Achievement:
    """Select (or withdraw) an achievement for the yearly public showcase. Only public ones can be shown."""
    if not policies.can_set_showcase(actor):
        raise PermissionDenied
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if cmd.showcase and achievement.visibility != Visibility.PUBLIC:
        raise ValidationError({"showcase": _("只有公开的成果才能入选年度展示，请先把公开范围改为“公开”")})
    old = {"showcase": achievement.showcase, "showcase_year": achievement.showcase_year}
    achievement.showcase = cmd.showcase
    achievement.showcase_year = (cmd.showcase_year or achievement.year) if cmd.showcase else None
    achievement.save(update_fields=["showcase", "showcase_year", "updated_at"])
    audit.record(
        actor=actor,
        action="achievement.showcase",
        target=achievement,
        old=old,
        new={"showcase": cmd.showcase, "showcase_year": achievement.showcase_year},
    )
    return achievement


def _store_file(
    achievement: Achievement, upload: UploadedFile[bytes], mime: str, actor: Actor
) -> AchievementFile:
    item = AchievementFile(
        achievement=achievement,
        original_name=display_name(upload.name),
        content_type=mime,
        size=upload.size or 0,
        uploaded_by=actor if isinstance(actor, User) and actor.is_authenticated else None,
    )
    item.file.save(stored_name(mime), upload, save=False)
    item.save()
    return item


@transaction.atomic
def achievement_add_file(
    *, achievement: Achievement, upload: UploadedFile[bytes], actor: User
) -> AchievementFile:
    if not policies.can_edit_achievement(actor, achievement):
        raise PermissionDenied
    mime = clean_achievement_file(upload)
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if achievement.files.count() >= MAX_FILES:
        raise ValidationError({"file": _("每项成果最多上传 %(n)d 个文件") % {"n": MAX_FILES}})
    item = _store_file(achievement, upload, mime, actor)
    audit.record(
        actor=actor,
        action="achievement.file",
        target=achievement,
        new={"file": item.original_name, "content_type": mime, "size": item.size},
    )
    return item
