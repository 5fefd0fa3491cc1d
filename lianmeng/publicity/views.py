from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianmeng.core.errors import error_dict
from lianmeng.core.files import file_response
from lianmeng.core.forms import submit_form
from lianmeng.core.pending_uploads import discard_pending
from lianmeng.core.types import AuthedRequest

from . import machines, policies, selectors, services
from .commands import ArticleCreate, ArticlePublish, ArticleReason, ArticleUpdate
from .forms import ArticleForm, TransitionForm
from .models import ArticleKind, ArticleStatus
from .sitemaps import SITEMAPS

PAGE_SIZE = 15


def article_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "").strip()
    kind = kind if kind in ArticleKind.values else ""
    qs = selectors.article_list(viewer=request.user, q=q, kind=kind or None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publicity/article_list.html",
        {
            "page_obj": page,
            "q": q,
            "kind": kind,
            "kinds": ArticleKind.choices,
            "kind_label": ArticleKind(kind).label if kind else "",
            "can_write": policies.can_create_article(request.user),
        },
    )


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get(viewer=request.user, pk=pk)
    actions = [
        a
        for a in machines.ARTICLE.allowed(article.status, actor=request.user, obj=article)
        if a in machines.BUTTONS
    ]
    return render(
        request,
        "publicity/article_detail.html",
        {
            "article": article,
            "related": selectors.related(article) if article.is_public else [],
            "organizations": article.organizations.all(),
            "events": selectors.article_events(viewer=request.user, article=article),
            "can_edit": policies.can_edit_article(request.user, article),
            "actions": actions,
            "transition_form": TransitionForm(),
            "absolute_url": request.build_absolute_uri(article.get_absolute_url()),
            "cover_url": request.build_absolute_uri(f"{article.get_absolute_url()}cover/")
            if article.cover
            else "",
        },
    )


def article_cover(request: HttpRequest, pk: int) -> FileResponse:
    article = selectors.article_get(viewer=request.user, pk=pk)
    return file_response(article.cover, name=f"article-{article.pk}-cover", inline_image=True)


@login_required
def article_new(request: AuthedRequest) -> HttpResponse:
    if not policies.can_create_article(request.user):
        raise PermissionDenied
    event = request.GET.get("event", "")
    linked = [int(event)] if event.isdigit() else []
    form = ArticleForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": request.GET.get("kind", "news"), "events": linked},
        linked_events=linked,
    )
    is_staff = policies.can_publish_article(request.user)
    if not is_staff:
        form.fields["kind"].choices = [(ArticleKind.NEWS, ArticleKind.NEWS.label)]  # type: ignore[attr-defined]
    if request.method == "POST":
        article = submit_form(
            form,
            lambda cmd: services.article_create(
                cmd=cmd, cover=form.cleaned_data.get("cover"), actor=request.user
            ),
            validate=lambda cmd: services.article_validate(cmd=cmd, cover=form.cleaned_data.get("cover")),
            command=ArticleCreate,
        )
        if article is not None:
            discard_pending(form, "cover")
            messages.success(
                request,
                _("草稿已保存，可以继续修改或发布") if is_staff else _("投稿已提交，秘书处审核后发布"),
            )
            return redirect(article)
    return render(
        request, "publicity/article_form.html", {"form": form, "article": None, "is_staff": is_staff}
    )


@login_required
def article_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    article = selectors.article_get(viewer=request.user, pk=pk)
    if not policies.can_edit_article(request.user, article):
        raise PermissionDenied
    linked = [e.pk for e in article.events.all()]
    initial = {
        "kind": article.kind,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "tags": " ".join(article.tags or []),
        "outlet": article.outlet,
        "source_url": article.source_url,
        "events": linked,
        "version": article.version,
    }
    form = ArticleForm(request.POST or None, request.FILES or None, initial=initial, linked_events=linked)
    if request.method == "POST":
        saved = submit_form(
            form,
            lambda cmd: services.article_update(
                article=article, cmd=cmd, cover=form.cleaned_data.get("cover"), actor=request.user
            ),
            validate=lambda cmd: services.article_validate(
                cmd=cmd, cover=form.cleaned_data.get("cover"), article=article
            ),
            command=ArticleUpdate,
        )
        if saved is not None:
            discard_pending(form, "cover")
            messages.success(request, _("文章已保存"))
            return redirect(saved)
    return render(
        request,
        "publicity/article_form.html",
        {"form": form, "article": article, "is_staff": policies.can_publish_article(request.user)},
    )


@login_required
@require_POST
def article_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    article = selectors.article_get(viewer=request.user, pk=pk)
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        when = ArticlePublish.build(publish_at=form.cleaned_data.get("publish_at"))
        article = services.article_transition(
            article=article,
            action=action,
            reason=ArticleReason.build(reason=form.cleaned_data.get("reason")).reason,
            publish_at=when.publish_at,
            actor=request.user,
        )
    except ValidationError as exc:
        for msgs in error_dict(exc).values():
            for m in msgs:
                messages.error(request, m)
    else:
        done = {
            ArticleStatus.PUBLISHED: _("《%(title)s》已发布到门户网站和订阅源") % {"title": article.title},
            ArticleStatus.SCHEDULED: _("《%(title)s》将于 %(when)s 发布")
            % {
                "title": article.title,
                "when": timezone.localtime(article.publish_at).strftime("%Y-%m-%d %H:%M")
                if article.publish_at
                else "",
            },
            ArticleStatus.REVIEW: _("《%(title)s》已提交审核，秘书处审核后发布") % {"title": article.title},
            ArticleStatus.DRAFT: _("《%(title)s》已退回 %(author)s 修改")
            % {"title": article.title, "author": str(article.author) if article.author else ""},
            ArticleStatus.UNPUBLISHED: _("《%(title)s》已撤下，门户网站和订阅源不再显示")
            % {"title": article.title},
        }
        messages.success(request, done.get(article.status, _("操作已完成")))  # type: ignore[call-overload]
    return redirect(article)


@login_required
def workbench(request: AuthedRequest) -> HttpResponse:
    if not policies.can_create_article(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    qs = selectors.article_workbench(
        viewer=request.user, status=status or None, q=request.GET.get("q", "").strip()
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "publicity/workbench.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ArticleStatus.choices,
            "is_staff": policies.can_publish_article(request.user),
        },
    )


def sitemap(request: HttpRequest) -> HttpResponse:
    return django_sitemap(request, SITEMAPS, template_name="publicity/sitemap.xml")
