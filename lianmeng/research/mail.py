"""What research selection rounds tell people (lianmeng.notifications.notify, in the caller's transaction;
mails go out after commit, by the queue, per each person's preference):

- invitations: each invited expert is told the number of entries and the review deadline;
- re-assignment after a decline: the new reviewer is told the same for the added entries;
- 公示: the contacts of every organization with an eligible entry get the public link.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, RoleAssignment
from lianmeng.core.actors import Actor
from lianmeng.core.models import AllianceSettings
from lianmeng.notifications.models import Kind
from lianmeng.notifications.services import mail_later, notify

from .models import Assignment, Entry, EntryStatus, SelectionRound


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def invitations(assignment_ids: list[int], *, actor: Actor) -> int:
    """One notification (and, per preference, mail) per expert for the given (invited) assignments; an
    expert without an account is mailed by the queue. Called in the inviting transaction; returns the
    number of experts told."""
    rows = list(
        Assignment.objects.filter(pk__in=assignment_ids)
        .select_related("round", "expert__user")
        .order_by("expert_id", "id")
    )
    by_expert: dict[int, list[Assignment]] = {}
    for a in rows:
        by_expert.setdefault(a.expert_id, []).append(a)
    alliance = AllianceSettings.current()
    url = reverse("research:my-reviews")
    told = 0
    for items in by_expert.values():
        expert = items[0].expert
        selection = items[0].round
        title = _("评审邀请：%(round)s") % {"round": selection.title}
        body = _(
            "%(name)s专家：您好！\n\n秘书处邀请您评审“%(round)s”的 %(n)d 个参评项目，请于%(due)s前完成评审。"
            "\n请登录后在“我的评审”中接受或婉拒邀请并提交评审意见。"
        ) % {
            "name": expert.name,
            "round": selection.title,
            "n": len(items),
            "due": selection.review_due_on.strftime("%Y-%m-%d"),
        }
        if expert.user_id:
            told += len(
                notify(
                    recipients=[expert.user_id],
                    kind=Kind.REVIEW_INVITATION,
                    title=title,
                    body=body,
                    url=url,
                    actor=actor,
                )
            )
        elif expert.email:
            mail_later(f"【{alliance.short_name}】{title}", body + "\n" + _site(url) + "\n", [expert.email])
            told += 1
    return told


def publicity_started(round_id: int, *, actor: Actor) -> int:
    """The round entered 公示: the entrants' contacts (and whoever submitted an entry) are told, with the
    public link. Called in the publishing transaction; returns the number of people told."""
    selection = SelectionRound.objects.get(pk=round_id)
    entries = list(Entry.objects.filter(round=selection, status=EntryStatus.ELIGIBLE))
    org_ids = {e.organization_id for e in entries}
    people: dict[int, set[int]] = {}
    for org_id, user_id in RoleAssignment.objects.filter(
        organization_id__in=org_ids, role=Role.MEMBER_CONTACT, user__is_active=True
    ).values_list("organization_id", "user_id"):
        people.setdefault(org_id, set()).add(user_id)
    for e in entries:
        if e.submitted_by_id is not None:
            people.setdefault(e.organization_id, set()).add(e.submitted_by_id)
    url = reverse("research:result", args=[selection.pk])
    ends = selection.publicity_ends_at
    titles: dict[int, list[str]] = {}
    for e in sorted(entries, key=lambda e: e.pk):
        titles.setdefault(e.organization_id, []).append(f"“{e.title}”")
    told = 0
    for org_id, names in titles.items():
        told += len(
            notify(
                recipients=sorted(people.get(org_id, set())),
                kind=Kind.PUBLICITY_STARTED,
                title=_("评选结果公示：%(round)s") % {"round": selection.title},
                body=_(
                    "您好：\n\n贵单位参评的%(entries)s所在的“%(round)s”拟评结果已进入公示，公示至%(ends)s。"
                    "\n如有异议，可在公示期内通过公示页面提出。"
                )
                % {
                    "entries": "、".join(names),
                    "round": selection.title,
                    "ends": timezone.localtime(ends).strftime("%Y-%m-%d") if ends else "",
                },
                url=url,
                actor=actor,
            )
        )
    return told
