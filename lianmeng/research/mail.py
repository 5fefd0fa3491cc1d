"""Mails of research selection rounds, sent after the transaction commits (``transaction.on_commit``).

- invitations: each invited expert gets one mail with the number of entries and the review deadline;
- re-assignment after a decline: the new reviewer gets the same mail for the added entries;
- 公示: the contacts of every organization with an eligible entry get the public link.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianmeng.accounts.models import Role, RoleAssignment
from lianmeng.core.models import AllianceSettings

from .models import Assignment, Entry, EntryStatus, SelectionRound


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def invitations(assignment_ids: list[int]) -> int:
    """One mail per expert for the given (invited) assignments. Returns the number of mails sent."""
    rows = list(
        Assignment.objects.filter(pk__in=assignment_ids)
        .select_related("round", "expert__user")
        .order_by("expert_id", "id")
    )
    by_expert: dict[int, list[Assignment]] = {}
    for a in rows:
        by_expert.setdefault(a.expert_id, []).append(a)
    alliance = AllianceSettings.current()
    link = _site(reverse("research:my-reviews"))
    sent = 0
    for items in by_expert.values():
        expert = items[0].expert
        address = expert.email or (expert.user.email if expert.user else "")
        if not address:
            continue
        selection = items[0].round
        n = len(items)
        send_mail(
            _("【%(alliance)s】评审邀请：%(round)s")
            % {"alliance": alliance.short_name, "round": selection.title},
            _(
                "%(name)s专家：您好！\n\n秘书处邀请您评审“%(round)s”的 %(n)d 个参评项目，请于%(due)s前完成评审。"
                "\n请登录后在“我的评审”中接受或婉拒邀请并提交评审意见：\n%(link)s\n"
            )
            % {
                "name": expert.name,
                "round": selection.title,
                "n": n,
                "due": selection.review_due_on.strftime("%Y-%m-%d"),
                "link": link,
            },
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=True,
        )
        sent += 1
    return sent


def publicity_started(round_id: int) -> int:
    """The round entered 公示: the entrants' contacts get the public link. Returns the mails sent."""
    selection = SelectionRound.objects.get(pk=round_id)
    entries = list(
        Entry.objects.filter(round=selection, status=EntryStatus.ELIGIBLE).select_related("submitted_by")
    )
    org_ids = {e.organization_id for e in entries}
    addresses: dict[int, set[str]] = {}
    for org_id, email in (
        RoleAssignment.objects.filter(
            organization_id__in=org_ids, role=Role.MEMBER_CONTACT, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("organization_id", "user__email")
    ):
        addresses.setdefault(org_id, set()).add(email)
    for e in entries:
        if e.submitted_by is not None and e.submitted_by.email:
            addresses.setdefault(e.organization_id, set()).add(e.submitted_by.email)
    alliance = AllianceSettings.current()
    link = _site(reverse("research:result", args=[selection.pk]))
    ends = selection.publicity_ends_at
    titles: dict[int, list[str]] = {}
    for e in sorted(entries, key=lambda e: e.pk):
        titles.setdefault(e.organization_id, []).append(f"“{e.title}”")
    sent = 0
    for org_id, names in titles.items():
        recipients = sorted(addresses.get(org_id, set()))
        if not recipients:
            continue
        send_mail(
            _("【%(alliance)s】评选结果公示：%(round)s")
            % {"alliance": alliance.short_name, "round": selection.title},
            _(
                "您好：\n\n贵单位参评的%(entries)s所在的“%(round)s”拟评结果已进入公示，公示至%(ends)s。"
                "\n如有异议，可在公示期内通过公示页面提出：\n%(link)s\n"
            )
            % {
                "entries": "、".join(names),
                "round": selection.title,
                "ends": timezone.localtime(ends).strftime("%Y-%m-%d") if ends else "",
                "link": link,
            },
            settings.DEFAULT_FROM_EMAIL,
            recipients,
            fail_silently=True,
        )
        sent += 1
    return sent
