// SPDX-License-Identifier: GPL-2.0
/*
 * The walk.  lm_snapshot_take() is the one place libmaps locks a task's
 * map: it copies the facts the view needs about every VMA, in address
 * order, then walks their page tables (walk.c), and releases the locks
 * before anything is formatted.  Where maps is read under per-VMA locks
 * (7.0+), so is the copy, one VMA and the one before it at a time, each
 * VMA's page tables walked under the lock its copy took, and a copy the
 * map changed under is marked state=changed.  Otherwise it holds
 * the mmap lock for one short batch of VMAs at a time where the kernel
 * can tell whether the map changed between two holds, and starts again if
 * it did, or under a single hold: that view is never torn, whatever the
 * target does meanwhile.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/mm.h>
#include <linux/hugetlb_inline.h>
#include <linux/mmap_lock.h>
#include <linux/moduleparam.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "libmaps.h"
#include "thp.h"

/* Names a kernel special mapping may give (vm_ops->name) with a kind of their own. */
static const struct {
	const char *name;
	enum lm_kind kind;
} lm_special_kinds[] = {
	{ "[vdso]",	LM_KIND_VDSO },
	{ "[vvar]",	LM_KIND_VVAR },
	{ "[vsyscall]",	LM_KIND_VSYSCALL },
};

static enum lm_kind lm_special_kind(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lm_special_kinds); i++)
		if (!strcmp(name, lm_special_kinds[i].name))
			return lm_special_kinds[i].kind;
	return LM_KIND_SPECIAL;
}

/*
 * Decide what a VMA is called, in the order get_vma_name() in
 * fs/proc/task_mmu.c decides it, and copy the name if it is not implied by
 * the kind.  Returns -ENOMEM if a name could not be copied.
 */
static int lm_vma_name(struct vm_area_struct *vma, struct lm_vma *v)
{
	const char *anon_name = lm_vma_anon_name(vma);
	const char *name = NULL;

	lm_assert_vma_held(vma);

	if (!vma->vm_file && vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);

	if (vma->vm_file) {
		v->kind = anon_name ? LM_KIND_ANON_SHMEM : LM_KIND_FILE;
		name = anon_name;
	} else if (name) {
		v->kind = lm_special_kind(name);
		if (v->kind != LM_KIND_SPECIAL)
			name = NULL;
	} else if (lm_vma_is_heap(vma)) {
		v->kind = LM_KIND_HEAP;
	} else if (lm_vma_is_stack(vma)) {
		v->kind = LM_KIND_STACK;
	} else if (anon_name) {
		v->kind = LM_KIND_ANON_NAMED;
		name = anon_name;
	} else {
		v->kind = LM_KIND_ANON;
	}

	if (!name)
		return 0;
	v->name = kstrdup(name, GFP_KERNEL_ACCOUNT);
	return v->name ? 0 : -ENOMEM;
}

/*
 * Is @prev, the VMA before @vma, private writable file data that ends
 * where @vma starts, so that @vma may be its zero-filled rest (bss)?
 */
static bool lm_after_data(struct vm_area_struct *prev,
			  struct vm_area_struct *vma)
{
	return prev && prev->vm_end == vma->vm_start && prev->vm_file &&
	       !lm_vma_anon_name(prev) &&
	       (prev->vm_flags & (VM_MAYSHARE | VM_WRITE)) == VM_WRITE;
}

/*
 * Copy the facts about @vma into @v; @prev is the VMA before it in @vma's
 * map, held too, or NULL if it is the first.
 */
static int lm_vma_copy(struct vm_area_struct *vma, struct vm_area_struct *prev,
		       const struct lm_thp_global *thp, struct lm_vma *v)
{
	lm_assert_vma_held(vma);

	v->start = vma->vm_start;
	v->end = vma->vm_end;
	v->flags = vma->vm_flags;
	if (vma->vm_file) {
		v->pgoff = vma->vm_pgoff;
		v->file = get_file(vma->vm_file);
	}
	v->anon_vma = !!vma->anon_vma;
	v->after_data = lm_after_data(prev, vma);
	v->merge = prev ? lm_merge_rule(prev, vma, &v->merge_diff) :
			  LM_MERGE_HOLE;
	v->thp_why = lm_thp_check(thp, vma, &v->thp_orders);
	v->pagesize = lm_vma_pagesize(vma);
	return lm_vma_name(vma, v);
}

/*
 * Where the kernel can tell whether the map changed while the mmap lock
 * was dropped (compat.h: LM_HAVE_MM_LOCK_SEQ), a snapshot is copied
 * batch_vmas VMAs per hold, and started again if the map changed between
 * two holds; after LM_RESTARTS_MAX restarts, or with batch_vmas 0, it is
 * copied under one hold.  Either way it is one consistent state of the map.
 */
static unsigned int lm_batch_vmas = LM_HAVE_MM_LOCK_SEQ ? 64 : 0;
module_param_named(batch_vmas, lm_batch_vmas, uint, 0644);
MODULE_PARM_DESC(batch_vmas,
		 "VMAs copied per hold of the mmap lock where the kernel shows whether the map changed in between (6.12+ with per-VMA locks); 0: one hold");

#define LM_RESTARTS_MAX	1

static atomic_long_t lm_restarts = ATOMIC_LONG_INIT(0);
static atomic_long_t lm_single_holds = ATOMIC_LONG_INIT(0);

static int lm_get_counter(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops lm_counter_ops = {
	.get = lm_get_counter,
};

module_param_cb(restarts, &lm_counter_ops, &lm_restarts, 0444);
MODULE_PARM_DESC(restarts,
		 "batched copies started again because the map changed");
module_param_cb(single_holds, &lm_counter_ops, &lm_single_holds, 0444);
MODULE_PARM_DESC(single_holds,
		 "snapshots copied under one hold of the mmap lock");
module_param_cb(walk_yields, &lm_counter_ops, &lm_walk_yields, 0444);
MODULE_PARM_DESC(walk_yields,
		 "times the page-table walk let a waiting writer take the mmap lock");

/*
 * Copy every VMA of @mm into @snap->vmas, which has room for @cap: @batch
 * VMAs per hold of the mmap lock, or all of them under one hold if @batch
 * is 0.  Returns -EAGAIN if the map grew past @cap after it was sized,
 * -ESTALE if it changed while the lock was dropped between two batches,
 * -EINTR if a fatal signal interrupted the wait for the lock.
 */
static int lm_snapshot_copy(struct mm_struct *mm,
			    const struct lm_thp_global *thp,
			    struct lm_snapshot *snap, unsigned int cap,
			    unsigned int batch)
{
	struct vm_area_struct *vma, *prev = NULL;
	unsigned int seq, held = 0;
	struct lm_vma_iter it;
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	seq = lm_mm_lock_seq(mm);
	lm_vma_iter_init(&it, mm, 0);
	while ((vma = lm_vma_iter_next(&it))) {
		if (snap->nr == cap) {
			ret = -EAGAIN;
			break;
		}
		ret = lm_vma_copy(vma, prev, thp, &snap->vmas[snap->nr++]);
		if (ret)
			break;
		prev = vma;
		if (!batch || ++held < batch)
			continue;

		held = 0;
		mmap_read_unlock(mm);
		cond_resched();
		if (mmap_read_lock_killable(mm))
			return -EINTR;
		/* unchanged: @prev is still a VMA of @mm, and the next one's */
		if (lm_mm_lock_seq(mm) != seq) {
			ret = -ESTALE;
			break;
		}
		lm_vma_iter_init(&it, mm, prev->vm_end);
	}
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Copy the VMAs of @mm that meet the snapshot's range (struct
 * libmaps_range: whose end is at or above its start and whose start is
 * at or below its end) into @snap->vmas, which has room for @cap, under
 * one hold of the mmap lock: a range holds a few VMAs, and its copy is
 * one state of the map.  The first is copied against the VMA before it
 * if that one touches it, so that its merge rule and role are those of
 * the whole view.  Returns -EAGAIN if they do not fit, -EINTR if a fatal
 * signal interrupted the wait for the lock.
 */
static int lm_snapshot_copy_range(struct mm_struct *mm,
				  const struct lm_thp_global *thp,
				  struct lm_snapshot *snap, unsigned int cap)
{
	unsigned long start = snap->range_start, end = snap->range_end;
	struct vm_area_struct *vma, *prev = NULL;
	struct lm_vma_iter it;
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	snap->map_vmas = mm->map_count;
	snap->map_size = mm->total_vm << PAGE_SHIFT;
	/* the first VMA whose end is at or above @start */
	lm_vma_iter_init(&it, mm, start ? start - 1 : 0);
	vma = lm_vma_iter_next(&it);
	if (vma && vma->vm_start) {
		/* the VMA that ends where @vma starts, if one does */
		prev = find_vma(mm, vma->vm_start - 1);
		if (prev == vma)
			prev = NULL;
	}
	for (; vma && vma->vm_start <= end; vma = lm_vma_iter_next(&it)) {
		if (snap->nr == cap) {
			ret = -EAGAIN;
			break;
		}
		ret = lm_vma_copy(vma, prev, thp, &snap->vmas[snap->nr++]);
		if (ret)
			break;
		prev = vma;
	}
	mmap_read_unlock(mm);
	return ret;
}

/**
 * lm_snapshot_put_refs - drop the files and names the copies hold
 * @snap: the snapshot; its copies stay, with ->file and ->name NULL
 *
 * Once the groups are built and named, the text needs neither: a view
 * kept open then pins no file of the target (nor its filesystem).
 */
void lm_snapshot_put_refs(struct lm_snapshot *snap)
{
	unsigned int i;

	for (i = 0; i < snap->nr; i++) {
		if (snap->vmas[i].file)
			fput(snap->vmas[i].file);
		snap->vmas[i].file = NULL;
		kfree(snap->vmas[i].name);
		snap->vmas[i].name = NULL;
		if (!((i + 1) % 256))
			cond_resched();
	}
}

/* Drop what the copied VMAs hold, and empty the array for a new copy. */
static void lm_snapshot_clear(struct lm_snapshot *snap)
{
	lm_snapshot_put_refs(snap);
	memset(snap->vmas, 0, snap->nr * sizeof(*snap->vmas));
	snap->nr = 0;
}

static void lm_snapshot_free_vmas(struct lm_snapshot *snap)
{
	if (!snap->vmas)
		return;
	lm_snapshot_clear(snap);
	kvfree(snap->vmas);
	snap->vmas = NULL;
}

#if LM_HAVE_VMA_READ
/*
 * Copying under per-VMA locks (7.0+), as maps reads on these kernels: one
 * VMA's read lock at a time, with the one before it still held for the
 * merge rule, so that a writer waits only if it changes one of those two.
 * The copy is watched with the mmap lock's sequence count: if no writer
 * took the lock from its start to its end, it is one state of the map, as
 * under the mmap lock; if one did, it is kept as it is, each record one
 * state of its VMA, as maps shows it (the header says state=changed).
 * It is not copied again: under a writer that never pauses a second copy
 * of all but the smallest maps saw a change again, and cost the open
 * twice its copy (make bench, 7.2: 1,000 VMAs and up).
 */
static bool lm_vma_locks = true;
module_param_named(vma_locks, lm_vma_locks, bool, 0644);
MODULE_PARM_DESC(vma_locks,
		 "copy and walk under per-VMA locks, as maps reads (7.0+); N: under the mmap lock, one state always");

static atomic_long_t lm_vma_read_misses = ATOMIC_LONG_INIT(0);
static atomic_long_t lm_changed_copies = ATOMIC_LONG_INIT(0);

module_param_cb(vma_read_misses, &lm_counter_ops, &lm_vma_read_misses, 0444);
MODULE_PARM_DESC(vma_read_misses,
		 "VMAs found being changed by a per-VMA read, read under the mmap lock instead");
module_param_cb(changed_copies, &lm_counter_ops, &lm_changed_copies, 0444);
MODULE_PARM_DESC(changed_copies,
		 "copies under per-VMA locks kept while the map changed (state=changed)");
module_param_cb(vma_walk_yields, &lm_counter_ops, &lm_vma_walk_yields, 0444);
MODULE_PARM_DESC(vma_walk_yields,
		 "times the walk under a VMA's read lock let a writer waiting to change that VMA in");

/**
 * lm_vma_try_read_next - read-lock the first VMA that ends above @addr
 * @mm: the mm, referenced by the caller
 * @addr: where to look from
 *
 * Found under RCU and locked with lock_vma_under_rcu() by the start the
 * maple tree gave, never by the pointer: a VMA that stays in place while
 * the map changes around it is found, whatever else appears or goes.
 * Never waits.
 *
 * Return: the VMA, read-locked; NULL if none ends above @addr;
 * ERR_PTR(-EBUSY) if it is being changed (take the mmap lock).
 */
struct vm_area_struct *lm_vma_try_read_next(struct mm_struct *mm,
					    unsigned long addr)
{
	MA_STATE(mas, &mm->mm_mt, addr, addr);
	struct vm_area_struct *vma;
	unsigned long start;

	rcu_read_lock();
	vma = mas_find(&mas, ULONG_MAX);
	start = max(mas.index, addr);
	rcu_read_unlock();
	if (!vma)
		return NULL;
	vma = lock_vma_under_rcu(mm, start);
	if (!vma) {
		atomic_long_inc(&lm_vma_read_misses);
		return ERR_PTR(-EBUSY);
	}
	return vma;
}

/**
 * lm_vma_read_next - read-lock the first VMA that ends above @addr
 * @mm: the mm, referenced by the caller, who holds no lock of it
 * @addr: where to look from
 *
 * As lm_vma_try_read_next(), but if the VMA is being changed, wait for the
 * mmap lock, find it under it and read-lock it there, as lock_next_vma()
 * does.
 *
 * Return: the VMA, read-locked; NULL if none ends above @addr;
 * ERR_PTR(-EINTR) on a fatal signal, or (-EAGAIN) if its lock's count is
 * full.
 */
struct vm_area_struct *lm_vma_read_next(struct mm_struct *mm,
					unsigned long addr)
{
	struct vm_area_struct *vma = lm_vma_try_read_next(mm, addr);

	if (vma != ERR_PTR(-EBUSY))
		return vma;
	if (mmap_read_lock_killable(mm))
		return ERR_PTR(-EINTR);
	vma = find_vma(mm, addr);
	if (vma && !vma_start_read_locked(vma))
		vma = ERR_PTR(-EAGAIN);
	mmap_read_unlock(mm);
	return vma;
}

/* Drop the copies from the one at @nr on: they overlap a newer state. */
static void lm_snapshot_trim(struct lm_snapshot *snap, unsigned int nr)
{
	struct lm_vma *v;

	while (snap->nr > nr) {
		v = &snap->vmas[--snap->nr];
		if (v->file)
			fput(v->file);
		kfree(v->name);
		memset(v, 0, sizeof(*v));
	}
}

/* The copies from the first that ends above @start (all of them: 0). */
static unsigned int lm_snapshot_after(const struct lm_snapshot *snap,
				      unsigned long start)
{
	unsigned int nr = snap->nr;

	while (nr && snap->vmas[nr - 1].end > start)
		nr--;
	return nr;
}

/*
 * Copy the first VMA that ends above @addr under the mmap lock: the one
 * that lm_vma_try_read_next() found being changed, or one that overlaps
 * copies made before the map changed, which it replaces.  The VMA before
 * it, for the merge rule, is the one before it now.  Returns it
 * read-locked in *@vmap (NULL if its lock's count is full) and its end in
 * *@next (0 if there is none), and 0 or an error.
 */
static int lm_vma_copy_locked(struct mm_struct *mm, unsigned long addr,
			      const struct lm_thp_global *thp,
			      struct lm_snapshot *snap, unsigned int cap,
			      struct vm_area_struct **vmap, unsigned long *next)
{
	struct vm_area_struct *vma, *prev;
	struct vma_iterator vmi;
	int ret = 0;

	*vmap = NULL;
	*next = 0;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma_iter_init(&vmi, mm, addr);
	vma = vma_next(&vmi);
	if (!vma)
		goto out;
	prev = vma_prev(&vmi);
	lm_snapshot_trim(snap, lm_snapshot_after(snap, vma->vm_start));
	if (snap->nr == cap) {
		ret = -EAGAIN;
		goto out;
	}
	ret = lm_vma_copy(vma, prev, thp, &snap->vmas[snap->nr++]);
	*next = vma->vm_end;
	if (!ret && vma_start_read_locked(vma))
		*vmap = vma;
out:
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Copy every VMA of @mm into @snap->vmas, which has room for @cap, under
 * their own read locks, and walk each copy's page tables under the lock
 * its copy took (lm_record_walk_vma()): one lookup and one lock of each
 * VMA, not one for the copy and another for the walk.  Returns -EAGAIN if
 * the map grew past @cap after it was sized, -EINTR if a fatal signal came
 * while waiting for the mmap lock.
 */
static int lm_snapshot_copy_vmas(struct mm_struct *mm,
				 const struct lm_thp_global *thp,
				 struct lm_snapshot *snap, unsigned int cap)
{
	struct vm_area_struct *vma, *prev = NULL;
	unsigned long addr = 0;
	int ret = 0;
	u64 t;

	for (;;) {
		vma = lm_vma_try_read_next(mm, addr);
		if (!vma)
			break;
		/*
		 * A VMA that starts below the last copy's end is a newer
		 * state; without the last copy's VMA held, the merge rule
		 * needs the mmap lock.
		 */
		if (!IS_ERR(vma) && snap->nr &&
		    (!prev || vma->vm_start < snap->vmas[snap->nr - 1].end)) {
			vma_end_read(vma);
			vma = ERR_PTR(-EBUSY);
		}
		if (IS_ERR(vma)) {
			/* never wait for the mmap lock holding a VMA's */
			if (prev)
				vma_end_read(prev);
			prev = NULL;
			ret = lm_vma_copy_locked(mm, addr, thp, snap, cap, &vma,
						 &addr);
		} else {
			if (snap->nr == cap) {
				ret = -EAGAIN;
			} else {
				/* @prev, if any, is the VMA of the last copy */
				ret = lm_vma_copy(vma, prev, thp,
						  &snap->vmas[snap->nr++]);
			}
			if (prev)
				vma_end_read(prev);
			prev = NULL;
			addr = vma->vm_end;
		}
		if (ret || !addr) {
			if (vma)
				vma_end_read(vma);
			return ret;
		}

		t = ktime_get_ns();
		ret = lm_record_walk_vma(mm, vma, &snap->vmas[snap->nr - 1]);
		snap->walk_ns += ktime_get_ns() - t;
		if (ret < 0)
			return ret;
		/* held still, unless a writer was let in to change it */
		prev = ret ? NULL : vma;
		if (!(snap->nr % LM_WALK_BATCH))
			cond_resched();
	}
	if (prev)
		vma_end_read(prev);
	return 0;
}

/*
 * Copy under per-VMA locks, watched by the mmap lock's sequence count.
 * Returns 1 if the kernel or the vma_locks parameter says to copy under
 * the mmap lock instead, else as lm_snapshot_copy_vmas().
 */
static int lm_snapshot_copy_watched(struct mm_struct *mm,
				    const struct lm_thp_global *thp,
				    struct lm_snapshot *snap)
{
	unsigned int seq;
	bool watched;
	int ret;

	if (!READ_ONCE(lm_vma_locks))
		return 1;
	snap->vma_locks = true;
	snap->walk_ns = 0;
	watched = lm_mm_watch_begin(mm, &seq);
	ret = lm_snapshot_copy_vmas(mm, thp, snap, snap->cap);
	if (ret)
		return ret;
	snap->changed = !watched || lm_mm_watch_changed(mm, seq);
	if (snap->changed)
		atomic_long_inc(&lm_changed_copies);
	return 0;
}
#else
static int lm_snapshot_copy_watched(struct mm_struct *mm,
				    const struct lm_thp_global *thp,
				    struct lm_snapshot *snap)
{
	return 1;
}
#endif

/*
 * Size the array from an unlocked look at map_count, then copy; if the
 * map grew in between, or changed between two batches, drop everything
 * and start again.  The memory is proportional to the VMA count and
 * allocated with the lock released.  Both loops are bounded: a batched
 * copy restarts at most LM_RESTARTS_MAX times before it takes one hold,
 * and the array is resized at most LM_GROW_MAX times, each at least
 * doubling it, before the open fails with -EAGAIN (a map that grew past
 * 2^LM_GROW_MAX times its first size while being copied).
 */
#define LM_GROW_MAX	8

/* A range's first array: most calls touch a few VMAs and their neighbours. */
#define LM_RANGE_FIRST	32

static int lm_snapshot_mm(struct mm_struct *mm, struct lm_snapshot *snap)
{
	unsigned int batch = LM_HAVE_MM_LOCK_SEQ ? READ_ONCE(lm_batch_vmas) : 0;
	unsigned int cap = 0, restarts = 0, grown = 0, want;
	struct lm_thp_global thp;
	u64 t0 = ktime_get_ns(), t1;
	int ret;

	lm_thp_global_read(&thp);
	t1 = ktime_get_ns();
	snap->thp_ns = t1 - t0;

	for (;;) {
		if (!snap->vmas) {
			/* at least twice the last try: a growing map is caught */
			if (grown++ == LM_GROW_MAX)
				return -EAGAIN;
			want = READ_ONCE(mm->map_count) + 16;
			if (snap->ranged && grown == 1)
				want = min_t(unsigned int, want, LM_RANGE_FIRST);
			cap = max_t(unsigned int, want, 2 * cap);
			snap->vmas = kvcalloc(cap, sizeof(*snap->vmas),
					      GFP_KERNEL_ACCOUNT);
			if (!snap->vmas)
				return -ENOMEM;
			snap->cap = cap;
		}

		if (snap->ranged)
			ret = lm_snapshot_copy_range(mm, &thp, snap, snap->cap);
		else
			ret = lm_snapshot_copy_watched(mm, &thp, snap);
		if (ret == 1) {
			if (batch && restarts == LM_RESTARTS_MAX)
				batch = 0;
			if (!batch)
				atomic_long_inc(&lm_single_holds);
			ret = lm_snapshot_copy(mm, &thp, snap, snap->cap, batch);
		}
		if (ret == -ESTALE) {
			/* the array is big enough unless the map grew */
			atomic_long_inc(&lm_restarts);
			restarts++;
			lm_snapshot_clear(snap);
		} else if (ret == -EAGAIN) {
			lm_snapshot_free_vmas(snap);
		} else {
			break;
		}
	}

	t0 = ktime_get_ns();
	/*
	 * What backs each copied VMA (walk.c): under per-VMA locks, walked
	 * with the copy, each VMA under the read lock its copy took, let go
	 * only for a writer that waits to change that VMA.  Else once the
	 * copy is made, under the mmap lock again, but let go whenever a
	 * writer waits for it once LM_WALK_BATCH PMD tables were walked or
	 * LM_WALK_NS passed, between two records or inside one, so that a
	 * process with gigabytes resident is not held still for the whole
	 * walk, nor one of many small VMAs let go for every record.  These
	 * figures are sampled, not part of the one state of the map the copy
	 * is.
	 */
	if (snap->vma_locks) {
		snap->copy_ns = t0 - t1 - snap->walk_ns;
	} else {
		snap->copy_ns = t0 - t1;
		if (!ret)
			ret = lm_snapshot_walk(mm, snap->vmas, snap->nr);
		snap->walk_ns = ktime_get_ns() - t0;
	}
	if (ret)
		lm_snapshot_free_vmas(snap);
	return ret;
}

/**
 * lm_snapshot_take - copy the facts about every VMA of @task
 * @task: the task, referenced by the caller
 * @pid: its pid as the reader sees it, for the header
 * @range: only the VMAs that meet this range (struct libmaps_range), or
 *	NULL for all
 * @snap: filled in; release with lm_snapshot_release()
 *
 * A task without an address space (a kernel thread, or a process whose mm
 * is already gone) gives an empty snapshot with ->has_mm false.
 *
 * Return: 0, -EINTR if a fatal signal interrupted the wait for the mmap
 * lock, -EAGAIN if the map kept outgrowing the copy, or -ENOMEM.
 */
int lm_snapshot_take(struct task_struct *task, pid_t pid,
		     const struct libmaps_range *range, struct lm_snapshot *snap)
{
	struct mm_struct *mm;
	int ret;

	memset(snap, 0, sizeof(*snap));
	snap->pid = pid;
	if (range) {
		snap->ranged = true;
		snap->range_start = min_t(u64, range->start, ULONG_MAX);
		snap->range_end = min_t(u64, range->end, ULONG_MAX);
	}
	get_task_comm(snap->comm, task);

	mm = get_task_mm(task);
	if (!mm)
		return 0;

	snap->has_mm = true;
	ret = lm_snapshot_mm(mm, snap);
	mmput(mm);
	return ret;
}

void lm_snapshot_release(struct lm_snapshot *snap)
{
	lm_snapshot_free_vmas(snap);
}
