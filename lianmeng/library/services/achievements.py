"""Every write on achievements: entries, private files, showcase selection."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lianmeng.core import audit, concurrency
from lianmeng.core.files import display_name, stored_name
from lianmeng.core.search import search_text
from lianmeng.core.validators import clean_upload
from lianmeng.membership.models import Organization

from .. import policies
from ..models import Achievement, AchievementFile, AchievementKind, AchievementSource, Visibility
from ..pinyin import name_pinyin
from ._clean import Cleaner, split_list
from .experts import _organization_lookup, _organizations_lookup

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


def clean_achievement_file(upload: UploadedFile, field: str = "file") -> str:
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


_KIND_BY_LABEL = {str(label): value for value, label in AchievementKind.choices}
_VIS_BY_LABEL = {str(label): value for value, label in Visibility.choices}
_SOURCE_BY_LABEL = {str(label): value for value, label in AchievementSource.choices if value}


def achievement_clean(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    c = Cleaner(data)
    out: dict[str, Any] = {}

    def want(name: str) -> bool:
        return not partial or name in data

    def labelled(field: str, mapping: dict[str, str]) -> None:
        value = str(data.get(field) or "").strip()
        if value in mapping:
            c.data = {**c.data, field: mapping[value]}

    labelled("kind", _KIND_BY_LABEL)
    labelled("visibility", _VIS_BY_LABEL)
    labelled("source", _SOURCE_BY_LABEL)
    if want("kind"):
        out["kind"] = c.choice("kind", _lazy("成果类型"), AchievementKind.values)
    if want("title"):
        out["title"] = c.text("title", _lazy("成果名称"), required=True, max_length=200)
    if want("authors"):
        authors = split_list(c.text("authors", _lazy("作者"), required=True, max_length=300))
        out["authors"] = "、".join(authors)
    if want("organizations"):
        out["organizations"] = _organizations_lookup(
            split_list(data.get("organizations")), c, "organizations", _lazy("完成单位")
        )
    if want("owner_organization"):
        out["owner_organization"] = _organization_lookup(
            data.get("owner_organization"), c, "owner_organization", _lazy("提交单位")
        )
    if want("year"):
        out["year"] = c.integer(
            "year", _lazy("年度"), required=True, minimum=1949, maximum=timezone.localdate().year + 1
        )
    if want("abstract"):
        out["abstract"] = c.text("abstract", _lazy("摘要"), max_length=8000)
    if want("keywords"):
        out["keywords"] = "、".join(split_list(c.text("keywords", _lazy("关键词"), max_length=300)))
    if want("visibility"):
        out["visibility"] = c.choice(
            "visibility", _lazy("公开范围"), Visibility.values, default=Visibility.PUBLIC
        )
    if want("awards"):
        out["awards"] = c.text("awards", _lazy("获奖情况"), max_length=300)
    if want("source"):
        out["source"] = c.choice(
            "source", _lazy("来源"), [v for v in AchievementSource.values if v], required=False
        )
    if want("source_reference"):
        out["source_reference"] = c.text("source_reference", _lazy("来源说明"), max_length=200)
    if want("application_scenarios"):
        out["application_scenarios"] = c.text("application_scenarios", _lazy("应用场景"), max_length=4000)
    if want("publisher"):
        out["publisher"] = c.text("publisher", _lazy("出版或发布单位"), max_length=200)
    if want("identifier"):
        out["identifier"] = c.text("identifier", _lazy("编号"), max_length=80)
    c.done()
    return out


def _audit_view(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {k: (sorted(o.pk for o in v) if k == "organizations" else v) for k, v in cleaned.items()}


def achievement_validate(
    *, data: dict[str, Any], files: list[UploadedFile] | None = None, achievement: Achievement | None = None
) -> dict[str, Any]:
    """Every check of an achievement's fields and new files at once (all of them, or those given when
    ``achievement`` is edited); raise one ValidationError naming every bad field. Writes nothing: the
    form calls it when its own checks failed, and the edit view before adding files."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = achievement_clean(data, partial=achievement is not None)
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
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def achievement_create(
    *, data: dict[str, Any], actor: Any, files: list[UploadedFile] | None = None
) -> Achievement:
    """A member adds an achievement for its organization (the secretariat for any); files are checked
    before anything is saved, so a bad file leaves nothing behind."""
    cleaned = achievement_clean(data)
    owner = cleaned.get("owner_organization")
    if owner is None and policies.signed_in(actor) and not policies.is_secretariat(actor):
        orgs = actor.contact_organizations
        owner = cleaned["owner_organization"] = orgs[0] if len(orgs) == 1 else None
    if actor is not None and not policies.can_submit_achievement(actor, owner):
        raise PermissionDenied(_("只能为本单位提交成果"))
    files = files or []
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("每项成果最多上传 %(n)d 个文件") % {"n": MAX_FILES}})
    types = [clean_achievement_file(f, "files") for f in files]
    achievement = Achievement(
        **{k: v for k, v in cleaned.items() if k != "organizations"},
        submitted_by=actor if policies.signed_in(actor) else None,
    )
    orgs = cleaned["organizations"] or ([owner] if owner else [])
    achievement_index_fields(achievement, orgs)
    achievement.save()
    achievement.organizations.set(orgs)
    for upload, mime in zip(files, types, strict=True):
        _store_file(achievement, upload, mime, actor)
    audit.record(actor=actor, action="achievement.create", target=achievement, new=_audit_view(cleaned))
    return achievement


@transaction.atomic
def achievement_update(*, achievement: Achievement, data: dict[str, Any], actor: Any) -> Achievement:
    if not policies.can_edit_achievement(actor, achievement):
        raise PermissionDenied
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    data = concurrency.check(achievement, data)
    showcase = {k: data.pop(k) for k in ("showcase", "showcase_year") if k in data}
    cleaned = achievement_clean(data, partial=True)
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
    if showcase:
        achievement = achievement_set_showcase(
            achievement=achievement,
            showcase=bool(showcase.get("showcase", achievement.showcase)),
            year=showcase.get("showcase_year"),
            actor=actor,
        )
    return achievement


@transaction.atomic
def achievement_set_showcase(
    *, achievement: Achievement, showcase: bool, year: Any = None, actor: Any
) -> Achievement:
    """Select (or withdraw) an achievement for the yearly public showcase. Only public ones can be shown."""
    if not policies.can_set_showcase(actor):
        raise PermissionDenied
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    c = Cleaner({"showcase_year": year if year not in (None, "") else achievement.year})
    showcase_year = c.integer(
        "showcase_year", _("展示年度"), minimum=1949, maximum=timezone.localdate().year + 1
    )
    if showcase and achievement.visibility != Visibility.PUBLIC:
        c.add("showcase", _("只有公开的成果才能入选年度展示，请先把公开范围改为“公开”"))
    c.done()
    old = {"showcase": achievement.showcase, "showcase_year": achievement.showcase_year}
    achievement.showcase = showcase
    achievement.showcase_year = showcase_year if showcase else None
    achievement.save(update_fields=["showcase", "showcase_year", "updated_at"])
    audit.record(
        actor=actor,
        action="achievement.showcase",
        target=achievement,
        old=old,
        new={"showcase": showcase, "showcase_year": achievement.showcase_year},
    )
    return achievement


def _store_file(achievement: Achievement, upload: UploadedFile, mime: str, actor: Any) -> AchievementFile:
    item = AchievementFile(
        achievement=achievement,
        original_name=display_name(upload.name),
        content_type=mime,
        size=upload.size or 0,
        uploaded_by=actor if policies.signed_in(actor) else None,
    )
    item.file.save(stored_name(mime), upload, save=False)
    item.save()
    return item


@transaction.atomic
def achievement_add_file(*, achievement: Achievement, upload: UploadedFile, actor: Any) -> AchievementFile:
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
