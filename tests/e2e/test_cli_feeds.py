"""Real feed files through ``cloudflare-lists sync``, as processes, against the emulator over 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from edgeops_cloudflare_lists.emulator import Emulator, EmulatorConfig
from tests.e2e.test_cli_sync import COMMAND, TOKEN, list_id_of, run, stored_items

# Shaped like Spamhaus DROP, as served: a ';' header, "prefix ; SBL id" lines, CRLF line ends.
DROP = (
    "; Spamhaus DROP List 2024/05/01 - (c) 2024 The Spamhaus Project SLU\r\n"
    "; https://www.spamhaus.org/drop/drop.txt\r\n"
    "; Last-Modified: Wed, 01 May 2024 10:07:42 GMT\r\n"
    "1.10.16.0/20 ; SBL256894\r\n"
    "1.19.0.0/16 ; SBL434604\r\n"
    "2.56.192.0/22 ; SBL459831\r\n"
)

# Shaped like a cloud provider's IP-ranges file: the prefixes inside a JSON object.
IP_RANGES = {
    "syncToken": "1714557457",
    "createDate": "2024-05-01-10-17-37",
    "prefixes": [
        {"ip_prefix": "3.2.34.0/26", "region": "af-south-1", "service": "AMAZON"},
        {"ip_prefix": "13.34.37.64/27", "region": "ap-southeast-4", "service": "AMAZON"},
    ],
}


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(token=TOKEN, pending_seconds=0.1, running_seconds=0.1)) as running:
        yield running


def test_a_drop_feed_with_a_bom_syncs_its_prefixes_with_their_sbl_ids_and_then_stays_unchanged(
    emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "drop.txt").write_bytes(("\ufeff" + DROP).encode("utf-8"))
    args = ("sync", "spamhaus_drop", "--kind", "ip", "--file", str(tmp_path / "drop.txt"), "--comments-from-file")
    first = run(emulator, *args)
    assert first.returncode == 0, first.stderr
    stored = stored_items(emulator, list_id_of(emulator, "spamhaus_drop"))
    assert sorted((item["ip"], item["comment"]) for item in stored) == [
        ("1.10.16.0/20", "SBL256894"),
        ("1.19.0.0/16", "SBL434604"),
        ("2.56.192.0/22", "SBL459831"),
    ]
    again = run(emulator, *args)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["changed"] is False


def test_a_drop_feed_from_stdin_without_the_flag_drops_the_comments(emulator: Emulator) -> None:
    result = run(emulator, "sync", "spamhaus_drop", "--kind", "ip", "--file", "-", stdin=DROP)
    assert result.returncode == 0, result.stderr
    stored = stored_items(emulator, list_id_of(emulator, "spamhaus_drop"))
    assert sorted(item["ip"] for item in stored) == ["1.10.16.0/20", "1.19.0.0/16", "2.56.192.0/22"]
    assert all("comment" not in item for item in stored)


def test_an_ip_ranges_json_object_exits_2_saying_an_array_is_expected_before_any_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "ip-ranges.json").write_text(json.dumps(IP_RANGES, indent=2))
    before = emulator.request_count
    result = run(emulator, "sync", "cloud", "--kind", "ip", "--file", str(tmp_path / "ip-ranges.json"))
    assert result.returncode == 2
    assert "ip-ranges.json' is a JSON object; give a JSON array of items" in result.stderr
    assert emulator.request_count == before


def test_the_ip_ranges_prefixes_as_a_json_array_sync(emulator: Emulator, tmp_path: Path) -> None:
    prefixes = [{"ip": entry["ip_prefix"], "comment": entry["region"]} for entry in IP_RANGES["prefixes"]]
    (tmp_path / "prefixes.json").write_text(json.dumps(prefixes))
    result = run(emulator, "sync", "cloud", "--kind", "ip", "--file", str(tmp_path / "prefixes.json"))
    assert result.returncode == 0, result.stderr
    stored = stored_items(emulator, list_id_of(emulator, "cloud"))
    assert sorted((item["ip"], item["comment"]) for item in stored) == [
        ("13.34.37.64/27", "ap-southeast-4"),
        ("3.2.34.0/26", "af-south-1"),
    ]


def test_a_deeply_nested_json_array_exits_2_with_one_line(emulator: Emulator) -> None:
    result = run(emulator, "sync", "deep", "--kind", "ip", "--file", "-", stdin="[" * 100_000 + "]" * 100_000)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "nested too deeply" in result.stderr


def test_every_bad_line_is_named_at_once_and_nothing_is_sent(emulator: Emulator) -> None:
    before = emulator.request_count
    feed = "10.0.0.1\n# note\u202810.0.0.9\n10.0.0.2 10.0.0.3\n10.0.0.4\n"
    result = run(emulator, "sync", "blocklist", "--kind", "ip", "--file", "-", stdin=feed)
    assert result.returncode == 2
    assert "stdin has 2 bad lines: line 2 holds U+2028" in result.stderr
    assert "line 3 holds more than one value" in result.stderr
    assert emulator.request_count == before


def test_stdin_is_bounded_while_it_is_read(emulator: Emulator) -> None:
    env = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": emulator.base_url, "PATH": ""}
    with open("/dev/zero", "rb") as endless:
        result = subprocess.run(
            [COMMAND, "sync", emulator.config.account_id, "blocklist", "--kind", "ip", "--file", "-"],
            stdin=endless,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    assert result.returncode == 2
    assert "stdin is larger than 67108864 bytes" in result.stderr


def test_not_utf8_names_the_line(emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes(b"10.0.0.1\n10.0.0.2 # caf\xe9\n")
    result = run(emulator, "sync", "blocklist", "--kind", "ip", "--file", str(tmp_path / "latin1.txt"))
    assert result.returncode == 2
    assert "'" + str(tmp_path / "latin1.txt") + "' is not UTF-8 text: line 2 holds the byte 0xe9" in result.stderr


def test_every_bad_item_of_a_drop_feed_is_named_by_its_line_and_nothing_is_sent(emulator: Emulator) -> None:
    feed = DROP.replace("1.19.0.0/16", "1.19.0.300/16").replace("2.56.192.0/22", "example.com")
    before = emulator.request_count
    result = run(emulator, "sync", "spamhaus_drop", "--kind", "ip", "--file", "-", stdin=feed)
    assert result.returncode == 2
    assert "2 of 3 items are not valid; nothing was sent." in result.stderr
    assert "--file line 5: '1.19.0.300/16'" in result.stderr
    assert "--file line 6: 'example.com'" in result.stderr
    assert emulator.request_count == before
