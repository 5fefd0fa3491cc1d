"""Articles: /api/v1/articles (feeds are at /feeds/news.rss and /feeds/news.atom)."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from lianmeng.core.api_support import AUTH, OPTIONAL_AUTH, signed_in
from lianmeng.core.pagination import PageNumberPagination

from . import policies, selectors, services
from .commands import ArticleCreate, ArticlePublish, ArticleReason, ArticleUpdate
from .models import Article

router = Router(tags=["publicity"])

KindLiteral = Literal["news", "notice", "media", "policy"]


class ArticleOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    title: str
    summary: str
    body: str
    tags: list[str]
    outlet: str
    source_url: str
    status: str
    publish_at: datetime | None
    published_at: datetime | None
    url: str = Field(alias="get_absolute_url")
    organizations: list[int]
    events: list[int]
    suggested_by: int | None = Field(alias="suggested_by_id")
    version: int

    @staticmethod
    def resolve_organizations(obj: Article) -> list[int]:
        return [o.pk for o in obj.organizations.all()]

    @staticmethod
    def resolve_events(obj: Article) -> list[int]:
        return [e.pk for e in obj.events.all()]


class ArticleFilters(Schema):
    q: str | None = None
    kind: KindLiteral | None = None
    status: str | None = None
    mine: bool = False


@router.get("/articles", response=list[ArticleOut], auth=OPTIONAL_AUTH)
@paginate(PageNumberPagination, page_size=20)
def article_list(request: HttpRequest, filters: Query[ArticleFilters]) -> Any:
    """Published articles, newest first. With `mine` or `status`: the workflow list (staff: all,
    members: their own suggestions)."""
    if filters.mine or filters.status:
        qs = selectors.article_workbench(
            viewer=request.user, status=filters.status, q=filters.q, kind=filters.kind
        )
    else:
        qs = selectors.article_list(viewer=request.user, q=filters.q, kind=filters.kind)
    return qs.prefetch_related("organizations", "events")


@router.post("/articles", response={201: ArticleOut}, auth=AUTH)
def article_create(request: HttpRequest, payload: ArticleCreate) -> Status[Article]:
    """The secretariat saves a draft; a member contact's article is a suggestion that goes to review.
    The body is sanitised (script, style and event handlers are removed)."""
    article = services.article_create(cmd=payload, actor=signed_in(request))
    return Status(201, selectors.article_get(viewer=request.user, pk=article.pk))


@router.get("/articles/{article_id}", response=ArticleOut, auth=OPTIONAL_AUTH)
def article_detail(request: HttpRequest, article_id: int) -> Article:
    return selectors.article_get(viewer=request.user, pk=article_id)


@router.patch("/articles/{article_id}", response=ArticleOut, auth=AUTH)
def article_update(request: HttpRequest, article_id: int, payload: ArticleUpdate) -> Article:
    """Edit an article (the secretariat any time, the author while a draft or in review); `events`
    links the events it reports on (published, held or cancelled ones)."""
    article = selectors.article_get(viewer=request.user, pk=article_id)
    services.article_update(article=article, cmd=payload, actor=signed_in(request))
    return selectors.article_get(viewer=request.user, pk=article_id)


@router.post("/articles/{article_id}/submit", response=ArticleOut, auth=AUTH)
def article_submit(request: HttpRequest, article_id: int) -> Article:
    article = selectors.article_get(viewer=request.user, pk=article_id)
    return services.article_transition(article=article, action="submit", actor=signed_in(request))


@router.post("/articles/{article_id}/publish", response=ArticleOut, auth=AUTH)
def article_publish(request: HttpRequest, article_id: int, payload: ArticlePublish) -> Article:
    """Publish now, or at `publish_at` (a future time schedules it). Secretariat only."""
    if not policies.can_publish_article(request.user):
        raise PermissionDenied
    article = selectors.article_get(viewer=request.user, pk=article_id)
    return services.article_transition(
        article=article, action="publish", publish_at=payload.publish_at, actor=signed_in(request)
    )


@router.post("/articles/{article_id}/return", response=ArticleOut, auth=AUTH)
def article_return(request: HttpRequest, article_id: int, payload: ArticleReason) -> Article:
    if not policies.can_publish_article(request.user):
        raise PermissionDenied
    article = selectors.article_get(viewer=request.user, pk=article_id)
    return services.article_transition(
        article=article, action="return", reason=payload.reason, actor=signed_in(request)
    )


@router.post("/articles/{article_id}/unpublish", response=ArticleOut, auth=AUTH)
def article_unpublish(request: HttpRequest, article_id: int, payload: ArticleReason) -> Article:
    """Take a published article off the portal; `reason` is required."""
    if not policies.can_publish_article(request.user):
        raise PermissionDenied
    article = selectors.article_get(viewer=request.user, pk=article_id)
    return services.article_transition(
        article=article, action="unpublish", reason=payload.reason, actor=signed_in(request)
    )
