"""The `lianmeng` console script: Django's manage.py for this project.

``lianmeng assign`` (offline reviewer assignment on CSV files) runs without Django: no settings, no
database, no ``SECRET_KEY``, so it starts in a fraction of a second (lianmeng.research.assign_cli).
"""

from __future__ import annotations

import gc
import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = argv if argv is not None else sys.argv
    if len(argv) > 1 and argv[1] == "assign":
        from lianmeng.research.assign_cli import main as assign

        sys.exit(assign(argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianmeng.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    finally:
        # At exit Python's collector walks every object of the loaded project once more, about 1.4 s on
        # two cores for nothing: the process ends. Frozen objects are left to the end of the process.
        gc.freeze()


if __name__ == "__main__":
    main()
