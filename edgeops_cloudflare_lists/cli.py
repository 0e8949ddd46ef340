"""The ``cloudflare-lists`` command: a thin layer over the core.

Facts go to stdout as JSON; progress and the one-line error go to stderr. Credentials come only
from the environment, so they never show in a process list or shell history.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, TextIO, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.auth import environment_secrets
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.batch import (
    COMPLETED,
    FAILED,
    TIMEOUT,
    BatchProgress,
    BatchResult,
    parse_refs,
    wait_for_many,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import DEFAULT_TIMEOUT, CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import (
    CloudflareListsError,
    OperationFailedError,
    ValidationError,
    WaitTimeoutError,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.items import (
    EXACT,
    KINDS,
    PRESENT,
    ListItem,
    sorted_items,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.lists import (
    ACCOUNT_ID_ENV,
    list_lists,
    read_items,
    resolve_account_id,
    resolve_list,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.operations import (
    get_bulk_operation,
    open_client,
    wait_for_bulk_operation,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import neutralize, scrub
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.sync import ItemsOutcome, sync_items
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
    WaitPolicy,
    WaitProgress,
)

EXIT_OK = 0
EXIT_OPERATION_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_API = 4
EXIT_OUTPUT = 5
EXIT_INTERRUPTED = 130

PROG = "cloudflare-lists"
POSITIONAL_HELP = {
    "operation_id": ("OPERATION_ID", "the operation_id a list items write returned"),
    "list": ("LIST", "a list's id or name"),
}
MAX_PLAN_LINES = 20
MAX_ITEMS_FILE_BYTES = 64 * 1024 * 1024
ENVIRONMENT_HELP = """\
credentials (from the environment only):
  CLOUDFLARE_API_TOKEN            an API token with 'Account Filter Lists Read' (Edit, to sync)
  CLOUDFLARE_EMAIL, CLOUDFLARE_API_KEY
                                  or the legacy email and global API key, together
  CLOUDFLARE_BASE_URL             API base URL (default https://api.cloudflare.com/client/v4)
  CLOUDFLARE_ACCOUNT_ID           the account, when ACCOUNT_ID is left out

exit codes:
  0 done (also when nothing changed)    1 the operation failed    2 usage or validation error
  3 the wait timed out        4 API or transport error (auth, not found, rate limited, server, malformed)
  5 the facts could not be written to stdout (full, or a broken pipe)    130 interrupted
"""


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
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Keep Cloudflare Rules Lists right: sync a list's items, list them, and wait on bulk operations.",
        epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version="%(prog)s " + VERSION)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, *positionals: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=ENVIRONMENT_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(positional_names=positionals)
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

    def waiting(sub: argparse.ArgumentParser, timeout_help: str) -> None:
        sub.add_argument(
            "--timeout",
            type=_seconds(validate_wait_timeout),
            default=DEFAULT_WAIT_TIMEOUT,
            metavar="SECONDS",
            help=f"{timeout_help} (default %(default)g, at most {MAX_WAIT_TIMEOUT:g})",
        )
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

    command("status", "Check an operation once and print its facts, whatever its status.", "operation_id")
    wait = command(
        "wait",
        "Wait until an operation completes, then print its facts. Given several ACCOUNT_ID:OPERATION_ID pairs (or "
        "--from), wait on all at once under one deadline, printing a JSON line as each finishes.",
        "operation_id",
    )
    waiting(wait, "give up after this long; 0 checks once")
    wait.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="operations to wait on, one ACCOUNT_ID:OPERATION_ID (or OPERATION_ID) a line; '-' reads stdin",
    )
    command("lists", "Print the account's lists as JSON.")
    command("items", "Print a list's items, as Cloudflare stores them, as a JSON array.", "list")
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
        help="the items: one per line ('#' starts a comment), or a JSON array of items; '-' reads stdin",
    )
    sync.add_argument(
        "--kind",
        choices=KINDS,
        help="the list's kind: items are checked before any request, and a missing list is created",
    )
    sync.add_argument("--keep-others", action="store_true", help="add and update the file's items, and remove nothing")
    sync.add_argument("--dry-run", action="store_true", help="print the plan and send no write")
    waiting(sync, "give up after this long, writing and waiting included")
    commands.add_parser(
        "emulator",
        help="Serve a local Cloudflare Lists API emulator (see 'cloudflare-lists emulator --help').",
        add_help=False,
    )
    return parser


MAX_LABEL_CHARS = 40


def in_foreground(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal this process owns: not a file or a pipe, nor the terminal of a wait
    started in the background (``&``), whose line others would overwrite."""
    try:
        if not stream.isatty():
            return False
        return os.tcgetpgrp(stream.fileno()) == os.getpgrp()
    except (AttributeError, OSError, ValueError):
        return False


class ProgressLine:
    """Progress on stderr, every line starting with ``label`` (``--label``, else the operation id).

    On a terminal this process has in the foreground: one line rewritten in place, counting the seconds down to the
    next check. Elsewhere (a file, a pipe, a wait running in the background of a terminal, beside others): one
    whole line per check, so several waits never overwrite each other.

    ``sleep`` is the one the waiter sleeps with: between checks, it ticks the countdown once a second.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str,
        *,
        in_place: Optional[bool] = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.stream = stream
        self.label = neutralize(label)[:MAX_LABEL_CHARS]
        self.in_place = in_foreground(stream) if in_place is None else in_place
        self.clock = clock
        self._sleep = sleep
        self.shown = False
        self.broken = False
        self._line = ""  # the last line, without its countdown
        self._counting = False  # the next sleep is the pause before the next check

    def __call__(self, progress: WaitProgress) -> None:
        status = progress.facts.status if progress.facts else "unknown"
        self._line = f"{self.label}: {status} after {progress.elapsed:.1f} s, check {progress.checks}"
        if progress.transient_error:
            self._line += " (API trouble, retrying)"
        self._counting = progress.next_check_in is not None
        self._show(progress.next_check_in)

    def sleep(self, seconds: float) -> None:
        if not (self._counting and self.in_place):
            self._sleep(seconds)  # a pause off a terminal, or a retry's within a check
            return
        self._counting = False
        end = self.clock() + seconds
        remaining = seconds
        while remaining > 0:
            self._sleep(min(remaining, remaining - math.ceil(remaining) + 1))  # to the next whole second
            remaining = end - self.clock()
            if remaining > 0:
                self._show(remaining)

    def close(self) -> None:
        if self.shown and self.in_place:
            self._write("\n")

    def _show(self, next_check_in: Optional[float]) -> None:
        text = self._line
        if next_check_in is not None:
            text += f", next check in {round(next_check_in, 1):g} s"
        self._write("\r\033[K" + text if self.in_place else text + "\n")
        self.shown = True

    def _write(self, text: str) -> None:
        if self.broken:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # stderr full or gone: progress is not worth failing the wait for
            self.broken = True


class OutputError(Exception):
    """stdout did not take the result: it is closed or full, or its pipe is broken."""


def _print_json(document: Any, stdout: Optional[TextIO]) -> None:
    if stdout is None:
        raise OutputError("it is closed")
    try:
        stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
        stdout.flush()
    except (OSError, ValueError) as exc:  # ValueError: a closed file
        raise OutputError(exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is closed") from None


def _say(stderr: Optional[TextIO], text: str) -> None:
    """Text on stderr, if stderr can take it: there is nowhere else to report that it cannot."""
    try:
        if stderr is not None:
            stderr.write(text if text.endswith("\n") else text + "\n")
            stderr.flush()
    except (OSError, ValueError):
        pass


def _output_failed(stderr: Optional[TextIO], problem: OutputError) -> None:
    _say(
        stderr,
        f"{PROG}: error: could not write the result to stdout: {problem}. Send stdout to a file or a pipe that "
        "takes it (a full disk or a reader that went away loses it).",
    )


def _exit_code(error: CloudflareListsError) -> int:
    if isinstance(error, ValidationError):
        return EXIT_USAGE
    if isinstance(error, OperationFailedError):
        return EXIT_OPERATION_FAILED
    if isinstance(error, WaitTimeoutError):
        return EXIT_TIMEOUT
    return EXIT_API


def _one_line(text: str) -> str:
    """One line for stderr, whatever the message carries (the core already neutralizes server text)."""
    return neutralize(" ".join(text.split()))


def run(
    argv: Sequence[str],
    *,
    stdout: Optional[TextIO],
    stderr: Optional[TextIO],
    client_factory: Callable[..., CloudflareClient] = open_client,
    environ: Optional[Mapping[str, str]] = None,
) -> int:
    args = build_parser().parse_args(argv)
    if stdout is None:  # closed before we started: say so before anything is sent
        _say(
            stderr,
            f"{PROG}: error: stdout is closed, and the result is written there; send it to a file or /dev/null "
            "instead of closing it.",
        )
        return EXIT_USAGE
    progress: Optional[ProgressLine] = None
    try:
        if args.command == "wait" and (args.from_file or any(":" in value for value in args.positionals)):
            return _wait_many(args, environ, stdout, stderr, client_factory)
        positionals = _positionals(args, environ)
        items = _read_items_file(args, stdin=sys.stdin) if args.command == "sync" else None
        if args.insecure:
            _say(
                stderr,
                f"{PROG}: warning: --insecure: TLS certificates are not verified, so anyone on the path can read "
                "and answer these requests; use it only for a test endpoint.",
            )
        progress = _progress_line(args, stderr, positionals)
        options: Dict[str, Any] = {
            "base_url": args.base_url,
            "timeout": args.request_timeout,
            "validate_certs": not args.insecure,
        }
        if progress is not None:
            options["sleep"] = progress.sleep  # the pause before each check counts down on a terminal
        with client_factory(**options) as client:
            account_id = positionals["account_id"]
            if args.command == "status":
                _print_json(get_bulk_operation(client, account_id, positionals["operation_id"]).to_dict(), stdout)
                return EXIT_OK
            if args.command == "lists":
                _print_json([facts.to_dict() for facts in list_lists(client, account_id)], stdout)
                return EXIT_OK
            if args.command == "items":
                facts = resolve_list(client, account_id, positionals["list"])
                _print_json([item.to_dict() for item in sorted_items(read_items(client, account_id, facts))], stdout)
                return EXIT_OK
            policy = WaitPolicy(timeout=args.timeout, max_interval=args.max_interval)
            if args.command == "wait":
                outcome = wait_for_bulk_operation(client, account_id, positionals["operation_id"], policy, progress)
                if progress is not None:
                    progress.close()
                _print_json(outcome.facts.to_dict(), stdout)
                return EXIT_OK
            assert items is not None
            return _sync(client, account_id, positionals["list"], items, args, policy, progress, stdout, stderr)
    except CloudflareListsError as error:
        if progress is not None:
            progress.close()
        try:
            if error.facts is not None:
                _print_json(error.facts.to_dict(), stdout)
        except OutputError as problem:
            _output_failed(stderr, problem)
        _say(stderr, f"{PROG}: error: {_one_line(error.render(_names(args)))}")
        return _exit_code(error)
    except OutputError as problem:
        _output_failed(stderr, problem)
        return EXIT_OUTPUT


def _progress_line(
    args: argparse.Namespace, stderr: Optional[TextIO], positionals: Mapping[str, str]
) -> Optional[ProgressLine]:
    """The progress of a ``wait`` or a ``sync``: shown on a terminal, or with ``--progress``."""
    if args.command not in ("wait", "sync") or stderr is None:
        return None
    if not (stderr.isatty() if args.progress is None else args.progress):
        return None
    return ProgressLine(stderr, args.label or positionals.get("operation_id") or positionals.get("list", ""))


def _settle_stdout() -> None:
    """If stdout cannot be flushed, point it at /dev/null, so the interpreter's own flush at exit does not
    print "Exception ignored" and change the exit code."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


def _wait_many(
    args: argparse.Namespace,
    environ: Optional[Mapping[str, str]],
    stdout: TextIO,
    stderr: Optional[TextIO],
    client_factory: Callable[..., CloudflareClient],
) -> int:
    """``wait`` on many: one JSON line per operation as it finishes; the exit code of the worst outcome."""
    entries = list(args.positionals)
    if args.from_file:
        entries += [value for _number, value in _numbered_lines(_read_text(args.from_file, "--from", sys.stdin))]
    default_account = (environ if environ is not None else os.environ).get(ACCOUNT_ID_ENV, "").strip().lower()
    pairs = [entry.split(":", 1) if ":" in entry else [default_account, entry] for entry in entries]
    refs = parse_refs([(account.strip().lower() or default_account, operation.strip()) for account, operation in pairs])
    if not refs:
        raise ValidationError("operation_id", "no operations given: name ACCOUNT_ID:OPERATION_ID pairs, or --from.")
    show = stderr is not None and (stderr.isatty() if args.progress is None else args.progress)
    counter = BatchProgressLine(stderr, args.label or "wait") if show and stderr is not None else None
    worst = EXIT_OK

    def finished(result: BatchResult) -> None:
        nonlocal worst
        line = result.to_dict()
        if result.error is not None:
            line["message"] = _one_line(result.error.render(_names(args)))
        try:
            stdout.write(json.dumps(line, sort_keys=True) + "\n")
            stdout.flush()
        except (OSError, ValueError) as exc:  # ValueError: a closed file
            raise OutputError(exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is closed") from None
        if result.outcome in _OUTCOME_CODES:
            code = _OUTCOME_CODES[result.outcome]
        else:
            code = _exit_code(result.error) if result.error is not None else EXIT_API
        worst = max(worst, code)

    settings = {"base_url": args.base_url, "timeout": args.request_timeout, "validate_certs": not args.insecure}
    with client_factory(**settings) as client:
        policy = WaitPolicy(timeout=args.timeout, max_interval=args.max_interval)
        try:
            wait_for_many(client, refs, policy, on_result=finished, on_progress=counter)
        finally:
            if counter is not None:
                counter.close()
    return worst


# The exit code of each way a wait in a batch ends; errors map as a single wait's would.
_OUTCOME_CODES = {COMPLETED: EXIT_OK, FAILED: EXIT_OPERATION_FAILED, TIMEOUT: EXIT_TIMEOUT}


class BatchProgressLine:
    """Counts by status on stderr, after ``label``: in place on a terminal this process has in the foreground, a
    line per change elsewhere."""

    def __init__(self, stream: TextIO, label: str = "wait") -> None:
        self.stream = stream
        self.label = neutralize(label)[:MAX_LABEL_CHARS]
        self.in_place = in_foreground(stream)
        self.last = ""

    def __call__(self, progress: BatchProgress) -> None:
        counts = ", ".join(f"{count} {name}" for name, count in progress.counts.items() if count)
        text = f"{self.label}: {counts} after {progress.elapsed:.1f} s"
        if text.split(" after ")[0] == self.last.split(" after ")[0] and not self.in_place:
            return
        self.last = text
        _say(self.stream, "\r\033[K" + text if self.in_place else text)

    def close(self) -> None:
        if self.last and self.in_place:
            _say(self.stream, "")


def _read_text(path: str, flag: str, stdin: TextIO) -> str:
    """The text of ``path`` ('-': ``stdin``), at most ``MAX_ITEMS_FILE_BYTES``, for ``flag``."""
    try:
        if path == "-":
            text = stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(MAX_ITEMS_FILE_BYTES + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(flag, f"could not read {path!r}: {exc}.") from None
    if len(text) > MAX_ITEMS_FILE_BYTES:
        raise ValidationError(flag, f"{path!r} is larger than {MAX_ITEMS_FILE_BYTES} bytes.")
    return text


def _numbered_lines(text: str) -> List[Tuple[int, str]]:
    """(line number, value) of each line that holds something once its '#' comment is dropped."""
    values = [(number, line.split("#", 1)[0].strip()) for number, line in enumerate(text.splitlines(), start=1)]
    return [(number, value) for number, value in values if value]


def _sync(
    client: CloudflareClient,
    account_id: str,
    reference: str,
    items: List[Any],
    args: argparse.Namespace,
    policy: WaitPolicy,
    progress: Optional[ProgressLine],
    stdout: TextIO,
    stderr: Optional[TextIO],
) -> int:
    """``sync``: one plan, at most one bulk operation; the outcome as JSON, the plan in words on a terminal."""
    _facts, outcome = sync_items(
        client,
        account_id,
        reference,
        items,
        PRESENT if args.keep_others else EXACT,
        kind=args.kind,
        check_mode=args.dry_run,
        policy=policy,
        on_progress=progress,
    )
    if progress is not None:
        progress.close()
    if stderr is not None and args.progress is not False and (stderr.isatty() or args.progress):
        _say(stderr, _plan_in_words(reference, outcome, args.dry_run))
    _print_json(outcome.to_dict(), stdout)
    return EXIT_OK


def _plan_in_words(reference: str, outcome: ItemsOutcome, dry_run: bool) -> str:
    items_plan = outcome.plan
    if not items_plan.changed:
        return f"{reference}: no change ({len(items_plan.before)} items already as wanted)\n"
    lines = [f"{reference}: {'would ' if dry_run else ''}{items_plan.summary()}"]
    for sign, group in (
        ("+", items_plan.add),
        ("~", [change.after for change in items_plan.update]),
        ("-", items_plan.remove),
    ):
        lines += [f"  {sign} {_item_text(item)}" for item in group[:MAX_PLAN_LINES]]
        if len(group) > MAX_PLAN_LINES:
            lines.append(f"  {sign} ... and {len(group) - MAX_PLAN_LINES} more")
    return "\n".join(lines) + "\n"


def _item_text(item: ListItem) -> str:
    value = item.value if item.kind in ("ip", "asn") else json.dumps(item.value, sort_keys=True)
    return f"{value}" + (f"  ({item.comment})" if item.comment else "")


# The core's parameter names as this command spells them.
PARAMETER_NAMES = {
    "account_id": "ACCOUNT_ID",
    "operation_id": "OPERATION_ID",
    "kind": "--kind",
    "base_url": "--base-url (or CLOUDFLARE_BASE_URL)",
    "timeout": "--request-timeout",
    "wait_timeout": "--timeout",
    "wait_max_interval": "--max-interval",
    "validate_certs": "--insecure",
    "api_token": "CLOUDFLARE_API_TOKEN",
    "account_email": "CLOUDFLARE_EMAIL",
    "account_api_key": "CLOUDFLARE_API_KEY",
}


def _names(args: argparse.Namespace) -> Dict[str, str]:
    """``PARAMETER_NAMES``, plus each ``items[i]`` of ``--file`` as its line, for a file of lines."""
    names = dict(PARAMETER_NAMES)
    for index, line in enumerate(getattr(args, "item_lines", None) or ()):
        names[f"items[{index}]"] = f"--file line {line}"
    return names


def _positionals(args: argparse.Namespace, environ: Optional[Mapping[str, str]]) -> Dict[str, str]:
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


def _read_items_file(args: argparse.Namespace, *, stdin: TextIO) -> List[Any]:
    """The items of ``--file``: a JSON array, or one plain value per line with '#' comments and blank lines.

    For a file of lines, ``args.item_lines`` keeps each item's line number, for messages.
    """
    path: str = args.file
    text = _read_text(path, "--file", stdin)
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except ValueError as exc:
            raise ValidationError("--file", f"{path!r} starts with '[' but is not a JSON array: {exc}.") from None
        if not isinstance(items, list):
            raise ValidationError("--file", f"{path!r} is not a JSON array.")
        return items
    if args.kind == "redirect":
        raise ValidationError("--file", "redirect items have several fields: give them as a JSON array of objects.")
    lines = _numbered_lines(text)
    args.item_lines = [number for number, _value in lines]
    return [value for _number, value in lines]


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["emulator"]:
            from edgeops_cloudflare_lists import emulator

            return emulator.main(args[1:])
        return run(args, stdout=sys.stdout, stderr=sys.stderr)
    except KeyboardInterrupt:
        _say(sys.stderr, f"\n{PROG}: interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:  # The last line of defence: one line, never a traceback, never a credential.
        detail = _one_line(scrub(str(error), environment_secrets()))[:200]
        _say(sys.stderr, f"{PROG}: error: unexpected {type(error).__name__}: {detail}. Please report this bug.")
        return EXIT_API
    finally:
        _settle_stdout()


if __name__ == "__main__":
    sys.exit(main())
