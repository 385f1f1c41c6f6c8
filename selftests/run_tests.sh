#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside a guest with libmaps.ko loaded (busybox sh): every test
# binary in turn, TAP on stdout.  Exits non-zero if any of them failed.
# run_tests.sh [PROGRAM ARGS...]: then PROGRAM too.
cd "$(dirname "$0")" || exit 1
# An arm64 guest runs the arm64 build (qemu/arm64-build).
bin=build
[ "$(uname -m)" != aarch64 ] || bin=build/arm64
rc=0
for t in libmaps_view_test libmaps_access_test libmaps_explain_test \
	libmaps_edge_test libmaps_thp_test libmaps_thp_matrix_test \
	libmaps_mem_test libmaps_merge_test libmaps_hostile_test libmaps_stress \
	libmaps_lifecycle_test libmaps_sampler libmaps_pfnmap_test; do
	echo "# running $bin/$t"
	start=$(date +%s)
	"$bin/$t" || rc=1
	echo "# $t took $(($(date +%s) - start)) s"
done
# With arguments, one more test program and its own arguments (qemu/check:
# the tool's in-guest tests).  It runs last: it unloads and reloads the
# module to test the tool without it.
if [ $# -gt 0 ]; then
	echo "# running $1"
	start=$(date +%s)
	"$@" || rc=1
	echo "# $(basename "$1") took $(($(date +%s) - start)) s"
fi
exit $rc
