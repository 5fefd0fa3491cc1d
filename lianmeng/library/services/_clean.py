"""Field cleaning shared by the library's services and imports: one message per bad field, in Chinese."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lianmeng.core.cleaning import LONG_TEXT, clean_text
from lianmeng.core.models import City
from lianmeng.core.validators import clean_mobile

StrOrPromise = str | Promise  # labels are lazy: translated only when a message needs them
Errors = dict[str, list[StrOrPromise]]


class Cleaner:
    """Collects field errors while cleaning a dict of input; ``done()`` raises them all at once."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: Errors = {}

    def add(self, field: str, message: StrOrPromise) -> None:
        self.errors.setdefault(field, []).append(message)

    def has(self, field: str) -> bool:
        return field in self.data

    def raw(self, field: str) -> Any:
        return self.data.get(field)

    def text(
        self,
        field: str,
        label: StrOrPromise,
        *,
        required: bool = False,
        max_length: int = 200,
        multiline: bool | None = None,
    ) -> str:
        """Cleaned by ``clean_text`` (multi-line when more than ``LONG_TEXT`` characters are allowed)."""
        if multiline is None:
            multiline = max_length > LONG_TEXT
        value = clean_text(self.data.get(field), multiline=multiline)
        if required and not value:
            self.add(field, _("请填写%(label)s") % {"label": label})
        elif len(value) > max_length:
            self.add(field, _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length})
        return value

    def choice(
        self,
        field: str,
        label: StrOrPromise,
        choices: Iterable[str],
        *,
        required: bool = True,
        default: str = "",
    ) -> str:
        value = self.data.get(field)
        value = "" if value is None else str(value).strip()
        if not value:
            if required and not default:
                self.add(field, _("请选择%(label)s") % {"label": label})
            return default
        if value not in set(choices):
            self.add(field, _("%(label)s的取值“%(value)s”无效") % {"label": label, "value": value})
            return default
        return value

    def decimal(
        self, field: str, label: StrOrPromise, *, required: bool = False, minimum: Decimal = Decimal(0)
    ) -> Decimal | None:
        value = self.data.get(field)
        if value is None or str(value).strip() == "":
            if required:
                self.add(field, _("请填写%(label)s") % {"label": label})
            return None
        try:
            amount = Decimal(str(value).replace(",", "").strip())
        except (InvalidOperation, ValueError):
            self.add(field, _("%(label)s应为数字（单位：万元）") % {"label": label})
            return None
        if not amount.is_finite() or amount < minimum or amount >= Decimal("1e12"):
            self.add(field, _("%(label)s应为不小于 %(min)s 的数字") % {"label": label, "min": minimum})
            return None
        return amount.quantize(Decimal("0.01"))

    def integer(
        self,
        field: str,
        label: StrOrPromise,
        *,
        required: bool = False,
        minimum: int = 0,
        maximum: int = 10**9,
    ) -> int | None:
        value = self.data.get(field)
        if value is None or str(value).strip() == "":
            if required:
                self.add(field, _("请填写%(label)s") % {"label": label})
            return None
        try:
            number = int(Decimal(str(value).strip()))
            if Decimal(str(value).strip()) != number:
                raise ValueError
        except (InvalidOperation, ValueError):
            self.add(field, _("%(label)s应为整数") % {"label": label})
            return None
        if number < minimum or number > maximum:
            self.add(
                field,
                _("%(label)s应在 %(min)d 到 %(max)d 之间") % {"label": label, "min": minimum, "max": maximum},
            )
            return None
        return number

    def date(self, field: str, label: StrOrPromise, *, required: bool = False) -> datetime.date | None:
        value = self.data.get(field)
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.add(field, _("请填写%(label)s") % {"label": label})
            return None
        match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
        try:
            if not match:
                raise ValueError
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            self.add(field, _("%(label)s应为日期，例如 2026-11-27") % {"label": label})
            return None

    def boolean(self, field: str, default: bool = False) -> bool:
        value = self.data.get(field)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"1", "true", "yes", "y", "on", "是", "同意"}

    def city(self, field: str = "city", *, required: bool = True) -> City | None:
        value = self.data.get(field)
        code = str(getattr(value, "pk", value) or "").strip()
        if not code:
            if required:
                self.add(field, _("请选择联盟成员城市"))
            return None
        city = city_lookup(code)
        if city is None:
            self.add(field, _("“%(value)s”不是联盟成员城市") % {"value": code})
        return city

    def mobile(self, field: str, *, required: bool = False) -> str:
        value = str(self.data.get(field) or "").strip()
        if not value:
            if required:
                self.add(field, _("请填写手机号码"))
            return ""
        return self._run(field, clean_mobile, value, field) or ""

    def email(self, field: str, *, required: bool = False) -> str:
        value = str(self.data.get(field) or "").strip()
        if not value:
            if required:
                self.add(field, _("请填写电子邮箱"))
            return ""
        try:
            EmailValidator()(value)
        except ValidationError:
            self.add(field, _("电子邮箱格式不正确"))
            return ""
        return value.lower()

    def _run(self, field: str, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                self.errors.setdefault(field if key == "__all__" else key, []).extend(messages)
            return None

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


_CITY_CACHE: dict[str, City] = {}


def city_lookup(value: str) -> City | None:
    """A member city by division code or by Chinese name (imports use names)."""
    if not _CITY_CACHE:
        for row in City.objects.all():
            _CITY_CACHE[row.code] = row
            _CITY_CACHE[row.name] = row
            _CITY_CACHE[row.name + "市"] = row
    city: City | None = _CITY_CACHE.get(value)
    if city is None:
        # Cities may have been added since the cache was filled (tests, configuration).
        _CITY_CACHE.clear()
        city = (
            City.objects.filter(code=value).first()
            or City.objects.filter(name=value.removesuffix("市")).first()
        )
    return city


def split_list(value: Any) -> list[Any]:
    """A list from a list or from text separated by commas, 、 or semicolons."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        # Model instances (pre-resolved by imports) pass through unchanged.
        return [v if not isinstance(v, str | int) else str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[,，、;；\n]+", str(value)) if v.strip()]


ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")


def clean_id_number(value: str) -> str:
    """A mainland resident ID number (GB 11643), checked with its check digit."""
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError as StdnumError

    compact = value.strip().upper()
    try:
        return str(ric.validate(compact))
    except StdnumError as exc:
        raise ValidationError({"id_number": _("身份证号码不正确，请核对后重新填写")}) from exc
