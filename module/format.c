// SPDX-License-Identifier: GPL-2.0
/*
 * The text of the view, format version 1 (Documentation/view.rst).  Runs
 * after lm_snapshot_take() has dropped the mmap lock; nothing here touches
 * the target's mm.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/hash.h>
#include <linux/kdev_t.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/timekeeping.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "libmaps.h"
#include "thp.h"

/*
 * The mnemonics of smaps' VmFlags line, as show_smap_vma_flags() has them,
 * so that a flag reads the same here and there.  Bits a kernel lacks are
 * VM_NONE (compat.h) and name nothing.  Bits smaps leaves unnamed (the
 * protection key bits) are not listed; the view writes them as bit<N>.
 */
static const struct {
	vm_flags_t flag;
	const char *name;
} lm_vm_flags[] = {
	{ VM_READ,		"rd" },
	{ VM_WRITE,		"wr" },
	{ VM_EXEC,		"ex" },
	{ VM_SHARED,		"sh" },
	{ VM_MAYREAD,		"mr" },
	{ VM_MAYWRITE,		"mw" },
	{ VM_MAYEXEC,		"me" },
	{ VM_MAYSHARE,		"ms" },
	{ VM_GROWSDOWN,		"gd" },
	{ VM_DENYWRITE,		"dw" },
	{ VM_PFNMAP,		"pf" },
	{ VM_MAYBE_GUARD,	"gu" },
	{ VM_LOCKED,		"lo" },
	{ VM_IO,		"io" },
	{ VM_SEQ_READ,		"sr" },
	{ VM_RAND_READ,		"rr" },
	{ VM_DONTCOPY,		"dc" },
	{ VM_DONTEXPAND,	"de" },
	{ LM_VM_LOCKONFAULT_NAMED, "lf" },
	{ VM_ACCOUNT,		"ac" },
	{ VM_NORESERVE,		"nr" },
	{ VM_HUGETLB,		"ht" },
	{ VM_SYNC,		"sf" },
	{ VM_ARCH_1,		"ar" },
	{ VM_WIPEONFORK,	"wf" },
	{ VM_DONTDUMP,		"dd" },
#ifdef CONFIG_MEM_SOFT_DIRTY
	{ VM_SOFTDIRTY,		"sd" },
#endif
	{ VM_MIXEDMAP,		"mm" },
	{ VM_HUGEPAGE,		"hg" },
	{ VM_NOHUGEPAGE,	"nh" },
	{ VM_MERGEABLE,		"mg" },
	{ VM_UFFD_MISSING,	"um" },
	{ VM_UFFD_WP,		"uw" },
#ifdef CONFIG_HAVE_ARCH_USERFAULTFD_MINOR
	{ VM_UFFD_MINOR,	"ui" },
#endif
	{ VM_SHADOW_STACK,	"ss" },
	{ VM_DROPPABLE,		"dp" },
	{ VM_SEALED,		"sl" },
};

/* lm_vm_flags[] indexed by bit, filled once at load. */
static const char *lm_flag_names[BITS_PER_LONG];

void lm_format_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lm_vm_flags); i++)
		if (lm_vm_flags[i].flag)
			lm_flag_names[ilog2(lm_vm_flags[i].flag)] =
				lm_vm_flags[i].name;
}

/*
 * The text is kept in pages, not in one buffer: it grows a page at a time
 * while it is made, so it needs no estimate of its size and no second
 * attempt, and it is never a page larger than it needs to be.
 */
#define LM_TEXT_CHUNK	PAGE_SIZE

/* Records between two chances for another task to have the CPU. */
#define LM_RESCHED_RECORDS	256

/* Where the text goes while it is made. */
struct lm_out {
	struct lm_text *text;
	char *pos;		/* in the last page */
	char *end;		/* of the last page */
	bool failed;		/* a page could not be allocated */
};

static bool lm_out_grow(struct lm_out *o)
{
	struct lm_text *t = o->text;
	char *page;

	if (t->nr == t->cap) {
		unsigned int cap = t->cap * 2;
		char **pages = kvmalloc_array(cap, sizeof(*pages),
					      GFP_KERNEL_ACCOUNT);

		if (!pages)
			goto fail;
		memcpy(pages, t->pages, t->nr * sizeof(*pages));
		kvfree(t->pages);
		t->pages = pages;
		t->cap = cap;
	}
	page = (char *)__get_free_page(GFP_KERNEL_ACCOUNT);
	if (!page)
		goto fail;
	t->pages[t->nr++] = page;
	o->pos = page;
	o->end = page + LM_TEXT_CHUNK;
	return true;
fail:
	o->failed = true;
	return false;
}

static void lm_put_mem(struct lm_out *o, const char *s, size_t n)
{
	size_t room;

	while (n && !o->failed) {
		if (o->pos == o->end && !lm_out_grow(o))
			return;
		room = min_t(size_t, n, o->end - o->pos);
		memcpy(o->pos, s, room);
		o->pos += room;
		s += room;
		n -= room;
	}
}

static void lm_put_str(struct lm_out *o, const char *s)
{
	lm_put_mem(o, s, strlen(s));
}

/*
 * Lines are built in a line buffer by the helpers below, which write at a
 * cursor and return it advanced: no vsnprintf() for every field (that
 * was most of the cost of a view), and one copy into the text per line.
 */
static __always_inline char *lm_cat(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* @v in lower-case hexadecimal, at least @width digits ("%0*llx"). */
static __always_inline char *lm_hex(char *p, unsigned long long v, int width)
{
	static const char digits[] = "0123456789abcdef";
	int n = v ? (fls64(v) + 3) / 4 : 1, i;

	if (n < width)
		n = width;
	for (i = n - 1; i >= 0; i--) {
		p[i] = digits[v & 0xf];
		v >>= 4;
	}
	return p + n;
}

/* @v in decimal ("%llu"). */
static __always_inline char *lm_dec(char *p, unsigned long long v)
{
	char tmp[20];
	int i = sizeof(tmp);

	if (v < 10) {		/* most memory fields of most records: 0 */
		*p = '0' + v;
		return p + 1;
	}
	do {
		tmp[--i] = '0' + do_div(v, 10);
	} while (v);
	memcpy(p, tmp + i, sizeof(tmp) - i);
	return p + sizeof(tmp) - i;
}

/* Every set bit of @flags by name, in bit order, separated by @sep. */
static char *lm_flag_names_put(char *p, vm_flags_t flags, char sep)
{
	unsigned long rest = (unsigned long)flags;
	char *start = p;
	unsigned int bit;

	while (rest) {
		bit = __ffs(rest);
		rest &= rest - 1;
		if (p != start)
			*p++ = sep;
		if (lm_flag_names[bit]) {
			p = lm_cat(p, lm_flag_names[bit]);
		} else {
			p = lm_cat(p, "bit");
			p = lm_dec(p, bit);
		}
	}
	return p;
}

/* The huge page sizes of @orders, largest first: "2048K,64K". */
static char *lm_sizes_put(char *p, unsigned long orders)
{
	char *start = p;
	int order;

	for (order = BITS_PER_LONG - 1; order >= 0; order--) {
		if (!(orders & BIT(order)))
			continue;
		if (p != start)
			*p++ = ',';
		p = lm_dec(p, (PAGE_SIZE << order) >> 10);
		*p++ = 'K';
	}
	return p;
}

/*
 * " mthp=": the large folios PTEs map, "<size>K:<count>" for each order
 * that has any, largest first; an empty list when there are none.
 */
static char *lm_mthp_put(char *p, const u32 *mthp)
{
	bool first = true;
	int order;

	p = lm_cat(p, " mthp=");
	for (order = LM_MTHP_ORDERS; order >= 1; order--) {
		if (!mthp[order - 1])
			continue;
		if (!first)
			*p++ = ',';
		first = false;
		p = lm_dec(p, (PAGE_SIZE << order) >> 10);
		*p++ = 'K';
		*p++ = ':';
		p = lm_dec(p, mthp[order - 1]);
	}
	return p;
}

/*
 * The longest record line: its fixed words and numbers (under 720 bytes:
 * the ten memory fields alone take at most 10 * 35), the decoded flags
 * and the flags that differ (each at most 64 names of at most 5 bytes and
 * a separator), the huge page sizes (at most 64 of at most 8 bytes and a
 * comma) and the mthp= counts (one "<size>K:<count>," of at most 26 bytes
 * an order).
 */
#define LM_NAMES_MAX	(BITS_PER_LONG * 6)
#define LM_SIZES_MAX	(BITS_PER_LONG * 9)
#define LM_MTHP_MAX	(LM_MTHP_ORDERS * 26)
#define LM_LINE_MAX	(720 + 2 * LM_NAMES_MAX + LM_SIZES_MAX + LM_MTHP_MAX)

/*
 * What a record, a group or the process costs, in bytes, with smaps'
 * names: PSS, SwapPss and Locked (PSS of locked pages) from the fixed point,
 * truncated as smaps truncates them.
 */
static char *lm_mem_put(char *p, const struct lm_mem *mem)
{
	p = lm_cat(p, " rss=");
	p = lm_dec(p, mem->rss);
	p = lm_cat(p, " pss=");
	p = lm_dec(p, mem->pss >> 12);
	p = lm_cat(p, " anon=");
	p = lm_dec(p, mem->anon);
	p = lm_cat(p, " shared_clean=");
	p = lm_dec(p, mem->shared_clean);
	p = lm_cat(p, " shared_dirty=");
	p = lm_dec(p, mem->shared_dirty);
	p = lm_cat(p, " private_clean=");
	p = lm_dec(p, mem->private_clean);
	p = lm_cat(p, " private_dirty=");
	p = lm_dec(p, mem->private_dirty);
	p = lm_cat(p, " swap=");
	p = lm_dec(p, mem->swap);
	p = lm_cat(p, " swap_pss=");
	p = lm_dec(p, mem->swap_pss >> 12);
	p = lm_cat(p, " locked=");
	return lm_dec(p, mem->pss_locked >> 12);
}

/*
 * The names of a flags value, once made: a map seldom has more than a few
 * flags values, but neighbours often differ (a heap mprotect()ed page by
 * page alternates two), so a few are kept, by a hash of the value.
 */
#define LM_NAMES_CACHED	8

struct lm_names {
	vm_flags_t flags;
	unsigned int len;
	char names[LM_NAMES_MAX];
};

/*
 * Room to build a line in, allocated once per view: not on the stack.
 * Most records have the huge page sizes of the record before them, so the
 * last sizes are kept too.
 */
struct lm_scratch {
	char path[PATH_MAX];
	char line[LM_LINE_MAX];
	struct lm_names decoded[LM_NAMES_CACHED];	/* "rd,wr,..." */
	struct lm_names diff[LM_NAMES_CACHED];		/* "wr+ac" */
	char sizes[LM_SIZES_MAX];
	size_t sizes_len;
	unsigned long sizes_orders;
};

/*
 * Write the names of @flags, separated by @sep, from @cache; all its
 * entries start as the value 0, whose names are none.
 */
static char *lm_names_put(char *p, struct lm_names *cache, vm_flags_t flags,
			  char sep)
{
	struct lm_names *n = &cache[hash_long((unsigned long)flags,
					      ilog2(LM_NAMES_CACHED))];

	if (n->flags != flags) {
		n->len = lm_flag_names_put(n->names, flags, sep) - n->names;
		n->flags = flags;
	}
	memcpy(p, n->names, n->len);
	return p + n->len;
}

/*
 * One record.  @merge says why it is not one VMA with the record before
 * it in its group.
 */
static void lm_put_record(struct lm_out *o, const struct lm_vma *v,
			  enum lm_merge merge, struct lm_scratch *buf)
{
	vm_flags_t f = v->flags;
	char *p = buf->line;

	if (v->thp_orders != buf->sizes_orders) {
		buf->sizes_len = lm_sizes_put(buf->sizes, v->thp_orders) -
				 buf->sizes;
		buf->sizes_orders = v->thp_orders;
	}

	*p++ = '\t';
	p = lm_hex(p, v->start, 8);
	*p++ = '-';
	p = lm_hex(p, v->end, 8);
	*p++ = ' ';
	*p++ = f & VM_READ ? 'r' : '-';
	*p++ = f & VM_WRITE ? 'w' : '-';
	*p++ = f & VM_EXEC ? 'x' : '-';
	*p++ = f & VM_MAYSHARE ? 's' : 'p';
	*p++ = ' ';
	p = lm_hex(p, (unsigned long long)v->pgoff << PAGE_SHIFT, 8);
	p = lm_cat(p, " size=");
	p = lm_dec(p, v->end - v->start);
	p = lm_cat(p, " role=");
	p = lm_cat(p, lm_role_name(v->role));
	p = lm_cat(p, " flags=0x");
	p = lm_hex(p, (unsigned long)f, 1);
	p = lm_cat(p, " decoded=");
	p = lm_names_put(p, buf->decoded, f, ',');
	p = lm_cat(p, v->thp_why == LM_THP_ELIGIBLE ? " thp=1 thp_reason=" :
						      " thp=0 thp_reason=");
	p = lm_cat(p, lm_thp_why_name(v->thp_why));
	if (v->thp_orders) {
		p = lm_cat(p, " thp_sizes=");
		memcpy(p, buf->sizes, buf->sizes_len);
		p += buf->sizes_len;
	}
	p = lm_cat(p, " pmd=");
	p = lm_dec(p, v->pmd);
	p = lm_mthp_put(p, v->mthp);
	p = lm_cat(p, " pagesize=");
	p = lm_dec(p, v->pagesize >> 10);
	p = lm_cat(p, "K merge=");
	p = lm_cat(p, lm_merge_name(merge));
	if (merge == LM_MERGE_FLAGS) {
		*p++ = ':';
		p = lm_names_put(p, buf->diff, v->merge_diff, '+');
	}
	p = lm_mem_put(p, &v->mem);
	*p++ = '\n';
	lm_put_mem(o, buf->line, p - buf->line);
}

/* Write @s as maps writes names: a newline becomes \012. */
static void lm_put_escaped(struct lm_out *o, const char *s)
{
	size_t run;

	while (*s) {
		run = strcspn(s, "\n");
		lm_put_mem(o, s, run);
		s += run;
		if (*s) {
			lm_put_str(o, "\\012");
			s++;
		}
	}
}

/* The name column of a group, as /proc/<pid>/maps prints it. */
static void lm_put_group_name(struct lm_out *o, const struct lm_vma *v,
			      struct lm_scratch *buf)
{
	static const char * const fixed[LM_KIND_NR] = {
		[LM_KIND_HEAP]		= "[heap]",
		[LM_KIND_STACK]		= "[stack]",
		[LM_KIND_VDSO]		= "[vdso]",
		[LM_KIND_VVAR]		= "[vvar]",
		[LM_KIND_VSYSCALL]	= "[vsyscall]",
		[LM_KIND_ANON]		= "",
	};
	const char *p;

	lm_put_str(o, " name=");
	switch (v->kind) {
	case LM_KIND_FILE:
		p = d_path(lm_file_user_path(v->file), buf->path, PATH_MAX);
		lm_put_escaped(o, IS_ERR(p) ? "?" : p);
		break;
	case LM_KIND_ANON_SHMEM:
		lm_put_str(o, "[anon_shmem:");
		lm_put_escaped(o, v->name);
		lm_put_str(o, "]");
		break;
	case LM_KIND_ANON_NAMED:
		lm_put_str(o, "[anon:");
		lm_put_escaped(o, v->name);
		lm_put_str(o, "]");
		break;
	case LM_KIND_SPECIAL:
		lm_put_escaped(o, v->name);
		break;
	default:
		lm_put_str(o, fixed[v->kind]);
		break;
	}
	lm_put_str(o, "\n");
}

static void lm_put_group(struct lm_out *o, const struct lm_groups *g,
			 const struct lm_group *grp, struct lm_scratch *buf)
{
	const struct lm_vma *first = g->order[grp->first], *v, *prev = NULL;
	enum lm_merge merge;
	char *p = buf->line;
	unsigned int i;

	p = lm_cat(p, "group ");
	p = lm_cat(p, lm_kind_name(grp->kind));
	p = lm_cat(p, " records=");
	p = lm_dec(p, grp->nr);
	p = lm_cat(p, " size=");
	p = lm_dec(p, grp->size);
	p = lm_cat(p, " huge=");
	p = lm_dec(p, grp->huge);
	p = lm_mem_put(p, &grp->mem);
	if (lm_kind_has_inode(grp->kind)) {
		struct inode *inode = file_inode(first->file);

		p = lm_cat(p, " dev=");
		p = lm_hex(p, MAJOR(inode->i_sb->s_dev), 2);
		*p++ = ':';
		p = lm_hex(p, MINOR(inode->i_sb->s_dev), 2);
		p = lm_cat(p, " ino=");
		p = lm_dec(p, inode->i_ino);
	}
	lm_put_mem(o, buf->line, p - buf->line);
	lm_put_group_name(o, first, buf);

	for (i = 0; i < grp->nr; i++) {
		v = g->order[grp->first + i];
		if (!prev)
			merge = LM_MERGE_FIRST;
		else if (prev->end != v->start)
			merge = LM_MERGE_HOLE;
		else
			merge = v->merge;	/* @prev is the VMA before @v */
		lm_put_record(o, v, merge, buf);
		prev = v;
		if (!((i + 1) % LM_RESCHED_RECORDS))
			cond_resched();
	}
}

static void lm_put_view(struct lm_out *o, const struct lm_snapshot *snap,
			const struct lm_groups *g, struct lm_scratch *buf)
{
	char *p = buf->line;
	unsigned int i;

	p = lm_cat(p, "libmaps ");
	p = lm_dec(p, LM_VIEW_VERSION);
	p = lm_cat(p, " pid=");
	p = lm_dec(p, snap->pid);
	p = lm_cat(p, " vmas=");
	p = lm_dec(p, snap->nr);
	p = lm_cat(p, " groups=");
	p = lm_dec(p, g->nr);
	p = lm_mem_put(p, &g->mem);
	p = lm_cat(p, " comm=");
	lm_put_mem(o, buf->line, p - buf->line);
	lm_put_escaped(o, snap->comm);
	lm_put_str(o, "\n");

	if (!snap->has_mm) {
		lm_put_str(o, "nomm\n");
		return;
	}
	for (i = 0; i < g->nr; i++) {
		lm_put_group(o, g, &g->groups[i], buf);
		cond_resched();
	}
}

/*
 * What the last view allocated at its peak, while the snapshot, the groups
 * and the text all exist: for the benchmarks (bench/), which compare it
 * with the size of the text.
 */
/*
 * Where the time of the last open went, in ns: reading the THP settings,
 * copying the VMAs, walking their page tables, grouping them and writing
 * the text (the benchmark prints them).
 */
static unsigned long lm_last_ns[5];
static unsigned int lm_last_ns_nr = ARRAY_SIZE(lm_last_ns);
module_param_array_named(last_open_ns, lm_last_ns, ulong, &lm_last_ns_nr, 0444);
MODULE_PARM_DESC(last_open_ns,
		 "ns the last open spent reading THP settings, copying, walking, grouping, formatting");

static unsigned long lm_last_snapshot_bytes;
module_param_named(last_snapshot_bytes, lm_last_snapshot_bytes, ulong, 0444);
MODULE_PARM_DESC(last_snapshot_bytes,
		 "bytes the last view allocated at its peak (for benchmarks)");

static unsigned long lm_peak_bytes(const struct lm_snapshot *snap,
				   const struct lm_groups *g,
				   const struct lm_text *text)
{
	unsigned long bytes = (unsigned long)snap->cap * sizeof(*snap->vmas);
	unsigned int i;

	for (i = 0; i < snap->nr; i++)
		if (snap->vmas[i].name)
			bytes += strlen(snap->vmas[i].name) + 1;
	bytes += (unsigned long)snap->nr * sizeof(*g->order);
	bytes += (unsigned long)g->nr * sizeof(*g->groups);
	bytes += sizeof(struct lm_scratch) + sizeof(*text);
	return bytes + (unsigned long)text->cap * sizeof(*text->pages) +
	       (unsigned long)text->nr * LM_TEXT_CHUNK;
}

static struct lm_text *lm_render(const struct lm_snapshot *snap,
				 const struct lm_groups *g)
{
	/* a record is about 160 bytes: the page array seldom grows */
	size_t estimate = 256 + (size_t)snap->nr * 160 + (size_t)g->nr * 128;
	struct lm_scratch *buf;
	struct lm_out o = { };
	struct lm_text *text;
	unsigned int i;

	text = kzalloc(sizeof(*text), GFP_KERNEL_ACCOUNT);
	buf = kvmalloc(sizeof(*buf), GFP_KERNEL);
	if (!text || !buf)
		goto nomem;
	text->cap = DIV_ROUND_UP(estimate, LM_TEXT_CHUNK);
	text->pages = kvmalloc_array(text->cap, sizeof(*text->pages),
				     GFP_KERNEL_ACCOUNT);
	if (!text->pages)
		goto nomem;

	for (i = 0; i < LM_NAMES_CACHED; i++) {
		buf->decoded[i].flags = 0;
		buf->decoded[i].len = 0;
		buf->diff[i].flags = 0;
		buf->diff[i].len = 0;
	}
	buf->sizes_orders = 0;
	buf->sizes_len = 0;
	o.text = text;
	lm_put_view(&o, snap, g, buf);
	if (o.failed)
		goto nomem;
	kvfree(buf);
	if (text->nr)
		text->len = (size_t)(text->nr - 1) * LM_TEXT_CHUNK +
			    (o.pos - text->pages[text->nr - 1]);
	return text;
nomem:
	kvfree(buf);
	lm_text_free(text);
	return ERR_PTR(-ENOMEM);
}

/**
 * lm_view_render - take a snapshot of @task and make the text of its view
 * @task: the task, referenced by the caller
 * @pid: its pid as the reader sees it
 *
 * Return: the text, to be freed with lm_text_free(), or an ERR_PTR() of
 * the errno from lm_snapshot_take() or an allocation.
 */
struct lm_text *lm_view_render(struct task_struct *task, pid_t pid)
{
	struct lm_snapshot snap;
	struct lm_groups g;
	struct lm_text *text;
	int ret;

	u64 t0, t1;

	ret = lm_snapshot_take(task, pid, &snap);
	if (ret)
		return ERR_PTR(ret);
	t0 = ktime_get_ns();
	ret = lm_groups_build(&snap, &g);
	if (ret) {
		text = ERR_PTR(ret);
	} else {
		t1 = ktime_get_ns();
		text = lm_render(&snap, &g);
		if (!IS_ERR(text)) {
			WRITE_ONCE(lm_last_snapshot_bytes,
				   lm_peak_bytes(&snap, &g, text));
			WRITE_ONCE(lm_last_ns[0], snap.thp_ns);
			WRITE_ONCE(lm_last_ns[1], snap.copy_ns);
			WRITE_ONCE(lm_last_ns[2], snap.walk_ns);
			WRITE_ONCE(lm_last_ns[3], t1 - t0);
			WRITE_ONCE(lm_last_ns[4], ktime_get_ns() - t1);
		}
		lm_groups_release(&g);
	}
	lm_snapshot_release(&snap);
	return text;
}

/**
 * lm_text_read - read() of a view: up to @count bytes of @text at *@ppos
 * @text: the text
 * @buf: the reader's buffer
 * @count: its size
 * @ppos: the file position, advanced by what was read
 *
 * Return: the bytes read, 0 at the end, or -EFAULT if none could be.
 */
ssize_t lm_text_read(const struct lm_text *text, char __user *buf,
		     size_t count, loff_t *ppos)
{
	loff_t pos = *ppos;
	size_t done = 0, off, n, left;

	if (pos < 0)
		return -EINVAL;
	if (pos >= text->len || !count)
		return 0;
	count = min_t(size_t, count, text->len - pos);
	while (done < count) {
		off = (pos + done) % LM_TEXT_CHUNK;
		n = min_t(size_t, count - done, LM_TEXT_CHUNK - off);
		left = copy_to_user(buf + done,
				    text->pages[(pos + done) / LM_TEXT_CHUNK] + off,
				    n);
		done += n - left;
		if (left)
			break;	/* the rest of the reader's buffer faults */
	}
	if (!done)
		return -EFAULT;
	*ppos = pos + done;
	return done;
}

void lm_text_free(struct lm_text *text)
{
	unsigned int i;

	if (!text)
		return;
	for (i = 0; i < text->nr; i++) {
		free_page((unsigned long)text->pages[i]);
		if (!((i + 1) % LM_RESCHED_RECORDS))
			cond_resched();
	}
	kvfree(text->pages);
	kfree(text);
}
