#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fuzzer's seed corpus (fuzz/corpus/*.prog) as a regression test: each
# program runs in a child of nabla-fuzz, every call whose line says what it
# returns must return that, and the kernel must report nothing meanwhile
# (KTAP, one case per program). nabla-fuzz and the corpus are in
# /opt/nabla/fuzz in the test host (make stage).
F=/opt/nabla/fuzz
if [ ! -x "$F/nabla-fuzz" ]; then
	echo "1..0 # SKIP no $F/nabla-fuzz"
	exit 4
fi
exec "$F/nabla-fuzz" --replay "$F"/corpus/*.prog
