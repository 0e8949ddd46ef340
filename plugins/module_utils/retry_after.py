# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``Retry-After`` (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date, read the same way everywhere."""

from __future__ import annotations

import email.utils
import re
import time
from typing import Optional

# Longer asks are read as this: a day is past any wait's deadline, and the value stays finite (JSON has no inf).
MAX_RETRY_AFTER = 86400.0

# ASCII digits only (str.isdigit() would take other scripts' digits); a fraction is tolerated, as servers send it.
_DELAY = re.compile(r"([0-9]+)(?:\.([0-9]+))?", re.ASCII)


def parse_retry_after(value: str, now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait, in [0, MAX_RETRY_AFTER]; None when ``value`` is neither delay-seconds nor an HTTP-date.

    ``now`` is the wall clock (``time.time()``) an HTTP-date is measured from. A date in the past means 0.
    """
    text = value.strip()
    delay = _DELAY.fullmatch(text)
    if delay is not None:
        whole, fraction = delay.groups()
        if len(whole.lstrip("0")) > 9:  # never int() thousands of digits: that raises, or takes long
            return MAX_RETRY_AFTER
        return min(MAX_RETRY_AFTER, int(whole) + float("0." + (fraction or "0")[:9]))
    if not text or len(text) > 64:
        return None
    try:
        parsed = email.utils.parsedate_tz(text)
        if parsed is None:
            return None
        if parsed[9] is None:  # asctime() format: GMT by definition, not local time
            parsed = (*parsed[:9], 0)
        moment = float(email.utils.mktime_tz(parsed))
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    seconds = moment - (time.time() if now is None else now)
    return min(MAX_RETRY_AFTER, max(0.0, seconds))
