"""A decision and what it decided link both ways: a rotation change and its resolution, an admission and
the resolution that decided it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lianmeng.governance import services
from lianmeng.governance.commands import RotationChangeCmd, VoteCast
from lianmeng.membership.commands import ApplicationDecision, ApplicationSubmit


@pytest.mark.django_db
def test_rotation_change_and_its_resolution_link_both_ways(
    client: Client,
    rotation: dict[str, Any],
    secretariat: Any,
    council: Callable[..., list[Any]],
    open_motion: Any,
) -> None:
    seat = council(1)[0]
    motion = open_motion(title="关于烟台本轮暂不担任轮值主席的议案")
    services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=seat.representative)
    services.motion_close(motion=motion, actor=secretariat)
    change = services.rotation_change(
        cmd=RotationChangeCmd.build(
            kind="skip", organization=rotation["bureaus"][1].pk, resolution=motion.resolution.pk
        ),
        actor=secretariat,
    )
    client.force_login(seat.representative)
    presidency = client.get("/governance/presidency/").content.decode()
    assert f'id="change-{change.pk}"' in presidency
    assert f'href="{motion.resolution.get_absolute_url()}"' in presidency
    page = client.get(motion.resolution.get_absolute_url()).content.decode()
    assert f'href="/governance/presidency/#change-{change.pk}"' in page
    assert "烟台市人力资源和社会保障局" in page


@pytest.mark.django_db
def test_resolution_page_names_the_admitted_member_and_links_the_application_for_the_secretariat(
    client: Client, secretariat: Any, council: Callable[..., list[Any]], cities: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lianmeng.core.demo_support import make_uscc
    from lianmeng.governance.models import Motion
    from lianmeng.membership import services as membership

    seats = council(2)
    application = membership.application_submit(
        cmd=ApplicationSubmit.build(
            {
                "name": "滨州人才发展有限公司",
                "uscc": make_uscc("滨州人才发展有限公司", division="371600", kind="enterprise"),
                "kind": "enterprise",
                "requested_tier": "council",
                "city": "371600",
                "contact_name": "李",
                "contact_mobile": "13905431234",
                "contact_email": "li@example.cn",
            }
        ),
        letter=SimpleUploadedFile(
            "l.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        ),
    )
    membership.application_review(
        application=application, cmd=ApplicationDecision.build(action="forward"), actor=secretariat
    )
    motion = Motion.objects.get(application=application)
    for seat in seats:
        services.vote_cast(motion=motion, cmd=VoteCast.build(choice="for"), actor=seat.representative)
    services.motion_close(motion=motion, actor=secretariat)
    resolution = Motion.objects.get(pk=motion.pk).resolution
    client.force_login(secretariat)
    client.post(resolution.get_absolute_url(), {"action": "admit"})
    application.refresh_from_db()
    assert application.status == "admitted" and application.resolution_number == resolution.number
    page = client.get(resolution.get_absolute_url()).content.decode()
    assert f'href="{application.get_absolute_url()}"' in page
    assert f'href="{application.organization.get_absolute_url()}"' in page
    rep = Client()
    rep.force_login(seats[0].representative)
    page = rep.get(resolution.get_absolute_url()).content.decode()
    assert "滨州人才发展有限公司" in page and application.get_absolute_url() not in page
