"""``python -m leadscoring``: a minimal entry point until the full CLI lands.

Only ``demo`` is supported here: it scores the bundled sample dataset with the default
B2B model and prints the top leads.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m leadscoring")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="score the sample dataset and print the top leads")
    demo.add_argument("--seed", type=int, default=0, help="sample dataset seed (default 0)")
    demo.add_argument("--top", type=int, default=10, help="how many leads to show (default 10)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .examples.demo import run_demo

        if args.top < 1:
            parser.error("--top must be at least 1")
        return run_demo(seed=args.seed, top=args.top)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse rejects it
    return 2  # pragma: no cover


if __name__ == "__main__":
    raise SystemExit(main())
