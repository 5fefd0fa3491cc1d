"""Commands: the one typed input of every write.

A command is a pydantic model (ninja's ``Schema``) naming what a write needs, with field types that
clean and check themselves and say what is wrong in Chinese (translated), naming the field::

    class MotionCreate(Command):
        title: Annotated[str, Text(_("议案标题"), max_length=200)]
        text: Annotated[str, Text(_("议案正文"), max_length=20000)]
        kind: Annotated[str, Choice(_("议案类型"), MotionKind)] = MotionKind.ORDINARY
        closes_at: Annotated[datetime | None, When(_("表决截止"))] = None

The same class is

- the API's request body (``def motion_create(request, payload: MotionCreate)``): ninja validates it
  and the API's 422 problem carries the same messages;
- what an HTML form builds from its ``cleaned_data`` (``submit_form(form, save, command=MotionCreate)``,
  :func:`lianmeng.core.forms.submit_form`): the errors land on the form's fields;
- what an import builds for each row (``MotionCreate.build(row)``), so a dry run is validating commands.

Services take it typed: ``motion_create(*, cmd: MotionCreate, actor: User) -> Motion``; they check the
policy, the rules that need the database, lock, write, audit and enqueue side effects on commit.

``Command.build(data)`` validates a mapping and raises Django's ``ValidationError`` keyed by field,
every bad field at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Self

import pydantic
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from .cleaning import LONG_TEXT, clean_text
from .errors import schema_error_message
from .params import INT64_MAX, YEAR_MAX, YEAR_MIN
from .validators import clean_mobile, clean_uscc

Label = str | Promise


class Check:
    """``Annotated`` metadata of a command field: its name for people (lazy, translated when a message
    needs it), the function that cleans and checks a value before pydantic's own type check, and the
    JSON schema the OpenAPI document shows. Made by :func:`Text`, :func:`Choice`, :func:`Day`… ::

        title: Annotated[str, Text(_("议案标题"), max_length=200)]
        closes_at: Annotated[datetime | None, When(_("表决截止"))] = None
    """

    def __init__(self, label: Label, check: Callable[[Any], Any], json_schema: dict[str, Any]) -> None:
        self.label = label
        self.check = check
        self.json_schema = json_schema

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(self.json_schema)

    def __repr__(self) -> str:
        return f"Check({str(self.label)!r})"


def _fail(message: str) -> PydanticCustomError:
    # The message is already translated and names the field: the error's type says it is ours.
    return PydanticCustomError("lianmeng", "{message}", {"message": message})


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------- field types


def Text(  # noqa: N802 - reads as a type in a class body
    label: Label, *, max_length: int, required: bool = True, multiline: bool | None = None
) -> Check:
    """Text cleaned by ``clean_text`` (multi-line when more than ``LONG_TEXT`` characters are allowed);
    empty is "请填写…" when required, too long is "…不能超过 n 个字"."""
    lines = max_length > LONG_TEXT if multiline is None else multiline

    def check(value: Any) -> str:
        if value is not None and not isinstance(value, str | int | float | Decimal):
            raise _fail(_("%(label)s须为文本") % {"label": label})
        text = clean_text(value, multiline=lines)
        if required and not text:
            raise _fail(_("请填写%(label)s") % {"label": label})
        if len(text) > max_length:
            raise _fail(_("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length})
        return text

    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if required:
        schema["minLength"] = 1
    return Check(label, check, schema)


def Choice(  # noqa: N802
    label: Label, choices: type[Enum] | Iterable[str], *, required: bool = True
) -> Check:
    """One of ``choices`` (a ``TextChoices`` or the allowed values); empty is "请选择…", anything
    else "…的取值“x”无效"."""
    values = [str(getattr(c, "value", c)) for c in choices]

    def check(value: Any) -> str:
        text = "" if value is None else str(getattr(value, "value", value)).strip()
        if not text:
            if required:
                raise _fail(_("请选择%(label)s") % {"label": label})
            return ""
        if text not in values:
            raise _fail(_("%(label)s的取值“%(value)s”无效") % {"label": label, "value": text[:50]})
        return text

    schema: dict[str, Any] = {"type": "string", "enum": values + ([] if required else [""])}
    return Check(label, check, schema)


_YEARS = {"x-year-min": YEAR_MIN, "x-year-max": YEAR_MAX}


def _year_in_range(label: Label, value: dt.date) -> None:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise _fail(
            _("%(label)s的年份须在 %(min)d 到 %(max)d 之间")
            % {"label": label, "min": YEAR_MIN, "max": YEAR_MAX}
        )


def Day(label: Label) -> Check:  # noqa: N802
    """A date (a ``date``, or ``YYYY-MM-DD``); combine with ``| None = None`` when optional."""

    def check(value: Any) -> dt.date | None:
        if _empty(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise _fail(_("%(label)s格式不正确，例如 2026-12-01") % {"label": label}) from None
        _year_in_range(label, day)
        return day

    schema = {"type": "string", "format": "date", **_YEARS}
    return Check(label, check, schema)


def When(label: Label) -> Check:  # noqa: N802
    """An instant (an aware or naive ``datetime`` — naive is the site's time zone — or ISO 8601)."""

    def check(value: Any) -> dt.datetime | None:
        if _empty(value):
            return None
        if isinstance(value, dt.datetime):
            moment = value
        elif isinstance(value, dt.date):
            moment = dt.datetime.combine(value, dt.time())
        else:
            try:
                moment = dt.datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise _fail(_("%(label)s格式不正确，例如 2026-12-20 18:00") % {"label": label}) from None
        _year_in_range(label, moment)
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    schema = {"type": "string", "format": "date-time", **_YEARS}
    return Check(label, check, schema)


def Integer(label: Label, *, minimum: int = 0, maximum: int = 10**9) -> Check:  # noqa: N802
    """A whole number between ``minimum`` and ``maximum``."""

    def check(value: Any) -> int | None:
        if _empty(value):
            return None
        if isinstance(value, bool):
            raise _fail(_("%(label)s应为整数") % {"label": label})
        try:
            number = Decimal(str(value).strip())
            if not number.is_finite() or number != number.to_integral_value():
                raise ValueError
        except (InvalidOperation, ValueError):
            raise _fail(_("%(label)s应为整数") % {"label": label}) from None
        whole = int(number)
        if not minimum <= whole <= maximum:
            raise _fail(
                _("%(label)s应在 %(min)d 到 %(max)d 之间") % {"label": label, "min": minimum, "max": maximum}
            )
        return whole

    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    return Check(label, check, schema)


def Amount(label: Label, *, minimum: Decimal = Decimal(0)) -> Check:  # noqa: N802
    """A sum of money in 万元 (two decimals; thousands separators accepted)."""

    def check(value: Any) -> Decimal | None:
        if _empty(value):
            return None
        try:
            amount = Decimal(str(value).replace(",", "").strip())
        except (InvalidOperation, ValueError):
            raise _fail(_("%(label)s应为数字（单位：万元）") % {"label": label}) from None
        if not amount.is_finite() or amount < minimum or amount >= Decimal("1e12"):
            raise _fail(_("%(label)s应为不小于 %(min)s 的数字") % {"label": label, "min": minimum})
        return amount.quantize(Decimal("0.01"))

    schema = {"type": "number", "minimum": float(minimum)}
    return Check(label, check, schema)


def Ref(label: Label) -> Check:  # noqa: N802
    """The id of a row (a model instance from a form is taken by its ``pk``); the service resolves it
    and says "…不存在" when it does not."""

    def check(value: Any) -> int | None:
        if _empty(value):
            return None
        value = getattr(value, "pk", value)
        try:
            number = int(str(value).strip())
        except ValueError:
            raise _fail(_("请选择%(label)s") % {"label": label}) from None
        if not 1 <= number <= INT64_MAX:
            raise _fail(_("请选择%(label)s") % {"label": label})
        return number

    schema = {"type": "integer", "minimum": 1, "maximum": INT64_MAX}
    return Check(label, check, schema)


def Refs(label: Label) -> Check:  # noqa: N802
    """Ids of rows (a queryset or list of instances from a form is taken by their ``pk``)."""

    def check(value: Any) -> list[int]:
        if _empty(value):
            return []
        if isinstance(value, str | int):
            value = [value]
        out: list[int] = []
        for item in value:
            item = getattr(item, "pk", item)
            try:
                number = int(str(item).strip())
            except ValueError:
                raise _fail(_("请选择%(label)s") % {"label": label}) from None
            if not 1 <= number <= INT64_MAX:
                raise _fail(_("请选择%(label)s") % {"label": label})
            if number not in out:
                out.append(number)
        return out

    schema = {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": INT64_MAX}}
    return Check(label, check, schema)


def Validated(  # noqa: N802
    label: Label,
    validator: Callable[[str], Any],
    *,
    required: bool = True,
    json_schema: dict[str, Any] | None = None,
) -> Check:
    """Text checked by a validator of :mod:`lianmeng.core.validators` style (returns the clean value or
    raises Django's ``ValidationError``): its own message is the field's. Empty is "请填写…" when
    required, ``""`` otherwise."""

    def check(value: Any) -> Any:
        if value is not None and not isinstance(value, str | int):
            raise _fail(_("%(label)s须为文本") % {"label": label})
        text = clean_text(value)
        if not text:
            if required:
                raise _fail(_("请填写%(label)s") % {"label": label})
            return ""
        try:
            return validator(text)
        except ValidationError as exc:
            raise _fail(" ".join(str(m) for m in exc.messages)) from None

    schema: dict[str, Any] = {"type": "string", **(json_schema or {})}
    if required:
        schema["minLength"] = 1
    return Check(label, check, schema)


def _mobile(value: str) -> str:
    return clean_mobile(value)


def _uscc(value: str) -> str:
    return clean_uscc(value)


def _email(value: str) -> str:
    try:
        EmailValidator()(value)
    except ValidationError:
        raise ValidationError(_("电子邮箱格式不正确")) from None
    return value.lower()


def _url(value: str) -> str:
    if "://" not in value:
        value = "https://" + value
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError(_("网址格式不正确，例如 https://www.example.cn")) from None
    return value


def Mobile(label: Label, *, required: bool = True) -> Check:  # noqa: N802
    """A mainland mobile number (``clean_mobile``: full-width digits, +86, spaces accepted)."""
    return Validated(label, _mobile, required=required, json_schema={"maxLength": 20})


def Uscc(label: Label, *, required: bool = True) -> Check:  # noqa: N802
    """A unified social credit code (``clean_uscc``: 18 characters, checksum)."""
    return Validated(label, _uscc, required=required, json_schema={"maxLength": 24})


def Email(label: Label, *, required: bool = True) -> Check:  # noqa: N802
    """An e-mail address, lower-cased."""
    return Validated(label, _email, required=required, json_schema={"maxLength": 254, "format": "email"})


def Url(label: Label, *, required: bool = False) -> Check:  # noqa: N802
    """A web address (``https://`` is added when no scheme is given)."""
    return Validated(label, _url, required=required, json_schema={"maxLength": 200})


# ---------------------------------------------------------------------- the command


class Command(Schema):
    """Base of every command. ``build(data)`` validates a mapping (a form's ``cleaned_data``, an import
    row, a dict in a test) and raises Django's ``ValidationError`` keyed by field."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def build(cls, data: Mapping[str, Any] | None = None, /, **values: Any) -> Self:
        merged = {**(data or {}), **values}
        try:
            return cls.model_validate(merged)
        except pydantic.ValidationError as exc:
            raise ValidationError(command_errors(cls, exc)) from None

    @classmethod
    def label_of(cls, name: str) -> Label:
        info = cls.model_fields.get(name)
        if info is not None:
            for meta in info.metadata:
                if isinstance(meta, Check):
                    return meta.label
        return name


def command_errors(cls: type[Command], exc: pydantic.ValidationError) -> dict[str, list[str]]:
    """pydantic's errors as the house's messages, keyed by the command's field names."""
    out: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if not isinstance(part, int)]
        ctx = err.get("ctx") or {}
        field = str(ctx.get("field") or "") or (loc[0] if loc else "__all__")
        if err.get("type") == "lianmeng":
            message = str(ctx.get("message") or err.get("msg", ""))
        elif err.get("type") == "missing" or (field != "__all__" and err.get("input") in (None, "")):
            # missing, or left empty where a value is required (a required date the form left blank)
            message = _("请填写%(label)s") % {"label": cls.label_of(field)}
        elif field == "__all__":
            message = schema_error_message(dict(err))
        else:
            message = f"{cls.label_of(field)}{schema_error_message(dict(err))}"
        if message not in out.get(field, []):
            out.setdefault(field, []).append(message)
    return out


def rule(message: str, field: str | None = None) -> PydanticCustomError:
    """An error for a command's ``@model_validator``/``@field_validator``: ``raise rule(msg, "closes_at")``
    with ``msg`` already translated; ``field`` puts it on that field (else on the whole form)."""
    return PydanticCustomError("lianmeng", "{message}", {"message": message, "field": field or ""})
