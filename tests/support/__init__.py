"""What the tests share, imported as ``ansible_collections.edgeops.cloudflare_lists.tests.support.<module>`` (the
name the core's unit tests have under ansible-test too; ``make install`` links the checkout under that name).

- ``clock``: the one ``FakeClock``, a ``Clock`` for clients and waits and a clock for the emulator.
- ``ids``: the account, operation and list ids, and the credentials, tests use.
- ``answers``: Cloudflare's envelope and bulk-operation answers, as data and as bytes.
- ``hostile_servers``, ``hostile_processes``: servers and processes that misbehave on purpose.
- ``lists_api``: the user's side of the Lists API against a running emulator (independent of the product's client).
- ``emulators``: the emulator fixture (needs the ``edgeops_cloudflare_lists`` package, so not under ansible-test).
- ``pulumi``: providers configured as the provider server configures them (needs Pulumi).
- ``command``: the command run in this process on a fake clock (needs the ``edgeops_cloudflare_lists`` package).
"""
