"""The registry of personal data cannot silently fall behind the models."""

from __future__ import annotations

import re

from django.apps import apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps

from lianmeng.privacy.registry import NOT_PERSONAL, USER_REFERENCES, installed, personal_field_names

# Field names that look like a person's data.
PERSONAL_LOOKING = re.compile(
    r"(^|_)(name|names|mobile|phone|tel|email|mail|id_number|id_card|contact|address|birth|birthday|"
    r"author|authors|leader|team|biography|bio|proxy|ip|repr|gender|passport|wechat|qq|resume|photo|"
    r"avatar|signature|person)($|_)"
)
TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.GenericIPAddressField,
    models.JSONField,
    models.FileField,
)


def _our_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("lianmeng.")]


def unclassified(model_list: list[type[models.Model]]) -> list[str]:
    known = personal_field_names() | set(NOT_PERSONAL)
    missing = []
    for model in model_list:
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS) and PERSONAL_LOOKING.search(field.name):
                label = f"{model._meta.label}.{field.name}"
                if label not in known:
                    missing.append(label)
    return missing


def test_every_personal_looking_field_is_classified() -> None:
    missing = unclassified(_our_models())
    assert not missing, (
        "Fields that look personal are neither in lianmeng/privacy/registry.py PERSONAL nor NOT_PERSONAL: "
        + ", ".join(missing)
    )


def test_every_link_to_a_user_is_classified() -> None:
    known = personal_field_names() | set(USER_REFERENCES)
    missing = []
    for model in _our_models():
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.related_model._meta.label == settings.AUTH_USER_MODEL
            ):
                label = f"{model._meta.label}.{field.name}"
                if label not in known:
                    missing.append(label)
    assert not missing, "Links to accounts missing from PERSONAL or USER_REFERENCES: " + ", ".join(missing)


def test_registry_names_real_models_and_fields() -> None:
    for entry in installed():
        model = apps.get_model(entry.model)
        names = [
            *entry.fields,
            *entry.mobiles,
            *entry.emails,
            *entry.names,
            *entry.name_lists,
            *entry.derived,
        ]
        names += [*entry.files, *entry.on_erase]
        for name in names:
            model._meta.get_field(name)  # raises FieldDoesNotExist
        for path in entry.users:
            target: type[models.Model] = model
            for part in path.split("__"):
                if part == "pk":
                    continue
                field = target._meta.get_field(part)
                assert field.is_relation, f"{entry.model}.{path}"
                target = field.related_model  # type: ignore[assignment]
            assert target._meta.label == settings.AUTH_USER_MODEL, (
                f"{entry.model}.{path} does not reach a user"
            )
        assert set(entry.owner_links) <= set(entry.users)
    stale = [label for label in NOT_PERSONAL if not _field_exists(label)]
    stale += [label for label in USER_REFERENCES if not _field_exists(label)]
    assert not stale, "Listed fields that no longer exist: " + ", ".join(stale)


def _field_exists(label: str) -> bool:
    app_model, _, name = label.rpartition(".")
    try:
        apps.get_model(app_model)._meta.get_field(name)
    except Exception:
        return False
    return True


@isolate_apps("lianmeng.privacy")
def test_a_new_personal_field_would_fail_the_check() -> None:
    """The check is not vacuous: a model gaining a mobile, an ID number or a contact name is caught."""

    class Visitor(models.Model):
        title = models.CharField(max_length=60)
        emergency_contact = models.CharField(max_length=60)
        id_number = models.CharField(max_length=18)
        backup_mobile = models.CharField(max_length=11)

        class Meta:
            app_label = "privacy"

        def __str__(self) -> str:
            return self.title

    assert unclassified([Visitor]) == [
        "privacy.Visitor.emergency_contact",
        "privacy.Visitor.id_number",
        "privacy.Visitor.backup_mobile",
    ]
