// SPDX-License-Identifier: GPL-2.0
/*
 * Which files and VMAs are shared memory, told the way the kernel tells:
 *
 *   shmem_file()         a file whose address space has shmem_aops
 *   vma_is_shmem()	  (5.10) a VMA whose vm_ops are shmem_vm_ops
 *   vma_is_anon_shmem()  a VMA whose vm_ops are shmem_anon_vm_ops: shared
 *			  anonymous memory, and from 6.12 on every shmem file
 *			  that had no links when it was mapped (every memfd,
 *			  every unlinked tmpfs file); THP rules 6.11+ apply
 *			  the per-size shmem_enabled knobs to those alone
 *   memfd_create()	  a shmem or hugetlbfs file of a kernel-internal
 *			  mount, named "memfd:<name>"
 *
 * The vm_ops are never exported, shmem_aops only by 6.1 (shmem_mapping()
 * from 6.12 on).  At load, libmaps makes one unlinked shmem file of its
 * own, exactly as memfd_create() does, and keeps the two pointers the
 * kernel gives it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/string.h>

#include "compat.h"
#include "libmaps.h"

static const struct address_space_operations *lm_shmem_aops __read_mostly;
/* shmem_anon_vm_ops from 6.12 on, shmem_vm_ops before (compat.h) */
static const struct vm_operations_struct *lm_shmem_mmap_vm_ops __read_mostly;

int lm_shmem_init(void)
{
	struct file *file = lm_shmem_file_setup("libmaps");

	if (IS_ERR(file))
		return PTR_ERR(file);
	lm_shmem_aops = file->f_mapping->a_ops;
	lm_shmem_mmap_vm_ops = lm_shmem_mmap_ops(file);
	fput(file);
	return 0;
}

/* shmem_file(): is @file's page cache shmem's? */
bool lm_shmem_file(struct file *file)
{
	return file->f_mapping->a_ops == lm_shmem_aops;
}

/*
 * vma_is_anon_shmem(), where the THP rules need it (6.11+; 6.12 is the
 * first supported kernel, and the first known to map unlinked files so).
 */
bool lm_vma_is_anon_shmem(struct vm_area_struct *vma)
{
	return LM_SHMEM_UNLINKED_IS_ANON && lm_shmem_mmap_vm_ops &&
	       vma->vm_ops == lm_shmem_mmap_vm_ops;
}

/* 5.10's vma_is_shmem(): the ops shmem_mmap() and shmem_zero_setup() give. */
bool lm_vma_is_shmem_ops(struct vm_area_struct *vma)
{
	return !LM_SHMEM_UNLINKED_IS_ANON && lm_shmem_mmap_vm_ops &&
	       vma->vm_ops == lm_shmem_mmap_vm_ops;
}

/*
 * memfd_create() makes its files on shm_mnt or a hugetlbfs mount of the
 * kernel's own, not S_PRIVATE (SysV shm and shared /dev/zero are), and
 * names them "memfd:<name>".  Such a file has no path anyone could rename
 * it by; the name is read from a snapshot all the same.  A tmpfs file of
 * that name on a mount of the user's is a file like any other.
 */
bool lm_file_is_memfd(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct name_snapshot name;
	bool memfd;

	if (!(inode->i_sb->s_flags & SB_KERNMOUNT) || IS_PRIVATE(inode))
		return false;
	if (!lm_shmem_file(file) && inode->i_sb->s_magic != HUGETLBFS_MAGIC)
		return false;
	take_dentry_name_snapshot(&name, file->f_path.dentry);
	memfd = !strncmp((const char *)name.name.name, "memfd:", 6);
	release_dentry_name_snapshot(&name);
	return memfd;
}
