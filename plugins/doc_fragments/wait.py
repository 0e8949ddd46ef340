# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait options, documented once for every module (the spec is WAIT_ARGUMENT_SPEC in argspec.py)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Whether to wait until the operation has finished.
      - With V(false), check the status once and report it, whatever it is.
      - With V(true), check at once, then again after about 0.48 s, 0.86 s, 1.6 s and so on (each pause
        1.8 times the last, shortened at random by up to 10 %, and capped at O(wait_max_interval)), until
        the status is C(completed) or C(failed), or until O(wait_timeout) has passed. A C(failed)
        operation or a timeout fails the task, with the last facts in the result.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait, from the first check, when O(wait=true).
      - The last check lands on the deadline, and no request runs past it by more than a second, whatever
        the server does. V(0) means check once, and fail unless the operation has finished.
      - At most V(86400) (a day).
    type: float
    default: 900
  wait_max_interval:
    description:
      - The longest pause, in seconds, between two checks when O(wait=true). A finished operation is seen
        at most this late.
      - A C(Retry-After) from Cloudflare can make one pause longer.
      - Cloudflare allows 1,200 requests per 5 minutes per user, across all tokens; raise this when many
        waits run at the same time. From V(1) to V(3600), since a shorter cap would spend that shared limit.
    type: float
    default: 30
"""

    # The wait options of modules that write: they wait for their own write to be applied unless told not to.
    WRITES = r"""
options:
  wait:
    description:
      - Whether to wait until Cloudflare has applied the write to the items (the bulk operation has finished),
        and to read the list back to check that it holds what was planned.
      - With V(false), the write is sent and the module returns at once, with the bulk operation's first status
        in RV(bulk_operation). Wait for it with M(edgeops.cloudflare_lists.bulk_operation_info); until it has
        finished, Cloudflare answers other writes to the account with HTTP 429.
      - With V(true), the status is checked at once, then again after about 0.48 s, 0.86 s, 1.6 s and so on (each
        pause 1.8 times the last, shortened at random by up to 10 %, and capped at O(wait_max_interval)). A
        C(failed) operation fails the task with Cloudflare's reason; the list is then as it was, since each
        write is applied whole or not at all.
    type: bool
    default: true
  wait_timeout:
    description:
      - The deadline, in seconds from the start of the task, for every request, retry and wait of the module,
        including waiting for another bulk operation of the account to finish before writing.
      - No request runs past it by more than a second (the least one HTTP attempt gets), whatever the server
        does; an attempt cut off at the deadline says so.
    type: float
    default: 900
  wait_max_interval:
    description:
      - The longest pause, in seconds, between two checks of the bulk operation when O(wait=true).
      - Cloudflare allows 1,200 requests per 5 minutes per user, across all tokens; raise this when many
        waits run at the same time.
    type: float
    default: 30
"""
