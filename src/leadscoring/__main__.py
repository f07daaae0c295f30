"""``python -m leadscoring``: the same command line as the ``leadscoring`` script."""

from __future__ import annotations

from .cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
