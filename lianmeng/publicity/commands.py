"""The publicity writes' typed inputs (lianmeng.core.commands): the API's request bodies, what the
article form builds from its cleaned data, what services take."""

import re
from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from lianmeng.core.commands import Choice, Command, Integer, Refs, Text, When, rule
from lianmeng.core.concurrency import VERSION_HELP

from .models import ArticleKind
from .richtext import plain_text, sanitize_body

BODY_MAX = 100_000


def split_tags(value: Any) -> list[str]:
    """Tags from a list or from text separated by commas, 、, semicolons or spaces (a leading # dropped)."""
    if isinstance(value, str):
        value = re.split(r"[,，、;；\s]+", value)
    out: list[str] = []
    for item in value or []:
        tag = str(item or "").strip().lstrip("#")
        if tag and tag not in out:
            out.append(tag)
    return out


Tags = Annotated[list[Annotated[str, Field(max_length=200)]], BeforeValidator(split_tags)]


class _ArticleRules:
    """The checks shared by creating and editing an article (on the fields given)."""

    @field_validator("body", check_fields=False)
    @classmethod
    def _body(cls, body: str | None) -> str | None:
        if body is None:
            return None
        body = sanitize_body(body)
        if not plain_text(body) and "<img" not in body:
            raise rule(_("请填写正文"))
        if len(body) > BODY_MAX:
            raise rule(_("正文过长，请控制在 10 万字符以内"))
        return body

    @field_validator("tags", check_fields=False)
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        if tags is not None and (len(tags) > 10 or any(len(t) > 20 for t in tags)):
            raise rule(_("标签最多 10 个，每个不超过 20 个字"))
        return tags

    @field_validator("source_url", check_fields=False)
    @classmethod
    def _source_url(cls, url: str | None) -> str | None:
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise rule(_("原文链接应以 http:// 或 https:// 开头")) from None
        return url

    @field_validator("outlet", check_fields=False)
    @classmethod
    def _outlet_of_media(cls, outlet: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("kind") == ArticleKind.MEDIA and outlet == "":
            raise rule(_("媒体报道请填写媒体名称"))
        return outlet

    @field_validator("events", check_fields=False)
    @classmethod
    def _few_events(cls, events: list[int] | None) -> list[int] | None:
        if events is not None and len(events) > 10:
            raise rule(_("相关活动最多 10 个"))
        return events


class ArticleCreate(_ArticleRules, Command):
    """An article: a draft of the secretariat, or a member contact's suggestion (goes to review). The
    body is sanitised (script, style and event handlers removed; plain text becomes paragraphs)."""

    kind: Annotated[str, Choice(gettext_lazy("类别"), ArticleKind)] = ArticleKind.NEWS
    title: Annotated[str, Text(gettext_lazy("标题"), max_length=120)]
    summary: Annotated[str, Text(gettext_lazy("摘要"), max_length=300, required=False)] = ""
    body: Annotated[str, Text(gettext_lazy("正文"), max_length=BODY_MAX * 2)]
    tags: Tags = []
    outlet: Annotated[str, Text(gettext_lazy("媒体名称"), max_length=80, required=False)] = Field(
        "", validate_default=True
    )
    source_url: Annotated[str, Text(gettext_lazy("原文链接"), max_length=500, required=False)] = ""
    organizations: Annotated[list[int], Refs(gettext_lazy("相关单位"))] = []
    events: Annotated[list[int], Refs(gettext_lazy("相关活动"))] = []


class ArticleUpdate(_ArticleRules, Command):
    """Changes to an article: only the fields given are changed (the edit form gives them all)."""

    kind: Annotated[str | None, Choice(gettext_lazy("类别"), ArticleKind)] = None
    title: Annotated[str | None, Text(gettext_lazy("标题"), max_length=120)] = None
    summary: Annotated[str | None, Text(gettext_lazy("摘要"), max_length=300, required=False)] = None
    body: Annotated[str | None, Text(gettext_lazy("正文"), max_length=BODY_MAX * 2)] = None
    tags: Tags | None = None
    outlet: Annotated[str | None, Text(gettext_lazy("媒体名称"), max_length=80, required=False)] = None
    source_url: Annotated[str | None, Text(gettext_lazy("原文链接"), max_length=500, required=False)] = None
    organizations: Annotated[list[int] | None, Refs(gettext_lazy("相关单位"))] = None
    events: Annotated[list[int] | None, Refs(gettext_lazy("相关活动"))] = None
    version: Annotated[int | None, Integer(gettext_lazy("版本"))] = Field(None, description=VERSION_HELP)

    def given(self) -> set[str]:
        """The fields the request named (``version`` aside)."""
        return set(self.model_fields_set) - {"version"}


class ArticlePublish(Command):
    publish_at: Annotated[datetime | None, When(gettext_lazy("定时发布"))] = None


class ArticleReason(Command):
    reason: Annotated[str, Text(gettext_lazy("意见或原因"), max_length=2000, required=False)] = ""
