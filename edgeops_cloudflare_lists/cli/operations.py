"""``status`` and ``wait``: one operation's facts, or many operations waited on under one deadline."""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Dict, Mapping, Optional, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import (
    COMPLETED,
    FAILED,
    MAX_OPERATIONS,
    TIMEOUT,
    BatchProgress,
    BatchResult,
    OperationRef,
    get_bulk_operation,
    outcome_of,
    resolve_operations,
    too_many_operations,
    wait_for_bulk_operation,
    wait_for_many,
)
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.client import CloudflareClient
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.errors import ValidationError
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.waiter import WaitPolicy

from . import signals
from .documents import error_info, operation_document
from .files import read_values
from .invocation import Invocation
from .output import (
    EXIT_API,
    EXIT_OK,
    EXIT_OPERATION_FAILED,
    EXIT_TIMEOUT,
    PROG,
    exit_code,
    print_json,
    print_json_line,
    say,
    start_line,
)
from .parser import parameter_names
from .progress import BatchProgressLine, wants_progress

# The exit code of each way a wait in a batch ends; errors map as a single wait's would.
_OUTCOME_CODES = {COMPLETED: EXIT_OK, FAILED: EXIT_OPERATION_FAILED, TIMEOUT: EXIT_TIMEOUT}


def is_batch(args: argparse.Namespace) -> bool:
    """A ``wait`` on several operations: ``--from``, or ACCOUNT_ID:OPERATION_ID pairs."""
    return args.command == "wait" and bool(args.from_file or any(":" in value for value in args.positionals))


def status(client: CloudflareClient, run: Invocation) -> int:
    operation_id = run.positionals["operation_id"]
    started = client.clock()
    facts = get_bulk_operation(client, run.account_id, operation_id, timeout=run.args.timeout)
    document = operation_document(
        account_id=run.account_id,
        operation_id=operation_id,
        outcome=facts.status,
        facts=facts,
        checks=1,
        elapsed=client.clock() - started,
    )
    print_json(document, run.stdout)
    return EXIT_OK


def wait(client: CloudflareClient, run: Invocation) -> int:
    operation_id = run.positionals["operation_id"]
    outcome = wait_for_bulk_operation(client, run.account_id, operation_id, run.wait_policy(), run.on_progress)
    run.close_progress()
    document = operation_document(
        account_id=run.account_id,
        operation_id=operation_id,
        outcome=outcome_of(None),
        facts=outcome.facts,
        checks=outcome.checks,
        elapsed=outcome.elapsed,
    )
    print_json(document, run.stdout)
    return EXIT_OK


def wait_many(
    args: argparse.Namespace,
    environ: Optional[Mapping[str, str]],
    stdout: TextIO,
    stderr: Optional[TextIO],
    client_factory: Callable[..., CloudflareClient],
) -> int:
    """``wait`` on many: one JSON line per operation as it finishes; the exit code of the worst outcome."""
    entries = list(args.positionals)
    if args.from_file:
        most = max(0, MAX_OPERATIONS - len(entries))
        entries += read_values(args.from_file, "--from", sys.stdin, most, too_many_operations)
    refs = resolve_operations(entries, None, environ, parameter="operation_id")
    if not refs:
        raise ValidationError("operation_id", "no operations given: name ACCOUNT_ID:OPERATION_ID pairs, or --from.")
    counter = None
    if stderr is not None and wants_progress(args, stderr):
        counter = BatchProgressLine(stderr, args.label or "wait")
    worst = EXIT_OK
    # Each operation not finished yet, with its status as last seen (None: not checked yet), for an interrupt.
    pending: Dict[OperationRef, Optional[str]] = dict.fromkeys(refs)

    def checked(progress: BatchProgress) -> None:
        if progress.checked in pending and progress.facts is not None:
            pending[progress.checked] = progress.facts.status
        if counter is not None:
            counter(progress)

    def finished(result: BatchResult) -> None:
        nonlocal worst
        pending.pop(result.ref, None)
        line = operation_document(
            account_id=result.ref.account_id,
            operation_id=result.ref.operation_id,
            outcome=result.outcome,
            facts=result.facts,
            checks=result.checks,
            elapsed=result.elapsed,
            error=error_info(result.error, parameter_names(args)) if result.error is not None else None,
        )
        print_json_line(line, stdout)
        if result.outcome != COMPLETED:  # as any error: also its one line on stderr
            error_line = f"{PROG}: error: {line['message'] or result.outcome}"
            if counter is not None:
                counter.say_above(error_line)
            else:
                say(stderr, error_line)
        if result.outcome in _OUTCOME_CODES:
            code = _OUTCOME_CODES[result.outcome]
        else:
            code = exit_code(result.error) if result.error is not None else EXIT_API
        worst = max(worst, code)

    settings = {"base_url": args.base_url, "timeout": args.request_timeout, "validate_certs": not args.insecure}
    with client_factory(**settings) as client:
        policy = WaitPolicy(timeout=args.timeout, max_interval=args.max_interval)
        try:
            wait_for_many(client, refs, policy, on_result=finished, on_progress=checked)
        except KeyboardInterrupt as interrupt:  # the operations go on at Cloudflare: say which were still pending
            if counter is None or not (counter.in_place and counter.last):
                start_line(stderr)  # a terminal echoed ^C where the cursor was
            still = [(f"{ref.account_id}:{ref.operation_id}", status) for ref, status in pending.items()]
            raise signals.interrupted(interrupt, args, {}, None, pending=still) from None
        finally:
            if counter is not None:
                counter.close()
    return worst
