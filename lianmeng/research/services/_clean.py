"""Field cleaning for research inputs: every bad field gets one clear Chinese message, all raised at once."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lianmeng.core.cleaning import LONG_TEXT, clean_text


def split_names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [clean_text(v) for v in value if clean_text(v)]
    return [clean_text(v) for v in re.split(r"[,，、;；\n]+", str(value)) if clean_text(v)]


class Cleaner:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def text(
        self,
        field: str,
        label: str,
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

    def names(self, field: str, label: str, *, required: bool = False, max_length: int = 300) -> str:
        joined = "、".join(split_names(self.data.get(field)))
        if required and not joined:
            self.add(field, _("请填写%(label)s") % {"label": label})
        elif len(joined) > max_length:
            self.add(field, _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": max_length})
        return joined

    def choice(self, field: str, label: str, choices: Any, *, default: str = "") -> str:
        value = str(self.data.get(field) or default).strip()
        if not value:
            self.add(field, _("请选择%(label)s") % {"label": label})
        elif value not in set(choices):
            self.add(field, _("%(label)s的取值“%(value)s”无效") % {"label": label, "value": value})
        return value

    def integer(
        self, field: str, label: str, *, default: int | None = None, minimum: int = 0, maximum: int = 10**6
    ) -> int:
        value = self.data.get(field)
        if value is None or str(value).strip() == "":
            if default is None:
                self.add(field, _("请填写%(label)s") % {"label": label})
                return minimum
            return default
        try:
            number = Decimal(str(value).strip())
            if number != int(number):
                raise ValueError
        except (InvalidOperation, ValueError):
            self.add(field, _("%(label)s应为整数") % {"label": label})
            return minimum
        if number < minimum or number > maximum:
            self.add(
                field,
                _("%(label)s应在 %(min)d 到 %(max)d 之间") % {"label": label, "min": minimum, "max": maximum},
            )
            return minimum
        return int(number)

    def decimal(
        self,
        field: str,
        label: str,
        *,
        required: bool = True,
        minimum: Decimal = Decimal(0),
        maximum: Decimal = Decimal("1e9"),
        places: str = "0.01",
    ) -> Decimal | None:
        value = self.data.get(field)
        if value is None or str(value).strip() == "":
            if required:
                self.add(field, _("请填写%(label)s") % {"label": label})
            return None
        try:
            amount = Decimal(str(value).replace(",", "").strip())
        except (InvalidOperation, ValueError):
            self.add(field, _("%(label)s应为数字") % {"label": label})
            return None
        if not amount.is_finite() or amount < minimum or amount > maximum:
            self.add(
                field,
                _("%(label)s应在 %(min)s 到 %(max)s 之间") % {"label": label, "min": minimum, "max": maximum},
            )
            return None
        return amount.quantize(Decimal(places))

    def date(self, field: str, label: str, *, required: bool = True) -> datetime.date | None:
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
        return str(value).strip().lower() in {"1", "true", "yes", "on", "是"}

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
