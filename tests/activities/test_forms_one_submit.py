"""Event forms report the form's own errors and the service's rules in one submit, and save nothing."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lianmeng.activities import services
from lianmeng.activities.commands import RegistrationCreate
from lianmeng.activities.models import Event, EventPhoto, EventStatus, Registration
from lianmeng.library.commands import ProjectCreate
from tests.form_helpers import PNG, client_for, field_errors


def test_registration_missing_name_and_a_mobile_already_registered(make_event: Callable[..., Event]) -> None:
    event = make_event()
    services.registration_create(
        event=event, cmd=RegistrationCreate.build({"name": "李明", "mobile": "13806421234"}), actor=None
    )
    response = Client().post(
        reverse("activities:register", args=[event.pk]), {"name": "", "mobile": "138 0642 1234"}
    )
    assert response.status_code == 422
    errors = field_errors(response.content.decode())
    assert "name" in errors
    assert errors["mobile"] == ["该手机号已报名本活动"]
    assert Registration.objects.count() == 1


def test_manager_picks_the_registrant_organization_by_typing(
    make_event: Callable[..., Event], secretariat: Any, park: Any
) -> None:
    event = make_event()
    html = client_for(secretariat).get(event.get_absolute_url()).content.decode()
    picker = reverse("core:picker", args=["membership.organizations"])
    assert 'data-picker="organization"' in html
    assert f'hx-get="{picker}?name=organization' in html
    assert '<select name="organization"' not in html  # no list of every member organization


def test_summary_bad_project_missing_summary_and_negative_count(
    make_event: Callable[..., Event], secretariat: Any
) -> None:
    event = make_event(starts_in=-datetime.timedelta(days=2))
    response = client_for(secretariat).post(
        reverse("activities:hold", args=[event.pk]),
        {
            "summary": "",  # the service's rule
            "agreements_signed": "-2",  # the service's rule
            "projects_started": "0",
            "projects": ["999999"],  # the form's error
            "version": event.version,
        },
    )
    errors = field_errors(response.content.decode())
    assert "projects" in errors
    assert "summary" in errors
    assert "agreements_signed" in errors
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED and event.summary == ""


def test_photo_kept_across_a_failed_submit_and_stored_on_the_next(
    make_event: Callable[..., Event], secretariat: Any
) -> None:
    event = make_event(status=EventStatus.HELD, starts_in=-datetime.timedelta(days=2))
    client = client_for(secretariat)
    url = reverse("activities:hold", args=[event.pk])
    first = client.post(
        url, {"form": "photo", "caption": "说" * 201, "image": SimpleUploadedFile("签约.png", PNG)}
    ).content.decode()
    assert "caption" in field_errors(first)
    assert "已上传：签约.png（可更换）" in first
    assert not EventPhoto.objects.exists()
    token = re.search(r'name="image__pending" value="([^"]+)"', first).group(1)  # type: ignore[union-attr]
    done = client.post(url, {"form": "photo", "caption": "签约仪式", "image__pending": token}, follow=True)
    assert "照片已上传到《青岛人力资源服务论坛》" in done.content.decode()
    assert EventPhoto.objects.get().image.read() == PNG


def test_summary_links_projects_found_by_typing(
    make_event: Callable[..., Event], secretariat: Any, park: Any
) -> None:
    from lianmeng.library import services as library

    project = library.project_create(
        cmd=ProjectCreate.build(
            {"name": "青岛零工驿站", "summary": "简介", "lead_organization": park.pk, "cities": ["370200"]}
        ),
        actor=secretariat,
    )
    event = make_event(starts_in=-datetime.timedelta(days=2))
    client = client_for(secretariat)
    page = client.get(reverse("activities:hold", args=[event.pk])).content.decode()
    assert 'data-picker="projects"' in page and "按住 Ctrl" not in page
    found = client.get(
        reverse("core:picker", args=["activities.projects"]),
        {"name": "projects", "multiple": "1", "q": "qdlg"},
    ).content.decode()
    assert f'data-picker-option="{project.pk}"' in found
    done = client.post(
        reverse("activities:hold", args=[event.pk]),
        {
            "summary": "签约一个项目",
            "agreements_signed": "1",
            "projects_started": "0",
            "projects": [project.pk],
            "version": event.version,
        },
    )
    assert done.status_code == 302
    assert list(event.projects.values_list("pk", flat=True)) == [project.pk]
