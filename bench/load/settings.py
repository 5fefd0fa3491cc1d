"""Settings of the load benchmark's server: the site's own (lianmeng.settings, from the environment),
with ``bench/load/urls.py`` as URLconf for the floor view. Nothing else differs."""

from lianmeng.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
