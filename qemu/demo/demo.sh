#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (busybox sh): start a program that uses libstdc++
# and show its libmaps view next to what /proc/<pid>/maps says; with the
# tool (demo.sh PROG [LIBMAPS [LIBGAP [LIBCLASSIC]]]), also its tree, JSON
# and explanation, the trace of the program's start, and, with LIBGAP (a
# library linked with -z max-page-size=0x200000), the loader's calls that
# give that library its ---p gaps; with LIBCLASSIC (the same linked the old
# way, -z noseparate-code), the r-xp, ---p, r--p, rw-p layout people ask
# about, and why it is so.
set -eu

prog=$1
tool=${2:-}
libgap=${3:-}
libclassic=${4:-}
fifo=/tmp/demo.in
mkfifo "$fifo"
"$prog" < "$fifo" > /tmp/demo.out &
pid=$!
exec 3> "$fifo"
while ! grep -q running /tmp/demo.out 2>/dev/null; do
	sleep 0.1
done

echo "### /proc/$pid/maps"
cat "/proc/$pid/maps"
echo
echo "### cat /sys/kernel/debug/libmaps/$pid"
cat "/sys/kernel/debug/libmaps/$pid"

if [ -n "$tool" ]; then
	echo
	echo "### libmaps --lib libstdc++ $pid"
	"$tool" --lib libstdc++ "$pid" | cat
	echo
	echo "### libmaps -o name,perms,size,rss,pss,private,shared,role --lib libstdc++ $pid"
	"$tool" -o name,perms,size,rss,pss,private,shared,role --lib libstdc++ "$pid" | cat
	echo
	echo "### libmaps --summary $pid"
	"$tool" --summary "$pid" | cat
	echo
	echo "### libmaps -J -o name,perms,role,segment,thp-reason,merge --lib libstdc++ $pid"
	"$tool" -J -o name,perms,role,segment,thp-reason,merge --lib libstdc++ "$pid"
	echo
	echo "### libmaps --explain $pid libstdc++"
	"$tool" --explain "$pid" libstdc++
fi

if [ -n "$tool" ]; then
	echo
	echo "### libmaps trace -- $prog </dev/null (the program's start, call by call)"
	"$tool" trace -o /tmp/demo.trace -- "$prog" </dev/null >/dev/null
	cat /tmp/demo.trace
fi
if [ -n "$tool" ] && [ -n "$libgap" ]; then
	echo
	echo "### libmaps trace -s -- env LD_PRELOAD=$libgap $prog </dev/null"
	echo "### (the calls that touched $libgap, then its records' histories)"
	"$tool" trace -s -o /tmp/demo.trace -- env LD_PRELOAD="$libgap" "$prog" \
		</dev/null >/dev/null
	# a call's block is its line and the indented lines after it; the
	# block before the first that names the library is the loader's
	# reservation of the library's whole span (anonymous, PROT_NONE)
	awk -v lib="$libgap" '
		function flush() {
			if (block != "" && index(block, lib)) {
				if (!shown++)
					printf "%s", prev
				printf "%s", block
			}
			prev = block
			block = ""
		}
		/^===/ { flush(); summary = 1; print; next }
		summary { if (/^[0-9a-f]/) { show = index($0, lib) > 0 } if (show) print; next }
		/^[^ ]/ { flush() }
		{ block = block $0 "\n" }
		END { flush() }' /tmp/demo.trace
fi

if [ -n "$tool" ] && [ -n "$libclassic" ]; then
	exec 3>&-
	wait "$pid"
	rm -f /tmp/demo.out
	mkfifo "$fifo.2"
	LD_PRELOAD="$libclassic" "$prog" < "$fifo.2" > /tmp/demo.out &
	pid=$!
	exec 3> "$fifo.2"
	while ! grep -q running /tmp/demo.out 2>/dev/null; do
		sleep 0.1
	done
	echo
	echo "### the classic layout: $libclassic, linked with"
	echo "### -z noseparate-code -z max-page-size=0x200000, preloaded into $prog"
	echo "### grep libclassic /proc/$pid/maps"
	grep libclassic "/proc/$pid/maps"
	echo
	echo "### libmaps --lib libclassic $pid"
	"$tool" --lib libclassic "$pid" | cat
	echo
	echo "### libmaps --explain $pid libclassic"
	"$tool" --explain "$pid" libclassic
fi

exec 3>&-
wait "$pid"
