"""``status`` and ``wait``: one operation's facts, or many operations waited on under one deadline."""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Mapping, Optional, TextIO

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.bulk_operations import (
    COMPLETED,
    FAILED,
    MAX_OPERATIONS,
    TIMEOUT,
    BatchResult,
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

from .documents import error_info, operation_document
from .files import read_values
from .invocation import Invocation
from .output import (
    EXIT_API,
    EXIT_OK,
    EXIT_OPERATION_FAILED,
    EXIT_TIMEOUT,
    exit_code,
    print_json,
    print_json_line,
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
    facts = get_bulk_operation(client, run.account_id, operation_id, timeout=run.args.timeout)
    document = operation_document(
        account_id=run.account_id, operation_id=operation_id, outcome=facts.status, facts=facts, checks=1
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

    def finished(result: BatchResult) -> None:
        nonlocal worst
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
        if result.outcome in _OUTCOME_CODES:
            code = _OUTCOME_CODES[result.outcome]
        else:
            code = exit_code(result.error) if result.error is not None else EXIT_API
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
