"""The provider's reference, as Markdown, generated from its package schema.

    python -m pulumi_provider.native.docs > docs/cloudflare-lists-provider.md

A unit test checks that the file in the repository is what this writes now.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping

from pulumi_provider.native.package_schema import package_schema

REFERENCE_PATH = "docs/cloudflare-lists-provider.md"
_VERSION_SHOWN = "(the package's version)"


def _type(spec: Mapping[str, Any]) -> str:
    if "oneOf" in spec:
        return " or ".join(_type(option) for option in spec["oneOf"])
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit(":", 1)[-1].rsplit("/", 1)[-1].replace("Any", "any")
    if spec.get("type") == "array":
        return f"list of {_type(spec['items'])}"
    if "enum" in spec:
        return " \\| ".join(f"`{option['value']}`" for option in spec["enum"])
    return str(spec.get("type", "any"))


def _table(properties: Mapping[str, Mapping[str, Any]], required: List[str], with_default: bool) -> List[str]:
    head = "| property | type | default | description |" if with_default else "| property | type | description |"
    lines = [head, "|---|---|---|---|" if with_default else "|---|---|---|"]
    for name, spec in properties.items():
        cells = [f"`{name}`" + (" (required)" if name in required else ""), _type(spec)]
        if with_default:
            cells.append(f"`{json.dumps(spec['default'])}`" if "default" in spec else "")
        description = spec["description"] + (" Secret." if spec.get("secret") else "")
        lines.append("| " + " | ".join([*cells, description.replace("|", "\\|")]) + " |")
    return lines


def reference(schema: Mapping[str, Any]) -> str:
    package = schema["name"]
    lines = [
        f"# The `{package}` Pulumi provider: reference",
        "",
        "<!-- Generated from the provider's package schema by `python -m pulumi_provider.native.docs`; a unit test",
        "     keeps it in step. Edit pulumi_provider/native/package_schema.py, not this file. -->",
        "",
        schema["description"],
        "",
        "## Configuration",
        "",
        f"Set as `{package}:<key>` in the stack's config (`pulumi config set --secret {package}:apiToken ...`), or on",
        "an explicit provider resource.",
        "",
        *_table(schema["config"]["variables"], [], with_default=False),
    ]
    for token, resource in schema["resources"].items():
        outputs: Dict[str, Any] = {
            name: spec for name, spec in resource["properties"].items() if name not in resource["inputProperties"]
        }
        lines += [
            "",
            f"## {token.rsplit(':', 1)[-1]}",
            "",
            f"`{token}`: {resource['description']}",
            "",
            "### Inputs",
            "",
            *_table(resource["inputProperties"], resource["requiredInputs"], with_default=True),
            "",
            "### Outputs",
            "",
            "Every input, as the resource is now, and:",
            "",
            *_table(outputs, [], with_default=False),
        ]
    for token, type_ in schema["types"].items():
        lines += [
            "",
            f"## {token.rsplit(':', 1)[-1]}",
            "",
            type_["description"],
            "",
            *_table(type_["properties"], [], with_default=False),
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    print(reference(package_schema(_VERSION_SHOWN)), end="")


if __name__ == "__main__":
    main()
