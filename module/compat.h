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
 * named too ([anon_shmem:<name>]).  The caller holds the mmap lock, which
 * keeps the name alive.
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
 * Walking the VMAs in address order.  6.1 keeps them in a maple tree with
 * an iterator; 5.10 links them in a list from mm->mmap.  Both are stable
 * under the mmap read lock.
 */
#if LM_KERNEL_AT_LEAST(6, 1, 0)
struct lm_vma_iter {
	struct vma_iterator vmi;
};

static inline void lm_vma_iter_init(struct lm_vma_iter *it,
				    struct mm_struct *mm)
{
	vma_iter_init(&it->vmi, mm, 0);
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
				    struct mm_struct *mm)
{
	it->next = mm->mmap;
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
 * The nodes of two NUMA policies of the same mode, as __mpol_equal()
 * compares them.  5.10 keeps them in a union with the preferred node
 * (gone by 6.1; the exact release is not pinned down here); 5.17 added
 * a home node.
 */
#ifdef CONFIG_NUMA
static inline bool lm_mpol_nodes_equal(struct mempolicy *a,
				       struct mempolicy *b)
{
#if LM_KERNEL_AT_LEAST(5, 17, 0)
	return a->home_node == b->home_node && nodes_equal(a->nodes, b->nodes);
#elif LM_KERNEL_AT_LEAST(5, 15, 0)
	return nodes_equal(a->nodes, b->nodes);
#else
	if (a->mode == MPOL_PREFERRED)
		return a->v.preferred_node == b->v.preferred_node;
	return nodes_equal(a->v.nodes, b->v.nodes);
#endif
}
#endif /* CONFIG_NUMA */

/*
 * VMA merging.  Flags that never keep two VMAs apart: VM_SOFTDIRTY, and
 * in 7.x also VM_MAYBE_GUARD (VMA_STICKY_FLAGS).
 */
#define LM_VM_IGNORE_MERGE	(VM_SOFTDIRTY | VM_MAYBE_GUARD)

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
 * Transparent huge pages: how smaps decides THPeligible (thp.c follows
 * the kernel's order of rules; these are the rules that changed).
 * "7.x" marks what 7.2 does and 6.12 does not; the exact release in
 * between where each changed is not pinned down here.
 */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE

/*
 * 6.8 brought multi-size THP: per-size sysfs knobs and a mask of orders
 * in thp_vma_allowable_orders().  6.1 decides for the PMD size only.
 */
#if LM_KERNEL_AT_LEAST(6, 8, 0)
#define LM_THP_ORDERS	1
#else
#define LM_THP_ORDERS	0
#endif

/* The orders smaps asks about for this kind of VMA. */
static inline unsigned long lm_thp_supported_orders(struct vm_area_struct *vma)
{
#if !LM_THP_ORDERS
	return BIT(HPAGE_PMD_ORDER);
#else
	if (vma_is_anonymous(vma))
		return THP_ORDERS_ALL_ANON;
#ifdef THP_ORDERS_ALL_SPECIAL_DAX	/* 7.x: any pfnmap/mixedmap, or DAX */
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
 * prctl(PR_SET_THP_DISABLE).  7.x can disable THP for the whole process
 * or only where MADV_HUGEPAGE was not given; older kernels have one bit.
 */
static inline bool lm_mm_thp_disabled(struct vm_area_struct *vma,
				      vm_flags_t flags)
{
#ifdef MMF_DISABLE_THP_COMPLETELY
	return mm_flags_test(MMF_DISABLE_THP_COMPLETELY, vma->vm_mm) ||
	       (!(flags & VM_HUGEPAGE) &&
		mm_flags_test(MMF_DISABLE_THP_EXCEPT_ADVISED, vma->vm_mm));
#else
	return test_bit(MMF_DISABLE_THP, &vma->vm_mm->flags);
#endif
}

/*
 * shmem_file(): shmem_mapping() is exported from 6.12 on (and only an
 * inline comparing against the unexported shmem_aops on 6.1, where the
 * tmpfs superblock magic says the same for the files users can map).
 */
static inline bool lm_shmem_file(struct file *file)
{
#if LM_KERNEL_AT_LEAST(6, 12, 0)
	return shmem_mapping(file->f_mapping);
#else
	return file_inode(file)->i_sb->s_magic == TMPFS_MAGIC;
#endif
}

/*
 * vma_is_anon_shmem() is not exported: a MAP_SHARED|MAP_ANONYMOUS mapping
 * is the kernel-internal (S_PRIVATE) shmem file shmem_zero_setup() names
 * "dev/zero".
 */
static inline bool lm_vma_is_anon_shmem(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;

	return file && IS_PRIVATE(file_inode(file)) &&
	       !strcmp(file->f_path.dentry->d_name.name, "dev/zero");
}

/*
 * 7.x lets tmpfs huge= give any page-cache order and masks shmem's answer
 * with the orders that fit; 6.12 answers with the PMD order alone and
 * smaps takes that answer as it is.
 */
static inline unsigned long lm_shmem_huge_orders(void)
{
#if LM_KERNEL_AT_LEAST(7, 0, 0)
	return THP_ORDERS_ALL_FILE_DEFAULT;
#else
	return BIT(HPAGE_PMD_ORDER);
#endif
}

static inline bool lm_thp_shmem_masks_orders(void)
{
	return LM_KERNEL_AT_LEAST(7, 0, 0);
}

/*
 * file_thp_enabled(): up to 6.12 only with CONFIG_READ_ONLY_THP_FOR_FS
 * and a file nobody has open for writing; 7.x whenever the file's page
 * cache takes PMD-sized folios.
 */
static inline bool lm_file_thp_enabled(struct vm_area_struct *vma)
{
	struct inode *inode;

	if (!vma->vm_file)
		return false;
	inode = file_inode(vma->vm_file);
#if LM_KERNEL_AT_LEAST(7, 0, 0)
	return !IS_ANON_FILE(inode) &&
	       mapping_pmd_folio_support(vma->vm_file->f_mapping) &&
	       S_ISREG(inode->i_mode);
#else
	return IS_ENABLED(CONFIG_READ_ONLY_THP_FOR_FS) &&
	       !inode_is_open_for_write(inode) && S_ISREG(inode->i_mode);
#endif
}

#endif /* CONFIG_TRANSPARENT_HUGEPAGE */

#endif /* _LIBMAPS_COMPAT_H */
