// SPDX-License-Identifier: GPL-2.0
/*
 * libmaps - an annotated, per-library view of a process's memory map,
 * at /sys/kernel/debug/libmaps/<pid>.  See Documentation/view.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "libmaps.h"
#include "thp.h"

static int __init libmaps_init(void)
{
	int ret;

	ret = lm_shmem_init();
	if (ret)
		return ret;
	lm_format_init();
	lm_thp_init();
	ret = lm_fs_init();
	if (ret)
		lm_thp_exit();
	return ret;
}

static void __exit libmaps_exit(void)
{
	lm_fs_exit();
	lm_thp_exit();
}

module_init(libmaps_init);
module_exit(libmaps_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The libmaps developers");
MODULE_DESCRIPTION("Annotated per-library view of a process's memory map");
MODULE_VERSION("0.1");
