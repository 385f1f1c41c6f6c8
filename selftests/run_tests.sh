#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside a guest with libmaps.ko loaded (busybox sh): every test
# binary in turn, TAP on stdout.  Exits non-zero if any of them failed.
cd "$(dirname "$0")" || exit 1
rc=0
for t in build/libmaps_view_test build/libmaps_access_test \
	build/libmaps_explain_test build/libmaps_edge_test \
	build/libmaps_thp_test; do
	echo "# running $t"
	"$t" || rc=1
done
exit $rc
