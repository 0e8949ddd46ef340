# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One error hierarchy for every adapter.

Branches follow what the caller can do about them:

- ``ValidationError`` (also a ``ValueError``): fix the input; nothing was sent. ``ItemsValidationError`` names
  every bad item; ``GuardError`` is a plan refused by a safety guard (nothing was written).
- ``ApiError``: Cloudflare or the network said no. Subclasses name the cause; only
  ``TransportError``, ``RateLimitedError`` and ``OperationPendingError`` are worth retrying;
  ``AmbiguousWriteError`` is worth a re-read and a new plan, never a blind resend;
  ``QuotaExceededError`` (the account's 12-hour write quota) only once the quota has room again.
- ``OperationFailedError``: Cloudflare ran the operation and it failed.
- ``VerificationError``: the operation completed, but the list does not read back as planned.
- ``WaitTimeoutError``: the operation did not finish before the deadline.
- ``Interrupted``: a signal (Ctrl-C, a runner's SIGTERM) ended the call; a write may have been sent, so, as after
  an ``AmbiguousWriteError``, re-read and plan again, never resend blindly.

Every error carries what is known as data (``facts``, ``http_status``,
``cloudflare_errors``, ``elapsed``, ``checks``) so adapters can report it
without parsing the message; an error that ends a write part-way also carries ``partial`` (``results.PartialOutcome``:
the list it found or created, its plan, the writes sent and not sent), and a ``hint``: what to do about it, in words
that fit every adapter. Adapters render ``message`` and ``hint``; they never edit them.
Messages never contain credentials: the message and the hint are scrubbed of every credential the process knows,
in any spelling, and neutralized line by line (``quoting.sanitize_lines``) whenever they are set, and so are the
details.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.facts import BulkOperationFacts
from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.quoting import sanitize_lines, scrub_data

if TYPE_CHECKING:  # results.py imports items.py, which raises these errors: named here, not imported at run time
    from ansible_collections.edgeops.cloudflare_lists.plugins.module_utils.results import PartialOutcome


class CloudflareListsError(Exception):
    """Root of every error this product raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        facts: Optional[BulkOperationFacts] = None,
        http_status: Optional[int] = None,
        cloudflare_errors: Optional[List[Dict[str, Any]]] = None,
        elapsed: Optional[float] = None,
        checks: Optional[int] = None,
        hint: Optional[str] = None,
    ) -> None:
        super().__init__()
        self.message = message
        self.hint = hint
        self.facts = facts
        self.http_status = http_status
        self.cloudflare_errors = list(cloudflare_errors or [])
        self.elapsed = elapsed
        self.checks = checks
        #: What the write path had done when this error ended it; set by ``sync.py``, None elsewhere.
        self.partial: Optional[PartialOutcome] = None

    # Every message and hint, and every change to one, is made safe here: no caller has to remember to.
    @property
    def message(self) -> str:
        return self._message

    @message.setter
    def message(self, text: str) -> None:
        self._message = sanitize_lines(str(text))
        self.args = (self._message,)

    @property
    def hint(self) -> Optional[str]:
        return self._hint

    @hint.setter
    def hint(self, text: Optional[str]) -> None:
        self._hint = sanitize_lines(str(text)) if text is not None else None

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} {self.hint}"

    def render(self, names: Mapping[str, str]) -> str:
        """The message and hint with each parameter named as the adapter calls it (``base_url`` -> ``--base-url``).

        Messages name parameters by their canonical names (``parameters.py``); ``names`` maps some of them. In the
        running text a name that is one plain word (``kind``, ``description``) is also an English word, so it is
        renamed only where it stands as a ``ValidationError``'s parameter; names such as ``wait_timeout`` or
        ``items[3]`` are renamed wherever they stand.
        """
        return renamed(str(self), names)

    def details(self) -> Dict[str, Any]:
        """What is known about the failure, as plain data for a task result or a log."""
        out: Dict[str, Any] = {"error_type": type(self).__name__}
        if self.facts is not None:
            out["bulk_operation"] = self.facts.to_dict()
        if self.http_status is not None:
            out["http_status"] = self.http_status
        if self.cloudflare_errors:
            out["cloudflare_errors"] = self.cloudflare_errors
        if self.elapsed is not None:
            out["elapsed"] = round(self.elapsed, 3)
        if self.checks is not None:
            out["checks"] = self.checks
        out.update(self._more_details())
        return dict(scrub_data(out))

    def _more_details(self) -> Dict[str, Any]:
        """A subclass's own keys for ``details``."""
        return {}


class ValidationError(CloudflareListsError, ValueError):
    """An input is not acceptable. Raised before any request is made."""

    def __init__(self, parameter: str, problem: str, *, hint: Optional[str] = None) -> None:
        super().__init__(f"Invalid {parameter}: {problem}", hint=hint)
        self.parameter = parameter
        self.problem = problem

    def render(self, names: Mapping[str, str]) -> str:
        head = f"Invalid {self.parameter}: "
        text = str(self)
        if not text.startswith(head):
            return super().render(names)
        return f"Invalid {names.get(self.parameter, self.parameter)}: " + renamed(text[len(head) :], names)


class ItemsValidationError(ValidationError):
    """Some items are not valid. ``problems`` holds every one as ``(parameter, problem)``, e.g.
    ``("items[3]", "'10.0.0.300' is not an IP address ...")``; the message lists the first ``MAX_LISTED``."""

    MAX_LISTED = 20

    def __init__(self, problems: Sequence[Tuple[str, str]], total: int) -> None:
        self.problems = list(problems)
        listed = "".join(f"\n  {parameter}: {problem}" for parameter, problem in self.problems[: self.MAX_LISTED])
        more = len(self.problems) - self.MAX_LISTED
        summary = "{} of {} item{} {} not valid; nothing was sent.".format(
            len(self.problems),
            total,
            "" if total == 1 else "s",
            "is" if len(self.problems) == 1 else "are",
        )
        super().__init__("items", summary + listed + (f"\n  ... and {more} more" if more > 0 else ""))
        self.hint = "Fix these items and run again."


class GuardError(ValidationError):
    """A safety guard refused the plan before any write: an exact sync to no items without ``allow_empty``, more
    removals than ``max_removals`` allows, or a saved plan whose list changed since it was made. The list is as it
    was. ``input_at_fault`` False: the input is fine and the list is what changed, so the message is ``problem``
    alone, not "Invalid <parameter>: ..."."""

    def __init__(
        self, parameter: str, problem: str, *, input_at_fault: bool = True, hint: Optional[str] = None
    ) -> None:
        super().__init__(parameter, problem, hint=hint)
        if not input_at_fault:
            self.message = problem


class ApiError(CloudflareListsError):
    """Cloudflare answered with an error, or gave no usable answer."""


class AuthenticationError(ApiError):
    """HTTP 401/403: the credentials were refused or lack permission."""


class NotFoundError(ApiError):
    """HTTP 404: no such account, operation, or route."""


class RetryLaterError(ApiError):
    """An HTTP 429: come back later. ``retry_after`` is in seconds, when Cloudflare said."""

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    def _more_details(self) -> Dict[str, Any]:
        return {"retry_after": self.retry_after} if self.retry_after is not None else {}


class RateLimitedError(RetryLaterError):
    """HTTP 429 that outlasted our retries: the per-user rate limit."""


class QuotaExceededError(RetryLaterError):
    """HTTP 429 on a write past the account's write quota: Cloudflare allows 1,000,000 list item changes and 30,000
    item-writing requests per account per 12 hours. Nothing was applied; ``retry_after`` says when it may fit.
    """


class TransportError(ApiError):
    """No usable answer this time: connection refused or dropped, a timeout, or a 5xx. Safe to retry later."""


class OperationPendingError(RetryLaterError):
    """HTTP 429 on a write: another bulk operation is still pending in the account (one at a time is allowed).

    Not the per-user rate limit: nothing is wrong with the request; send it once that operation has finished.
    """


class AmbiguousWriteError(ApiError):
    """A write timed out or met a 5xx: Cloudflare may or may not have accepted it.

    Never resend it blindly: re-read the list and plan again (the sync functions do).
    """


class ConflictError(ApiError):
    """The account's state forbids the request: two lists share a name, or rules still use the list."""


class EndpointError(ApiError):
    """``base_url`` leads somewhere we will not talk to: TLS verification failed, or it redirected.

    Retrying does not help; fix ``base_url`` or the endpoint's certificate.
    """


class MalformedResponseError(ApiError):
    """Cloudflare answered 2xx, but the body is not the documented envelope or result."""


class ResponseTooLargeError(MalformedResponseError):
    """The answer's body is larger than the client reads (``client.MAX_BODY_BYTES``); a page may be asked smaller."""


class UnexpectedStatusError(MalformedResponseError):
    """The operation reported a status outside pending, running, completed and failed."""


class OperationFailedError(CloudflareListsError):
    """Cloudflare finished the operation with status ``failed``. ``facts.error`` has its reason."""


class VerificationError(CloudflareListsError):
    """The operation completed, but reading the list back does not show the planned items.

    Another writer changed the list meanwhile, or Cloudflare stored an item in a form we did not predict.
    """


class BatchWaitError(CloudflareListsError):
    """Some of several waited-on operations did not complete. ``results`` holds every operation's outcome."""

    def __init__(self, message: str, *, results: List[Dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.results = results

    def _more_details(self) -> Dict[str, Any]:
        return {"bulk_operations": self.results}


class WaitTimeoutError(CloudflareListsError):
    """The operation was still unfinished at the deadline. ``facts`` holds the last status seen."""

    def __init__(self, message: str, *, timeout: float, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.timeout = timeout

    def _more_details(self) -> Dict[str, Any]:
        return {"timeout": self.timeout}


def renamed(text: str, names: Mapping[str, str]) -> str:
    """``text`` with each parameter name that is not a plain word (``items[3]``) renamed by ``names`` (see
    ``CloudflareListsError.render``)."""
    identifiers = sorted((name for name in names if not name.isalpha()), key=len, reverse=True)
    if not identifiers:
        return text
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, identifiers)) + r")(?![\w-])")
    return pattern.sub(lambda match: names[match.group(1)], text)


class Interrupted(CloudflareListsError):
    """A signal ended the call before it finished: Ctrl-C (SIGINT), or the SIGTERM a CI runner sends on cancel or
    timeout. Nothing at Cloudflare stops with it: an operation goes on whether or not anyone waits.

    ``signal_name``: which signal. ``doing``: what the call was doing, in the adapter's words ("syncing list
    'blocklist'"). ``writes``: the call writes, so a write may have been sent: like an ``AmbiguousWriteError``, worth
    a re-read and a new plan, never a blind resend. ``operation_id`` (or ``facts.id``): the bulk operation it was
    waiting on, if one is known; ``facts``: its status as last seen.
    """

    def __init__(
        self,
        signal_name: str,
        *,
        doing: str,
        writes: bool,
        operation_id: Optional[str] = None,
        facts: Optional[BulkOperationFacts] = None,
        **kwargs: Any,
    ) -> None:
        operation_id = operation_id or (facts.id if facts is not None else None)
        message = f"Interrupted by {signal_name} while {doing}."
        if operation_id is not None:
            seen = f"was last seen {facts.status}" if facts is not None else "had not answered a check yet"
            message += f" Bulk operation {operation_id} {seen}."
        if writes:
            hint = (
                "A write may have been sent, and Cloudflare applies it whole or not at all whether or not anyone "
                "waits. Run again: a run reads the list again and plans from what it holds (a saved plan is refused "
                "if the list changed since), never resending a write blindly."
            )
        elif operation_id is not None:
            hint = (
                "Nothing was changed by this call, and the operation goes on at Cloudflare: check it again with the "
                "same operation_id."
            )
        else:
            hint = "Nothing was changed; run again."
        super().__init__(message, facts=facts, hint=hint, **kwargs)
        self.signal_name = signal_name
        self.writes = writes
        self.operation_id = operation_id

    def _more_details(self) -> Dict[str, Any]:
        return {"signal": self.signal_name}
