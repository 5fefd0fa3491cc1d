"""Every write on articles: drafting, member suggestions, review, (scheduled) publishing, unpublishing."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lianmeng.core import audit, concurrency
from lianmeng.core.cleaning import text_value
from lianmeng.core.files import stored_name
from lianmeng.core.search import search_text
from lianmeng.core.validators import clean_upload
from lianmeng.membership.models import Organization

from . import policies
from .models import Article, ArticleKind, ArticleStatus

# Allowed workflow actions per status: action -> new status. "publish" goes to SCHEDULED when a future
# publish_at is given; "publish_due" is the background task's action.
ARTICLE_TRANSITIONS: dict[str, dict[str, str]] = {
    ArticleStatus.DRAFT: {"submit": ArticleStatus.REVIEW, "publish": ArticleStatus.PUBLISHED},
    ArticleStatus.REVIEW: {"publish": ArticleStatus.PUBLISHED, "return": ArticleStatus.DRAFT},
    ArticleStatus.SCHEDULED: {"publish_due": ArticleStatus.PUBLISHED, "return": ArticleStatus.DRAFT},
    ArticleStatus.PUBLISHED: {"unpublish": ArticleStatus.UNPUBLISHED},
    ArticleStatus.UNPUBLISHED: {"submit": ArticleStatus.REVIEW, "publish": ArticleStatus.PUBLISHED},
}
SECRETARIAT_ACTIONS = ("publish", "return", "unpublish")

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h2", "h3", "h4", "ul", "ol", "li",
    "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
ARTICLE_FIELDS = ("kind", "title", "summary", "body", "tags", "outlet", "source_url")
COVER_TYPES = ("image/jpeg", "image/png")


def sanitize_body(value: str) -> str:
    """Rich text reduced to a safe subset (nh3): no script, style, event handlers or javascript: links.

    Plain text (no tags) becomes paragraphs, so a member may paste text from a word processor.
    """
    text = (value or "").strip()
    if text and not re.search(r"<[a-zA-Z/!]", text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n|\n", text) if p.strip()]
        text = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(body_html: str) -> str:
    """The visible text of a sanitised body (for search, summaries and feeds)."""
    return html.unescape(re.sub(r"\s+", " ", nh3.clean(body_html or "", tags=set()))).strip()


def article_index(article: Article) -> None:
    article.search_text = search_text(
        article.title, article.summary, plain_text(article.body), " ".join(article.tags or []), article.outlet
    )


def _split_tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,，、;；\s]+", value)
    out: list[str] = []
    for item in value or []:
        tag = str(item or "").strip().lstrip("#")
        if tag and tag not in out:
            out.append(tag)
    return out


def article_clean(data: dict[str, Any], *, instance: Article | None = None) -> dict[str, Any]:
    """Validate article data (all fields, or those given for an update); sanitise the body."""
    partial = instance is not None
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def given(name: str) -> bool:
        return not partial or name in data

    if given("kind"):
        kind = data.get("kind") or ArticleKind.NEWS
        if kind not in ArticleKind.values:
            errors.setdefault("kind", []).append(_("请选择类别：新闻、通知公告、媒体报道或政策"))
        out["kind"] = kind
    for name, label, max_length, required in (
        ("title", _("标题"), 120, True),
        ("summary", _("摘要"), 300, False),
        ("outlet", _("媒体名称"), 80, False),
    ):
        if given(name):
            out[name] = text_value(data, name, label, errors, required=required, max_length=max_length)
    if given("body"):
        body = sanitize_body(str(data.get("body") or ""))
        if not plain_text(body) and "<img" not in body:
            errors.setdefault("body", []).append(_("请填写正文"))
        elif len(body) > 100_000:
            errors.setdefault("body", []).append(_("正文过长，请控制在 10 万字符以内"))
        out["body"] = body
    if given("tags"):
        tags = _split_tags(data.get("tags"))
        if len(tags) > 10 or any(len(t) > 20 for t in tags):
            errors.setdefault("tags", []).append(_("标签最多 10 个，每个不超过 20 个字"))
        out["tags"] = tags
    if given("source_url"):
        url = str(data.get("source_url") or "").strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                errors.setdefault("source_url", []).append(_("原文链接应以 http:// 或 https:// 开头"))
        out["source_url"] = url
    kind = out.get("kind", instance.kind if instance else ArticleKind.NEWS)
    outlet = out.get("outlet", instance.outlet if instance else "")
    if kind == ArticleKind.MEDIA and not outlet and "outlet" not in errors:
        errors.setdefault("outlet", []).append(_("媒体报道请填写媒体名称"))
    if given("organizations"):
        ids = [
            int(getattr(o, "pk", o))
            for o in data.get("organizations") or []
            if str(getattr(o, "pk", o)).isdigit()
        ]
        orgs = list(Organization.objects.filter(pk__in=ids))
        if len(orgs) != len(set(ids)):
            errors.setdefault("organizations", []).append(_("相关单位须是联盟成员单位"))
        out["organizations"] = orgs
    if given("events"):
        out["events"] = _clean_events(data.get("events"), errors)
    if errors:
        raise ValidationError(errors)
    if not out.get("summary") and "body" in out and given("summary"):
        out["summary"] = plain_text(out["body"])[:120]
    return out


LINKABLE_EVENT_STATUSES = ("published", "held", "cancelled")


def _clean_events(value: Any, errors: dict[str, list[str]]) -> list[Any]:
    """Related events: ids of events that have been published (published, held or cancelled; never
    drafts, which nobody outside their organizers may see)."""
    from lianmeng.activities.models import Event

    if isinstance(value, str):
        value = [v for v in re.split(r"[,，\s]+", value) if v]
    ids: set[int] = set()
    for item in value or []:
        raw = getattr(item, "pk", item)
        if not str(raw).isdigit():
            errors.setdefault("events", []).append(_("相关活动须是已发布的活动"))
            return []
        ids.add(int(raw))
    events = list(Event.objects.filter(pk__in=ids, status__in=LINKABLE_EVENT_STATUSES))
    if len(events) != len(ids):
        errors.setdefault("events", []).append(_("相关活动须是已发布的活动"))
    if len(ids) > 10:
        errors.setdefault("events", []).append(_("相关活动最多 10 个"))
    return events


def _store_cover(article: Article, cover: UploadedFile) -> None:
    article.cover_content_type = clean_upload(
        cover, field="cover", allowed=COVER_TYPES, max_bytes=5 * 1024 * 1024
    )
    if article.cover:
        article.cover.delete(save=False)
    article.cover.save(stored_name(article.cover_content_type), cover, save=False)


def article_validate(
    *, data: dict[str, Any], cover: UploadedFile | None = None, article: Article | None = None
) -> dict[str, Any]:
    """Every check of an article and its cover at once (all fields, or those given when ``article`` is
    edited); raise one ValidationError naming every bad field. Writes nothing: the form calls it when
    its own checks failed (a dry run would store the cover)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = article_clean(data, instance=article)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if cover is not None:
        try:
            clean_upload(cover, field="cover", allowed=COVER_TYPES, max_bytes=5 * 1024 * 1024)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def article_create(*, data: dict[str, Any], actor: Any, cover: UploadedFile | None = None) -> Article:
    """The secretariat drafts an article; a member contact suggests news of its organization, which goes
    straight to review."""
    if not policies.can_create_article(actor):
        raise PermissionDenied
    cleaned = article_clean(data)
    if cover is not None:
        clean_upload(cover, field="cover", allowed=COVER_TYPES, max_bytes=5 * 1024 * 1024)
    organizations = cleaned.pop("organizations", [])
    events = cleaned.pop("events", [])
    suggested_by = None
    status = ArticleStatus.DRAFT
    if not policies.is_secretariat(actor):
        own = sorted(policies.contact_org_ids(actor))
        suggested_by = Organization.objects.get(pk=own[0])
        status = ArticleStatus.REVIEW
        if suggested_by not in organizations:
            organizations.append(suggested_by)
    article = Article(**cleaned, status=status, author=actor, suggested_by=suggested_by)
    if cover is not None:
        _store_cover(article, cover)
    article_index(article)
    article.save()
    article.organizations.set(organizations)
    article.events.set(events)
    audit.record(
        actor=actor,
        action="article.create",
        target=article,
        new={
            **{k: cleaned[k] for k in ARTICLE_FIELDS if k in cleaned},
            "status": status,
            "events": sorted(e.pk for e in events),
        },
    )
    return article


@transaction.atomic
def article_update(
    *, article: Article, data: dict[str, Any], actor: Any, cover: UploadedFile | None = None
) -> Article:
    """Edit an article: the secretariat any time; the author while it is a draft or in review."""
    if not policies.can_edit_article(actor, article):
        raise PermissionDenied
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not policies.can_edit_article(actor, article):
        raise PermissionDenied
    data = concurrency.check(article, data)
    cleaned = article_clean(data, instance=article)
    organizations = cleaned.pop("organizations", None)
    events = cleaned.pop("events", None)
    old_events = sorted(article.events.values_list("pk", flat=True)) if events is not None else []
    fields = [k for k in ARTICLE_FIELDS if k in cleaned]
    before = audit.snapshot(article, fields)
    for key, value in cleaned.items():
        setattr(article, key, value)
    if cover is not None:
        _store_cover(article, cover)
    article_index(article)
    article.save()
    if organizations is not None:
        article.organizations.set(organizations)
    old, new = audit.changes(before, audit.snapshot(article, fields))
    if events is not None:
        article.events.set(events)
        new_events = sorted(e.pk for e in events)
        if new_events != old_events:
            old["events"], new["events"] = old_events, new_events
    if cover is not None:
        new["cover"] = article.cover.name
    if new:
        concurrency.bump(article)
        audit.record(actor=actor, action="article.update", target=article, old=old, new=new)
    return article


def _parse_when(value: Any) -> datetime.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value.strip()) if value.strip() else None
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value if isinstance(value, datetime.datetime) else None


@transaction.atomic
def article_transition(
    *, article: Article, action: str, actor: Any, reason: str = "", publish_at: Any = None
) -> Article:
    """Move an article through the workflow. Publishing with a future ``publish_at`` schedules it;
    returning needs a note for the author; unpublishing needs a reason (shown to staff, kept in history)."""
    if action in SECRETARIAT_ACTIONS:
        allowed = policies.can_publish_article(actor)
    elif action == "submit":
        allowed = policies.can_edit_article(actor, article)
    else:
        allowed = False
    if not allowed:
        raise PermissionDenied
    article = Article.objects.select_for_update().get(pk=article.pk)
    transitions = ARTICLE_TRANSITIONS[article.status]
    if action not in transitions:
        raise ValidationError(
            {"status": _("文章当前状态为“%(s)s”，不能执行该操作") % {"s": article.get_status_display()}}
        )
    reason = (reason or "").strip()
    to_status = transitions[action]
    now = timezone.now()
    when = _parse_when(publish_at)
    if publish_at not in (None, "") and when is None:
        raise ValidationError({"publish_at": _("定时发布时间格式应为 2026-11-27 09:00")})
    if action == "return" and not reason:
        raise ValidationError({"reason": _("退回时请填写修改意见")})
    if action == "unpublish" and not reason:
        raise ValidationError({"reason": _("撤下文章时请填写原因")})
    old = article.status
    if action == "publish":
        if when is not None and when > now:
            to_status = ArticleStatus.SCHEDULED
            article.publish_at = when
        else:
            article.publish_at = None
            article.published_at = article.published_at or now
        article.unpublished_reason = ""
    elif action == "return":
        article.review_note = reason
        article.publish_at = None
    elif action == "unpublish":
        article.unpublished_reason = reason
    elif action == "submit":
        article.review_note = ""
    article.status = to_status
    article.save()
    audit.record(
        actor=actor,
        action=f"article.{action}",
        target=article,
        old={"status": old},
        new={"status": to_status, "reason": reason, "publish_at": article.publish_at},
    )
    return article


def articles_publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish scheduled articles whose time has come (the background task). Returns how many."""
    now = now or timezone.now()
    count = 0
    due = Article.objects.filter(status=ArticleStatus.SCHEDULED, publish_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due[:1000]):
        with transaction.atomic():
            article = Article.objects.select_for_update().get(pk=pk)
            if "publish_due" not in ARTICLE_TRANSITIONS[article.status] or not article.publish_at:
                continue
            if article.publish_at > now:
                continue
            article.status = ARTICLE_TRANSITIONS[article.status]["publish_due"]
            article.published_at = article.publish_at
            article.save(update_fields=["status", "published_at", "updated_at"])
            audit.record(
                actor=None,
                action="article.publish_due",
                target=article,
                old={"status": ArticleStatus.SCHEDULED},
                new={"status": article.status, "published_at": article.published_at},
            )
            count += 1
    return count
