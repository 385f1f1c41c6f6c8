// SPDX-License-Identifier: GPL-2.0
/*
 * May transparent huge pages back a VMA?  The rules are the kernel's own,
 * in the kernel's order, so that the answer is smaps' THPeligible and the
 * first rule that refuses is the reason given:
 *
 *   6.1   hugepage_vma_check(vma, vm_flags, smaps, !in_pf, enforce_sysfs)
 *   6.12+ thp_vma_allowable_orders(vma, vm_flags, TVA_SMAPS..., all orders)
 *
 * None of the kernel's THP state is exported to modules, so the sysfs
 * settings are read from /sys/kernel/mm/transparent_hugepage before the
 * mmap lock is taken (lm_thp_global_read()).  Known limits, none of which
 * a stock x86 kernel hits: firmware that marks THP unsupported is not
 * seen, and an anonymous shared mapping is told apart from other kernel-
 * internal shmem files by its "dev/zero" name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "thp.h"

static const char * const lm_thp_why_names[LM_THP_NR_WHY] = {
	[LM_THP_ELIGIBLE]	= "eligible",
	[LM_THP_NOT_BUILT]	= "not-built",
	[LM_THP_NO_MM]		= "no-mm",
	[LM_THP_NOHUGEPAGE]	= "nohugepage",
	[LM_THP_PRCTL]		= "prctl",
	[LM_THP_DAX]		= "dax",
	[LM_THP_SPECIAL]	= "special",
	[LM_THP_TOO_SMALL]	= "too-small",
	[LM_THP_SHMEM]		= "shmem-policy",
	[LM_THP_SYSFS_NEVER]	= "sysfs-never",
	[LM_THP_SYSFS_MADVISE]	= "sysfs-madvise",
	[LM_THP_NO_SIZE]	= "no-size-enabled",
	[LM_THP_FILE]		= "file",
	[LM_THP_STACK]		= "exec-stack",
};

const char *lm_thp_why_name(enum lm_thp_why why)
{
	return why < LM_THP_NR_WHY ? lm_thp_why_names[why] : "?";
}

#ifdef CONFIG_TRANSPARENT_HUGEPAGE

/* shmem's "huge" values (mm/shmem.c), for shmem_enabled and huge=. */
#define LM_SHMEM_NEVER		0
#define LM_SHMEM_ALWAYS		1
#define LM_SHMEM_WITHIN_SIZE	2
#define LM_SHMEM_ADVISE		3
#define LM_SHMEM_DENY		(-1)
#define LM_SHMEM_FORCE		(-2)

static const struct {
	const char *name;
	int value;
} lm_shmem_values[] = {
	{ "never",	LM_SHMEM_NEVER },
	{ "always",	LM_SHMEM_ALWAYS },
	{ "within_size", LM_SHMEM_WITHIN_SIZE },
	{ "advise",	LM_SHMEM_ADVISE },
	{ "deny",	LM_SHMEM_DENY },
	{ "force",	LM_SHMEM_FORCE },
};

#define LM_THP_SYSFS	"/sys/kernel/mm/transparent_hugepage/"

/*
 * The bracketed choice of a THP knob ("always [madvise] never"), copied to
 * @choice; false if the knob does not exist on this kernel.
 */
static bool lm_knob(const char *name, char *choice, size_t size)
{
	char path[96], buf[128], *open, *close;
	struct file *file;
	loff_t pos = 0;
	ssize_t len;

	snprintf(path, sizeof(path), LM_THP_SYSFS "%s", name);
	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return false;
	len = kernel_read(file, buf, sizeof(buf) - 1, &pos);
	filp_close(file, NULL);
	if (len <= 0)
		return false;
	buf[len] = '\0';

	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close)
		return false;
	*close = '\0';
	strscpy(choice, open + 1, size);
	return true;
}

static int lm_shmem_value(const char *choice)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lm_shmem_values); i++)
		if (!strcmp(choice, lm_shmem_values[i].name))
			return lm_shmem_values[i].value;
	return LM_SHMEM_NEVER;
}

/* The per-size knobs of one order (6.8+ anon, 6.11+ shmem). */
static void lm_thp_read_order(struct lm_thp_global *g, int order)
{
	unsigned long bit = BIT(order);
	char name[64], choice[16];

	snprintf(name, sizeof(name), "hugepages-%lukB/enabled",
		 (PAGE_SIZE << order) >> 10);
	if (lm_knob(name, choice, sizeof(choice))) {
		if (!strcmp(choice, "always"))
			g->anon_always |= bit;
		else if (!strcmp(choice, "madvise"))
			g->anon_madvise |= bit;
		else if (!strcmp(choice, "inherit"))
			g->anon_inherit |= bit;
	} else if (order == HPAGE_PMD_ORDER) {
		/* before multi-size THP the PMD size follows "enabled" */
		g->anon_inherit |= bit;
	}

	snprintf(name, sizeof(name), "hugepages-%lukB/shmem_enabled",
		 (PAGE_SIZE << order) >> 10);
	if (lm_knob(name, choice, sizeof(choice))) {
		if (!strcmp(choice, "always"))
			g->shmem_always |= bit;
		else if (!strcmp(choice, "advise"))
			g->shmem_madvise |= bit;
		else if (!strcmp(choice, "within_size"))
			g->shmem_within_size |= bit;
		else if (!strcmp(choice, "inherit"))
			g->shmem_inherit |= bit;
	} else if (order == HPAGE_PMD_ORDER) {
		g->shmem_inherit |= bit;
	}
}

/**
 * lm_thp_global_read - read the THP settings from sysfs
 * @g: filled in
 *
 * Sleeps: call it without the mmap lock.
 */
void lm_thp_global_read(struct lm_thp_global *g)
{
	char choice[16];
	int order;

	memset(g, 0, sizeof(*g));
	if (lm_knob("enabled", choice, sizeof(choice))) {
		g->always = !strcmp(choice, "always");
		g->enabled = g->always || !strcmp(choice, "madvise");
	}
	if (lm_knob("shmem_enabled", choice, sizeof(choice)))
		g->shmem_huge = lm_shmem_value(choice);
	for (order = 1; order <= HPAGE_PMD_ORDER; order++)
		lm_thp_read_order(g, order);
}

/* hugepage_global_enabled() and hugepage_global_always(), from sysfs. */
static enum lm_thp_why lm_thp_sysfs(const struct lm_thp_global *g,
				    vm_flags_t flags)
{
	if (!g->enabled)
		return LM_THP_SYSFS_NEVER;
	if (!g->always && !(flags & VM_HUGEPAGE))
		return LM_THP_SYSFS_MADVISE;
	return LM_THP_ELIGIBLE;
}

/* The anonymous orders sysfs enables for @flags (thp_vma_allowable_orders()). */
static unsigned long lm_thp_anon_orders(const struct lm_thp_global *g,
					vm_flags_t flags)
{
	unsigned long mask = g->anon_always;

	if (flags & VM_HUGEPAGE)
		mask |= g->anon_madvise;
	if (g->always || ((flags & VM_HUGEPAGE) && g->enabled))
		mask |= g->anon_inherit;
	return mask;
}

/* Keep the orders for which an aligned folio fits inside the VMA. */
static unsigned long lm_thp_fitting_orders(struct vm_area_struct *vma,
					   unsigned long orders)
{
	unsigned long fit = 0, size, haddr;
	int order;

	for_each_set_bit(order, &orders, BITS_PER_LONG) {
		size = PAGE_SIZE << order;
		if (!vma_is_anonymous(vma) &&
		    !IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff,
				size >> PAGE_SHIFT))
			continue;
		haddr = ALIGN_DOWN(vma->vm_end - size, size);
		if (haddr >= vma->vm_start && haddr + size <= vma->vm_end)
			fit |= BIT(order);
	}
	return fit;
}

/* shmem_huge_global_enabled(): the mount's huge= and the top-level knob. */
static unsigned long lm_thp_shmem_global(const struct lm_thp_global *g,
					 struct vm_area_struct *vma,
					 struct inode *inode)
{
	struct shmem_sb_info *sbinfo = inode->i_sb->s_fs_info;
	pgoff_t index = vma->vm_pgoff;
	unsigned long all = lm_shmem_huge_orders();
	loff_t i_size;

	if (!S_ISREG(inode->i_mode) || g->shmem_huge == LM_SHMEM_DENY)
		return 0;
	if (g->shmem_huge == LM_SHMEM_FORCE)
		return BIT(HPAGE_PMD_ORDER);

	switch (sbinfo->huge) {
	case LM_SHMEM_ALWAYS:
		return all;
	case LM_SHMEM_WITHIN_SIZE:
		index = round_up(index + 1, HPAGE_PMD_NR);
		i_size = round_up(i_size_read(inode), PAGE_SIZE);
		if (i_size >> PAGE_SHIFT >= index)
			return all;
		fallthrough;
	case LM_SHMEM_ADVISE:
		if (vma->vm_flags & VM_HUGEPAGE)
			return all;
		fallthrough;
	default:
		return 0;
	}
}

/* shmem_allowable_huge_orders() (shmem_is_huge() on 6.1). */
static enum lm_thp_why lm_thp_shmem(const struct lm_thp_global *g,
				    struct vm_area_struct *vma,
				    unsigned long orders)
{
	struct inode *inode = file_inode(vma->vm_file);
	unsigned long global = lm_thp_shmem_global(g, vma, inode);
	unsigned long mask = g->shmem_always;
	pgoff_t index;
	int order;

	if (!LM_THP_ORDERS || !lm_vma_is_anon_shmem(vma))
		goto out;

	if (g->shmem_huge == LM_SHMEM_DENY)
		return LM_THP_SHMEM;
	if (g->shmem_huge == LM_SHMEM_FORCE) {
		global = g->shmem_inherit;
		goto out;
	}
	for_each_set_bit(order, &g->shmem_within_size, BITS_PER_LONG) {
		index = round_up(vma->vm_pgoff + 1, 1UL << order);
		if (round_up(i_size_read(inode), PAGE_SIZE) >> PAGE_SHIFT >= index) {
			mask |= g->shmem_within_size;
			break;
		}
	}
	if (vma->vm_flags & VM_HUGEPAGE)
		mask |= g->shmem_madvise;
	if (global)
		mask |= g->shmem_inherit;
	global = mask & lm_shmem_huge_orders();
out:
	if (lm_thp_shmem_masks_orders())
		global &= orders;
	return global ? LM_THP_ELIGIBLE : LM_THP_SHMEM;
}

/* A file that is not shmem: vma_can_map_huge_file() (6.12+). */
static enum lm_thp_why lm_thp_file(const struct lm_thp_global *g,
				   struct vm_area_struct *vma)
{
	bool huge_fault = vma->vm_ops && vma->vm_ops->huge_fault;
	enum lm_thp_why why;

	if (LM_THP_ORDERS && !((vma->vm_flags & VM_PFNMAP) && huge_fault)) {
		why = lm_thp_sysfs(g, vma->vm_flags);
		if (why)
			return why;
	}
	if (LM_THP_ORDERS && huge_fault)
		return LM_THP_ELIGIBLE;
	return lm_file_thp_enabled(vma) ? LM_THP_ELIGIBLE : LM_THP_FILE;
}

/* The rules, in the kernel's order; *@out: the orders that survive. */
static enum lm_thp_why lm_thp_rules(const struct lm_thp_global *g,
				    struct vm_area_struct *vma,
				    unsigned long *out)
{
	vm_flags_t flags = vma->vm_flags;
	bool anon = vma_is_anonymous(vma);
	unsigned long orders = lm_thp_supported_orders(vma);
	enum lm_thp_why why;

	*out = 0;
	mmap_assert_locked(vma->vm_mm);

	/* 6.8+: the sizes sysfs enables for anonymous memory come first */
	if (LM_THP_ORDERS && anon) {
		orders &= lm_thp_anon_orders(g, flags);
		if (!orders)
			return lm_thp_sysfs(g, flags) ?: LM_THP_NO_SIZE;
	}
	if (!orders)
		return LM_THP_SPECIAL;
	if (!vma->vm_mm)
		return LM_THP_NO_MM;

	if (flags & VM_NOHUGEPAGE)
		return LM_THP_NOHUGEPAGE;
	if (lm_mm_thp_disabled(vma, flags))
		return LM_THP_PRCTL;
	if (vma_is_dax(vma))
		return LM_THP_DAX;
	if (!LM_THP_ORDERS && (flags & VM_NO_KHUGEPAGED))
		return LM_THP_SPECIAL;	/* 6.12+ no longer asks for smaps */

	orders = lm_thp_fitting_orders(vma, orders);
	if (!orders)
		return LM_THP_TOO_SMALL;
	*out = orders;

	if (vma->vm_file && lm_shmem_file(vma->vm_file))
		return lm_thp_shmem(g, vma, orders);

	if (!LM_THP_ORDERS) {
		why = lm_thp_sysfs(g, flags);
		if (why)
			return why;
	}
	if (!anon)
		return lm_thp_file(g, vma);
	if (vma_is_temporary_stack(vma))
		return LM_THP_STACK;
	/* smaps says 1 even before the first fault sets up anon_vma */
	return LM_THP_ELIGIBLE;
}

/**
 * lm_thp_check - may transparent huge pages back @vma?
 * @g: the sysfs settings, read before the lock was taken
 * @vma: the VMA; its mm's mmap lock is held
 * @orders: set to the huge page orders that may back it (0 if none)
 *
 * Return: LM_THP_ELIGIBLE exactly when smaps shows "THPeligible: 1",
 * otherwise the first rule, in the kernel's order, that refuses.
 */
enum lm_thp_why lm_thp_check(const struct lm_thp_global *g,
			     struct vm_area_struct *vma, unsigned long *orders)
{
	enum lm_thp_why why = lm_thp_rules(g, vma, orders);

	if (why)
		*orders = 0;
	return why;
}

#else /* !CONFIG_TRANSPARENT_HUGEPAGE */

void lm_thp_global_read(struct lm_thp_global *g)
{
	memset(g, 0, sizeof(*g));
}

enum lm_thp_why lm_thp_check(const struct lm_thp_global *g,
			     struct vm_area_struct *vma, unsigned long *orders)
{
	*orders = 0;
	return LM_THP_NOT_BUILT;
}

#endif /* CONFIG_TRANSPARENT_HUGEPAGE */
