"""The command line: the parser, the positionals (ACCOUNT_ID first, optional) and the names messages use."""

from __future__ import annotations

import argparse
from typing import Callable, Dict, List, Mapping, NoReturn, Optional, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import resolve_account_id
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import DEFAULT_TIMEOUT
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.feeds import line_names
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import KINDS
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.parameters import command_names
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.validation import (
    MAX_MAX_INTERVAL,
    MAX_REQUEST_TIMEOUT,
    MAX_WAIT_TIMEOUT,
    MIN_MAX_INTERVAL,
    validate_max_interval,
    validate_operation_id,
    validate_request_timeout,
    validate_wait_timeout,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.version import VERSION
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import (
    DEFAULT_MAX_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)

from .output import PROG

POSITIONAL_HELP = {
    "operation_id": ("OPERATION_ID", "the operation_id a list items write returned"),
    "list": ("LIST", "a list's id or name"),
    "name": ("NAME", "the list's name (letters, digits and '_')"),
}
ENVIRONMENT_HELP = """\
credentials (from the environment only):
  CLOUDFLARE_API_TOKEN            an API token with 'Account Filter Lists Read' (Edit, to sync)
  CLOUDFLARE_EMAIL, CLOUDFLARE_API_KEY
                                  or the legacy email and global API key, together
  CLOUDFLARE_BASE_URL             API base URL (default https://api.cloudflare.com/client/v4)
  CLOUDFLARE_ACCOUNT_ID           the account, when ACCOUNT_ID is left out

exit codes:
  0 done (also when nothing changed)    1 the operation failed    2 usage or validation error
  3 --timeout passed (the wait, or trouble retried until the deadline)
  4 API or transport error (auth, not found, rate limited, server, malformed)
  5 the facts could not be written to stdout (full, or a broken pipe)
  6 with --detailed-exitcode: done, and the list changed (with --dry-run: would change)
  130 interrupted (Ctrl-C)    143 ended by SIGTERM (a CI runner's cancel); both still print the document
"""

# The core's parameter names as this command spells them.
PARAMETER_NAMES = command_names()


class UsageError(Exception):
    """The command line is not one the parser takes; ``parser`` is the (sub)command's, for its usage line."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class Parser(argparse.ArgumentParser):
    """An argparse parser that raises ``UsageError`` instead of exiting, so the command still prints its document."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self, message)


def _seconds(validate: Callable[[float], float]) -> Callable[[str], float]:
    """An argparse type: a number of seconds within the core's bounds, so a flag is refused naming the flag."""

    def parse(text: str) -> float:
        try:
            return validate(float(text))
        except ValueError as exc:  # float() failed, or the core's ValidationError (a ValueError too)
            problem = getattr(exc, "problem", None) or f"expected a number of seconds, got {text!r}"
            raise argparse.ArgumentTypeError(problem) from None

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Keep Cloudflare Rules Lists right: sync a list's items, list them, and wait on bulk operations.",
        epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version="%(prog)s " + VERSION)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, *positionals: str, account: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=ENVIRONMENT_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(positional_names=positionals)
        if account:
            sub.add_argument(
                "positionals",
                nargs="*",
                metavar=" ".join(["[ACCOUNT_ID]", *(POSITIONAL_HELP[name][0] for name in positionals)]),
                help="ACCOUNT_ID: the 32-hex-character account ID (default: $CLOUDFLARE_ACCOUNT_ID); "
                + "; ".join(f"{POSITIONAL_HELP[name][0]}: {POSITIONAL_HELP[name][1]}" for name in positionals),
            )
        sub.add_argument("--base-url", help="API base URL (default: $CLOUDFLARE_BASE_URL, else Cloudflare's)")
        sub.add_argument(
            "--request-timeout",
            type=_seconds(validate_request_timeout),
            default=DEFAULT_TIMEOUT,
            metavar="SECONDS",
            help="the most one HTTP request may take, connect to last byte (default %(default)g, at most "
            f"{MAX_REQUEST_TIMEOUT:g})",
        )
        sub.add_argument("--insecure", action="store_true", help="do not verify TLS certificates (test endpoints only)")
        return sub

    def whole_command_timeout(sub: argparse.ArgumentParser, what: str) -> None:
        """``--timeout``: the whole command's deadline; ``what`` says what it bounds."""
        sub.add_argument(
            "--timeout",
            type=_seconds(validate_wait_timeout),
            default=DEFAULT_WAIT_TIMEOUT,
            metavar="SECONDS",
            help=f"give up after this long, {what} (default %(default)g, at most {MAX_WAIT_TIMEOUT:g})",
        )

    def waiting(sub: argparse.ArgumentParser, timeout_help: str) -> None:
        whole_command_timeout(sub, timeout_help)
        sub.add_argument(
            "--max-interval",
            type=_seconds(validate_max_interval),
            default=DEFAULT_MAX_INTERVAL,
            metavar="SECONDS",
            help="longest pause between checks, so completion is seen at most this late (default %(default)g, "
            f"from {MIN_MAX_INTERVAL:g} to {MAX_MAX_INTERVAL:g})",
        )
        progress = sub.add_mutually_exclusive_group()
        progress.add_argument(
            "--progress",
            dest="progress",
            action="store_true",
            default=None,
            help="show progress on stderr (default: only on a terminal)",
        )
        progress.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")
        sub.add_argument(
            "--label",
            default="",
            metavar="TEXT",
            help="start each progress line with TEXT (default: the operation id, or the list), to tell several "
            "runs apart",
        )

    def planning(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--dry-run", "--check", dest="dry_run", action="store_true", help="print the plan and send no write"
        )
        sub.add_argument(
            "--detailed-exitcode",
            action="store_true",
            help="exit 6 when the list changed (with --dry-run: would change), 0 when it did not",
        )

    status = command("status", "Check an operation once and print its facts, whatever its status.", "operation_id")
    whole_command_timeout(status, "retries included")
    wait = command(
        "wait",
        "Wait until an operation completes, then print its facts. Given several ACCOUNT_ID:OPERATION_ID pairs (or "
        "--from), wait on all at once under one deadline, printing a JSON line as each finishes.",
        "operation_id",
    )
    waiting(wait, "0: check once")
    wait.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="operations to wait on, one ACCOUNT_ID:OPERATION_ID (or OPERATION_ID) a line; '-' reads stdin",
    )

    whole_command_timeout(command("lists", "Print the account's lists as JSON."), "every page and retry included")
    whole_command_timeout(
        command("items", "Print a list's items, as Cloudflare stores them, as a JSON array.", "list"),
        "every page and retry included",
    )
    sync = command(
        "sync",
        "Make a list hold exactly the items of a file (or add them, with --keep-others), in one bulk operation, "
        "waited on and read back.",
        "list",
    )
    sync.add_argument(
        "--file",
        required=True,
        metavar="FILE",
        help="the items: one a line ('#' or ';' starts a comment), or a JSON array of items; '-' reads stdin",
    )
    sync.add_argument(
        "--comments-from-file",
        action="store_true",
        help="an item's trailing comment ('192.0.2.0/24 ; SBL123') becomes its comment (without --kind, the "
        "comment's item is an IP address, an ASN or a hostname by its shape)",
    )
    sync.add_argument(
        "--kind",
        choices=KINDS,
        help="the list's kind: items are checked before any request, and a missing list is created",
    )
    membership = sync.add_mutually_exclusive_group()
    membership.add_argument(
        "--keep-others", action="store_true", help="add and update the file's items, and remove nothing"
    )
    membership.add_argument(
        "--remove-only",
        action="store_true",
        help="remove the file's items from the list, and add nothing (a missing list is an error)",
    )
    planning(sync)
    sync.add_argument(
        "--plan-out",
        metavar="FILE",
        help="write the plan, and a fingerprint of the list as read, to FILE for 'apply' (implies --dry-run)",
    )
    sync.add_argument(
        "--allow-empty",
        action="store_true",
        help="let an input with no items empty the list (refused otherwise: an empty feed is usually a failed one)",
    )
    sync.add_argument(
        "--max-removals",
        metavar="N|P%",
        help="refuse, before any write, a plan that removes more than N items, or more than P%% of the list",
    )
    waiting(sync, "writing and waiting included")

    apply = command(
        "apply",
        "Apply a plan that 'sync --plan-out' saved, exactly as it was made; refused, with nothing written, if the "
        "list or the file changed since.",
        account=False,
    )
    apply.add_argument("plan_file", metavar="PLANFILE", help="the file 'sync --plan-out' wrote; '-' reads stdin")
    planning(apply)
    waiting(apply, "writing and waiting included")

    def deadline(sub: argparse.ArgumentParser) -> None:
        whole_command_timeout(sub, "every read and write included")
        sub.add_argument("--dry-run", action="store_true", help="print what would change, and send no write")

    create = command(
        "create",
        "Create a list (or, if one of that name and kind exists, give it the description) and print its facts.",
        "name",
    )
    create.add_argument("--kind", choices=KINDS, required=True, help="what the list holds")
    create.add_argument("--description", metavar="TEXT", help="the list's description (default: none)")
    deadline(create)
    update = command("update", "Change a list's description and print its facts.", "list")
    update.add_argument("--description", metavar="TEXT", required=True, help="the new description ('' for none)")
    deadline(update)
    delete = command(
        "delete",
        "Delete a list; refused while a rule uses it. A list already gone is not an error (changed: false).",
        "list",
    )
    deadline(delete)
    commands.add_parser(
        "emulator",
        help="Serve a local Cloudflare Lists API emulator (see 'cloudflare-lists emulator --help').",
        add_help=False,
    )
    return parser


def parameter_names(args: argparse.Namespace) -> Dict[str, str]:
    """``PARAMETER_NAMES``, plus each ``items[i]`` of ``--file`` as its line, for a file of lines."""
    return {**PARAMETER_NAMES, **line_names(getattr(args, "item_lines", None) or (), "--file ")}


def given_positionals(args: argparse.Namespace) -> Dict[str, Optional[str]]:
    """The positionals as given, unchecked (ACCOUNT_ID None when left out); empty when they do not fit."""
    names: Tuple[str, ...] = getattr(args, "positional_names", ())
    values: List[Optional[str]] = list(getattr(args, "positionals", None) or ())
    if len(values) == len(names):
        values.insert(0, None)
    return dict(zip(("account_id", *names), values)) if len(values) == len(names) + 1 else {}


def positionals(args: argparse.Namespace, environ: Optional[Mapping[str, str]]) -> Dict[str, str]:
    """ACCOUNT_ID and the command's own positionals; ACCOUNT_ID may be left to $CLOUDFLARE_ACCOUNT_ID."""
    names: Tuple[str, ...] = args.positional_names
    values: List[str] = list(args.positionals)
    if len(values) == len(names):
        values.insert(0, "")
    if len(values) != len(names) + 1:
        usage = " ".join(["[ACCOUNT_ID]", *(POSITIONAL_HELP[name][0] for name in names)])
        raise ValidationError("arguments", f"expected {usage}, got {len(values)} argument(s).")
    found = dict(zip(("account_id", *names), values))
    found["account_id"] = resolve_account_id(found["account_id"] or None, environ)
    if "operation_id" in found:
        validate_operation_id(found["operation_id"])
    return found
