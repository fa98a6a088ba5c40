#!/bin/sh
# SPDX-License-Identifier: ISC
# apps_test.sh for the syscall backend only: one kselftest entry per backend.
exec sh "$(dirname "$0")/apps_test.sh" syscall
