# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The items option, documented once for every module that writes items (the spec is ITEMS_ARGUMENT_SPEC)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  items:
    description:
      - Items of the list. Each is a plain value, or a dictionary with the list kind's field and an optional
        C(comment) (at most 500 characters).
      - 'For an C(ip) list, an IPv4 or IPv6 address or CIDR range, such as V(192.0.2.1), or a dictionary such as
        C({"ip": "198.51.100.0/24", "comment": "scanner"}). IPv4 prefixes from /8 to /32 and IPv6 prefixes from
        /12 to /128 are accepted.'
      - 'For an C(asn) list, an AS number, such as V(13335), V(AS13335) or C({"asn": 13335}).'
      - 'For a C(hostname) list, a hostname, optionally starting with C(*.), such as V(*.example.com), or
        C({"hostname": {"url_hostname": "*.example.com", "exclude_exact_hostname": false}}). The fields of
        C(hostname) may also be given beside C(comment), without the C(hostname) level.'
      - 'For a C(redirect) list, C({"redirect": {"source_url": "example.com/old", "target_url":
        "https://example.com/new"}}), with the optional fields C(include_subdomains), C(subpath_matching),
        C(preserve_query_string), C(preserve_path_suffix) and C(status_code). An optional field left out is left
        to Cloudflare (its defaults apply): it is not sent, and not compared with what the list holds. The fields
        of C(redirect) may also be given beside C(comment), without the C(redirect) level.'
      - Items are compared in the form Cloudflare stores them, so items that mean the same but are written
        differently are one item and cause no change. For example V(10.0.0.1/32) is V(10.0.0.1),
        V(192.168.1.5/24) is V(192.168.1.0/24), V(2001:DB8::0001) is V(2001:db8::1), V(Example.COM) is
        V(example.com), a wildcard hostname has C(exclude_exact_hostname=true) unless given V(false), and a
        redirect C(source_url) without a path gets V(/). The plan and the diff show that form.
      - Two items that are the same once written that way fail the task before any request is sent.
      - An item whose comment differs from the list's is updated in place.
      - All items are checked before any request is sent; invalid ones fail the task, which names each of them
        (up to 20, then a count) by its index, and why.
      - Items are not secrets, and never need C(no_log).
    type: list
    elements: raw
  max_removals:
    description:
      - The most items one run may remove, as a number such as V(50), or a percentage of the items the list holds
        before the change, such as V(10%).
      - A plan that removes more fails the task before anything is written, naming both numbers.
      - If not set, there is no such limit.
    type: str
"""
