"""The package's public face: a small API, and a clear message when the optional Pulumi SDK is missing."""

from __future__ import annotations

import subprocess
import sys

import pulumi_provider

# Block `import pulumi` the way a missing package does, then import ours.
WITHOUT_PULUMI = """
import sys
sys.modules["pulumi"] = None
try:
    import pulumi_provider
except ImportError as exc:
    print(exc)
else:
    print("imported")
"""


def test_public_api_is_small_and_listed() -> None:
    assert sorted(pulumi_provider.__all__) == [
        "BulkOperation",
        "BulkOperationArgs",
        "BulkOperationProvider",
        "BulkOperationResult",
        "ListItems",
        "ListItemsArgs",
        "ListItemsProvider",
        "RulesList",
        "RulesListArgs",
        "RulesListProvider",
        "get_bulk_operation",
        "get_bulk_operation_output",
    ]
    assert all(hasattr(pulumi_provider, name) for name in pulumi_provider.__all__)


def test_import_without_pulumi_says_how_to_install_it() -> None:
    done = subprocess.run([sys.executable, "-c", WITHOUT_PULUMI], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "needs the Pulumi Python SDK" in done.stdout
    assert "pip install 'edgeops-cloudflare-lists[pulumi]'" in done.stdout
