#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (busybox sh): start a program that uses libstdc++
# and show its libmaps view next to what /proc/<pid>/maps says.
set -eu

prog=$1
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

exec 3>&-
wait "$pid"
