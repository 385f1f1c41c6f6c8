#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (busybox sh): start a program that uses libstdc++
# and show its libmaps view next to what /proc/<pid>/maps says; with the
# tool (demo.sh PROG [LIBMAPS]), also its tree, JSON and explanation.
set -eu

prog=$1
tool=${2:-}
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

exec 3>&-
wait "$pid"
