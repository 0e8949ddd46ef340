"""setup_emulator/expected_failures.py: an ignored failure of a task named "(expected to fail)" is one line; any
other output passes unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "integration" / "targets" / "setup_emulator" / "expected_failures.py"

# As ansible-core 2.19 prints a failed, ignored task.
EXPECTED_2_19 = """\
TASK [Check an operation_id that climbs the URL path (expected to fail)] *******
[ERROR]: Task failed: Module failed: Invalid operation_id: got '../x'.
Origin: /targets/bulk_operation_info/bulk_operation_info.yml:196:7

196     - name: Check an operation_id that climbs the URL path (expected to fail)
          ^ column 7

fatal: [testhost]: FAILED! => {
    "changed": false,
    "error_type": "ValidationError",
    "msg": "Invalid operation_id:   got '../x'."
}
...ignoring
"""
# As ansible-core 2.15 prints it.
EXPECTED_2_15 = """\
TASK [Check with no credentials at all (expected to fail)] *********************
fatal: [testhost]: FAILED! => {"changed": false, "msg": "parameters are mutually exclusive: api_token|account_email"}
...ignoring
"""
REAL_FAILURE = """\
TASK [Assert the second run changed nothing and wrote nothing] *****************
[ERROR]: Task failed: Action failed: Assertion failed
fatal: [testhost]: FAILED! => {"assertion": "again is not changed", "changed": false, "msg": "Assertion failed"}

PLAY RECAP *********************************************************************
"""
UNEXPECTEDLY_OK = """\
TASK [Give an item of another kind (expected to fail)] *************************
ok: [testhost]

TASK [Assert both failed, saying why] ******************************************
"""


def summarized(text: str) -> str:
    return subprocess.run(
        [sys.executable, str(SCRIPT)], input=text, capture_output=True, text=True, check=True, timeout=30
    ).stdout


def test_an_ignored_expected_failure_is_one_line_with_its_type_and_message() -> None:
    assert summarized(EXPECTED_2_19).splitlines() == [
        EXPECTED_2_19.splitlines()[0],
        "expected failure: [testhost] ValidationError: Invalid operation_id: got '../x'.",
    ]


def test_the_older_one_line_result_is_summarized_too() -> None:
    assert summarized(EXPECTED_2_15).splitlines()[1] == (
        "expected failure: [testhost] parameters are mutually exclusive: api_token|account_email"
    )


def test_a_real_failure_and_an_expected_one_that_did_not_happen_pass_unchanged() -> None:
    assert summarized(REAL_FAILURE) == REAL_FAILURE
    assert summarized(UNEXPECTEDLY_OK) == UNEXPECTEDLY_OK
    assert summarized(EXPECTED_2_15 + REAL_FAILURE) == summarized(EXPECTED_2_15) + REAL_FAILURE
