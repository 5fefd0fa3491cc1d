"""The rows a library command refers to (organizations, cities, expertise fields, strategy tags),
resolved with the house's messages. A single write looks each up when needed; an import preloads
them all once (``References(preload=True)``), so checking 100,000 rows costs a handful of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lianmeng.core.models import City
from lianmeng.membership.models import Organization

from ..models import ExpertiseField, StrategyTag

Errors = dict[str, list[str]]


class References:
    def __init__(self, *, preload: bool = False) -> None:
        self._orgs: dict[int, Organization | None] = {}
        self._cities: dict[str, City | None] = {}
        self._fields: dict[str, ExpertiseField | None] = {}
        self._tags: dict[str, StrategyTag | None] = {}
        self.preloaded = preload
        if preload:
            for org in Organization.objects.only("pk", "name", "uscc", "city_id", "kind"):
                self._orgs[org.pk] = org
            for city in City.objects.all():
                self._cities[city.code] = self._cities[city.name] = self._cities[city.name + "市"] = city
            for field in ExpertiseField.objects.filter(is_active=True):
                self._fields[field.name] = self._fields[str(field.pk)] = field
            for tag in StrategyTag.objects.filter(is_active=True):
                self._tags[tag.name] = self._tags[str(tag.pk)] = tag

    # ------------------------------------------------------------------ lookups (None: not found)

    def organization(self, pk: int) -> Organization | None:
        if pk not in self._orgs and not self.preloaded:
            self._orgs[pk] = Organization.objects.filter(pk=pk).first()
        return self._orgs.get(pk)

    def city(self, value: str) -> City | None:
        if value not in self._cities and not self.preloaded:
            self._cities[value] = (
                City.objects.filter(code=value).first()
                or City.objects.filter(name=value.removesuffix("市")).first()
            )
        return self._cities.get(value)

    def field(self, value: str) -> ExpertiseField | None:
        if value not in self._fields and not self.preloaded:
            lookup = {"pk": int(value)} if value.isdigit() else {"name": value}
            self._fields[value] = ExpertiseField.objects.filter(is_active=True, **lookup).first()
        return self._fields.get(value)

    def tag(self, value: str) -> StrategyTag | None:
        if value not in self._tags and not self.preloaded:
            lookup = {"pk": int(value)} if value.isdigit() else {"name": value}
            self._tags[value] = StrategyTag.objects.filter(is_active=True, **lookup).first()
        return self._tags.get(value)

    # ------------------------------------------------------------------ with messages

    def one_organization(
        self, pk: int | None, errors: Errors, field: str, label: str | Promise
    ) -> Organization | None:
        if pk is None:
            return None
        org = self.organization(pk)
        if org is None:
            errors.setdefault(field, []).append(
                _("%(label)s“%(value)s”不是联盟成员单位") % {"label": label, "value": pk}
            )
        return org

    def organizations(
        self, pks: Iterable[int], errors: Errors, field: str, label: str | Promise
    ) -> list[Organization]:
        found = [self.one_organization(pk, errors, field, label) for pk in pks]
        return [org for org in found if org is not None]

    def one_city(self, value: str | None, errors: Errors, field: str = "city") -> City | None:
        if not value:
            return None
        city = self.city(value)
        if city is None:
            errors.setdefault(field, []).append(_("“%(value)s”不是联盟成员城市") % {"value": value})
        return city

    def cities(self, values: Iterable[str], errors: Errors, field: str = "cities") -> list[City]:
        out: list[City] = []
        for value in values:
            city = self.one_city(value, errors, field)
            if city is not None and city not in out:
                out.append(city)
        return out

    def fields(self, values: Iterable[str], errors: Errors, field: str = "fields") -> list[ExpertiseField]:
        out: list[ExpertiseField] = []
        for value in values:
            found = self.field(value)
            if found is None:
                errors.setdefault(field, []).append(_("专业领域“%(value)s”不在领域目录中") % {"value": value})
            elif found not in out:
                out.append(found)
        return out

    def tags(self, values: Iterable[str], errors: Errors, field: str = "strategy_tags") -> list[StrategyTag]:
        out: list[StrategyTag] = []
        for value in values:
            found = self.tag(value)
            if found is None:
                errors.setdefault(field, []).append(
                    _("国家战略标签“%(value)s”不在配置的列表中") % {"value": value}
                )
            elif found not in out:
                out.append(found)
        return out
