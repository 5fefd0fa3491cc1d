"""Writes of the secretariat: notices with read receipts and reminders, tasks (督办) with progress."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import User
from lianmeng.core import audit, concurrency
from lianmeng.core.actors import SYSTEM, Actor
from lianmeng.core.cleaning import clean_text
from lianmeng.core.files import display_name, stored_name
from lianmeng.core.models import City
from lianmeng.core.numbering import document_number_next
from lianmeng.core.validators import clean_upload
from lianmeng.membership.models import Organization, OrganizationStatus
from lianmeng.notifications.models import Kind
from lianmeng.notifications.services import notify

from .. import machines, policies
from ..commands import NoticeCreate, TaskCreate, TaskUpdate
from ..models import (
    OPEN_TASK_STATUSES,
    Notice,
    NoticeAttachment,
    NoticeAudience,
    NoticeReceipt,
    NoticeStatus,
    Resolution,
    Task,
    TaskNote,
    TaskStatus,
)
from ._common import contact_emails, contact_user_ids, mail

NOTICE_SERIES = ""
NOTICE_FIELDS = ("title", "audience", "audience_city", "audience_tier", "read_by")


# ---------------------------------------------------------------- notices


def _notice_rules(cmd: NoticeCreate) -> tuple[dict[str, Any], list[Organization]]:
    """What a notice needs from the database: its city, or its organizations (active ones)."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "title": cmd.title,
        "body": cmd.body,
        "audience": cmd.audience,
        "read_by": cmd.read_by,
        "audience_city": None,
        "audience_tier": "",
    }
    organizations: list[Organization] = []
    if cmd.audience == NoticeAudience.CITY:
        out["audience_city"] = City.objects.filter(pk=cmd.audience_city).first()
        if out["audience_city"] is None:
            errors["audience_city"] = [_("请选择城市")]
    elif cmd.audience == NoticeAudience.TIER:
        out["audience_tier"] = cmd.audience_tier
    elif cmd.audience == NoticeAudience.ORGANIZATIONS:
        ids = cmd.audience_organizations
        organizations = list(Organization.objects.filter(pk__in=ids, status=OrganizationStatus.ACTIVE))
        if len(organizations) != len(ids):
            errors["audience_organizations"] = [_("请选择正常状态的接收单位")]
    if errors:
        raise ValidationError(errors)
    return out, organizations


def _recipients(notice: Notice) -> list[int]:
    qs = Organization.objects.filter(status=OrganizationStatus.ACTIVE)
    if notice.audience == NoticeAudience.CITY:
        qs = qs.filter(city=notice.audience_city)
    elif notice.audience == NoticeAudience.TIER:
        qs = qs.filter(tier=notice.audience_tier)
    elif notice.audience == NoticeAudience.ORGANIZATIONS:
        qs = qs.filter(pk__in=notice.audience_organizations.values("pk"))
    return list(qs.values_list("pk", flat=True))


@transaction.atomic
def notice_create(*, cmd: NoticeCreate, actor: User, publish: bool = False) -> Notice:
    if not policies.can_manage_notices(actor):
        raise PermissionDenied
    cleaned, organizations = _notice_rules(cmd)
    notice = Notice.objects.create(**cleaned, author=actor)
    if organizations:
        notice.audience_organizations.set(organizations)
    audit.record(
        actor=actor,
        action="notice.create",
        target=notice,
        new={
            **audit.snapshot(notice, NOTICE_FIELDS),
            "organizations": [o.pk for o in organizations],
        },
    )
    if publish:
        notice = notice_publish(notice=notice, actor=actor)
    return notice


@transaction.atomic
def notice_publish(*, notice: Notice, actor: User) -> Notice:
    """Number the notice, fix its recipients (one read receipt each) and tell them after commit."""
    if not policies.can_manage_notices(actor):
        raise PermissionDenied
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == NoticeStatus.PUBLISHED:
        raise ValidationError({"status": _("通知已经发布")})
    status = machines.NOTICE.check(notice.status, "publish", actor=actor, obj=notice)
    recipients = _recipients(notice)
    if not recipients:
        raise ValidationError({"audience": _("发送范围内没有正常状态的成员单位")})
    now = timezone.now()
    notice.number = document_number_next(series=NOTICE_SERIES, year=timezone.localtime(now).year)
    notice.status = status
    notice.published_at = now
    notice.recipients_count = len(recipients)
    notice.read_count = 0
    notice.save(
        update_fields=["number", "status", "published_at", "recipients_count", "read_count", "updated_at"]
    )
    NoticeReceipt.objects.bulk_create(
        (NoticeReceipt(notice=notice, organization_id=pk) for pk in recipients), batch_size=2000
    )
    audit.record(
        actor=actor,
        action="notice.publish",
        target=notice,
        new={"number": notice.number, "recipients": len(recipients)},
    )
    notice_id = notice.pk
    notice_announce(notice_id, actor=actor)
    return notice


def notice_announce(notice_id: int, actor: Actor) -> None:
    """Tell the recipients' contacts that a notice was published (in the publishing transaction; the
    mails go out after commit, by the queue, per each person's preference)."""
    notice = Notice.objects.get(pk=notice_id)
    org_ids = NoticeReceipt.objects.filter(notice=notice).values_list("organization_id", flat=True)
    notify(
        recipients=contact_user_ids(org_ids),
        kind=Kind.NOTICE_PUBLISHED,
        title=_("【通知】%(title)s") % {"title": notice.title},
        body=_("秘书处发布了通知《%(title)s》（%(number)s），请登录联盟平台阅读并确认。")
        % {"title": notice.title, "number": notice.number},
        url=notice.get_absolute_url(),
        actor=actor,
    )


MAX_NOTICE_ATTACHMENTS = 10


@transaction.atomic
def notice_add_attachments(
    *, notice: Notice, files: list[UploadedFile[bytes]], actor: User, titles: list[str] | None = None
) -> list[NoticeAttachment]:
    """Attach several files to a draft notice; every file is checked before any is stored."""
    if not policies.can_manage_notices(actor):
        raise PermissionDenied
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != NoticeStatus.DRAFT:
        raise ValidationError({"attachments": _("通知已发布，附件不能再更改")})
    files = [f for f in files if f]
    if not files:
        raise ValidationError({"attachments": _("请选择要上传的附件")})
    existing = NoticeAttachment.objects.filter(notice=notice).count()
    if existing + len(files) > MAX_NOTICE_ATTACHMENTS:
        raise ValidationError({"attachments": _("每则通知最多 %(n)d 个附件") % {"n": MAX_NOTICE_ATTACHMENTS}})
    titles = list(titles or [])
    checked: list[tuple[UploadedFile[bytes], str, str]] = []
    for i, file in enumerate(files):
        title = clean_text(titles[i] if i < len(titles) else "") or display_name(file.name)
        if len(title) > 200:
            raise ValidationError({"attachments": _("附件名称不能超过 200 个字")})
        try:
            content_type = clean_upload(file, field="attachments")
        except ValidationError as exc:
            messages = [str(m) for m in exc.message_dict.get("attachments", exc.messages)]
            raise ValidationError({"attachments": [f"{file.name}：{m}" for m in messages]}) from exc
        checked.append((file, title, content_type))
    out = []
    for file, title, content_type in checked:
        attachment = NoticeAttachment(notice=notice, title=title, content_type=content_type)
        attachment.file.save(stored_name(content_type), file, save=False)
        attachment.save()
        out.append(attachment)
    audit.record(
        actor=actor, action="notice.attachment", target=notice, new={"attachments": [a.title for a in out]}
    )
    return out


def notice_validate(
    *, cmd: NoticeCreate | None, files: list[UploadedFile[bytes]] | None, actor: User
) -> None:
    """Every check of creating a notice with attachments (notice_create, notice_add_attachments),
    storing nothing: one submit reports the fields' and the files' errors together (``cmd`` None: the
    fields were already refused, only the files are checked)."""
    if not policies.can_manage_notices(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    try:
        if cmd is not None:
            _notice_rules(cmd)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    files = [f for f in files or [] if f]
    if len(files) > MAX_NOTICE_ATTACHMENTS:
        errors["attachments"] = [_("每则通知最多 %(n)d 个附件") % {"n": MAX_NOTICE_ATTACHMENTS}]
    for file in files:
        try:
            clean_upload(file, field="attachments")
        except ValidationError as exc:
            messages = [str(m) for m in exc.message_dict.get("attachments", exc.messages)]
            errors.setdefault("attachments", []).extend(f"{file.name}：{m}" for m in messages)
    if errors:
        raise ValidationError(errors)


def notice_add_attachment(
    *, notice: Notice, title: str, file: UploadedFile[bytes], actor: User
) -> NoticeAttachment:
    return notice_add_attachments(notice=notice, files=[file], titles=[title], actor=actor)[0]


@transaction.atomic
def notice_remove_attachment(*, attachment: NoticeAttachment, actor: User) -> None:
    if not policies.can_manage_notices(actor):
        raise PermissionDenied
    notice = Notice.objects.select_for_update().get(pk=attachment.notice_id)
    if notice.status != NoticeStatus.DRAFT:
        raise ValidationError({"attachments": _("通知已发布，附件不能再更改")})
    title = attachment.title
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)
    audit.record(actor=actor, action="notice.attachment_removed", target=notice, old={"attachment": title})


@transaction.atomic
def notice_mark_read(*, notice: Notice, actor: User) -> list[NoticeReceipt]:
    """The reader confirms, for every recipient organization they speak for. Idempotent."""
    org_ids = policies.represented_organization_ids(actor)
    receipts = list(
        NoticeReceipt.objects.select_for_update().filter(notice_id=notice.pk, organization_id__in=org_ids)
    )
    if not receipts or notice.status != NoticeStatus.PUBLISHED:
        raise PermissionDenied(_("您所在单位不在该通知的接收范围内"))
    unread = [r for r in receipts if r.read_at is None]
    if unread:
        now = timezone.now()
        NoticeReceipt.objects.filter(pk__in=[r.pk for r in unread]).update(read_at=now, read_by_user=actor)
        Notice.objects.filter(pk=notice.pk).update(read_count=F("read_count") + len(unread))
        for r in unread:
            r.read_at, r.read_by_user = now, actor
        audit.record(
            actor=actor,
            action="notice.read",
            target=notice,
            new={"organizations": [r.organization_id for r in unread]},
        )
    return receipts


def notice_send_reminders(*, today: datetime.date | None = None) -> int:
    """Remind recipients that have not read a notice whose reading date has come (once a day).

    Returns the number of organizations reminded. Runs as the system (daily background task).
    """
    today = today or timezone.localdate()
    reminded = 0
    notices = Notice.objects.filter(
        status=NoticeStatus.PUBLISHED, read_by__lte=today, read_count__lt=F("recipients_count")
    )
    for notice in notices.iterator():
        with transaction.atomic():
            due = list(
                NoticeReceipt.objects.select_for_update(skip_locked=True)
                .filter(notice=notice, read_at__isnull=True)
                .exclude(reminded_on=today)
                .values_list("pk", "organization_id")
            )
            if not due:
                continue
            NoticeReceipt.objects.filter(pk__in=[pk for pk, _org in due]).update(
                reminded_on=today, reminders_sent=F("reminders_sent") + 1
            )
            emails = contact_emails(org for _pk, org in due)
            audit.record(actor=SYSTEM, action="notice.remind", target=notice, new={"organizations": len(due)})
            subject = _("【提醒】请阅读通知：%(title)s") % {"title": notice.title}
            body = _(
                "通知《%(title)s》（%(number)s）的阅读期限为%(date)s，贵单位尚未确认阅读，请登录联盟平台阅读。"
            ) % {
                "title": notice.title,
                "number": notice.number,
                "date": notice.read_by.isoformat() if notice.read_by else "",
            }
            recipients = sorted({e for values in emails.values() for e in values})
            transaction.on_commit(functools.partial(mail, subject, body, recipients))
            reminded += len(due)
    return reminded


# ---------------------------------------------------------------- tasks

TASK_FIELDS = ("title", "description", "resolution", "owner_user", "owner_organization", "due_on", "status")


def _task_owners(
    owner_user: int | None, owner_organization: int | None, errors: dict[str, list[str]]
) -> dict[str, Any]:
    out: dict[str, Any] = {"owner_user": None, "owner_organization": None}
    if owner_user is not None:
        out["owner_user"] = User.objects.filter(pk=owner_user, is_active=True).first()
        if out["owner_user"] is None:
            errors["owner_user"] = [_("责任人不存在")]
    if owner_organization is not None:
        out["owner_organization"] = Organization.objects.filter(
            pk=owner_organization, status=OrganizationStatus.ACTIVE
        ).first()
        if out["owner_organization"] is None:
            errors["owner_organization"] = [_("责任单位不存在或不是正常状态的成员")]
    return out


def _notify_owners(task: Task, *, kind: str, title: str, body: str, actor: Actor) -> None:
    owners = [task.owner_user_id] if task.owner_user_id else []
    if task.owner_organization_id:
        owners += contact_user_ids([task.owner_organization_id])
    notify(recipients=owners, kind=kind, title=title, body=body, url=task.get_absolute_url(), actor=actor)


@transaction.atomic
def task_create(*, cmd: TaskCreate, actor: User) -> Task:
    """A task with an owner (person or organization) and a due date; from a resolution or standalone."""
    if not policies.can_manage_tasks(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    values = _task_owners(cmd.owner_user, cmd.owner_organization, errors)
    resolution = None
    if cmd.resolution is not None:
        resolution = Resolution.objects.filter(pk=cmd.resolution).first()
        if resolution is None:
            errors["resolution"] = [_("决议不存在")]
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        title=cmd.title,
        description=cmd.description,
        due_on=cmd.due_on,
        resolution=resolution,
        **values,
        created_by=actor,
    )
    audit.record(actor=actor, action="task.create", target=task, new=audit.snapshot(task, TASK_FIELDS))
    _notify_owners(
        task,
        kind=Kind.TASK_ASSIGNED,
        title=_("【督办】%(title)s") % {"title": task.title},
        body=_("秘书处交办任务《%(title)s》，完成期限%(date)s，请登录联盟平台办理。")
        % {"title": task.title, "date": task.due_on.isoformat() if task.due_on else "—"},
        actor=actor,
    )
    return task


@transaction.atomic
def task_update(*, task: Task, cmd: TaskUpdate, actor: User) -> Task:
    """Progress (note, start, complete) by the owner; also edits, cancel and reopen by the secretariat
    (machines.TASK's guards)."""
    if not policies.can_update_task_progress(actor, task):
        raise PermissionDenied
    task = Task.objects.select_for_update().get(pk=task.pk)
    concurrency.check(task, {"version": cmd.version})
    edits = cmd.edits()
    if edits and not policies.can_manage_tasks(actor):
        raise ValidationError({k: _("只有秘书处可以修改此项") for k in edits})
    action, note = cmd.action, cmd.note
    before = audit.snapshot(task, TASK_FIELDS)
    old_status = task.status
    if action:
        try:
            task.status = machines.TASK.check(task.status, action, actor=actor, obj=task)
        except PermissionDenied:
            raise PermissionDenied(_("只有秘书处可以撤销或重新打开任务")) from None
        if action == "cancel" and not note:
            raise ValidationError({"note": _("撤销任务时请说明原因")})
        task.completed_at = timezone.now() if task.status == TaskStatus.DONE else None
    if edits:
        errors: dict[str, list[str]] = {}
        if "title" in edits and edits["title"] is not None:
            task.title = edits["title"]
        if "description" in edits:
            task.description = edits["description"] or ""
        if "due_on" in edits:
            if edits["due_on"] is None:
                errors["due_on"] = [_("请填写完成期限")]
            else:
                task.due_on = edits["due_on"]
        owners = _task_owners(edits.get("owner_user"), edits.get("owner_organization"), errors)
        for key in ("owner_user", "owner_organization"):
            if key in edits:
                setattr(task, key, owners[key])
        if errors:
            raise ValidationError(errors)
        if task.owner_user_id is None and task.owner_organization_id is None:
            raise ValidationError({"owner_user": _("请指定责任人或责任单位")})
    if not action and not edits and not note:
        raise ValidationError({"note": _("请填写进展说明或选择操作")})
    task.save()
    if note or action:
        TaskNote.objects.create(
            task=task,
            author=actor,
            text=note,
            old_status=old_status if action else "",
            new_status=task.status if action else "",
        )
    old, new = audit.changes(before, audit.snapshot(task, TASK_FIELDS))
    concurrency.bump(task, new)
    audit.record(
        actor=actor, action=f"task.{action or 'update'}", target=task, old=old, new={**new, "note": note}
    )
    return task


def task_send_overdue_reminders(*, today: datetime.date | None = None) -> int:
    """Flag and remind owners of overdue tasks, once a day. Returns the number of tasks reminded."""
    today = today or timezone.localdate()
    with transaction.atomic():
        tasks = list(
            Task.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=OPEN_TASK_STATUSES, due_on__lt=today)
            .exclude(reminded_on=today)
            .select_related("owner_user")
        )
        if not tasks:
            return 0
        Task.objects.filter(pk__in=[t.pk for t in tasks]).update(reminded_on=today)
        for task in tasks:
            _notify_owners(
                task,
                kind=Kind.TASK_OVERDUE,
                title=_("【逾期提醒】%(title)s") % {"title": task.title},
                body=_("督办任务《%(title)s》的完成期限为%(date)s，已经逾期，请尽快办理并登记进展。")
                % {"title": task.title, "date": task.due_on.isoformat()},
                actor=SYSTEM,
            )
            audit.record(
                actor=SYSTEM,
                action="task.remind",
                target=task,
                new={"due_on": task.due_on, "overdue_days": (today - task.due_on).days},
            )
    return len(tasks)
