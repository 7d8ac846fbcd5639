"""Command line: `python -m memory upgrade --url URL` migrates the profile database."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from memory.migrate import current_revision, head_revision, migrate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m memory", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("upgrade", "migrate the database to the latest revision"),
        ("current", "print the database's revision and the latest one"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "--url",
            default=os.environ.get("MEMORY_DATABASE_URL"),
            help="SQLAlchemy URL, e.g. sqlite+aiosqlite:////abs/path/profile.db "
            "(default: $MEMORY_DATABASE_URL)",
        )
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("--url is required (or set MEMORY_DATABASE_URL)")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "upgrade":
        migrate(args.url)
        print(f"profile database at revision {head_revision()}")
    else:
        print(f"current: {current_revision(args.url) or 'none'}  head: {head_revision()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
