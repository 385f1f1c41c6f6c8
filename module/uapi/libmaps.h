/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * libmaps: the interface of /sys/kernel/debug/libmaps/<pid> beyond read(),
 * shared by the module, the libmaps tool and the selftests
 * (Documentation/view.rst).
 */
#ifndef _UAPI_LIBMAPS_H
#define _UAPI_LIBMAPS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct libmaps_range - the part of a map LIBMAPS_IOC_RANGE asks for
 * @start: the lowest address of the range
 * @end: the end of the range, at or above @start
 * @flags: none are defined yet: 0
 *
 * The view then holds every record that overlaps [@start, @end) or
 * touches it: whose end is at or above @start and whose start is at or
 * below @end, so that the records on both sides of a range a call
 * unmapped are in it.  0 and ~0 give every record.
 */
struct libmaps_range {
	__u64 start;
	__u64 end;
	__u64 flags;
};

/*
 * Take a new snapshot of the view's process, of @range only, in place of
 * the open file's snapshot, and rewind the file to its start: the next
 * read() returns the new text from its first byte.
 */
#define LIBMAPS_IOC_RANGE	_IOW('L', 1, struct libmaps_range)

#endif /* _UAPI_LIBMAPS_H */
