#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside a guest with libmaps.ko loaded (busybox sh): every test
# binary in turn, TAP on stdout.  Exits non-zero if any of them failed.
# run_tests.sh [PROGRAM ARGS...]: then PROGRAM too.
cd "$(dirname "$0")" || exit 1
rc=0
for t in build/libmaps_view_test build/libmaps_access_test \
	build/libmaps_explain_test build/libmaps_edge_test \
	build/libmaps_thp_test build/libmaps_thp_matrix_test build/libmaps_mem_test \
	build/libmaps_merge_test build/libmaps_hostile_test build/libmaps_stress \
	build/libmaps_lifecycle_test build/libmaps_sampler \
	build/libmaps_pfnmap_test; do
	echo "# running $t"
	"$t" || rc=1
done
# With arguments, one more test program and its own arguments (qemu/check:
# the tool's in-guest tests).  It runs last: it unloads and reloads the
# module to test the tool without it.
if [ $# -gt 0 ]; then
	echo "# running $1"
	"$@" || rc=1
fi
exit $rc
