#!/usr/bin/env bash
# Sourced by the targets' runme.sh. ansible-playbook prints an [ERROR] block for every task that fails, the ones a
# playbook expects to fail (ignore_errors, named "... (expected to fail)") included. label_expected_errors, a
# filter for ansible-playbook's output (stderr included), relabels those tasks' [ERROR] lines [EXPECTED ERROR], so
# that grep '\[ERROR\]' on a CI log finds only real failures.

label_expected_errors() {
    awk '/^TASK \[/ { expected = index($0, "(expected to fail)") > 0 }
         expected && /^\[ERROR\]/ { sub(/^\[ERROR\]/, "[EXPECTED ERROR]") }
         { print; fflush() }'
}
