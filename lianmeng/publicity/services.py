"""Every write on articles: drafting, member suggestions, review, (scheduled) publishing, unpublishing."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.activities.models import Event
from lianmeng.core import audit, concurrency
from lianmeng.core.actors import SYSTEM, Actor
from lianmeng.core.files import stored_name
from lianmeng.core.search import search_text
from lianmeng.core.validators import clean_upload
from lianmeng.membership.models import Organization

from . import machines, policies
from .commands import ArticleCreate, ArticleUpdate
from .models import Article, ArticleKind, ArticleStatus
from .richtext import plain_text, sanitize_body

__all__ = ["plain_text", "sanitize_body"]  # re-exported: the demo and feeds read them here

ARTICLE_FIELDS = ("kind", "title", "summary", "body", "tags", "outlet", "source_url")
COVER_TYPES = ("image/jpeg", "image/png")
COVER_MAX_BYTES = 5 * 1024 * 1024
LINKABLE_EVENT_STATUSES = ("published", "held", "cancelled")


def article_index(article: Article) -> None:
    article.search_text = search_text(
        article.title, article.summary, plain_text(article.body), " ".join(article.tags or []), article.outlet
    )


def _article_rules(cmd: ArticleCreate | ArticleUpdate, *, instance: Article | None = None) -> dict[str, Any]:
    """The fields given, with what needs the database: the organizations and events they name exist
    (events published, held or cancelled: never drafts, which nobody outside their organizers may
    see), a media report names its outlet (the article's current kind and outlet when not given)."""
    given = cmd.given() if isinstance(cmd, ArticleUpdate) else set(type(cmd).model_fields)
    out: dict[str, Any] = {name: getattr(cmd, name) for name in given}
    errors: dict[str, list[str]] = {}
    if out.get("organizations") is not None:
        orgs = list(Organization.objects.filter(pk__in=out["organizations"]))
        if len(orgs) != len(out["organizations"]):
            errors["organizations"] = [_("相关单位须是联盟成员单位")]
        out["organizations"] = orgs
    if out.get("events") is not None:
        events = list(Event.objects.filter(pk__in=out["events"], status__in=LINKABLE_EVENT_STATUSES))
        if len(events) != len(out["events"]):
            errors["events"] = [_("相关活动须是已发布的活动")]
        out["events"] = events
    kind = out.get("kind") or (instance.kind if instance else ArticleKind.NEWS)
    outlet = out["outlet"] if out.get("outlet") is not None else (instance.outlet if instance else "")
    if kind == ArticleKind.MEDIA and not outlet:
        errors["outlet"] = [_("媒体报道请填写媒体名称")]
    if errors:
        raise ValidationError(errors)
    if "summary" in out and not out["summary"] and out.get("body"):
        out["summary"] = plain_text(out["body"])[:120]
    return {k: v for k, v in out.items() if v is not None}


def _store_cover(article: Article, cover: UploadedFile[bytes]) -> None:
    article.cover_content_type = clean_upload(
        cover, field="cover", allowed=COVER_TYPES, max_bytes=COVER_MAX_BYTES
    )
    if article.cover:
        article.cover.delete(save=False)
    article.cover.save(stored_name(article.cover_content_type), cover, save=False)


def article_validate(
    *,
    cmd: ArticleCreate | ArticleUpdate,
    cover: UploadedFile[bytes] | None = None,
    article: Article | None = None,
) -> dict[str, Any]:
    """Every database check of an article and its cover at once; raise one ValidationError naming every
    bad field. Writes nothing: the form calls it when its own checks failed (a dry run would store the
    cover), and the services call it before storing anything."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = _article_rules(cmd, instance=article)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if cover is not None:
        try:
            clean_upload(cover, field="cover", allowed=COVER_TYPES, max_bytes=COVER_MAX_BYTES)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def article_create(*, cmd: ArticleCreate, actor: User, cover: UploadedFile[bytes] | None = None) -> Article:
    """The secretariat drafts an article; a member contact suggests news of its organization, which goes
    straight to review."""
    if not policies.can_create_article(actor):
        raise PermissionDenied
    cleaned = article_validate(cmd=cmd, cover=cover)
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
    *, article: Article, cmd: ArticleUpdate, actor: User, cover: UploadedFile[bytes] | None = None
) -> Article:
    """Edit an article: the secretariat any time; the author while it is a draft or in review."""
    if not policies.can_edit_article(actor, article):
        raise PermissionDenied
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not policies.can_edit_article(actor, article):
        raise PermissionDenied
    concurrency.check(article, {"version": cmd.version})
    cleaned = article_validate(cmd=cmd, cover=cover, article=article)
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


@transaction.atomic
def article_transition(
    *,
    article: Article,
    action: str,
    actor: Actor,
    reason: str = "",
    publish_at: datetime.datetime | None = None,
) -> Article:
    """Move an article through the workflow (``machines.ARTICLE``). Publishing with a future
    ``publish_at`` schedules it; returning needs a note for the author; unpublishing needs a reason
    (shown to staff, kept in history)."""
    if not machines.may(action, actor=actor, article=article):
        raise PermissionDenied
    article = Article.objects.select_for_update().get(pk=article.pk)
    now = timezone.now()
    if action == "publish" and publish_at is not None and publish_at > now:
        action = "schedule"
    to_status = machines.ARTICLE.check(article.status, action, actor=actor, obj=article)
    reason = (reason or "").strip()
    if action == "return" and not reason:
        raise ValidationError({"reason": _("退回时请填写修改意见")})
    if action == "unpublish" and not reason:
        raise ValidationError({"reason": _("撤下文章时请填写原因")})
    old = article.status
    if action == "schedule":
        article.publish_at = publish_at
        article.unpublished_reason = ""
    elif action == "publish":
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
        action=f"article.{'publish' if action == 'schedule' else action}",
        target=article,
        old={"status": old},
        new={"status": to_status, "reason": reason, "publish_at": article.publish_at},
    )
    return article


def articles_publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish scheduled articles whose time has come (the background task, acting as the system).
    Returns how many."""
    now = now or timezone.now()
    count = 0
    due = Article.objects.filter(status=ArticleStatus.SCHEDULED, publish_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due[:1000]):
        with transaction.atomic():
            article = Article.objects.select_for_update().get(pk=pk)
            if not machines.ARTICLE.can(article.status, "publish_due", actor=SYSTEM, obj=article):
                continue
            if not article.publish_at or article.publish_at > now:
                continue
            article.status = machines.ARTICLE.check(article.status, "publish_due", actor=SYSTEM, obj=article)
            article.published_at = article.publish_at
            article.save(update_fields=["status", "published_at", "updated_at"])
            audit.record(
                actor=SYSTEM,
                action="article.publish_due",
                target=article,
                old={"status": ArticleStatus.SCHEDULED},
                new={"status": article.status, "published_at": article.published_at},
            )
            count += 1
    return count
