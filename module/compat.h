/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every "which kernel is this?" question libmaps asks is answered here, and
 * only here.  Each shim names the version that needs it and why; the rest of
 * the module calls the modern API.  Supported: 5.10, 6.1, 6.12, 7.x.
 */
#ifndef _LIBMAPS_COMPAT_H
#define _LIBMAPS_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/dcache.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mempolicy.h>
#include <linux/mount.h>
#include <linux/pid_namespace.h>
#include <linux/huge_mm.h>
#include <linux/magic.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>

/*
 * The one use of LINUX_VERSION_CODE.  checkpatch rightly warns about it
 * in-tree, where a compat header has no business; the lint run
 * (qemu/lint) ignores that one warning type and nothing else.
 */
#define LM_KERNEL_AT_LEAST(major, minor, sub) \
	(KERNEL_VERSION(major, minor, sub) <= LINUX_VERSION_CODE)

/*
 * ->setattr() gained the mount's user namespace in 5.12 (idmapped mounts)
 * and took a struct mnt_idmap instead in 6.3.  libmaps implements the
 * old two-argument form and wraps it.
 */
#if LM_KERNEL_AT_LEAST(6, 3, 0)
#define LM_SETATTR(fn)							\
static int fn##_compat(struct mnt_idmap *idmap, struct dentry *dentry,	\
		       struct iattr *attr)				\
{									\
	return fn(dentry, attr);					\
}
#elif LM_KERNEL_AT_LEAST(5, 12, 0)
#define LM_SETATTR(fn)							\
static int fn##_compat(struct user_namespace *ns,			\
		       struct dentry *dentry, struct iattr *attr)	\
{									\
	return fn(dentry, attr);					\
}
#else
#define LM_SETATTR(fn)							\
static int fn##_compat(struct dentry *dentry, struct iattr *attr)	\
{									\
	return fn(dentry, attr);					\
}
#endif

/*
 * 6.14 passes the parent directory and the name to ->d_revalidate()
 * (commit "make ->d_revalidate() take parent directory and name").  libmaps
 * implements the old two-argument form and wraps it.
 */
#if LM_KERNEL_AT_LEAST(6, 14, 0)
#define LM_D_REVALIDATE(fn)						\
static int fn##_compat(struct inode *dir, const struct qstr *name,	\
		       struct dentry *dentry, unsigned int flags)	\
{									\
	return fn(dentry, flags);					\
}
#else
#define LM_D_REVALIDATE(fn)						\
static int fn##_compat(struct dentry *dentry, unsigned int flags)	\
{									\
	return fn(dentry, flags);					\
}
#endif

/*
 * Before 6.15 finish_automount() insisted on two references to the new
 * mount (BUG_ON(mnt_get_count(mnt) < 2)), so ->d_automount() returned an
 * extra one, as trace_automount() did with mntget().  From 6.15 on the
 * mount is consumed with a single reference (__free(mntput)).  Checked in
 * the sources of 6.1 and 6.12 (two) and 7.2 (one).
 */
static inline struct vfsmount *lm_automount_ref(struct vfsmount *mnt)
{
#if !LM_KERNEL_AT_LEAST(6, 15, 0)
	return mntget(mnt);
#else
	return mnt;
#endif
}

/*
 * 6.17 hid super_block->s_d_op behind set_default_d_op(), which also sets
 * the matching DCACHE_OP_* flags.  (6.12 has the field, 7.2 only the
 * helper.)
 */
static inline void lm_set_default_d_op(struct super_block *sb,
				       const struct dentry_operations *ops)
{
#if LM_KERNEL_AT_LEAST(6, 17, 0)
	set_default_d_op(sb, ops);
#else
	sb->s_d_op = ops;
#endif
}

/* 6.6 added simple_inode_init_ts(); 6.1 sets the three stamps by hand. */
static inline void lm_inode_init_ts(struct inode *inode)
{
#if LM_KERNEL_AT_LEAST(6, 6, 0)
	simple_inode_init_ts(inode);
#else
	struct timespec64 now = current_time(inode);

	inode->i_atime = now;
	inode->i_mtime = now;
	inode->i_ctime = now;
#endif
}

/*
 * 6.8 added file_user_path(): for a backing file (overlayfs) maps prints
 * the path the user opened, not the real one.  6.1 has f_path only.
 */
static inline const struct path *lm_file_user_path(struct file *file)
{
#if LM_KERNEL_AT_LEAST(6, 8, 0)
	return file_user_path(file);
#else
	return &file->f_path;
#endif
}

/*
 * [heap] and [stack] as /proc/<pid>/maps decides them.  6.6 factored the
 * tests into vma_is_initial_heap()/vma_is_initial_stack() and made the
 * heap bounds strict; 6.1 open-codes the inclusive form in task_mmu.c.
 */
static inline bool lm_vma_is_heap(struct vm_area_struct *vma)
{
#if LM_KERNEL_AT_LEAST(6, 6, 0)
	return vma_is_initial_heap(vma);
#else
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
#endif
}

static inline bool lm_vma_is_stack(struct vm_area_struct *vma)
{
#if LM_KERNEL_AT_LEAST(6, 6, 0)
	return vma_is_initial_stack(vma);
#else
	return vma->vm_start <= vma->vm_mm->start_stack &&
	       vma->vm_end >= vma->vm_mm->start_stack;
#endif
}

/*
 * The name given by prctl(PR_SET_VMA_ANON_NAME), or NULL.  Kernels without
 * CONFIG_ANON_VMA_NAME (Debian's 6.1) have none.  On 6.1 anon_name shares a
 * union with the file-backed interval tree node ("valid only when vm_file
 * is NULL"); by 6.12 it is a field of its own and shmem mappings can be
 * named too ([anon_shmem:<name>]).  The caller holds the mmap lock or the
 * VMA's read lock, either of which keeps the name alive.
 */
static inline const char *lm_vma_anon_name(struct vm_area_struct *vma)
{
#ifdef CONFIG_ANON_VMA_NAME
#if !LM_KERNEL_AT_LEAST(6, 12, 0)
	if (vma->vm_file)
		return NULL;
#endif
	return vma->anon_name ? vma->anon_name->name : NULL;
#else
	return NULL;
#endif
}

/*
 * VmFlags bits that only some kernels have.  Defining the missing ones as
 * VM_NONE lets the mnemonic table name them unconditionally; a VM_NONE
 * entry names no bit.
 */
#ifndef VM_MAYBE_GUARD		/* after 6.12 (7.2 has it): "gu" */
#define VM_MAYBE_GUARD	VM_NONE
#endif
/*
 * smaps names VM_LOCKONFAULT "lf" only in later kernels (6.12 does; 5.10
 * and 6.1 leave the bit unnamed, so the view writes bit<N>).
 */
#if LM_KERNEL_AT_LEAST(6, 12, 0)
#define LM_VM_LOCKONFAULT_NAMED	VM_LOCKONFAULT
#else
#define LM_VM_LOCKONFAULT_NAMED	VM_NONE
#endif
#ifndef VM_DENYWRITE		/* gone in 5.15: "dw" */
#define VM_DENYWRITE	VM_NONE
#endif
#ifndef VM_SHADOW_STACK		/* not in 6.1: "ss" */
#define VM_SHADOW_STACK	VM_NONE
#endif
#ifndef VM_DROPPABLE		/* not in 6.1: "dp" */
#define VM_DROPPABLE	VM_NONE
#endif
#ifndef VM_SEALED		/* not in 6.1: "sl" */
#define VM_SEALED	VM_NONE
#endif

/*
 * Walking the VMAs in address order, from @addr.  6.1 keeps them in a
 * maple tree with an iterator; 5.10 links them in a list from mm->mmap.
 * Both are stable under the mmap read lock.
 */
#if LM_KERNEL_AT_LEAST(6, 1, 0)
struct lm_vma_iter {
	struct vma_iterator vmi;
};

static inline void lm_vma_iter_init(struct lm_vma_iter *it,
				    struct mm_struct *mm, unsigned long addr)
{
	vma_iter_init(&it->vmi, mm, addr);
}

static inline struct vm_area_struct *lm_vma_iter_next(struct lm_vma_iter *it)
{
	return vma_next(&it->vmi);
}
#else
struct lm_vma_iter {
	struct vm_area_struct *next;
};

static inline void lm_vma_iter_init(struct lm_vma_iter *it,
				    struct mm_struct *mm, unsigned long addr)
{
	it->next = addr ? find_vma(mm, addr) : mm->mmap;
}

static inline struct vm_area_struct *lm_vma_iter_next(struct lm_vma_iter *it)
{
	struct vm_area_struct *vma = it->next;

	if (vma)
		it->next = vma->vm_next;
	return vma;
}
#endif

/*
 * Did anyone hold the mmap lock for writing since @seq was read?  With
 * per-VMA locks, mm->mm_lock_seq moves whenever a writer releases or
 * downgrades the lock (vma_end_write_all()): read under the read lock and
 * unchanged under it later, nobody changed the map in between.  It is a
 * seqcount_t from 6.13 and in 6.12.y (Debian's 6.12 included); before,
 * an int that libmaps does not use.  Without it, LM_HAVE_MM_LOCK_SEQ is 0
 * and a snapshot is copied under one hold.
 */
#if LM_KERNEL_AT_LEAST(6, 12, 0) && defined(CONFIG_PER_VMA_LOCK)
#define LM_HAVE_MM_LOCK_SEQ	1

static inline unsigned int lm_mm_lock_seq(struct mm_struct *mm)
{
	mmap_assert_locked(mm);
	return READ_ONCE(mm->mm_lock_seq.sequence);
}
#else
#define LM_HAVE_MM_LOCK_SEQ	0

static inline unsigned int lm_mm_lock_seq(struct mm_struct *mm)
{
	return 0;
}
#endif

/*
 * Reading the VMAs under per-VMA locks, as maps does from 6.17
 * (fs/proc/task_mmu.c, lock_next_vma()).  lock_next_vma() is not exported;
 * lock_vma_under_rcu() is (EXPORT_SYMBOL_GPL), and it never waits: it
 * returns NULL when the VMA at the address is being changed.
 * vma_start_read_locked(), vma_end_read(), vma_assert_stabilised() and the
 * mmap_lock_speculate_*() pair are inlines of <linux/mmap_lock.h>.
 * Checked against 7.2's sources, the first of this rig's kernels to read
 * maps this way; earlier kernels copy under the mmap lock.
 */
#if LM_KERNEL_AT_LEAST(7, 0, 0) && defined(CONFIG_PER_VMA_LOCK)
#define LM_HAVE_VMA_READ	1

/* The VMA is held still, by the mmap lock or its own read lock. */
static inline void lm_assert_vma_held(struct vm_area_struct *vma)
{
	vma_assert_stabilised(vma);
}

/* Begin watching for a writer; false if one holds the lock now. */
static inline bool lm_mm_watch_begin(struct mm_struct *mm, unsigned int *seq)
{
	return mmap_lock_speculate_try_begin(mm, seq);
}

/* Did a writer take the mmap lock since lm_mm_watch_begin()? */
static inline bool lm_mm_watch_changed(struct mm_struct *mm, unsigned int seq)
{
	return mmap_lock_speculate_retry(mm, seq);
}

/*
 * Does a writer wait for @vma's readers to leave?  __vma_start_write()
 * sets this bit of vm_refcnt, then waits for the count to fall to it
 * (named VMA_LOCK_OFFSET before 7.2's vm_refcnt rework).
 */
#ifdef VM_REFCNT_EXCLUDE_READERS_FLAG
#define LM_VMA_WRITER_WAITS	VM_REFCNT_EXCLUDE_READERS_FLAG
#else
#define LM_VMA_WRITER_WAITS	VMA_LOCK_OFFSET
#endif

static inline bool lm_vma_writer_waits(struct vm_area_struct *vma)
{
	return refcount_read(&vma->vm_refcnt) & LM_VMA_WRITER_WAITS;
}
#else
#define LM_HAVE_VMA_READ	0

static inline void lm_assert_vma_held(struct vm_area_struct *vma)
{
	mmap_assert_locked(vma->vm_mm);
}

static inline bool lm_vma_writer_waits(struct vm_area_struct *vma)
{
	return false;
}
#endif

/*
 * Page tables.  pmdp_get_lockless() (not in 6.1; 6.12 and 7.2 have it)
 * reads an entry without its lock as the kernel's lockless walkers do;
 * before it, a READ_ONCE().
 */
static inline pmd_t lm_pmdp_get_lockless(pmd_t *pmdp)
{
#if LM_KERNEL_AT_LEAST(6, 12, 0)
	return pmdp_get_lockless(pmdp);
#else
	return READ_ONCE(*pmdp);
#endif
}

/* 6.12 marks huge PFN maps (vfio-pci's BARs) pmd_special(); 6.1 has none. */
static inline bool lm_pmd_special(pmd_t pmd)
{
#if LM_KERNEL_AT_LEAST(6, 12, 0)
	return pmd_special(pmd);
#else
	return false;
#endif
}

/*
 * arm64 sets its contiguous bit in each PTE of an aligned block of
 * CONT_PTES pages of one folio, mapped alike, so that the TLB may cache
 * the block as one entry: since 6.9 for any large folio of anonymous or
 * file memory (contpte, CONFIG_ARM64_CONTPTE); before, only for hugetlb
 * pages, which the walk does not count.  ptep_get() keeps the bit.
 * x86_64 has no such bit.
 */
static inline bool lm_pte_cont(pte_t pte)
{
#ifdef CONFIG_ARM64
	return pte_cont(pte);
#else
	return false;
#endif
}

/*
 * Device memory mapped by a PMD carried the devmap bit until it was
 * removed (7.2 has no CONFIG_ARCH_HAS_PTE_DEVMAP; 6.12 has it).
 */
static inline bool lm_pmd_devmap(pmd_t pmd)
{
#ifdef CONFIG_ARCH_HAS_PTE_DEVMAP
	return pmd_devmap(pmd);
#else
	return false;
#endif
}

/*
 * The page of a non-present PMD entry smaps counts, or NULL; the PMD
 * lock is held.  5.10 counts migration entries (migration_entry_to_page()),
 * 6.1 and 6.12 every entry with a PFN (pfn_swap_entry_to_page()), 7.x the
 * same through leaf entries (<linux/leafops.h>: 7.2 has it, 6.12 not; 6.19
 * is the release that brought it as far as known).
 */
#if LM_KERNEL_AT_LEAST(6, 19, 0)
#include <linux/leafops.h>

static inline struct page *lm_pmd_migration_page(pmd_t pmd)
{
	softleaf_t entry = softleaf_from_pmd(pmd);

	return softleaf_has_pfn(entry) ? softleaf_to_page(entry) : NULL;
}
#else
#include <linux/swapops.h>

static inline struct page *lm_pmd_migration_page(pmd_t pmd)
{
	swp_entry_t entry = pmd_to_swp_entry(pmd);

#if LM_KERNEL_AT_LEAST(6, 1, 0)
	return is_pfn_swap_entry(entry) ? pfn_swap_entry_to_page(entry) : NULL;
#else
	return is_migration_entry(entry) ? migration_entry_to_page(entry) : NULL;
#endif
}
#endif

/*
 * smaps' memory counts (walk.c), where the kernels differ.
 *
 * What kind of entry a page is behind: present (and, 6.12+, device
 * private), a migration entry, or another entry with a PFN (hwpoison,
 * device exclusive).  5.10 and 6.1 count a page behind a migration entry
 * whole and private and any other by its mapcount; 6.12 and 7.x every page
 * behind a non-present entry whole and shared ("maybe shared, but not sure
 * how often").
 */
enum lm_entry {
	LM_ENTRY_PRESENT,
	LM_ENTRY_MIGRATION,
	LM_ENTRY_OTHER,
};

#define LM_SMAPS_NONPRESENT_SHARED	LM_KERNEL_AT_LEAST(6, 12, 0)

static inline bool lm_smaps_whole(enum lm_entry kind)
{
	if (LM_SMAPS_NONPRESENT_SHARED)
		return kind != LM_ENTRY_PRESENT;
	return kind == LM_ENTRY_MIGRATION;
}

static inline bool lm_smaps_whole_private(enum lm_entry kind)
{
	return !LM_SMAPS_NONPRESENT_SHARED || kind == LM_ENTRY_PRESENT;
}

/*
 * A page's mapcount as smaps reads it: page_mapcount() on 5.10 and 6.1,
 * folio_precise_page_mapcount() from 6.12 on (fs/proc/internal.h, not a
 * header a module may include; copied).  7.x kernels built with
 * CONFIG_NO_PAGE_MAPCOUNT (Debian's is CONFIG_PAGE_MAPCOUNT) have smaps
 * use an average instead, which this does not follow.
 */
static inline int lm_page_mapcount(struct page *page)
{
#if LM_KERNEL_AT_LEAST(6, 12, 0)
	struct folio *folio = page_folio(page);
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (page_mapcount_is_type(mapcount))
		mapcount = 0;
	if (folio_test_large(folio))
		mapcount += folio_entire_mapcount(folio);
	return mapcount;
#else
	return page_mapcount(page);
#endif
}

/*
 * A special PTE's page: what the VMA's own hook says (Xen's gntdev has
 * one), find_special_page() up to 6.12, find_normal_page() in 7.x.
 */
static inline struct page *lm_vma_find_special_page(struct vm_area_struct *vma,
						    unsigned long addr)
{
#if LM_KERNEL_AT_LEAST(6, 19, 0)
#ifdef CONFIG_FIND_NORMAL_PAGE
	if (vma->vm_ops && vma->vm_ops->find_normal_page)
		return vma->vm_ops->find_normal_page(vma, addr);
#endif
#else
	if (vma->vm_ops && vma->vm_ops->find_special_page)
		return vma->vm_ops->find_special_page(vma, addr);
#endif
	return NULL;
}

/* A PMD that maps a huge page itself, not a PTE table. */
static inline bool lm_pmd_is_leaf(pmd_t pmd)
{
	return pmd_trans_huge(pmd) || lm_pmd_devmap(pmd);
}

/*
 * The page of a present huge PMD that smaps accounts: 5.10 and 6.1 take
 * follow_trans_huge_pmd()'s, any (device memory too); 6.12 and 7.x
 * vm_normal_page_pmd()'s, none for a special or devmap PMD.  The huge zero
 * page is told by its lack of a mapping (walk.c).
 */
static inline struct page *lm_pmd_page(pmd_t pmd)
{
	if (lm_pmd_special(pmd))
		return NULL;
	if (LM_KERNEL_AT_LEAST(6, 12, 0) && lm_pmd_devmap(pmd))
		return NULL;
	return pfn_valid(pmd_pfn(pmd)) ? pmd_page(pmd) : NULL;
}

/* The page behind a non-present huge PMD: only migration entries have one. */
static inline struct page *lm_pmd_entry_page(pmd_t pmd, enum lm_entry *kind)
{
	*kind = LM_ENTRY_MIGRATION;
	return lm_pmd_migration_page(pmd);
}

/*
 * The page behind a non-present PTE that smaps accounts, and its kind;
 * swap entries are not counted here.  5.10: migration and device private
 * entries; 6.1 and 6.12: every entry with a PFN; 7.x: the same as leaf
 * entries.
 */
static inline struct page *lm_pte_entry_page(pte_t pte, enum lm_entry *kind)
{
#if LM_KERNEL_AT_LEAST(6, 19, 0)
	softleaf_t entry = softleaf_from_pte(pte);

	if (!softleaf_has_pfn(entry))
		return NULL;
	*kind = softleaf_is_device_private(entry) ? LM_ENTRY_PRESENT :
		softleaf_is_migration(entry) ? LM_ENTRY_MIGRATION :
					       LM_ENTRY_OTHER;
	return softleaf_to_page(entry);
#else
	swp_entry_t entry = pte_to_swp_entry(pte);

#if LM_KERNEL_AT_LEAST(6, 1, 0)
	if (!is_pfn_swap_entry(entry))
		return NULL;
	*kind = is_device_private_entry(entry) ? LM_ENTRY_PRESENT :
		is_migration_entry(entry) ? LM_ENTRY_MIGRATION : LM_ENTRY_OTHER;
	return pfn_swap_entry_to_page(entry);
#else
	if (is_migration_entry(entry)) {
		*kind = LM_ENTRY_MIGRATION;
		return migration_entry_to_page(entry);
	}
	if (is_device_private_entry(entry)) {
		*kind = LM_ENTRY_PRESENT;
		return device_private_entry_to_page(entry);
	}
	return NULL;
#endif
#endif
}

/*
 * Whether @pte is a swap entry, one smaps counts as Swap (not a
 * migration, device or marker entry), and its value in @val: the entry
 * without the PTE's software bits (soft-dirty, exclusive, uffd-wp), which
 * a fork parent and child may set differently.  7.x: leaf entries.
 */
static inline bool lm_pte_swap(pte_t pte, unsigned long *val)
{
#if LM_KERNEL_AT_LEAST(6, 19, 0)
	softleaf_t entry = softleaf_from_pte(pte);

	*val = entry.val;
	return softleaf_is_swap(entry);
#else
	swp_entry_t entry;

	if (pte_none(pte) || pte_present(pte))
		return false;
	entry = pte_to_swp_entry(pte);
	*val = entry.val;
	return !non_swap_entry(entry);
#endif
}

/*
 * The pages one entry of a shmem mapping's page cache stands for, as
 * shmem_partial_swap_usage() counts them: from 6.10 shmem swaps large
 * folios out whole, as one multi-index value entry (xas_get_order(),
 * exported from then on); before, every value entry is one page.
 */
static inline unsigned long lm_xas_pages(struct xa_state *xas)
{
#if LM_KERNEL_AT_LEAST(6, 10, 0)
	return 1UL << xas_get_order(xas);
#else
	return 1;
#endif
}

/*
 * The first pid at or after @nr in @ns, under rcu_read_lock().
 * find_ge_pid() is exported from 5.11 on; on 5.10 it is this idr walk.
 */
static inline struct pid *lm_find_ge_pid(int nr, struct pid_namespace *ns)
{
#if LM_KERNEL_AT_LEAST(5, 11, 0)
	return find_ge_pid(nr, ns);
#else
	return idr_get_next(&ns->idr, &nr);
#endif
}

/*
 * What __mpol_equal() compares of two NUMA policies of the same mode and
 * flags, past the user nodemask: the home node (5.17+) and the nodes of
 * the mode.  5.10 keeps a local policy as MPOL_PREFERRED with the
 * internal flag MPOL_F_LOCAL, and its nodes in a union with the
 * preferred node; by 6.1 MPOL_LOCAL is a mode of its own, whose nodes
 * are never compared, and the union is gone (the exact release is not
 * pinned down here).
 */
#ifdef CONFIG_NUMA
static inline bool lm_mpol_nodes_equal(struct mempolicy *a,
				       struct mempolicy *b)
{
#if LM_KERNEL_AT_LEAST(5, 17, 0)
	if (a->home_node != b->home_node)
		return false;
#endif
#if LM_KERNEL_AT_LEAST(5, 15, 0)
	return a->mode == MPOL_LOCAL || nodes_equal(a->nodes, b->nodes);
#else
	if (a->mode == MPOL_PREFERRED)
		return (a->flags & MPOL_F_LOCAL) ||
		       a->v.preferred_node == b->v.preferred_node;
	return nodes_equal(a->v.nodes, b->v.nodes);
#endif
}
#endif /* CONFIG_NUMA */

/*
 * VMA merging.  Flags that never keep two VMAs apart: VM_SOFTDIRTY, and
 * in 7.x also VM_MAYBE_GUARD (VMA_STICKY_FLAGS).
 */
#define LM_VM_IGNORE_MERGE	(VM_SOFTDIRTY | VM_MAYBE_GUARD)

/*
 * The order in which the kernel tests the merge rules, for two VMAs of
 * which one would be merged into the other (adjacency is tested first).
 * 5.10 and 6.1, mm/mmap.c: vma_merge() tests VM_SPECIAL and the policy,
 * then is_mergeable_vma() flags, file, vm_ops->close, uffd context and
 * (6.1) anon name, then is_mergeable_anon_vma() and the offsets.  6.12
 * and 7.x, mm/vma.c: is_mergeable_vma() no longer tests ->close;
 * vma_merge_existing_range() refuses to remove a VMA that has one
 * (can_merge_remove_vma()) only once every other rule allowed the merge.
 * Where between 6.1 and 6.12 the test moved is not pinned down here.
 */
#if LM_KERNEL_AT_LEAST(6, 12, 0)
#define LM_MERGE_ORDER							\
	LM_MERGE_SPECIAL, LM_MERGE_MEMPOLICY, LM_MERGE_FLAGS,		\
	LM_MERGE_FILE, LM_MERGE_UFFD, LM_MERGE_ANON_NAME,		\
	LM_MERGE_ANON_VMA, LM_MERGE_OFFSET, LM_MERGE_CLOSE
#else
#define LM_MERGE_ORDER							\
	LM_MERGE_SPECIAL, LM_MERGE_MEMPOLICY, LM_MERGE_FLAGS,		\
	LM_MERGE_FILE, LM_MERGE_CLOSE, LM_MERGE_UFFD,			\
	LM_MERGE_ANON_NAME, LM_MERGE_ANON_VMA, LM_MERGE_OFFSET
#endif

/* The userfaultfd context a VMA is registered with, as an opaque cookie. */
static inline const void *lm_vma_uffd_ctx(struct vm_area_struct *vma)
{
#ifdef CONFIG_USERFAULTFD
	return vma->vm_userfaultfd_ctx.ctx;
#else
	return NULL;
#endif
}

/*
 * smaps' KernelPageSize: vma_kernel_pagesize(), whose export 7.2 dropped;
 * it is this much.
 */
static inline unsigned long lm_vma_pagesize(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->pagesize)
		return vma->vm_ops->pagesize(vma);
	return PAGE_SIZE;
}

/*
 * An unlinked shmem file of no size, as memfd_create() makes one.  The
 * flags became a vma_flags_t by 7.2 (6.12 takes vm_flags; the release in
 * between that changed it is not pinned down here).  VM_NORESERVE, as
 * memfd_create() passes: nothing is accounted.
 */
static inline struct file *lm_shmem_file_setup(const char *name)
{
#if LM_KERNEL_AT_LEAST(7, 2, 0)
	return shmem_file_setup(name, 0, mk_vma_flags(VMA_NORESERVE_BIT));
#else
	return shmem_file_setup(name, 0, VM_NORESERVE);
#endif
}

/*
 * The vm_ops shmem's mmap gives @file, an unlinked shmem file:
 * shmem_anon_vm_ops from 6.12 (mm/shmem.c: "anonymous shared memory if it
 * is unlinked at the time of mmap"), the ops vma_is_anon_shmem() looks
 * for; shmem_vm_ops before, the ops 5.10's vma_is_shmem() looks for.
 * 6.16 brought ->mmap_prepare(), which shmem has in 7.2 and which fills a
 * descriptor; before, ->mmap() fills a VMA (zeroed, with an empty range,
 * so that 5.10's shmem_mmap() asks khugepaged for nothing).  Neither
 * touches more than the file and the fields it sets.
 */
#define LM_SHMEM_UNLINKED_IS_ANON	LM_KERNEL_AT_LEAST(6, 12, 0)

static inline const struct vm_operations_struct *
lm_shmem_mmap_ops(struct file *file)
{
#if LM_KERNEL_AT_LEAST(6, 16, 0)
	if (file->f_op->mmap_prepare) {
		struct vm_area_desc desc = { .file = file, .vm_file = file };

		return file->f_op->mmap_prepare(&desc) ? NULL : desc.vm_ops;
	}
#endif
	if (file->f_op->mmap) {
		struct vm_area_struct vma = { .vm_file = file };

		return file->f_op->mmap(file, &vma) ? NULL : vma.vm_ops;
	}
	return NULL;
}

/*
 * Transparent huge pages: the rules behind smaps' THPeligible that changed
 * between the supported kernels (thp.c follows the kernel's order; these
 * shims only say which variant of a rule the running kernel has).
 *
 *   6.1   show_smap() -> hugepage_vma_check(vma, vm_flags, true, false, true)
 *   6.12  show_smap() -> thp_vma_allowable_orders(vma, vm_flags,
 *			  TVA_SMAPS | TVA_ENFORCE_SYSFS, THP_ORDERS_ALL)
 *   7.2   show_smap() -> thp_vma_allowable_orders(vma, vm_flags, TVA_SMAPS,
 *			  THP_ORDERS_ALL)
 *
 * Only 6.1, 6.12 and 7.2 are checked against their sources.  Where a rule
 * appeared in a release between two of them, the version below is the
 * release of the upstream commit as far as it is known, and says so when
 * it is not.
 *
 * Needs LM_KERNEL_AT_LEAST() and the includes at the top of compat.h, and
 * <uapi/linux/magic.h> for SECRETMEM_MAGIC.
 */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE

/* secretmem (and its magic) came in 5.14; 5.10 has none. */
#ifndef SECRETMEM_MAGIC
#define SECRETMEM_MAGIC		0x5345434d
#endif

/*
 * 5.10's smaps asks transparent_hugepage_active() (mm/huge_memory.c:73):
 * the PMD size fits, then anonymous memory by its own rule, then
 * vma_is_shmem() (the VMA's ops, not its file: SysV shm is no shmem to
 * it), else no.  hugepage_vma_check() replaced it by 6.1 (6.0 as far as
 * known).
 */
#define LM_THP_ACTIVE_510	(!LM_KERNEL_AT_LEAST(6, 0, 0))

/*
 * 6.8 brought multi-size THP ("mm: thp: support allocation of anonymous
 * multi-size THP"): per-size hugepages-<size>kB/enabled knobs, and smaps
 * asks thp_vma_allowable_orders() about a mask of orders instead of
 * hugepage_vma_check() about the PMD size.
 */
#define LM_THP_MTHP		LM_KERNEL_AT_LEAST(6, 8, 0)

/* 6.11: per-size hugepages-<size>kB/shmem_enabled for anonymous shmem. */
#define LM_THP_SHMEM_MTHP	LM_KERNEL_AT_LEAST(6, 11, 0)

/*
 * 6.12 ("mm: don't install PMD mappings when THPs are disabled by the
 * hw/process/vma", thp_disabled_by_hw()) tests the firmware's verdict
 * before MADV_NOHUGEPAGE and the prctl; 6.1 tests it after them.  The
 * same kernels let smaps skip the VM_NO_KHUGEPAGED test (huge PFN maps).
 */
#define LM_THP_HW_FIRST		LM_KERNEL_AT_LEAST(6, 12, 0)
#define LM_THP_SMAPS_SPECIAL	LM_KERNEL_AT_LEAST(6, 12, 0)

/*
 * 6.14 (tmpfs large folios) lets the huge= mount option give every page
 * cache order and makes smaps mask shmem's answer with the orders that
 * fit; 6.12 answers with the PMD order alone and takes it as it is.
 */
#define LM_THP_SHMEM_ORDERS	LM_KERNEL_AT_LEAST(6, 14, 0)

/* The orders a huge anonymous folio may have. */
static inline unsigned long lm_thp_anon_orders(void)
{
#if LM_THP_MTHP
	return THP_ORDERS_ALL_ANON;
#else
	return BIT(HPAGE_PMD_ORDER);
#endif
}

/* The orders of the per-size shmem_enabled knobs (6.11+). */
static inline unsigned long lm_thp_file_orders(void)
{
#if LM_THP_MTHP
	return THP_ORDERS_ALL_FILE_DEFAULT;
#else
	return BIT(HPAGE_PMD_ORDER);
#endif
}

/*
 * The orders __thp_vma_allowable_orders() supports for this kind of VMA.
 * 6.12: DAX, or a file mapping with VM_PFNMAP/VM_MIXEDMAP, may be PMD or
 * PUD mapped (vma_is_special_huge()); 7.x (THP_ORDERS_ALL_SPECIAL_DAX)
 * also a PFN map without a file, such as [vvar].
 */
static inline unsigned long lm_thp_supported_orders(struct vm_area_struct *vma)
{
#if !LM_THP_MTHP
	return BIT(HPAGE_PMD_ORDER);
#else
	if (vma_is_anonymous(vma))
		return THP_ORDERS_ALL_ANON;
#ifdef THP_ORDERS_ALL_SPECIAL_DAX
	if (vma_is_dax(vma) || (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)))
		return THP_ORDERS_ALL_SPECIAL_DAX;
#else
	if (vma_is_special_huge(vma))
		return THP_ORDERS_ALL_SPECIAL;
#endif
	return THP_ORDERS_ALL_FILE_DEFAULT;
#endif
}

/*
 * prctl(PR_SET_THP_DISABLE).  6.18 added PR_THP_DISABLE_EXCEPT_ADVISED:
 * MMF_DISABLE_THP became MMF_DISABLE_THP_COMPLETELY, and the new
 * MMF_DISABLE_THP_EXCEPT_ADVISED spares VMAs with MADV_HUGEPAGE
 * (vma_thp_disabled()).  The mm flags became a bitmap then too.
 */
static inline bool lm_thp_prctl_all(struct mm_struct *mm)
{
#ifdef MMF_DISABLE_THP_COMPLETELY
	return mm_flags_test(MMF_DISABLE_THP_COMPLETELY, mm);
#else
	return test_bit(MMF_DISABLE_THP, &mm->flags);
#endif
}

static inline bool lm_thp_prctl_unadvised(struct mm_struct *mm)
{
#ifdef MMF_DISABLE_THP_EXCEPT_ADVISED
	return mm_flags_test(MMF_DISABLE_THP_EXCEPT_ADVISED, mm);
#else
	return false;
#endif
}

/* What huge= on the mount (or shmem_enabled) grants: see LM_THP_SHMEM_ORDERS. */
static inline unsigned long lm_shmem_mount_orders(void)
{
#if LM_THP_SHMEM_ORDERS
	return THP_ORDERS_ALL_FILE_DEFAULT;
#else
	return BIT(HPAGE_PMD_ORDER);
#endif
}

/*
 * file_thp_enabled(): may this file's page cache be huge?  The first test
 * that fails, in the kernel's order.
 *
 *   6.1   CONFIG_READ_ONLY_THP_FOR_FS, VM_EXEC, nobody has it open for
 *	   writing, regular file (include/linux/huge_mm.h:157)
 *   6.12  not secretmem (memfd_secret(): its aops are not exported, but
 *	   its files, and only they, live on the secretmem pseudo fs), then
 *	   as 6.1 without VM_EXEC (include/linux/huge_mm.h:257)
 *   7.x   not an anonymous inode, a mapping with PMD-sized folios,
 *	   regular file (mm/huge_memory.c:95)
 *
 * Which releases between 6.1 and 6.12, and between 6.12 and 7.2, made
 * these changes is not pinned down here: the versions below are only
 * known to split the supported kernels right.
 */
enum lm_file_thp {
	LM_FILE_THP_OK,
	LM_FILE_THP_NO_FILE,
	LM_FILE_THP_CONFIG,	/* 6.1/6.12: !READ_ONLY_THP_FOR_FS; 7.x: no PMD folios */
	LM_FILE_THP_NOEXEC,
	LM_FILE_THP_ANON_INODE,
	LM_FILE_THP_WRITABLE,
	LM_FILE_THP_NOT_REGULAR,
};

static inline enum lm_file_thp lm_file_thp_enabled(struct vm_area_struct *vma)
{
	struct inode *inode;

	if (!vma->vm_file)
		return LM_FILE_THP_NO_FILE;
	inode = file_inode(vma->vm_file);
#if LM_KERNEL_AT_LEAST(7, 0, 0)
	if (IS_ANON_FILE(inode))
		return LM_FILE_THP_ANON_INODE;
	if (!mapping_pmd_folio_support(vma->vm_file->f_mapping))
		return LM_FILE_THP_CONFIG;
#else
	if (LM_KERNEL_AT_LEAST(6, 12, 0) && IS_ENABLED(CONFIG_SECRETMEM) &&
	    inode->i_sb->s_magic == SECRETMEM_MAGIC)
		return LM_FILE_THP_ANON_INODE;
	if (!IS_ENABLED(CONFIG_READ_ONLY_THP_FOR_FS))
		return LM_FILE_THP_CONFIG;
	if (!LM_KERNEL_AT_LEAST(6, 12, 0) && !(vma->vm_flags & VM_EXEC))
		return LM_FILE_THP_NOEXEC;
	if (inode_is_open_for_write(inode))
		return LM_FILE_THP_WRITABLE;
#endif
	if (!S_ISREG(inode->i_mode))
		return LM_FILE_THP_NOT_REGULAR;
	return LM_FILE_THP_OK;
}

#endif /* CONFIG_TRANSPARENT_HUGEPAGE */

#endif /* _LIBMAPS_COMPAT_H */
