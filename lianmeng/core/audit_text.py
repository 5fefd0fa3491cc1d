"""The audit log as sentences for people.

``describe(entries, viewer=...)`` turns ``AuditEntry`` rows into "王秘书 于 2026-11-30 10:12 修改了
活动《青岛人力资源服务论坛》" with the changed fields under their labels ("地点：由“A”改为“B”"): labels are
the model fields' ``verbose_name``; choices show their label, foreign keys the related object's name,
booleans 是/否, instants "2026-11-30 10:12". Nothing shows a Python dict or an internal code.

Contact details (mobiles, e-mail addresses, ID numbers: the fields ``lianmeng.privacy.registry`` lists as
``mobiles``/``emails``, and any ``id_number``) are masked unless the viewer is an administrator.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from lianmeng.library.tabular import mask_email, mask_id_number, mask_mobile
from lianmeng.privacy import registry

from .models import AuditEntry

MAX_VALUE = 80  # characters of a text value shown; the rest is "…"
MAX_FIELDS_ON_CREATE = 6

# Verbs by the whole action, then by its last segment ("council.motion.close" -> "close"). A verb
# "does" the object (修改了 活动《X》); a phrase is done "for" it (为 会议《X》登记了出席情况).
_VERBS_BY_ACTION: dict[str, Any] = {
    "council.vote": pgettext_lazy("audit", "投票表决了"),
    "council.vote.secret": pgettext_lazy("audit", "无记名投票表决了"),
    "council.resolution.sign_off": pgettext_lazy("audit", "签发了"),
    "council.seat.end": pgettext_lazy("audit", "结束了"),
    "notice.read": pgettext_lazy("audit", "阅读了"),
    "event.hold": pgettext_lazy("audit", "登记举办了"),
    "registration.check_in": pgettext_lazy("audit", "签到了"),
    "project.evaluation": pgettext_lazy("audit", "评价了"),
    "resource.match": pgettext_lazy("audit", "匹配了"),
    "user.deactivate": pgettext_lazy("audit", "停用了"),
    "registration.promote": pgettext_lazy("audit", "递补了"),
}
_PHRASES_BY_ACTION: dict[str, Any] = {
    "council.meeting.attendance": pgettext_lazy("audit", "登记了出席情况"),
    "council.meeting.minutes": pgettext_lazy("audit", "上传了会议纪要"),
    "council.meeting.minutes_approved": pgettext_lazy("audit", "通过了会议纪要"),
    "council.meeting.paper": pgettext_lazy("audit", "添加了会议材料"),
    "council.meeting.paper_removed": pgettext_lazy("audit", "删除了会议材料"),
    "council.seat.representative": pgettext_lazy("audit", "更换了代表"),
    "notice.attachment": pgettext_lazy("audit", "添加了附件"),
    "notice.attachment_removed": pgettext_lazy("audit", "删除了附件"),
    "event.photo": pgettext_lazy("audit", "上传了照片"),
    "event.summary": pgettext_lazy("audit", "填写了总结"),
    "application.letter": pgettext_lazy("audit", "上传了申请函"),
    "project.landing": pgettext_lazy("audit", "登记了落地情况"),
    "project.transition": pgettext_lazy("audit", "变更了阶段"),
    "achievement.showcase": pgettext_lazy("audit", "设置了成果展示"),
    "entry.result": pgettext_lazy("audit", "确定了评选结果"),
    "round.invite": pgettext_lazy("audit", "邀请了评审专家"),
    "round.assign": pgettext_lazy("audit", "分配了评审任务"),
    "round.reassign": pgettext_lazy("audit", "重新分配了评审任务"),
    "round.reassign_failed": pgettext_lazy("audit", "未能重新分配评审任务"),
    "resource.expire": pgettext_lazy("audit", "标记了过期"),
    "match_request.book_slot": pgettext_lazy("audit", "预约了洽谈时段"),
    "match_request.cancel_slot": pgettext_lazy("audit", "取消了洽谈时段"),
    "match_request.meeting": pgettext_lazy("audit", "记录了洽谈"),
    "calendar_feed.reset": pgettext_lazy("audit", "重置了日历订阅链接"),
    "privacy.download": pgettext_lazy("audit", "下载了个人数据"),
    "privacy.erase": pgettext_lazy("audit", "删除了个人数据"),
    "presidency.plan": pgettext_lazy("audit", "制定了轮值计划"),
    "presidency.handover": pgettext_lazy("audit", "完成了轮值交接"),
    "role.grant": pgettext_lazy("audit", "授予了角色"),
    "role.revoke": pgettext_lazy("audit", "撤销了角色"),
    "token.create": pgettext_lazy("audit", "创建了接口令牌"),
    "token.revoke": pgettext_lazy("audit", "吊销了接口令牌"),
    "token.revoke_all": pgettext_lazy("audit", "吊销了全部接口令牌"),
    "user.two_factor_enable": pgettext_lazy("audit", "启用了两步验证"),
    "user.two_factor_disable": pgettext_lazy("audit", "停用了两步验证"),
    "user.recovery_codes_regenerate": pgettext_lazy("audit", "重新生成了恢复码"),
    "milestone.midterm": pgettext_lazy("audit", "提交了中期报告"),
    "milestone.completion": pgettext_lazy("audit", "提交了结题报告"),
}
_VERBS: dict[str, Any] = {
    "create": pgettext_lazy("audit", "创建了"),
    "update": pgettext_lazy("audit", "修改了"),
    "settings": pgettext_lazy("audit", "修改了"),
    "publish": pgettext_lazy("audit", "发布了"),
    "publish_due": pgettext_lazy("audit", "按时发布了"),
    "unpublish": pgettext_lazy("audit", "撤回发布了"),
    "open": pgettext_lazy("audit", "开启了"),
    "close": pgettext_lazy("audit", "结束了"),
    "submit": pgettext_lazy("audit", "提交了"),
    "resubmit": pgettext_lazy("audit", "重新提交了"),
    "approve": pgettext_lazy("audit", "批准了"),
    "reject": pgettext_lazy("audit", "驳回了"),
    "return": pgettext_lazy("audit", "退回了"),
    "admit": pgettext_lazy("audit", "接纳了"),
    "accept": pgettext_lazy("audit", "受理了"),
    "withdraw": pgettext_lazy("audit", "撤回了"),
    "cancel": pgettext_lazy("audit", "取消了"),
    "hold": pgettext_lazy("audit", "举行了"),
    "complete": pgettext_lazy("audit", "完成了"),
    "start": pgettext_lazy("audit", "开始了"),
    "review": pgettext_lazy("audit", "审查了"),
    "answer": pgettext_lazy("audit", "答复了"),
    "ask": pgettext_lazy("audit", "提出了"),
    "assign": pgettext_lazy("audit", "分派了"),
    "rate": pgettext_lazy("audit", "评价了"),
    "conclude": pgettext_lazy("audit", "办结了"),
    "add": pgettext_lazy("audit", "添加了"),
    "remove": pgettext_lazy("audit", "移除了"),
    "appoint": pgettext_lazy("audit", "任命了"),
    "change": pgettext_lazy("audit", "变更了"),
}
_PHRASES: dict[str, Any] = {
    "finalise": pgettext_lazy("audit", "确定了最终结果"),
    "start_review": pgettext_lazy("audit", "启动了评审"),
    "pass_midterm": pgettext_lazy("audit", "通过了中期检查"),
    "reopen": pgettext_lazy("audit", "退回重评"),
    "remind": pgettext_lazy("audit", "发送了提醒"),
    "respond": pgettext_lazy("audit", "答复了异议"),
    "file": pgettext_lazy("audit", "提出了异议"),
    "end_term": pgettext_lazy("audit", "结束了任期"),
}

# Labels of keys that are not fields of the target model (what a service recorded besides fields).
_EXTRA_LABELS: dict[str, Any] = {
    "note": pgettext_lazy("audit", "备注"),
    "reason": pgettext_lazy("audit", "原因"),
    "scores": pgettext_lazy("audit", "评分"),
    "objection": pgettext_lazy("audit", "异议"),
    "outcome": pgettext_lazy("audit", "处理结果"),
    "entry": pgettext_lazy("audit", "参评项目"),
    "report": pgettext_lazy("audit", "报告"),
    "choice": pgettext_lazy("audit", "表决意见"),
    "count": pgettext_lazy("audit", "数量"),
    "rows": pgettext_lazy("audit", "行数"),
    "role": pgettext_lazy("audit", "角色"),
    "user": pgettext_lazy("audit", "用户"),
    "present": pgettext_lazy("audit", "出席"),
    "absent": pgettext_lazy("audit", "缺席"),
    "experts": pgettext_lazy("audit", "专家"),
    "reviews": pgettext_lazy("audit", "评审"),
    "file": pgettext_lazy("audit", "文件"),
    "name": pgettext_lazy("audit", "名称"),
    "title": pgettext_lazy("audit", "标题"),
    "status": pgettext_lazy("audit", "状态"),
    "version": pgettext_lazy("audit", "版本"),
    "mode": pgettext_lazy("audit", "分配方式"),
    "optimal": pgettext_lazy("audit", "总匹配度最优"),
    "worst_optimal": pgettext_lazy("audit", "最差项目最优"),
    "total": pgettext_lazy("audit", "总匹配度"),
    "worst": pgettext_lazy("audit", "最差项目匹配度"),
    "worst_entry": pgettext_lazy("audit", "匹配度最低的项目"),
    "mean_pair": pgettext_lazy("audit", "平均匹配度"),
    "worst_mean": pgettext_lazy("audit", "最差项目平均匹配度"),
    "load_min": pgettext_lazy("audit", "专家最少评审数"),
    "load_max": pgettext_lazy("audit", "专家最多评审数"),
    "load_spread": pgettext_lazy("audit", "评审数差额"),
    "experts_used": pgettext_lazy("audit", "参与专家数"),
    "experts_pool": pgettext_lazy("audit", "可选专家数"),
    "pairs": pgettext_lazy("audit", "评审分配数"),
    "seconds": pgettext_lazy("audit", "计算耗时（秒）"),
    "computed_at": pgettext_lazy("audit", "计算时间"),
    "files": pgettext_lazy("audit", "附件数"),
    "criteria": pgettext_lazy("audit", "评审指标"),
    "tiers": pgettext_lazy("audit", "奖项等级"),
    "topics": pgettext_lazy("audit", "课题数"),
    "recipients": pgettext_lazy("audit", "接收单位数"),
    "organizations": pgettext_lazy("audit", "单位"),
    "agenda": pgettext_lazy("audit", "议程"),
    "seat": pgettext_lazy("audit", "席位"),
    "seats": pgettext_lazy("audit", "席位数"),
    "changed": pgettext_lazy("audit", "改票"),
    "for": pgettext_lazy("audit", "赞成"),
    "against": pgettext_lazy("audit", "反对"),
    "abstain": pgettext_lazy("audit", "弃权"),
    "at_meeting": pgettext_lazy("audit", "审议会议"),
    "order": pgettext_lazy("audit", "轮值顺序"),
    "message": pgettext_lazy("audit", "留言"),
    "expert": pgettext_lazy("audit", "专家"),
    "organization": pgettext_lazy("audit", "单位"),
    "event": pgettext_lazy("audit", "活动"),
    "uscc": pgettext_lazy("audit", "统一社会信用代码"),
    "tokens": pgettext_lazy("audit", "令牌数"),
    "counts": pgettext_lazy("audit", "数量"),
    "people": pgettext_lazy("audit", "人数"),
    "proposals": pgettext_lazy("audit", "课题申报"),
    "projects": pgettext_lazy("audit", "项目"),
    "invited": pgettext_lazy("audit", "邀请人数"),
    "overdue_days": pgettext_lazy("audit", "逾期天数"),
    "size": pgettext_lazy("audit", "文件大小"),
    "content_type": pgettext_lazy("audit", "文件类型"),
    "replaced_device": pgettext_lazy("audit", "替换了原验证器"),
    "pseudonym": pgettext_lazy("audit", "化名"),
    "contact": pgettext_lazy("audit", "联系方式"),
    "from": pgettext_lazy("audit", "原值"),
    "details": pgettext_lazy("audit", "明细"),
}
# Keys that are no field of the target model but hold the id of a row of another model.
_KEY_MODELS: dict[str, str] = {
    "seat": "governance.CouncilSeat",
    "objection": "research.Objection",
    "entry": "research.Entry",
    "expert": "library.Expert",
    "organization": "membership.Organization",
    "organizations": "membership.Organization",
    "event": "activities.Event",
    "achievement": "library.Achievement",
    "resource": "matchmaking.Resource",
    "request": "matchmaking.MatchRequest",
    "consultation": "library.Consultation",
    "round": "research.SelectionRound",
}
# Codes recorded as values that are no model choice.
_VALUE_LABELS: dict[str, Any] = {
    "total": pgettext_lazy("audit", "总匹配度最高"),
    "fair": pgettext_lazy("audit", "兼顾最差项目"),
}
_CONTACT_KEY = re.compile(r"(mobile|phone|email|id_number)", re.IGNORECASE)
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Change:
    label: str
    old: str | None  # None: the field had no recorded old value (a creation or a note)
    new: str | None


@dataclass
class Sentence:
    entry: AuditEntry
    when: str
    actor: str
    verb: str
    for_form: bool  # the verb is done "for" the object (为 会议《X》登记了出席情况)
    noun: str  # the kind of object: 活动
    name: str  # its name: 青岛人力资源服务论坛
    changes: list[Change] = field(default_factory=list)
    more: int = 0  # fields left out of a creation's summary

    @property
    def text(self) -> str:
        """The whole sentence as one line of text (for tests, exports and screen readers)."""
        return self.head + (_("：") + self.details if self.changes else "")

    @property
    def head(self) -> str:
        values = {
            "actor": self.actor,
            "when": self.when,
            "verb": self.verb,
            "noun": self.noun,
            "name": self.name,
        }
        if self.for_form:
            return _("%(actor)s 于 %(when)s 为 %(noun)s《%(name)s》%(verb)s") % values
        return _("%(actor)s 于 %(when)s %(verb)s %(noun)s《%(name)s》") % values

    @property
    def details(self) -> str:
        text = _("；").join(change_text(c) for c in self.changes)
        if self.more:
            text += ngettext("（另有 %(n)d 项）", "（另有 %(n)d 项）", self.more) % {"n": self.more}
        return text


def change_text(change: Change) -> str:
    if change.old is not None and change.new is not None:
        return _("%(label)s 由“%(old)s”改为“%(new)s”") % {
            "label": change.label,
            "old": change.old,
            "new": change.new,
        }
    return _("%(label)s：%(value)s") % {
        "label": change.label,
        "value": change.new if change.new is not None else change.old,
    }


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _contact_fields(model: type[models.Model] | None) -> set[str]:
    if model is None:
        return set()
    for entry in registry.PERSONAL:
        if entry.model.lower() == model._meta.label_lower:
            return {*entry.mobiles, *entry.emails}
    return set()


def _mask(key: str, value: str) -> str:
    if "@" in value:
        return mask_email(value)
    if "id_number" in key:
        return mask_id_number(value)
    return mask_mobile(value) if len(value) == 11 else ("***" if value else "")


def _field(model: type[models.Model] | None, key: str) -> Any:
    """The model's own field called ``key`` (not a reverse relation), or None."""
    if model is None:
        return None
    try:
        f = model._meta.get_field(key)
    except Exception:  # FieldDoesNotExist, or a key that is no field name at all
        return None
    return None if getattr(f, "auto_created", False) and not getattr(f, "concrete", False) else f


def _label(model: type[models.Model] | None, key: str) -> str:
    f = _field(model, key)
    if f is not None and getattr(f, "verbose_name", None) and str(f.verbose_name) != key.replace("_", " "):
        return str(f.verbose_name)
    if key in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[key])
    for other in apps.get_models():  # a field of the same name elsewhere (e.g. "award" on an entry)
        g = _field(other, key)
        if (
            g is not None
            and getattr(g, "verbose_name", None)
            and str(g.verbose_name) != key.replace("_", " ")
        ):
            return str(g.verbose_name)
    return str(_("其他信息"))


class _Names:
    """Names of related objects, looked up once per (model, id) for a page of entries."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], str] = {}

    def name(self, model: type[models.Model], pk: Any) -> str:
        if not isinstance(pk, int | str) or isinstance(pk, bool):
            return _scalar(pk)
        key = (model._meta.label_lower, str(pk))
        if key not in self.cache:
            try:
                obj = model._default_manager.filter(pk=pk).first()
            except (TypeError, ValueError):
                obj = None
            self.cache[key] = str(obj) if obj is not None else _("已删除的记录 #%(id)s") % {"id": pk}
        return self.cache[key]


def _scalar(value: Any) -> str:
    if value is None or value == "":
        return _("（空）")
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if isinstance(value, str) and _ISO_INSTANT.match(value):
        try:
            instant = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(instant):
            instant = timezone.localtime(instant)
        return f"{instant:%Y-%m-%d %H:%M}"
    text = " ".join(str(value).split())  # one line: paragraphs of a text field become spaces
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


# Lazy labels, turned into text at each lookup: a str() here would keep the language of the first page
# that asked (an English page made the Chinese audit log say "Objection dismissed").
_CHOICES: dict[str, Any] = {}


def _choice_label(code: str) -> str | None:
    """The label of a choice code of any model (for values recorded under keys that are no field)."""
    if not _CHOICES:
        for model in apps.get_models():
            for f in model._meta.get_fields():
                for key, label in getattr(f, "flatchoices", None) or ():
                    if isinstance(key, str) and key:
                        _CHOICES.setdefault(key, label)
        _CHOICES.setdefault("", "")
    label = _CHOICES.get(code)
    return str(label) if label else None


def _tally(values: Iterable[Any]) -> str:
    """A mapping keyed by row ids ({"4": "present", "5": "absent"}) as counts: 出席 13、缺席 3."""
    counts: dict[str, int] = {}
    for v in values:
        text = _choice_label(v) if isinstance(v, str) else None
        text = text or _scalar(v)
        counts[text] = counts.get(text, 0) + 1
    return "、".join(f"{k} {n}" for k, n in counts.items())


def _value(model: type[models.Model] | None, key: str, value: Any, names: _Names, *, mask: bool) -> str:
    f = _field(model, key)
    if f is None and key in _KEY_MODELS and value not in (None, "", []):
        other = _model(_KEY_MODELS[key])
        if other is not None:
            ids = value if isinstance(value, list | tuple) else [value]
            return "、".join(names.name(other, v) for v in ids)
    if isinstance(value, str) and value in _VALUE_LABELS:
        return str(_VALUE_LABELS[value])
    if isinstance(value, Mapping):
        if value and all(str(k).isdigit() for k in value):
            return _tally(value.values())
        return ngettext("%(n)d 项", "%(n)d 项", len(value)) % {"n": len(value)}
    if isinstance(value, list | tuple):
        if f is not None and f.is_relation and f.related_model is not None:
            return "、".join(names.name(f.related_model, v) for v in value) or _("（空）")
        if f is not None and getattr(f, "base_field", None) is not None and f.base_field.choices:
            choices = {str(k): str(v) for k, v in f.base_field.flatchoices}
            return "、".join(choices.get(str(v), str(v)) for v in value) or _("（空）")
        if all(not isinstance(v, list | tuple | Mapping) for v in value):
            return "、".join(_scalar(v) for v in value) or _("（空）")
        return ngettext("%(n)d 项", "%(n)d 项", len(value)) % {"n": len(value)}
    if value not in (None, "") and f is not None:
        if f.is_relation and f.related_model is not None and not isinstance(value, bool):
            return names.name(f.related_model, value)
        if getattr(f, "flatchoices", None):
            choices = {str(k): str(v) for k, v in f.flatchoices}
            if str(value) in choices:
                return choices[str(value)]
    if mask and isinstance(value, str) and value:
        return _mask(key, value)
    if f is None and isinstance(value, str):
        label = _choice_label(value)
        if label:
            return label
    return _scalar(value)


def _actor(entry: AuditEntry) -> str:
    user = entry.actor
    if user is not None:
        return str(getattr(user, "display_name", "") or user.get_full_name() or user.get_username())
    if entry.actor_repr and entry.actor_repr not in ("anonymous", "system"):
        return entry.actor_repr
    return _("系统")


def _verb(action: str) -> tuple[str, bool]:
    """The verb of ``action`` and whether it is done "for" the object."""
    if action in _VERBS_BY_ACTION:
        return str(_VERBS_BY_ACTION[action]), False
    if action in _PHRASES_BY_ACTION:
        return str(_PHRASES_BY_ACTION[action]), True
    last = action.rsplit(".", 1)[-1]
    if last in _PHRASES:
        return str(_PHRASES[last]), True
    for key in (last, last.split("_", 1)[0]):
        if key in _VERBS:
            return str(_VERBS[key]), False
    return _("处理了"), False


def describe(entries: Iterable[AuditEntry], *, viewer: Any) -> list[Sentence]:
    """Sentences for ``entries`` as ``viewer`` may read them (contacts masked unless administrator)."""
    unmasked = bool(getattr(viewer, "is_administrator", False))
    names = _Names()
    out: list[Sentence] = []
    for entry in entries:
        model = _model(entry.target_type)
        noun = str(model._meta.verbose_name) if model is not None else _("记录")
        contacts = _contact_fields(model)
        old: Mapping[str, Any] = entry.old if isinstance(entry.old, Mapping) else {}
        new: Mapping[str, Any] = entry.new if isinstance(entry.new, Mapping) else {}
        creating = entry.old is None and entry.action.rsplit(".", 1)[-1] == "create"
        changes: list[Change] = []
        if (new and all(str(k).isdigit() for k in new)) or (old and all(str(k).isdigit() for k in old)):
            # A mapping keyed by row ids (attendance by seat): counted as one line.
            old, new = ({"details": dict(old)} if old else {}), ({"details": dict(new)} if new else {})
        keys = [k for k in old if k not in new] + list(new)
        for key in keys:
            if key == "version":
                continue
            mask = not unmasked and (key in contacts or bool(_CONTACT_KEY.search(key)))
            if creating and new.get(key) in (None, "", [], {}):
                continue  # a creation lists what was filled in
            label = _label(model, key)
            before = _value(model, key, old[key], names, mask=mask) if key in old else None
            after = _value(model, key, new[key], names, mask=mask) if key in new else None
            if key in old and key in new and old[key] == new[key]:
                continue
            changes.append(Change(label=label, old=before, new=after))
        more = 0
        if creating and len(changes) > MAX_FIELDS_ON_CREATE:
            more = len(changes) - MAX_FIELDS_ON_CREATE
            changes = changes[:MAX_FIELDS_ON_CREATE]
        when = (
            timezone.localtime(entry.created_at) if timezone.is_aware(entry.created_at) else entry.created_at
        )
        verb, for_form = _verb(entry.action)
        out.append(
            Sentence(
                entry=entry,
                when=f"{when:%Y-%m-%d %H:%M}",
                actor=_actor(entry),
                verb=verb,
                for_form=for_form,
                noun=noun,
                name=entry.target_repr or _("（无名称）"),
                changes=changes,
                more=more,
            )
        )
    return out


def object_kinds() -> list[tuple[str, str]]:
    """(target_type, the model's name) of the kinds of object in the log, for the filter."""
    codes = AuditEntry.objects.order_by("target_type").values_list("target_type", flat=True).distinct()
    out = []
    for code in codes:
        model = _model(code)
        out.append((code, str(model._meta.verbose_name) if model is not None else code))
    return sorted(out, key=lambda pair: pair[1])
