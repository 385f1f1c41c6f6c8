// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table walk of one VMA, under the mmap lock: how many PMD-sized
 * huge pages map it, and what memory it costs, counted exactly as smaps
 * counts it (fs/proc/task_mmu.c: smaps_pte_range(), smaps_pte_entry(),
 * smaps_pmd_entry(), smaps_account()).  walk_page_range() is not exported,
 * so this is a walk of its own over the VMAs walk_page_vma() walks for
 * smaps: not hugetlb, not a PFN map (both give smaps nothing to count
 * here).  It looks at no page the kernel's walk would not look at, takes
 * no reference on any (smaps tests a refcount of 1), and reads every entry
 * under its page-table lock, as smaps does.
 *
 * Swap (Swap, SwapPss) is not counted yet: a module can count swap entries
 * but not their swap counts (swp_swapcount() is not exported).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hugetlb_inline.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "libmaps.h"

/* smaps' fixed point for PSS: (bytes << LM_PSS_SHIFT) */
#define LM_PSS_SHIFT	12

/* smaps_page_accumulate() */
static void lm_mem_add(struct lm_mem *mem, struct page *page,
		       unsigned long size, u64 pss, bool dirty, bool locked,
		       bool private)
{
	mem->pss += pss;
	if (locked)
		mem->pss_locked += pss;
	if (dirty || PageDirty(page)) {
		if (private)
			mem->private_dirty += size;
		else
			mem->shared_dirty += size;
	} else {
		if (private)
			mem->private_clean += size;
		else
			mem->shared_clean += size;
	}
}

/*
 * smaps_account(): @nr pages from @page (for a PMD, the whole huge page),
 * behind one entry of kind @kind.  A page mapped once (refcount 1), or
 * behind a non-present entry (compat.h: lm_smaps_whole()), counts whole;
 * any other page by its mapcount, page by page.
 */
static void lm_account(struct lm_mem *mem, struct page *page, int nr,
		       bool dirty, bool locked, enum lm_entry kind)
{
	unsigned long size = nr * PAGE_SIZE;
	int i, mapcount;
	u64 pss;

	if (PageAnon(page))
		mem->anon += size;
	mem->rss += size;

	if (lm_smaps_whole(kind)) {
		lm_mem_add(mem, page, size, (u64)size << LM_PSS_SHIFT, dirty,
			   locked, lm_smaps_whole_private(kind));
		return;
	}
	if (page_count(page) == 1) {
		lm_mem_add(mem, page, size, (u64)size << LM_PSS_SHIFT, dirty,
			   locked, true);
		return;
	}
	for (i = 0; i < nr; i++, page++) {
		mapcount = lm_page_mapcount(page);
		pss = (unsigned long)PAGE_SIZE << LM_PSS_SHIFT;
		if (mapcount >= 2)
			pss = (unsigned long)pss / mapcount;
		lm_mem_add(mem, page, PAGE_SIZE, pss, dirty, locked,
			   mapcount < 2);
	}
}

/*
 * vm_normal_page() where PTEs can be special (x86): a special PTE (the
 * zero page, a PFN map, DAX) has a page only if the VMA's own hook gives
 * one; pfn_valid() stands in for the unexported highest_memmap_pfn.
 */
static struct page *lm_pte_page(struct vm_area_struct *vma, unsigned long addr,
				pte_t pte)
{
	if (pte_special(pte))
		return lm_vma_find_special_page(vma, addr);
	return pfn_valid(pte_pfn(pte)) ? pte_page(pte) : NULL;
}

/* smaps_pte_entry(), without the swap entries. */
static void lm_pte_entry(struct vm_area_struct *vma, pte_t *ptep,
			 unsigned long addr, struct lm_mem *mem)
{
	bool locked = vma->vm_flags & VM_LOCKED, dirty = false;
	pte_t pte = ptep_get(ptep);
	enum lm_entry kind = LM_ENTRY_PRESENT;
	struct page *page;

	if (pte_none(pte))
		return;
	if (pte_present(pte)) {
		page = lm_pte_page(vma, addr, pte);
		dirty = pte_dirty(pte);
	} else {
		page = lm_pte_entry_page(pte, &kind);
	}
	if (page)
		lm_account(mem, page, 1, dirty, locked, kind);
}

/*
 * smaps_pmd_entry(): a huge entry, with the PMD lock held.  Returns whether
 * smaps counts it as a PMD-mapped huge page (AnonHugePages, ShmemPmdMapped,
 * FilePmdMapped): not the huge zero page (the only one without a mapping:
 * huge_zero_pfn is not exported) nor device memory.
 */
static bool lm_pmd_entry(struct vm_area_struct *vma, pmd_t pmd,
			 struct lm_mem *mem)
{
	bool locked = vma->vm_flags & VM_LOCKED, dirty = false;
	enum lm_entry kind = LM_ENTRY_PRESENT;
	struct page *page;

	if (pmd_present(pmd)) {
		page = lm_pmd_page(pmd);
		dirty = pmd_dirty(pmd);
	} else {
		page = lm_pmd_entry_page(pmd, &kind);
	}
	if (!page || !READ_ONCE(page->mapping))
		return false;
	lm_account(mem, page, HPAGE_PMD_NR, dirty, locked, kind);
	return !is_zone_device_page(page);
}

/*
 * smaps_pte_range(): one PMD's worth of @vma, from @addr to @end.  A PTE
 * table that went away or became huge between the look and the lock is
 * looked at again, as walk_pmd_range() does (ACTION_AGAIN), a few times.
 */
static void lm_walk_pmd(struct vm_area_struct *vma, pmd_t *pmdp,
			unsigned long addr, unsigned long end, struct lm_vma *v)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;	/* the PMD's or the PTE table's lock */
	pte_t *pte, *start;
	int tries = 0;
	pmd_t pmd;

again:
	pmd = lm_pmdp_get_lockless(pmdp);
	if (pmd_none(pmd))
		return;
	if (!pmd_present(pmd) || lm_pmd_is_leaf(pmd)) {
		if (!pmd_present(pmd) && !thp_migration_supported())
			return;
		/* as pmd_trans_huge_lock(): again, under the lock */
		ptl = pmd_lock(mm, pmdp);
		pmd = *pmdp;
		if (!pmd_none(pmd) && (!pmd_present(pmd) || lm_pmd_is_leaf(pmd))) {
			if (lm_pmd_entry(vma, pmd, &v->mem))
				v->pmd++;
			spin_unlock(ptl);
			return;
		}
		spin_unlock(ptl);
	}
	/*
	 * __pte_offset_map_lock(), from the inlines it is made of (it is
	 * not exported from 6.12 on): from 6.12 khugepaged may free a PTE
	 * table under the mmap read lock, after an RCU grace period, so the
	 * table is looked at under rcu_read_lock() and the PMD read again
	 * under the table's lock.  (5.10 and 6.1 free tables only under
	 * the write lock; the same steps are right there too.)
	 */
	rcu_read_lock();
	pmd = lm_pmdp_get_lockless(pmdp);
	if (pmd_none(pmd) || !pmd_present(pmd) || lm_pmd_is_leaf(pmd) ||
	    pmd_bad(pmd)) {
		rcu_read_unlock();
		if (!pmd_none(pmd) && ++tries < 4)
			goto again;
		return;
	}
	start = pte_offset_kernel(&pmd, addr);
	ptl = pte_lockptr(mm, &pmd);
	spin_lock(ptl);
	if (!pmd_same(pmd, lm_pmdp_get_lockless(pmdp))) {
		spin_unlock(ptl);
		rcu_read_unlock();
		if (++tries < 4)
			goto again;
		return;
	}
	for (pte = start; addr < end; pte++, addr += PAGE_SIZE)
		lm_pte_entry(vma, pte, addr, &v->mem);
	spin_unlock(ptl);
	rcu_read_unlock();
}

/**
 * lm_vma_walk - count what backs @vma, into @v->pmd and @v->mem
 * @vma: the VMA; its mm's mmap lock is held
 * @v: its copy
 *
 * Page-table pages at PMD level and above are freed only under the mmap
 * write lock; a huge PUD entry is pud_bad() and never read as a table.
 * PTE tables are locked as the kernel's own walkers lock them.
 */
void lm_vma_walk(struct vm_area_struct *vma, struct lm_vma *v)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr, next, end = vma->vm_end;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;

	mmap_assert_locked(mm);
	if (is_vm_hugetlb_page(vma) || (vma->vm_flags & VM_PFNMAP))
		return;

	for (addr = vma->vm_start; addr < end; addr = next) {
		pgd = pgd_offset(mm, addr);
		next = pgd_addr_end(addr, end);
		if (pgd_none(READ_ONCE(*pgd)) || pgd_bad(READ_ONCE(*pgd)))
			continue;
		p4d = p4d_offset(pgd, addr);
		next = p4d_addr_end(addr, end);
		if (p4d_none(READ_ONCE(*p4d)) || p4d_bad(READ_ONCE(*p4d)))
			continue;
		pud = pud_offset(p4d, addr);
		next = pud_addr_end(addr, end);
		if (pud_none(READ_ONCE(*pud)) || pud_bad(READ_ONCE(*pud)))
			continue;
		next = pmd_addr_end(addr, end);
		lm_walk_pmd(vma, pmd_offset(pud, addr), addr, next, v);
	}
}

/* What a group or a process costs: the sums smaps_rollup makes. */
void lm_mem_sum(struct lm_mem *sum, const struct lm_mem *mem)
{
	sum->rss += mem->rss;
	sum->pss += mem->pss;
	sum->anon += mem->anon;
	sum->shared_clean += mem->shared_clean;
	sum->shared_dirty += mem->shared_dirty;
	sum->private_clean += mem->private_clean;
	sum->private_dirty += mem->private_dirty;
	sum->pss_locked += mem->pss_locked;
}
