"""The static files' storage in production: WhiteNoise's hashed names with .gz and .br copies, the Brotli
copies at quality 9 instead of the library's 11.

`lianmeng collectstatic` (and `lianmeng serve`, which runs it first unless `--no-collectstatic`) compresses
1,159 files (25 MB). At Brotli's quality 11 that took 21.6 s on 2 cores (echarts alone 3.7 s); at quality 9 the
whole command takes 4.4 s, for .br files about 10 % larger (echarts 328 KB instead of 299 KB; gzip -9 gives
368 KB). nginx in front (docs/deploy.md) serves the .gz files; the .br files are for WhiteNoise serving alone.
"""

from __future__ import annotations

from typing import Any

import brotli
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

BROTLI_QUALITY = 9


class _Compressor(Compressor):
    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        return bytes(brotli.compress(data, quality=BROTLI_QUALITY))


class CompressedManifestStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs: Any) -> Compressor:
        return _Compressor(**kwargs)
