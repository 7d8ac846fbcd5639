"""Command line for staff accounts, e.g. the first admin:

    python -m bot.accounts create-user --role admin --username ann [--name "Ann Lee"] [--password-stdin]

Without --password-stdin a strong password is generated and printed once. The database
is the profile database from the usual RAPPORT_* settings, migrated first if needed.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from memory import open_staff_database
from memory.api.staff import ROLES, AccountError

from bot.accounts.auth import StaffAuth
from bot.accounts.passwords import WeakPassword
from bot.cli import run_admin_command
from bot.settings import Settings


def generated_password() -> str:
    return secrets.token_urlsafe(18)


def read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated?)"""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    if args.prompt:
        first = getpass.getpass("New password: ")
        if first != getpass.getpass("Repeat it: "):
            raise AccountError("the passwords differ")
        return first, False
    return generated_password(), True


async def run(args: argparse.Namespace, settings: Settings) -> str:
    database = open_staff_database(settings.profile_db_url)
    try:
        auth = StaffAuth(database.staff, signing_key=settings.signing_key)
        if args.command == "list-users":
            members = await auth.store.accounts()
            return "\n".join(
                f"{m.id}\t{m.username}\t{m.role}\t{m.display_name}" + ("\t(disabled)" if m.disabled else "")
                for m in members
            ) or "no staff accounts yet"
        if args.command in ("disable", "enable"):
            member = await auth.set_disabled(args.username, args.command == "disable")
            return f"{member.username} {args.command}d"
        password, generated = read_password(args)
        if args.command == "create-user":
            member = await auth.create_account(args.username, args.role, password, args.name)
            done = f"created {member.role} {member.username} (id {member.id})"
        else:
            member = await auth.set_password(args.username, password)
            done = f"new password set for {member.username}; their sessions were signed out"
        return done + (f"\npassword (shown once): {password}" if generated else "")
    finally:
        await database.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.accounts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a staff account")
    create.add_argument("--role", choices=ROLES, required=True)
    create.add_argument("--name", help="display name (default: the username)")
    reset = commands.add_parser("set-password", help="set a new password; signs the account out")
    for sub in (create, reset):
        sub.add_argument("--username", required=True)
        source = sub.add_mutually_exclusive_group()
        source.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        source.add_argument("--prompt", action="store_true", help="type the password (not echoed)")
    for name in ("disable", "enable"):
        sub = commands.add_parser(name, help=f"{name} an account")
        sub.add_argument("--username", required=True)
    commands.add_parser("list-users", help="list staff accounts")
    args = parser.parse_args(argv)
    return run_admin_command(lambda settings: run(args, settings), (AccountError, WeakPassword))


if __name__ == "__main__":
    sys.exit(main())
