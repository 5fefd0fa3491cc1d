"""Lock-out counters live in the shared cache: with REDIS_URL, every app process sees the same counts."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings

from lianmeng.accounts import throttle

REDIS = "redis://127.0.0.1:6379/15"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def redis_cache() -> Any:
    import redis

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.exceptions.ConnectionError:
        if IN_CI:
            pytest.fail("Redis is not running at 127.0.0.1:6379")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    config = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": f"lianmeng-test-{os.getpid()}",
        }
    }
    with override_settings(CACHES=config, LOGIN_MAX_FAILURES=3):
        caches["default"].clear()
        yield config
        caches["default"].clear()


def test_failures_in_another_process_lock_this_one(redis_cache: Any) -> None:
    """Two failures recorded by a separate Python process plus one here reach the limit of three."""
    prefix = redis_cache["default"]["KEY_PREFIX"]
    script = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='lianmeng.settings'; "
        f"os.environ['REDIS_URL']='{REDIS}'; os.environ['CACHE_KEY_PREFIX']='{prefix}'; os.environ['DEBUG']='true'; "
        "django.setup(); from lianmeng.accounts import throttle; "
        "[throttle.record_failure('wang', '10.1.1.1') for _ in range(2)]"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ, "LIANMENG_TESTING": "1"})
    assert not throttle.is_locked("wang", "10.9.9.9")
    throttle.record_failure("wang", "10.9.9.9")
    assert throttle.is_locked("wang", "10.2.2.2")
    assert not throttle.is_locked("li", "10.2.2.2")
