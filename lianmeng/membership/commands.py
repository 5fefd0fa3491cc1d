"""The membership writes' typed inputs (lianmeng.core.commands): the API's request bodies, what the
forms build from their cleaned data, what services take."""

from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field

from lianmeng.core.commands import (
    Check,
    Choice,
    Command,
    Email,
    Integer,
    Label,
    Mobile,
    Text,
    Url,
    Uscc,
    rule,
)
from lianmeng.core.concurrency import VERSION_HELP
from lianmeng.core.params import INT32_MAX

from .models import REQUESTED_TIERS, OrganizationKind, Tier


def CityCode(label: Label, *, required: bool = True) -> Check:  # noqa: N802
    """The code of a city (a ``City`` from a form is taken by its code); the service says "请选择联盟成员城市"
    when there is no such city."""

    def check(value: Any) -> str | None:
        code = str(getattr(value, "pk", value) or "").strip()
        if not code:
            if required:
                raise rule(_("请选择联盟成员城市"))
            return None
        if len(code) > 12:
            raise rule(_("请选择联盟成员城市"))
        return code

    schema: dict[str, Any] = {"type": "string", "maxLength": 12}
    if required:
        schema["minLength"] = 1
    return Check(label, check, schema)


class ApplicationSubmit(Command):
    """A membership application (public, no sign-in), and its corrected version after a return."""

    name: Annotated[str, Text(gettext_lazy("单位名称"), max_length=120)]
    short_name: Annotated[str, Text(gettext_lazy("简称"), max_length=40, required=False)] = ""
    uscc: Annotated[str, Uscc(gettext_lazy("统一社会信用代码"))]
    kind: Annotated[str, Choice(gettext_lazy("单位类型"), OrganizationKind)]
    requested_tier: Annotated[str, Choice(gettext_lazy("申请类别"), REQUESTED_TIERS)] = Tier.ORDINARY
    city: Annotated[str, CityCode(gettext_lazy("所在城市"))]
    address: Annotated[str, Text(gettext_lazy("地址"), max_length=200, required=False)] = ""
    website: Annotated[str, Url(gettext_lazy("网站"))] = ""
    description: Annotated[str, Text(gettext_lazy("单位简介"), max_length=4000, required=False)] = ""
    contact_name: Annotated[str, Text(gettext_lazy("联系人姓名"), max_length=60)]
    contact_mobile: Annotated[str, Mobile(gettext_lazy("联系人手机"))]
    contact_email: Annotated[str, Email(gettext_lazy("联系人邮箱"))]


class OrganizationCreate(Command):
    """A member entered directly (secretariat imports, demo data, tests): the same checks as an
    application's organization fields."""

    name: Annotated[str, Text(gettext_lazy("单位名称"), max_length=120)]
    uscc: Annotated[str, Uscc(gettext_lazy("统一社会信用代码"))]
    kind: Annotated[str, Choice(gettext_lazy("单位类型"), OrganizationKind)]
    city: Annotated[str, CityCode(gettext_lazy("所在城市"))]
    tier: Annotated[str, Choice(gettext_lazy("成员类别"), Tier)] = Tier.ORDINARY
    short_name: Annotated[str, Text(gettext_lazy("简称"), max_length=40, required=False)] = ""
    address: Annotated[str, Text(gettext_lazy("地址"), max_length=200, required=False)] = ""
    website: Annotated[str, Url(gettext_lazy("网站"))] = ""
    phone: Annotated[str, Text(gettext_lazy("联系电话"), max_length=40, required=False)] = ""
    email: Annotated[str, Email(gettext_lazy("公开邮箱"), required=False)] = ""
    description: Annotated[str, Text(gettext_lazy("单位简介"), max_length=4000, required=False)] = ""
    services: Annotated[str, Text(gettext_lazy("主要业务"), max_length=4000, required=False)] = ""


class OrganizationUpdate(Command):
    """Changes to an organization's profile: only the fields given are changed (a form gives all of its
    fields, the API's PATCH those sent). ``uscc``, ``kind``, ``city`` and ``tier`` are the secretariat's."""

    name: Annotated[str | None, Text(gettext_lazy("单位名称"), max_length=120)] = None
    short_name: Annotated[str | None, Text(gettext_lazy("简称"), max_length=40, required=False)] = None
    address: Annotated[str | None, Text(gettext_lazy("地址"), max_length=200, required=False)] = None
    website: Annotated[str | None, Url(gettext_lazy("网站"))] = None
    phone: Annotated[str | None, Text(gettext_lazy("联系电话"), max_length=40, required=False)] = None
    email: Annotated[str | None, Email(gettext_lazy("公开邮箱"), required=False)] = None
    description: Annotated[str | None, Text(gettext_lazy("单位简介"), max_length=4000, required=False)] = None
    services: Annotated[str | None, Text(gettext_lazy("主要业务"), max_length=4000, required=False)] = None
    uscc: Annotated[str | None, Uscc(gettext_lazy("统一社会信用代码"))] = None
    kind: Annotated[str | None, Choice(gettext_lazy("单位类型"), OrganizationKind)] = None
    city: Annotated[str | None, CityCode(gettext_lazy("所在城市"))] = None
    tier: Annotated[str | None, Choice(gettext_lazy("成员类别"), Tier)] = None
    version: Annotated[int | None, Integer(gettext_lazy("版本"), maximum=INT32_MAX)] = Field(
        None, description=VERSION_HELP
    )

    def changes(self) -> dict[str, Any]:
        """The fields given (not ``version``), with their clean values."""
        return {name: getattr(self, name) for name in self.model_fields_set if name != "version"}


class ApplicationDecision(Command):
    """The secretariat's review of an application."""

    action: Annotated[str, Choice(gettext_lazy("审核操作"), ("return", "reject", "forward", "admit"))]
    message: Annotated[str, Text(gettext_lazy("审核意见"), max_length=2000, required=False)] = ""


class StatusChange(Command):
    """Suspend, reinstate or withdraw an organization's membership."""

    change: Annotated[str, Choice(gettext_lazy("状态变更"), ("suspend", "reinstate", "withdraw"))]
    reason: Annotated[str, Text(gettext_lazy("说明"), max_length=2000, required=False)] = ""
