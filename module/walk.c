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
 * SwapPss divides each swapped page by its swap count, which a module
 * cannot read (swp_swapcount() is not exported): here it is counted as
 * the kernel's rmap walk would find the entry's users, in every VMA of
 * the anon_vma tree at the page's index (lm_swap_users()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/hugetlb_inline.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pgtable.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/rmap.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include "compat.h"
#include "libmaps.h"

/* Times a walk let a waiting writer have the mmap lock, since load. */
atomic_long_t lm_walk_yields = ATOMIC_LONG_INIT(0);

/* smaps' fixed point for PSS: (bytes << LM_PSS_SHIFT) */
#define LM_PSS_SHIFT	12

/* The walk's work since it last let the mmap lock go. */
struct lm_walk_work {
	unsigned int tables;	/* PMD tables walked */
	u64 since;		/* ktime_get_ns() when the lock was taken */
	bool vma_locked;	/* under VMA locks: the mmap lock is not held */
};

/* One VMA's walk. */
struct lm_walk {
	struct vm_area_struct *vma;
	struct lm_vma *v;
	struct page *last_head;	/* the large folio the last PTE mapped */
	bool shmem_holes;	/* count shmem swap where nothing is mapped */
	unsigned long valid_block; /* lm_pte_page(): 1 + a pfn_valid() block */
	struct lm_walk_work *work; /* since the lock was let go */
	/* the VMA last entered, met again after a lock was let go */
	unsigned long seen_start, seen_end;
	struct file *seen_file;
	/* the swap entries of the PTE table being walked, by index */
	DECLARE_BITMAP(swapped, PTRS_PER_PTE);
};

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
 * one; pfn_valid() stands in for the unexported highest_memmap_pfn.  It
 * answers for a whole block of LM_PFN_BLOCK_SHIFT at least (the 2 MiB
 * subsection of SPARSEMEM, a section, or all of FLATMEM), so the last
 * block found valid is remembered: most pages of a process lie in a few.
 */
#define LM_PFN_BLOCK_SHIFT	(21 - PAGE_SHIFT)

static struct page *lm_pte_page(struct lm_walk *w, unsigned long addr, pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	if (pte_special(pte))
		return lm_vma_find_special_page(w->vma, addr);
	if ((pfn >> LM_PFN_BLOCK_SHIFT) + 1 != w->valid_block) {
		if (!pfn_valid(pfn))
			return NULL;
		w->valid_block = (pfn >> LM_PFN_BLOCK_SHIFT) + 1;
	}
	return pte_page(pte);
}

/*
 * shmem_partial_swap_usage(): the pages of @mapping from @start to @end
 * (exclusive) that are out in swap.  The value entries are read under RCU
 * without the i_pages lock, as the kernel reads them.
 */
static u64 lm_shmem_swapped(struct address_space *mapping, pgoff_t start,
			    pgoff_t end)
{
	XA_STATE(xas, &mapping->i_pages, start);
	unsigned long pages = 0;
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, end - 1) {
		if (xas_retry(&xas, entry))
			continue;
		if (xa_is_value(entry))
			pages += lm_xas_pages(&xas);
		if (xas.xa_index == end - 1)
			break;
	}
	rcu_read_unlock();
	return (u64)pages << PAGE_SHIFT;
}

/*
 * smaps_pte_hole(): a range of a private writable shmem mapping where no
 * page is mapped counts the object's swapped pages there as its own.
 */
static void lm_hole(struct lm_walk *w, unsigned long addr, unsigned long end)
{
	struct vm_area_struct *vma = w->vma;

	if (w->shmem_holes)
		w->v->mem.swap += lm_shmem_swapped(vma->vm_file->f_mapping,
						   linear_page_index(vma, addr),
						   linear_page_index(vma, end));
}

/*
 * The mthp= counts: each large folio mapped by PTEs, once for each run of
 * PTEs that map pages of it (a folio mapped whole in one place counts
 * once), by its order.
 */
static void lm_count_folio(struct lm_walk *w, struct page *page)
{
	struct page *head = compound_head(page);
	unsigned int order;

	if (head == w->last_head)
		return;
	w->last_head = head;
	order = compound_order(head);
	if (order)
		w->v->mthp[min_t(unsigned int, order, LM_MTHP_ORDERS) - 1]++;
}

/* smaps_pte_entry(); SwapPss is counted after the table is unlocked. */
static void lm_pte_entry(struct lm_walk *w, pte_t *ptep, unsigned long addr,
			 unsigned int index)
{
	struct vm_area_struct *vma = w->vma;
	bool locked = vma->vm_flags & VM_LOCKED, dirty = false;
	pte_t pte = ptep_get(ptep);
	enum lm_entry kind = LM_ENTRY_PRESENT;
	struct page *page;
	unsigned long val;

	if (pte_none(pte)) {
		lm_hole(w, addr, addr + PAGE_SIZE);
		w->last_head = NULL;
		return;
	}
	if (!pte_present(pte) && lm_pte_swap(pte, &val)) {
		w->v->mem.swap += PAGE_SIZE;
		__set_bit(index, w->swapped);
		w->last_head = NULL;
		return;
	}
	if (pte_present(pte)) {
		page = lm_pte_page(w, addr, pte);
		dirty = pte_dirty(pte);
	} else {
		page = lm_pte_entry_page(pte, &kind);
	}
	if (pte_present(pte) && lm_pte_cont(pte))
		w->v->cont++;
	if (page && pte_present(pte))
		lm_count_folio(w, page);
	else
		w->last_head = NULL;
	if (page)
		lm_account(&w->v->mem, page, 1, dirty, locked, kind);
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
 * One PTE table, from @addr to @end, under its lock: with @w, each entry
 * is counted for the walk; without, the one at @addr is copied to @pte.
 * Returns false, with @pmdval the PMD that was not a table, if there was
 * none to lock.
 *
 * This is __pte_offset_map_lock() made of the inlines it is made of (it
 * is not exported from 6.12 on): from 6.12 khugepaged, and from 6.14
 * MADV_DONTNEED, may free a PTE table under the mmap read lock, after an
 * RCU grace period, so the table is looked at under rcu_read_lock() and
 * the PMD read again under the table's lock.  (5.10 and 6.1 free tables
 * only under the write lock; the same steps are right there too.)
 */
static bool lm_pte_table(struct mm_struct *mm, pmd_t *pmdp, unsigned long addr,
			 unsigned long end, struct lm_walk *w, pte_t *pte,
			 pmd_t *pmdval)
{
	unsigned int i = pte_index(addr);
	spinlock_t *ptl;	/* the PTE table's lock */
	pte_t *ptep;

	rcu_read_lock();
	*pmdval = lm_pmdp_get_lockless(pmdp);
	if (pmd_none(*pmdval) || !pmd_present(*pmdval) ||
	    lm_pmd_is_leaf(*pmdval) || pmd_bad(*pmdval)) {
		rcu_read_unlock();
		return false;
	}
	ptep = pte_offset_kernel(pmdval, addr);
	ptl = pte_lockptr(mm, pmdval);
	spin_lock(ptl);
	if (!pmd_same(*pmdval, lm_pmdp_get_lockless(pmdp))) {
		spin_unlock(ptl);
		rcu_read_unlock();
		return false;
	}
	if (w) {
		for (; addr < end; i++, ptep++, addr += PAGE_SIZE)
			lm_pte_entry(w, ptep, addr, i);
	} else {
		*pte = ptep_get(ptep);
	}
	spin_unlock(ptl);
	rcu_read_unlock();
	return true;
}

/*
 * The PTE at @addr of @mm, read under its lock, as the rmap walk
 * (page_vma_mapped_walk()) reads another process's: the caller holds the
 * mmap lock of @mm or the anon_vma lock of a VMA there, either of which
 * keeps the page tables above PTE level in place.
 */
static bool lm_pte_read(struct mm_struct *mm, unsigned long addr, pte_t *pte)
{
	pmd_t pmdval;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;

	pgd = pgd_offset(mm, addr);
	if (pgd_none(READ_ONCE(*pgd)) || pgd_bad(READ_ONCE(*pgd)))
		return false;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(READ_ONCE(*p4d)) || p4d_bad(READ_ONCE(*p4d)))
		return false;
	pud = pud_offset(p4d, addr);
	if (pud_none(READ_ONCE(*pud)) || pud_bad(READ_ONCE(*pud)))
		return false;
	return lm_pte_table(mm, pmd_offset(pud, addr), addr, addr + PAGE_SIZE,
			    NULL, pte, &pmdval);
}

/*
 * How many PTEs hold swap entry @val: what swp_swapcount() says of an
 * anonymous page's entry, which only PTEs refer to (shmem's own entries
 * live in its page cache, never in a PTE).  Every process that can map
 * the page has a VMA in the anon_vma tree of @vma, at the page's index,
 * as the rmap walk finds them (rmap_walk_anon(), with the tree's lock
 * held for reading).  A KSM page that was swapped out is the exception:
 * its users may be in other trees, and are not counted here.
 */
static unsigned int lm_swap_users(struct vm_area_struct *vma,
				  unsigned long addr, unsigned long val)
{
	pgoff_t index = linear_page_index(vma, addr);
	struct anon_vma *root;
	unsigned int users = 0;
	struct rb_node *node;

	if (!vma->anon_vma)
		return 1;
	root = vma->anon_vma->root;
	down_read(&root->rwsem);
	for (node = rb_first_cached(&root->rb_root); node; node = rb_next(node)) {
		struct anon_vma_chain *avc = rb_entry(node, struct anon_vma_chain, rb);
		struct vm_area_struct *other = avc->vma;
		unsigned long found;
		pte_t pte;

		if (index < other->vm_pgoff ||
		    index >= other->vm_pgoff + vma_pages(other))
			continue;
		if (lm_pte_read(other->vm_mm, other->vm_start +
				((index - other->vm_pgoff) << PAGE_SHIFT), &pte) &&
		    lm_pte_swap(pte, &found) && found == val)
			users++;
	}
	up_read(&root->rwsem);
	return users;
}

/*
 * SwapPss of the swapped page at @addr: the page divided by the PTEs that
 * share its entry, in smaps' fixed point.  The entry is read again, after
 * the table's lock was dropped for the tree's: if it changed in between,
 * the page counts whole.
 */
static void lm_swap_pss(struct lm_walk *w, unsigned long addr)
{
	u64 pss = (u64)PAGE_SIZE << LM_PSS_SHIFT;
	unsigned int users = 1;
	unsigned long val;
	pte_t pte;

	if (lm_pte_read(w->vma->vm_mm, addr, &pte) && lm_pte_swap(pte, &val))
		users = lm_swap_users(w->vma, addr, val);
	if (users >= 2)
		do_div(pss, users);
	w->v->mem.swap_pss += pss;
}

/*
 * smaps_pte_range(): one PMD's worth of the VMA, from @addr to @end.  A
 * PTE table that went away or became huge between the look and the lock
 * is looked at again, as walk_pmd_range() does (ACTION_AGAIN), a few
 * times.
 */
static void lm_walk_pmd(struct lm_walk *w, pmd_t *pmdp, unsigned long addr,
			unsigned long end)
{
	struct vm_area_struct *vma = w->vma;
	unsigned long table = addr & PMD_MASK;
	spinlock_t *ptl;	/* the PMD's lock */
	unsigned int i;
	int tries = 0;
	pmd_t pmd;

again:
	pmd = lm_pmdp_get_lockless(pmdp);
	if (pmd_none(pmd)) {
		lm_hole(w, addr, end);
		w->last_head = NULL;
		return;
	}
	if (!pmd_present(pmd) || lm_pmd_is_leaf(pmd)) {
		if (!pmd_present(pmd) && !thp_migration_supported())
			return;
		/* as pmd_trans_huge_lock(): again, under the lock */
		ptl = pmd_lock(vma->vm_mm, pmdp);
		pmd = *pmdp;
		if (!pmd_none(pmd) && (!pmd_present(pmd) || lm_pmd_is_leaf(pmd))) {
			if (lm_pmd_entry(vma, pmd, &w->v->mem))
				w->v->pmd++;
			spin_unlock(ptl);
			w->last_head = NULL;
			return;
		}
		spin_unlock(ptl);
	}
	bitmap_zero(w->swapped, PTRS_PER_PTE);
	if (!lm_pte_table(vma->vm_mm, pmdp, addr, end, w, NULL, &pmd)) {
		if (!pmd_none(pmd) && ++tries < 4)
			goto again;
		if (pmd_none(pmd))
			lm_hole(w, addr, end);
		w->last_head = NULL;
		return;
	}
	for_each_set_bit(i, w->swapped, PTRS_PER_PTE)
		lm_swap_pss(w, table + i * PAGE_SIZE);
}

/*
 * smap_gather_stats() for shmem: a shared or read-only mapping, or one of
 * an object with nothing in swap, counts the swapped pages of the range it
 * maps (shmem_swap_usage(), for [@addr, @end) of the VMA); a private
 * writable one may have replaced some with copies of its own, so only its
 * holes count them, during the walk.  Returns whether they do.
 */
static bool lm_shmem_swap(struct vm_area_struct *vma, unsigned long addr,
			  unsigned long end, struct lm_mem *mem)
{
	struct inode *inode = file_inode(vma->vm_file);
	u64 swapped = READ_ONCE(SHMEM_I(inode)->swapped);

	if (!swapped)
		return false;
	if (addr == vma->vm_start && end == vma->vm_end && !vma->vm_pgoff &&
	    end - addr >= i_size_read(inode))
		swapped <<= PAGE_SHIFT;
	else
		swapped = lm_shmem_swapped(inode->i_mapping,
					   linear_page_index(vma, addr),
					   linear_page_index(vma, end));
	if (!swapped)
		return false;
	if ((vma->vm_flags & VM_SHARED) || !(vma->vm_flags & VM_WRITE)) {
		mem->swap += swapped;
		return false;
	}
	return true;
}

/*
 * Whether the walk should let a writer in now.  Under the mmap lock: one
 * waiting for it, once LM_WALK_BATCH PMD tables were walked, or LM_WALK_NS
 * passed, since it last did.  The count bounds what letting a writer in
 * costs when the tables are nearly empty (many small VMAs), the time how
 * long a writer waits when they are full.  Under @vma's own read lock: one
 * waiting to change @vma, at once (it waits for nothing else).  It gives
 * up the CPU if it is wanted, every LM_WALK_BATCH tables.
 */
static bool lm_walk_yield(struct mm_struct *mm, struct vm_area_struct *vma,
			  struct lm_walk_work *work)
{
	if (work->vma_locked) {
		if (work->tables % LM_WALK_BATCH == 0)
			cond_resched();
		return lm_vma_writer_waits(vma);
	}
	if (work->tables < LM_WALK_BATCH &&
	    ktime_get_ns() - work->since < LM_WALK_NS)
		return false;
	if (mmap_lock_is_contended(mm)) {
		work->tables = 0;
		return true;
	}
	if (work->tables % LM_WALK_BATCH == 0)
		cond_resched();
	return false;
}

/*
 * Walk [@addr, @end) of @w->vma.  Returns where it stopped: @end, or a
 * PMD boundary before it if lm_walk_yield() says to let a writer in; never
 * @addr itself, so that each hold of a lock walks at least one table.
 */
static unsigned long lm_vma_walk(struct lm_walk *w, unsigned long addr,
				 unsigned long end)
{
	struct mm_struct *mm = w->vma->vm_mm;
	unsigned long start = addr, next;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;

	for (; addr < end; addr = next) {
		w->work->tables++;
		if (addr != start && lm_walk_yield(mm, w->vma, w->work))
			return addr;
		pgd = pgd_offset(mm, addr);
		next = pgd_addr_end(addr, end);
		if (pgd_none(READ_ONCE(*pgd)) || pgd_bad(READ_ONCE(*pgd)))
			goto hole;
		p4d = p4d_offset(pgd, addr);
		next = p4d_addr_end(addr, end);
		if (p4d_none(READ_ONCE(*p4d)) || p4d_bad(READ_ONCE(*p4d)))
			goto hole;
		pud = pud_offset(p4d, addr);
		next = pud_addr_end(addr, end);
		if (pud_none(READ_ONCE(*pud)) || pud_bad(READ_ONCE(*pud)))
			goto hole;
		next = pmd_addr_end(addr, end);
		lm_walk_pmd(w, pmd_offset(pud, addr), addr, next);
		continue;
hole:
		lm_hole(w, addr, next);
		w->last_head = NULL;
	}
	return end;
}

/*
 * Where the walk of a snapshot is: the VMA iterator, the first VMA that
 * ends above the last address looked at (valid until the lock is let
 * go), and the walk's work since the lock was last let go.
 */
struct lm_walk_pos {
	struct lm_vma_iter it;
	struct vm_area_struct *vma;
	struct lm_walk_work work;
};

static void lm_walk_seek(struct lm_walk_pos *pos, struct mm_struct *mm,
			 unsigned long addr)
{
	lm_vma_iter_init(&pos->it, mm, addr);
	pos->vma = lm_vma_iter_next(&pos->it);
}

/* Let the lock go and take it again, then find @addr's VMA. */
static int lm_walk_relock(struct lm_walk_pos *pos, struct mm_struct *mm,
			  unsigned long addr)
{
	atomic_long_inc(&lm_walk_yields);
	mmap_read_unlock(mm);
	cond_resched();
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	pos->work.since = ktime_get_ns();
	lm_walk_seek(pos, mm, addr);
	return 0;
}

/*
 * Walk [@addr, @end) of @vma for @w->v, as lm_vma_walk() does, unless
 * walk_page_vma() would not walk it for smaps (hugetlb, PFN maps): then
 * @end.  A VMA met again after a lock was let go is not entered again, so
 * that its shmem swap is counted once.
 */
static unsigned long lm_walk_vma_range(struct lm_walk *w,
				       struct vm_area_struct *vma,
				       unsigned long addr, unsigned long end)
{
	struct file *file = vma->vm_file;

	if (is_vm_hugetlb_page(vma) || (vma->vm_flags & VM_PFNMAP))
		return end;
	w->vma = vma;
	if (vma->vm_start != w->seen_start || vma->vm_end != w->seen_end ||
	    file != w->seen_file) {
		w->seen_start = vma->vm_start;
		w->seen_end = vma->vm_end;
		w->seen_file = file;
		w->last_head = NULL;
		w->shmem_holes = file && lm_shmem_file(file) &&
				 lm_shmem_swap(vma, addr, end, &w->v->mem);
	}
	return lm_vma_walk(w, addr, end);
}

/*
 * Count what backs the range of @v now: the page tables of whatever VMAs
 * map it, the one it was copied from unless the map changed since (the
 * lock was let go in between): not hugetlb, not a PFN map
 * (walk_page_vma() walks neither for smaps).
 */
static int lm_record_walk(struct mm_struct *mm, struct lm_vma *v,
			  struct lm_walk_pos *pos)
{
	struct lm_walk w = { .v = v, .work = &pos->work };
	unsigned long addr = v->start, end;
	struct vm_area_struct *vma;

	while (addr < v->end) {
		while (pos->vma && pos->vma->vm_end <= addr)
			pos->vma = lm_vma_iter_next(&pos->it);
		vma = pos->vma;
		if (!vma || vma->vm_start >= v->end)
			break;
		addr = max(addr, vma->vm_start);
		end = min(v->end, vma->vm_end);
		addr = lm_walk_vma_range(&w, vma, addr, end);
		if (addr < end && lm_walk_relock(pos, mm, addr))
			return -EINTR;
	}
	return 0;
}

/**
 * lm_snapshot_walk - count what backs each of @nr copied VMAs now
 * @mm: their mm; its mmap lock is not held
 * @vmas: the copies, in address order; their ->pmd, ->mthp, ->cont and ->mem
 * @nr: how many
 *
 * Takes the mmap lock for reading and lets a waiting writer in, between
 * two PMD tables (of one record or two) once LM_WALK_BATCH were walked or
 * LM_WALK_NS passed since it was last let in, then goes on from there.
 * Page-table pages at PMD level and above are freed only under the write
 * lock, and a huge PUD entry is pud_bad() and never read as a table.
 *
 * Return: 0, or -EINTR if a fatal signal came while waiting for the lock.
 */
int lm_snapshot_walk(struct mm_struct *mm, struct lm_vma *vmas, unsigned int nr)
{
	struct lm_walk_pos pos = { };
	unsigned int i;

	if (!nr)
		return 0;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	pos.work.since = ktime_get_ns();
	lm_walk_seek(&pos, mm, vmas[0].start);
	for (i = 0; i < nr; i++) {
		if (lm_record_walk(mm, &vmas[i], &pos))
			return -EINTR;
		if (i + 1 < nr && lm_walk_yield(mm, NULL, &pos.work) &&
		    lm_walk_relock(&pos, mm, vmas[i + 1].start))
			return -EINTR;
	}
	mmap_read_unlock(mm);
	return 0;
}

#if LM_HAVE_VMA_READ
/* Times a walk let a writer waiting for a VMA's lock in, since load. */
atomic_long_t lm_vma_walk_yields = ATOMIC_LONG_INIT(0);

/**
 * lm_record_walk_vma - count what backs the range of @v, under VMA locks
 * @mm: the mm of @v; its mmap lock is not held
 * @vma: the VMA @v was just copied from, read-locked; NULL if none is
 * @v: the copy; its ->pmd, ->mthp, ->cont and ->mem
 *
 * The copy's own VMA is walked under the read lock the copy took, until a
 * writer waits to change it: that writer is let in at the next PMD table,
 * and the rest of the range is walked under the read lock of whatever VMA
 * maps it then, taken as maps takes it (lm_vma_read_next(): the mmap lock
 * only if the VMA is being changed).  A VMA's page tables above PTE level
 * are freed only once it is write-locked, and a PTE table is read as
 * lm_pte_table() reads it.
 *
 * Return: 0 with @vma still read-locked; 1 if it was let go; or -EINTR if
 * a fatal signal came while waiting for the mmap lock, -EAGAIN if a VMA's
 * lock count was full.  Unless 0, no lock is held.
 */
int lm_record_walk_vma(struct mm_struct *mm, struct vm_area_struct *vma,
		       struct lm_vma *v)
{
	struct lm_walk_work work = { .vma_locked = true };
	struct lm_walk w = { .v = v, .work = &work };
	unsigned long addr = v->start, end;
	int ret = vma ? 0 : 1;

	while (addr < v->end) {
		if (!vma) {
			vma = lm_vma_read_next(mm, addr);
			if (IS_ERR(vma))
				return PTR_ERR(vma);
			if (!vma)
				break;
		}
		end = min(v->end, vma->vm_end);
		addr = max(addr, vma->vm_start);
		if (addr >= end)
			break;
		addr = lm_walk_vma_range(&w, vma, addr, end);
		if (addr < end)
			atomic_long_inc(&lm_vma_walk_yields);
		if (addr < v->end) {
			vma_end_read(vma);
			vma = NULL;
			ret = 1;
		}
	}
	if (ret && vma)
		vma_end_read(vma);
	return ret;
}
#endif

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
	sum->swap += mem->swap;
	sum->swap_pss += mem->swap_pss;
	sum->pss_locked += mem->pss_locked;
}
