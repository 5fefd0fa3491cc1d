"""Closing a motion asks first (what will happen) and then says the outcome and the resolution number."""

from __future__ import annotations

import html as html_lib
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from lianmeng.governance.models import Resolution


def test_close_motion_confirms_then_reports_result_and_number(
    carried_motion: tuple[Any, list[Any]], secretariat: Any
) -> None:
    motion, _seats = carried_motion
    client = Client()
    client.force_login(secretariat)
    page = html_lib.unescape(client.get(motion.get_absolute_url()).content.decode())
    assert (
        f"公布《{motion.title}》的结果（通过时生成决议并编号），理事不能再投票或更改。确定结束表决吗？"
        in page
    )
    response = client.post(reverse("governance:motion-action", args=[motion.pk, "close"]))
    told = [str(m) for m in get_messages(response.wsgi_request)]
    number = Resolution.objects.get(motion=motion).number
    assert told == [f"表决已结束：《{motion.title}》已通过，已生成决议 {number}"]
