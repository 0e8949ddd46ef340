#!/usr/bin/env bash
# Sourced by the targets' runme.sh. ansible-playbook prints an error block for every task that fails, the ones a
# playbook expects to fail (ignore_errors, named "... (expected to fail)") included. summarize_expected_failures,
# a filter for ansible-playbook's output (stderr included) on the console, shows each of those as one line
# ("expected failure: [host] error_type: msg"), so that '[ERROR]' or 'fatal:' in a CI log means a real failure.
# Logs that are checked for leaks are written unfiltered.

# ansible-core's import of DSA makes cryptography warn on every ansible command (see the Makefile); ansible-test
# runs the targets without the caller's environment, so say it again here.
export PYTHONWARNINGS="ignore:DSA is deprecated:UserWarning"

summarize_expected_failures() {
    python "$(dirname "${BASH_SOURCE[0]}")/expected_failures.py"
}
