# Copyright: EdgeOps
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The core every adapter calls: pure, typed, importable on Python 3.8+ without Ansible, Pulumi or the command.

Its modules in layers, lowest first. A module imports only from its own layer and the ones below it; only the
top layer imports Ansible; none imports Pulumi, the command or the emulator (a unit test holds the core to this
map, so a new module is placed here; the package's ``__init__.py`` stays empty, as
Ansible requires):

  values    layers version parameters facts errors quoting retry_after validation items guards feeds saved_plans results
            Data and rules, no I/O: the parameters and their names, facts, the error tree, input checks,
            canonical items and the planner, feed text read into items, saved plans and their fingerprints, the
            result documents' shared names.
  waiting   clock waiter
            Time and waiting: the clock protocol, the wait schedule, one poll state per operation, the decision after
            each check, the wait for one.
  http      shared_state budget retry transport envelope auth client connection
            One request: credentials, deadlines on every attempt, retries, the rate budget, the envelope;
            a client opened from settings and the environment.
  api       lists bulk_operations
            Cloudflare's resources over the client: lists and their items; bulk operations named, checked, and
            waited on one at a time or many together.
  service   sync
            The write path every adapter calls: make a list hold its items.
  ansible   argspec ansible_module ansible_writes
            The Ansible modules' option specs, the wrapper they run on, and what the modules that write share.
"""

from __future__ import annotations
