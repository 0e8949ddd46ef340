"""Summarize, in ansible-playbook's output, the tasks a playbook expects to fail.

    ansible-playbook ... 2>&1 | python expected_failures.py

ansible-playbook prints an error block for every task that fails (an [ERROR] paragraph, the task's source, and a
"fatal: ... FAILED! => {result}"), the ones a playbook expects to fail included. A task named "... (expected to
fail)" that fails and is ignored is shown as one line instead: "expected failure: [host] error_type: msg". Any other
output, an expected failure that did not happen included, passes unchanged, so a real failure keeps its whole block
and "[ERROR]" or "fatal:" in a log means a real one. Only for a person's console: leak checks read the raw output.
"""

from __future__ import annotations

import json
import re
import sys

FATAL = re.compile(r"^fatal: \[(?P<host>[^\]]+)\]: FAILED! => (?P<result>.*)$", re.DOTALL)


def summary(block):
    """The one line for a failed, ignored task's block, or None when the block is not that."""
    text = "".join(block)
    start = text.find("fatal: [")
    end = text.rfind("...ignoring")
    match = FATAL.match(text[start:end].strip()) if start >= 0 and end > start else None
    if match is None:
        return None
    try:
        result = json.loads(match.group("result"))
    except ValueError:
        return None
    cause = f"{result['error_type']}: " if result.get("error_type") else ""
    return f"expected failure: [{match.group('host')}] {cause}{' '.join(str(result.get('msg', '')).split())}\n"


def main():
    block = None  # the lines of an expected-to-fail task, held until it ends
    for line in sys.stdin:
        if line.startswith(("TASK [", "PLAY ", "RUNNING HANDLER [")):
            if block:
                sys.stdout.write("".join(block))
            block = [] if line.startswith("TASK [") and "(expected to fail)" in line else None
            sys.stdout.write(line)
        elif block is not None:
            block.append(line)
            if line.strip() == "...ignoring":
                sys.stdout.write(summary(block) or "".join(block))
                block = []
        else:
            sys.stdout.write(line)
        sys.stdout.flush()
    if block:
        sys.stdout.write("".join(block))


if __name__ == "__main__":
    main()
