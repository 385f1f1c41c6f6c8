// SPDX-License-Identifier: GPL-2.0
/*
 * May transparent huge pages back a VMA?  The rules are the kernel's own,
 * in the kernel's order, so that the answer is smaps' THPeligible and the
 * first rule that refuses is the reason given.
 *
 * 6.1: fs/proc/task_mmu.c:870 prints hugepage_vma_check(vma, vm_flags,
 * smaps=true, in_pf=false, enforce_sysfs=true), mm/huge_memory.c:77:
 *
 *	no mm; MADV_NOHUGEPAGE; prctl; firmware; DAX; VM_NO_KHUGEPAGED;
 *	transhuge_vma_suitable() for the PMD size; shmem_file() ->
 *	shmem_is_huge() (mm/shmem.c:465); enabled=never/madvise;
 *	file_thp_enabled() -> yes; not anonymous -> no; exec's stack.
 *
 * 6.12 and 7.2: fs/proc/task_mmu.c:1173 (7.2: :1473) prints whether
 * thp_vma_allowable_orders(vma, vm_flags, TVA_SMAPS [| TVA_ENFORCE_SYSFS],
 * THP_ORDERS_ALL) leaves an order (include/linux/huge_mm.h:294, 7.2: :319,
 * then mm/huge_memory.c:145, 7.2: :182):
 *
 *	anonymous: the sizes sysfs enables; the sizes this kind of VMA
 *	supports; no mm; firmware; MADV_NOHUGEPAGE; prctl; DAX; the sizes
 *	that fit; shmem_file() -> shmem_allowable_huge_orders() (mm/shmem.c:
 *	1699, 7.2: :1820); not anonymous -> vma_can_map_huge_file() (:121,
 *	7.2: :153); exec's stack.
 *
 * 5.10: fs/proc/task_mmu.c:846 prints transparent_hugepage_active()
 * (mm/huge_memory.c:73): the PMD size fits; anonymous -> firmware,
 * MADV_NOHUGEPAGE, prctl, exec's stack, enabled; vma_is_shmem() ->
 * shmem_huge_enabled() (mm/shmem.c:4098); anything else -> no.
 *
 * None of the kernel's THP settings are exported to modules, so they are
 * read from /sys/kernel/mm/transparent_hugepage before the mmap lock is
 * taken (lm_thp_global_read()); what differs between versions is in
 * compat.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/shmem_fs.h>
#include <linux/string.h>

#include "compat.h"
#include "libmaps.h"
#include "thp.h"

static const char * const lm_thp_why_names[LM_THP_NR_WHY] = {
	[LM_THP_ELIGIBLE]		= "eligible",
	[LM_THP_NOT_BUILT]		= "not-built",
	[LM_THP_NO_SYSFS]		= "no-sysfs",
	[LM_THP_NO_MM]			= "no-mm",
	[LM_THP_HW]			= "hw-unsupported",
	[LM_THP_NOHUGEPAGE]		= "nohugepage",
	[LM_THP_PRCTL]			= "prctl",
	[LM_THP_PRCTL_ADVISED]		= "prctl-except-advised",
	[LM_THP_DAX]			= "dax",
	[LM_THP_SPECIAL]		= "special",
	[LM_THP_MISALIGNED]		= "misaligned",
	[LM_THP_TOO_SMALL]		= "too-small",
	[LM_THP_SHMEM_NOT_REGULAR]	= "shmem-not-regular",
	[LM_THP_SHMEM_DENY]		= "shmem-deny",
	[LM_THP_SHMEM_NEVER]		= "shmem-never",
	[LM_THP_SHMEM_ADVISE]		= "shmem-advise",
	[LM_THP_SHMEM_WITHIN_SIZE]	= "shmem-within-size",
	[LM_THP_SHMEM_NO_SIZE]		= "shmem-no-size",
	[LM_THP_SYSFS_NEVER]		= "sysfs-never",
	[LM_THP_SYSFS_MADVISE]		= "sysfs-madvise",
	[LM_THP_NO_SIZE]		= "no-size-enabled",
	[LM_THP_NO_FILE]		= "no-file",
	[LM_THP_FILE]			= "file",
	[LM_THP_FILE_NOEXEC]		= "file-noexec",
	[LM_THP_FILE_ANON_INODE]	= "file-anon-inode",
	[LM_THP_FILE_WRITABLE]		= "file-writable",
	[LM_THP_FILE_NOT_REGULAR]	= "file-not-regular",
	[LM_THP_STACK]			= "exec-stack",
};

/**
 * lm_thp_why_name - the reason as a short token without spaces
 * @why: a value lm_thp_check() returned
 *
 * Return: "eligible", "nohugepage", "sysfs-never", ...
 */
const char *lm_thp_why_name(enum lm_thp_why why)
{
	if ((unsigned int)why >= LM_THP_NR_WHY)
		return "?";
	return lm_thp_why_names[why];
}

#ifdef CONFIG_TRANSPARENT_HUGEPAGE

/* Could lm_thp_global_read() read the settings? */
enum lm_thp_state {
	LM_THP_STATE_OK,
	LM_THP_STATE_HW,	/* no transparent_hugepage dir: !has_transparent_hugepage() */
	LM_THP_STATE_UNREADABLE, /* no /sys/kernel/mm here (chroot?) */
};

/* mm/shmem.c's SHMEM_HUGE_* (private to it), as in shmem_sb_info.huge. */
#define LM_SHMEM_NEVER		0
#define LM_SHMEM_ALWAYS		1
#define LM_SHMEM_WITHIN_SIZE	2
#define LM_SHMEM_ADVISE		3
#define LM_SHMEM_DENY		(-1)
#define LM_SHMEM_FORCE		(-2)

/* The choices a THP knob shows, the current one bracketed. */
enum lm_knob {
	LM_KNOB_NEVER,
	LM_KNOB_ALWAYS,
	LM_KNOB_WITHIN_SIZE,
	LM_KNOB_ADVISE,
	LM_KNOB_DENY,
	LM_KNOB_FORCE,
	LM_KNOB_MADVISE,
	LM_KNOB_INHERIT,
	LM_KNOB_NR
};

static const char * const lm_knob_names[LM_KNOB_NR] = {
	[LM_KNOB_NEVER]		= "never",
	[LM_KNOB_ALWAYS]	= "always",
	[LM_KNOB_WITHIN_SIZE]	= "within_size",
	[LM_KNOB_ADVISE]	= "advise",
	[LM_KNOB_DENY]		= "deny",
	[LM_KNOB_FORCE]		= "force",
	[LM_KNOB_MADVISE]	= "madvise",
	[LM_KNOB_INHERIT]	= "inherit",
};

/* shmem_enabled's choice as mm/shmem.c keeps it (shmem_parse_huge()). */
static const s8 lm_knob_shmem_huge[LM_KNOB_NR] = {
	[LM_KNOB_NEVER]		= LM_SHMEM_NEVER,
	[LM_KNOB_ALWAYS]	= LM_SHMEM_ALWAYS,
	[LM_KNOB_WITHIN_SIZE]	= LM_SHMEM_WITHIN_SIZE,
	[LM_KNOB_ADVISE]	= LM_SHMEM_ADVISE,
	[LM_KNOB_DENY]		= LM_SHMEM_DENY,
	[LM_KNOB_FORCE]		= LM_SHMEM_FORCE,
};

/* The reason for each way file_thp_enabled() refuses (compat.h). */
static const u8 lm_file_thp_why[] = {
	[LM_FILE_THP_OK]		= LM_THP_ELIGIBLE,
	[LM_FILE_THP_NO_FILE]		= LM_THP_NO_FILE,
	[LM_FILE_THP_CONFIG]		= LM_THP_FILE,
	[LM_FILE_THP_NOEXEC]		= LM_THP_FILE_NOEXEC,
	[LM_FILE_THP_ANON_INODE]	= LM_THP_FILE_ANON_INODE,
	[LM_FILE_THP_WRITABLE]		= LM_THP_FILE_WRITABLE,
	[LM_FILE_THP_NOT_REGULAR]	= LM_THP_FILE_NOT_REGULAR,
};

#define LM_THP_SYSFS	"/sys/kernel/mm/transparent_hugepage/"

/*
 * The knobs' files, by slot: "enabled", "shmem_enabled", then
 * hugepages-<size>kB/enabled and /shmem_enabled by order.  They are opened
 * once, at load, and each open of a view reads them at offset 0, where
 * kernfs shows the knob afresh: on 6.8+ a view reads some twenty knobs,
 * and a path walk, an open and a close for each were most of the fixed
 * cost of a small view.  A knob that could not be opened at load, or
 * whose read fails, is looked up by its path, as /sys looks to the reader.
 */
#define LM_KNOB_ENABLED		0
#define LM_KNOB_SHMEM_ENABLED	1
#define LM_KNOB_ANON_SIZE(order)	(2 + (order))
#define LM_KNOB_SHMEM_SIZE(order)	(2 + BITS_PER_LONG + (order))
#define LM_KNOB_SLOTS		(2 + 2 * BITS_PER_LONG)

static struct file *lm_knob_files[LM_KNOB_SLOTS];

static void lm_knob_path(char *path, size_t size, int slot)
{
	const char *knob = slot == LM_KNOB_ENABLED ||
			   (slot >= LM_KNOB_ANON_SIZE(0) &&
			    slot < LM_KNOB_SHMEM_SIZE(0)) ?
			   "enabled" : "shmem_enabled";

	if (slot < LM_KNOB_ANON_SIZE(0))
		snprintf(path, size, LM_THP_SYSFS "%s", knob);
	else
		snprintf(path, size, LM_THP_SYSFS "hugepages-%lukB/%s",
			 (PAGE_SIZE << ((slot - 2) % BITS_PER_LONG)) >> 10,
			 knob);
}

/* The current choice of the knob in @slot, as enum lm_knob, or a -errno. */
static int lm_knob_read(int slot)
{
	struct file *file = lm_knob_files[slot];
	char path[96], buf[128], *open, *close;
	loff_t pos = 0;
	ssize_t len;

	len = file ? kernel_read(file, buf, sizeof(buf) - 1, &pos) : -ENOENT;
	if (len < 0) {
		/* not opened at load, or it fails now: by its path */
		lm_knob_path(path, sizeof(path), slot);
		file = filp_open(path, O_RDONLY, 0);
		if (IS_ERR(file))
			return PTR_ERR(file);
		pos = 0;
		len = kernel_read(file, buf, sizeof(buf) - 1, &pos);
		filp_close(file, NULL);
		if (len < 0)
			return len;
	}
	buf[len] = '\0';

	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close)
		return -EINVAL;
	*close = '\0';
	return match_string(lm_knob_names, LM_KNOB_NR, open + 1);
}

/* The knobs this kernel has, as lm_thp_global_read() reads them. */
static bool lm_knob_used(int slot)
{
	if (slot < LM_KNOB_ANON_SIZE(0))
		return true;
	if (slot < LM_KNOB_SHMEM_SIZE(0))
		return LM_THP_MTHP &&
		       (lm_thp_anon_orders() & BIT(slot - LM_KNOB_ANON_SIZE(0)));
	return LM_THP_SHMEM_MTHP &&
	       (lm_thp_file_orders() & BIT(slot - LM_KNOB_SHMEM_SIZE(0)));
}

/*
 * Open the knobs, in the mount namespace of the task loading the module,
 * and read each once: its seq_file buffer is then allocated (and charged)
 * here, not by whichever reader of a view comes first.
 */
void lm_thp_init(void)
{
	struct file *file;
	char path[96];
	int slot;

	for (slot = 0; slot < LM_KNOB_SLOTS; slot++) {
		if (!lm_knob_used(slot))
			continue;
		lm_knob_path(path, sizeof(path), slot);
		file = filp_open(path, O_RDONLY, 0);
		if (IS_ERR(file))
			continue;
		lm_knob_files[slot] = file;
		lm_knob_read(slot);
	}
}

void lm_thp_exit(void)
{
	int slot;

	for (slot = 0; slot < LM_KNOB_SLOTS; slot++) {
		if (lm_knob_files[slot])
			filp_close(lm_knob_files[slot], NULL);
		lm_knob_files[slot] = NULL;
	}
}

/*
 * No transparent_hugepage directory: hugepage_init() found
 * !has_transparent_hugepage(), set TRANSPARENT_HUGEPAGE_NEVER_DAX (6.1) or
 * _UNSUPPORTED (6.12+) and created no sysfs files -- unless this task
 * simply sees no sysfs, which says nothing.
 */
static u8 lm_thp_sysfs_missing(int err)
{
	struct file *dir;

	if (err != -ENOENT)
		return LM_THP_STATE_UNREADABLE;
	dir = filp_open("/sys/kernel/mm", O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(dir))
		return LM_THP_STATE_UNREADABLE;
	filp_close(dir, NULL);
	return LM_THP_STATE_HW;
}

/*
 * OR each order of @orders into the mask of @masks that its
 * hugepages-<size>kB knob's choice selects; @shmem: shmem_enabled, not
 * enabled.
 */
static void lm_thp_read_sizes(unsigned long orders, bool shmem,
			      unsigned long * const masks[LM_KNOB_NR])
{
	int order, choice;

	for_each_set_bit(order, &orders, BITS_PER_LONG) {
		choice = lm_knob_read(shmem ? LM_KNOB_SHMEM_SIZE(order) :
					      LM_KNOB_ANON_SIZE(order));
		if (choice >= 0 && masks[choice])
			*masks[choice] |= BIT(order);
	}
}

/**
 * lm_thp_global_read - read the THP settings from sysfs
 * @g: filled in
 *
 * Context: process context, without the mmap lock: it sleeps.
 */
void lm_thp_global_read(struct lm_thp_global *g)
{
	unsigned long * const anon[LM_KNOB_NR] = {
		[LM_KNOB_ALWAYS]	= &g->anon_always,
		[LM_KNOB_MADVISE]	= &g->anon_madvise,
		[LM_KNOB_INHERIT]	= &g->anon_inherit,
	};
	unsigned long * const shmem[LM_KNOB_NR] = {
		[LM_KNOB_ALWAYS]	= &g->shmem_always,
		[LM_KNOB_ADVISE]	= &g->shmem_madvise,
		[LM_KNOB_WITHIN_SIZE]	= &g->shmem_within_size,
		[LM_KNOB_INHERIT]	= &g->shmem_inherit,
	};
	int choice;

	memset(g, 0, sizeof(*g));
	choice = lm_knob_read(LM_KNOB_ENABLED);
	if (choice < 0) {
		g->state = lm_thp_sysfs_missing(choice);
		return;
	}
	g->always = choice == LM_KNOB_ALWAYS;
	g->enabled = g->always || choice == LM_KNOB_MADVISE;

	choice = lm_knob_read(LM_KNOB_SHMEM_ENABLED);
	g->shmem_huge = choice >= 0 ? lm_knob_shmem_huge[choice] : LM_SHMEM_NEVER;

	/* before multi-size THP the PMD size simply follows "enabled" */
	if (!LM_THP_MTHP)
		g->anon_inherit = BIT(HPAGE_PMD_ORDER);
	else
		lm_thp_read_sizes(lm_thp_anon_orders(), false, anon);
	if (LM_THP_SHMEM_MTHP)
		lm_thp_read_sizes(lm_thp_file_orders(), true, shmem);
}

/*
 * Settings that could not be read refuse only where a rule needs them, so
 * that the rules before it still give the kernel's answer.  With no THP
 * hardware the kernel never set up the anonymous sizes (6.8+ asks about
 * them first): say why.
 */
static enum lm_thp_why lm_thp_state_why(const struct lm_thp_global *g)
{
	static const u8 why[] = {
		[LM_THP_STATE_OK]		= LM_THP_ELIGIBLE,
		[LM_THP_STATE_HW]		= LM_THP_HW,
		[LM_THP_STATE_UNREADABLE]	= LM_THP_NO_SYSFS,
	};

	return why[g->state];
}

/*
 * Firmware, MADV_NOHUGEPAGE, prctl: thp_disabled_by_hw() and
 * vma_thp_disabled() on 6.12+, or 6.1's tests in hugepage_vma_check(),
 * where the firmware comes last.
 */
static enum lm_thp_why lm_thp_disabled(const struct lm_thp_global *g,
				       struct vm_area_struct *vma,
				       vm_flags_t flags)
{
	bool hw = g->state == LM_THP_STATE_HW;

	if (LM_THP_HW_FIRST && hw)
		return LM_THP_HW;
	if (flags & VM_NOHUGEPAGE)
		return LM_THP_NOHUGEPAGE;
	if (lm_thp_prctl_all(vma->vm_mm))
		return LM_THP_PRCTL;
	if (!(flags & VM_HUGEPAGE) && lm_thp_prctl_unadvised(vma->vm_mm))
		return LM_THP_PRCTL_ADVISED;
	return hw ? LM_THP_HW : LM_THP_ELIGIBLE;
}

/*
 * enabled=always, or madvise and MADV_HUGEPAGE: hugepage_flags_enabled()
 * and _always() on 6.1, vma_file_allow_thp_tuneables() on 6.12+.
 */
static enum lm_thp_why lm_thp_sysfs(const struct lm_thp_global *g,
				    vm_flags_t flags)
{
	if (g->state == LM_THP_STATE_UNREADABLE)
		return LM_THP_NO_SYSFS;
	if (g->always || (g->enabled && (flags & VM_HUGEPAGE)))
		return LM_THP_ELIGIBLE;
	return g->enabled ? LM_THP_SYSFS_MADVISE : LM_THP_SYSFS_NEVER;
}

/* The anonymous sizes sysfs enables (thp_vma_allowable_orders(), 6.8+). */
static unsigned long lm_thp_anon_mask(const struct lm_thp_global *g,
				      vm_flags_t flags)
{
	unsigned long mask = g->anon_always;

	if (flags & VM_HUGEPAGE)
		mask |= g->anon_madvise;
	if (g->always || ((flags & VM_HUGEPAGE) && g->enabled))
		mask |= g->anon_inherit;
	return mask & lm_thp_anon_orders();
}

/* Why no anonymous size is enabled: the setting that would change it. */
static enum lm_thp_why lm_thp_anon_why(const struct lm_thp_global *g,
				       vm_flags_t flags)
{
	if (!(flags & VM_HUGEPAGE) && lm_thp_anon_mask(g, flags | VM_HUGEPAGE))
		return LM_THP_SYSFS_MADVISE;
	if (g->anon_inherit && !g->enabled)
		return LM_THP_SYSFS_NEVER;
	return LM_THP_NO_SIZE;
}

/*
 * Keep the orders for which a naturally aligned folio, and for a file the
 * same offset in the file, fits in the VMA: thp_vma_suitable_order() at
 * the VMA's end, from the highest order down; the first that fits keeps
 * itself and every lower order, as the kernel's loop does (6.1's
 * transhuge_vma_suitable() is the PMD order alone).
 */
static enum lm_thp_why lm_thp_fit(struct vm_area_struct *vma,
				  unsigned long *orders)
{
	unsigned long size, haddr;
	bool misaligned = false, fits;
	int order;

	while (*orders) {
		order = fls_long(*orders) - 1;
		size = PAGE_SIZE << order;
		haddr = ALIGN_DOWN(vma->vm_end - size, size);
		fits = haddr >= vma->vm_start && haddr + size <= vma->vm_end;
		if (!vma_is_anonymous(vma) &&
		    !IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff,
				size >> PAGE_SHIFT))
			misaligned |= fits;
		else if (fits)
			return LM_THP_ELIGIBLE;
		*orders &= ~BIT(order);
	}
	return misaligned ? LM_THP_MISALIGNED : LM_THP_TOO_SMALL;
}

/*
 * Of @orders, from the highest down, the first whose folio at @index
 * i_size covers, and every lower one (shmem_get_orders_within_size();
 * open-coded for the PMD order before 6.14).
 */
static unsigned long lm_shmem_within_size(struct inode *inode,
					  unsigned long orders, pgoff_t index)
{
	loff_t i_size = round_up(i_size_read(inode), PAGE_SIZE);
	int order;

	while (orders) {
		order = fls_long(orders) - 1;
		if (i_size >> PAGE_SHIFT >= round_up(index + 1, 1UL << order))
			return orders;
		orders &= ~BIT(order);
	}
	return 0;
}

/*
 * What shmem_enabled and the mount's huge= grant: shmem_is_huge() on 6.1
 * (mm/shmem.c:465), shmem_huge_global_enabled() on 6.12 (:562) and 7.2
 * (:626).  Kernel-internal mounts (anonymous shared memory, memfd, SysV
 * shm) have shmem_enabled as their huge=.  Sets *@why when it grants none.
 */
static unsigned long lm_shmem_global(const struct lm_thp_global *g,
				     struct vm_area_struct *vma,
				     struct inode *inode, enum lm_thp_why *why)
{
	struct shmem_sb_info *sbinfo = inode->i_sb->s_fs_info;
	unsigned long all = lm_shmem_mount_orders(), within;

	if (!S_ISREG(inode->i_mode)) {
		*why = LM_THP_SHMEM_NOT_REGULAR;
		return 0;
	}
	if (g->shmem_huge == LM_SHMEM_DENY) {
		*why = LM_THP_SHMEM_DENY;
		return 0;
	}
	if (g->shmem_huge == LM_SHMEM_FORCE)
		return BIT(HPAGE_PMD_ORDER);

	switch (sbinfo->huge) {
	case LM_SHMEM_ALWAYS:
		return all;
	case LM_SHMEM_WITHIN_SIZE:
		within = lm_shmem_within_size(inode, all, vma->vm_pgoff);
		if (within)
			return within;
		*why = LM_THP_SHMEM_WITHIN_SIZE;
		break;
	case LM_SHMEM_ADVISE:
		*why = LM_THP_SHMEM_ADVISE;
		break;
	default:
		*why = LM_THP_SHMEM_NEVER;
		return 0;
	}
	return (vma->vm_flags & VM_HUGEPAGE) ? all : 0;
}

/*
 * Anonymous shared memory, 6.11+, which from 6.12 on is also every shmem
 * file that had no links when it was mapped (lm_vma_is_anon_shmem()): the
 * per-size shmem_enabled knobs (shmem_allowable_huge_orders() after
 * shmem_huge_global_enabled()).
 * When they grant nothing, *@why names the knob that would have to change.
 */
static unsigned long lm_shmem_anon(const struct lm_thp_global *g,
				   struct vm_area_struct *vma,
				   struct inode *inode, unsigned long global,
				   enum lm_thp_why *why)
{
	vm_flags_t flags = vma->vm_flags;
	unsigned long mask;

	if (g->shmem_huge == LM_SHMEM_DENY) {
		*why = LM_THP_SHMEM_DENY;
		return 0;
	}
	if (g->shmem_huge == LM_SHMEM_FORCE) {
		*why = LM_THP_SHMEM_NO_SIZE;
		return g->shmem_inherit;
	}

	mask = g->shmem_always |
	       lm_shmem_within_size(inode, g->shmem_within_size, vma->vm_pgoff);
	if (flags & VM_HUGEPAGE)
		mask |= g->shmem_madvise;
	if (global)
		mask |= g->shmem_inherit;
	mask &= lm_thp_file_orders();

	if (!(flags & VM_HUGEPAGE) && g->shmem_madvise)
		*why = LM_THP_SHMEM_ADVISE;
	else if (!(g->shmem_inherit && *why))
		*why = g->shmem_within_size ? LM_THP_SHMEM_WITHIN_SIZE :
					      LM_THP_SHMEM_NO_SIZE;
	return mask;
}

/*
 * A shmem file.  6.12 takes shmem's answer as it is; 6.14+ keeps only the
 * orders that fit (LM_THP_SHMEM_ORDERS).
 */
static enum lm_thp_why lm_thp_shmem(const struct lm_thp_global *g,
				    struct vm_area_struct *vma,
				    unsigned long *orders)
{
	struct inode *inode = file_inode(vma->vm_file);
	enum lm_thp_why why = LM_THP_ELIGIBLE;
	unsigned long mask;

	if (g->state == LM_THP_STATE_UNREADABLE)
		return LM_THP_NO_SYSFS;
	mask = lm_shmem_global(g, vma, inode, &why);
	if (LM_THP_SHMEM_MTHP && lm_vma_is_anon_shmem(vma))
		mask = lm_shmem_anon(g, vma, inode, mask, &why);
	if (!mask)
		return why;
	if (LM_THP_SHMEM_ORDERS) {
		mask &= *orders;
		if (!mask)
			return LM_THP_TOO_SMALL;
	}
	*orders = mask;
	return LM_THP_ELIGIBLE;
}

/*
 * Neither anonymous nor shmem, 6.12+: vma_can_map_huge_file().  Huge PFN
 * maps with ->huge_fault() bypass sysfs, and smaps trusts ->huge_fault().
 */
static enum lm_thp_why lm_thp_file(const struct lm_thp_global *g,
				   struct vm_area_struct *vma)
{
	bool huge_fault = vma->vm_ops->huge_fault;
	enum lm_thp_why why;

	if (!((vma->vm_flags & VM_PFNMAP) && huge_fault)) {
		why = lm_thp_sysfs(g, vma->vm_flags);
		if (why)
			return why;
	}
	if (huge_fault)
		return LM_THP_ELIGIBLE;
	return lm_file_thp_why[lm_file_thp_enabled(vma)];
}

/* 6.8+: thp_vma_allowable_orders() and __thp_vma_allowable_orders(). */
static enum lm_thp_why lm_thp_rules_orders(const struct lm_thp_global *g,
					   struct vm_area_struct *vma,
					   unsigned long *orders)
{
	vm_flags_t flags = vma->vm_flags;
	bool anon = vma_is_anonymous(vma);
	enum lm_thp_why why;

	*orders = ~0UL;
	if (anon) {
		why = lm_thp_state_why(g);
		if (why)
			return why;
		*orders = lm_thp_anon_mask(g, flags);
		if (!*orders)
			return lm_thp_anon_why(g, flags);
	}
	/* never empty: smaps asks about THP_ORDERS_ALL */
	*orders &= lm_thp_supported_orders(vma);

	if (!vma->vm_mm)
		return LM_THP_NO_MM;
	why = lm_thp_disabled(g, vma, flags);
	if (why)
		return why;
	if (vma_is_dax(vma))
		return LM_THP_DAX;
	if (!LM_THP_SMAPS_SPECIAL && (flags & VM_NO_KHUGEPAGED))
		return LM_THP_SPECIAL;
	why = lm_thp_fit(vma, orders);
	if (why)
		return why;

	if (vma->vm_file && lm_shmem_file(vma->vm_file))
		return lm_thp_shmem(g, vma, orders);
	if (!anon)
		return lm_thp_file(g, vma);
	if (vma_is_temporary_stack(vma))
		return LM_THP_STACK;
	/* smaps says yes even before the first fault sets up anon_vma */
	return LM_THP_ELIGIBLE;
}

/* 6.1: hugepage_vma_check(), for the PMD size alone. */
static enum lm_thp_why lm_thp_rules_pmd(const struct lm_thp_global *g,
					struct vm_area_struct *vma,
					unsigned long *orders)
{
	vm_flags_t flags = vma->vm_flags;
	enum lm_file_thp file;
	enum lm_thp_why why;

	*orders = BIT(HPAGE_PMD_ORDER);
	if (!vma->vm_mm)
		return LM_THP_NO_MM;
	why = lm_thp_disabled(g, vma, flags);
	if (why)
		return why;
	if (vma_is_dax(vma))
		return LM_THP_DAX;
	if (flags & VM_NO_KHUGEPAGED)
		return LM_THP_SPECIAL;
	why = lm_thp_fit(vma, orders);
	if (why)
		return why;

	if (vma->vm_file && lm_shmem_file(vma->vm_file))
		return lm_thp_shmem(g, vma, orders);
	why = lm_thp_sysfs(g, flags);
	if (why)
		return why;
	file = lm_file_thp_enabled(vma);
	if (file == LM_FILE_THP_OK)
		return LM_THP_ELIGIBLE;
	if (!vma_is_anonymous(vma))
		return lm_file_thp_why[file];
	if (vma_is_temporary_stack(vma))
		return LM_THP_STACK;
	return LM_THP_ELIGIBLE;
}

/*
 * 5.10: shmem_huge_enabled() (mm/shmem.c:4098), for a VMA with shmem's
 * ops; its within_size rounds the offset up, not the offset + 1.
 */
static enum lm_thp_why lm_thp_shmem_510(const struct lm_thp_global *g,
					struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(vma->vm_file);
	struct shmem_sb_info *sbinfo = inode->i_sb->s_fs_info;
	vm_flags_t flags = vma->vm_flags;
	loff_t i_size;

	if (flags & VM_NOHUGEPAGE)
		return LM_THP_NOHUGEPAGE;
	if (lm_thp_prctl_all(vma->vm_mm))
		return LM_THP_PRCTL;
	if (g->state == LM_THP_STATE_UNREADABLE)
		return LM_THP_NO_SYSFS;
	if (g->shmem_huge == LM_SHMEM_FORCE)
		return LM_THP_ELIGIBLE;
	if (g->shmem_huge == LM_SHMEM_DENY)
		return LM_THP_SHMEM_DENY;
	switch (sbinfo->huge) {
	case LM_SHMEM_ALWAYS:
		return LM_THP_ELIGIBLE;
	case LM_SHMEM_WITHIN_SIZE:
		i_size = round_up(i_size_read(inode), PAGE_SIZE);
		if (i_size >= HPAGE_PMD_SIZE && i_size >> PAGE_SHIFT >=
		    round_up(vma->vm_pgoff, HPAGE_PMD_NR))
			return LM_THP_ELIGIBLE;
		return (flags & VM_HUGEPAGE) ? LM_THP_ELIGIBLE :
					       LM_THP_SHMEM_WITHIN_SIZE;
	case LM_SHMEM_ADVISE:
		return (flags & VM_HUGEPAGE) ? LM_THP_ELIGIBLE :
					       LM_THP_SHMEM_ADVISE;
	default:
		return LM_THP_SHMEM_NEVER;
	}
}

/*
 * 5.10: transparent_hugepage_active() (mm/huge_memory.c:73): the PMD size
 * fits at the VMA's end, then __transparent_hugepage_enabled() for
 * anonymous memory, shmem_huge_enabled() for a VMA with shmem's ops, and
 * for anything else no (file THP needs CONFIG_READ_ONLY_THP_FOR_FS).
 */
static enum lm_thp_why lm_thp_rules_510(const struct lm_thp_global *g,
					struct vm_area_struct *vma,
					unsigned long *orders)
{
	vm_flags_t flags = vma->vm_flags;
	enum lm_thp_why why;

	*orders = BIT(HPAGE_PMD_ORDER);
	why = lm_thp_fit(vma, orders);
	if (why)
		return why;
	if (vma_is_anonymous(vma)) {
		if (g->state == LM_THP_STATE_HW)
			return LM_THP_HW;
		if (flags & VM_NOHUGEPAGE)
			return LM_THP_NOHUGEPAGE;
		if (lm_thp_prctl_all(vma->vm_mm))
			return LM_THP_PRCTL;
		if (vma_is_temporary_stack(vma))
			return LM_THP_STACK;
		return lm_thp_sysfs(g, flags);
	}
	if (lm_vma_is_shmem_ops(vma))
		return lm_thp_shmem_510(g, vma);
	return lm_file_thp_why[lm_file_thp_enabled(vma)];
}

/**
 * lm_thp_check - may transparent huge pages back @vma?
 * @g: the settings lm_thp_global_read() read before the lock was taken
 * @vma: the VMA; its mm's mmap lock or its own read lock is held
 * @orders: if not NULL, set to the orders the kernel's function answers
 *	with (bit N: PAGE_SIZE << N), 0 when not eligible
 *
 * Context: mmap lock or VMA read lock held; does not sleep.
 * Return: LM_THP_ELIGIBLE exactly when smaps shows "THPeligible: 1",
 * otherwise the first rule, in the kernel's order, that refuses.
 */
enum lm_thp_why lm_thp_check(const struct lm_thp_global *g,
			     struct vm_area_struct *vma, unsigned long *orders)
{
	unsigned long allowed;
	enum lm_thp_why why;

	if (vma->vm_mm)		/* the gate VMA has none */
		lm_assert_vma_held(vma);
	if (LM_THP_MTHP)
		why = lm_thp_rules_orders(g, vma, &allowed);
	else if (LM_THP_ACTIVE_510)
		why = lm_thp_rules_510(g, vma, &allowed);
	else
		why = lm_thp_rules_pmd(g, vma, &allowed);
	if (orders)
		*orders = why ? 0 : allowed;
	return why;
}

#else /* !CONFIG_TRANSPARENT_HUGEPAGE */

void lm_thp_init(void)
{
}

void lm_thp_exit(void)
{
}

void lm_thp_global_read(struct lm_thp_global *g)
{
	memset(g, 0, sizeof(*g));
}

enum lm_thp_why lm_thp_check(const struct lm_thp_global *g,
			     struct vm_area_struct *vma, unsigned long *orders)
{
	if (orders)
		*orders = 0;
	return LM_THP_NOT_BUILT;
}

#endif /* CONFIG_TRANSPARENT_HUGEPAGE */
