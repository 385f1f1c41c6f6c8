/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every "which kernel is this?" question libmaps asks is answered here, and
 * only here.  Each shim names the version that needs it and why; the rest of
 * the module calls the modern API.  Supported: 6.1, 6.12, 7.x.
 */
#ifndef _LIBMAPS_COMPAT_H
#define _LIBMAPS_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/dcache.h>
#include <linux/mm.h>
#include <linux/mount.h>

/*
 * 6.14 passes the parent directory and the name to ->d_revalidate()
 * (commit "make ->d_revalidate() take parent directory and name").  libmaps
 * implements the old two-argument form and wraps it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
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
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 15, 0)
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
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	set_default_d_op(sb, ops);
#else
	sb->s_d_op = ops;
#endif
}

/* 6.6 added simple_inode_init_ts(); 6.1 sets the three stamps by hand. */
static inline void lm_inode_init_ts(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	simple_inode_init_ts(inode);
#else
	inode->i_atime = inode->i_mtime = inode->i_ctime = current_time(inode);
#endif
}

/*
 * 6.8 added file_user_path(): for a backing file (overlayfs) maps prints
 * the path the user opened, not the real one.  6.1 has f_path only.
 */
static inline const struct path *lm_file_user_path(struct file *file)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
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
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return vma_is_initial_heap(vma);
#else
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
#endif
}

static inline bool lm_vma_is_stack(struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
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
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
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
#ifndef VM_SHADOW_STACK		/* not in 6.1: "ss" */
#define VM_SHADOW_STACK	VM_NONE
#endif
#ifndef VM_DROPPABLE		/* not in 6.1: "dp" */
#define VM_DROPPABLE	VM_NONE
#endif
#ifndef VM_SEALED		/* not in 6.1: "sl" */
#define VM_SEALED	VM_NONE
#endif

#endif /* _LIBMAPS_COMPAT_H */
