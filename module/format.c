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
#include <linux/mutex.h>
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
 * protection key bits, arm64's VM_MTE_ALLOWED) are not listed; the view
 * writes them as bit<N>.
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
#ifdef CONFIG_ARM64_BTI
	{ VM_ARM64_BTI,		"bt" },	/* VM_ARCH_1's bit, so named on arm64 */
#endif
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
#ifdef CONFIG_ARM64_MTE
	{ VM_MTE,		"mt" },
#endif
#ifdef CONFIG_HAVE_ARCH_USERFAULTFD_MINOR
	{ VM_UFFD_MINOR,	"ui" },
#endif
	{ VM_SHADOW_STACK,	"ss" },
	{ VM_DROPPABLE,		"dp" },
	{ VM_SEALED,		"sl" },
};

/* lm_vm_flags[] indexed by bit, filled once at load. */
static const char *lm_flag_names[BITS_PER_LONG];

/* "00" to "99", filled once at load: lm_dec() writes two digits per division. */
static char lm_pairs[200] __ro_after_init;

void lm_format_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lm_vm_flags); i++)
		if (lm_vm_flags[i].flag)
			lm_flag_names[ilog2(lm_vm_flags[i].flag)] =
				lm_vm_flags[i].name;
	for (i = 0; i < 100; i++) {
		lm_pairs[2 * i] = '0' + i / 10;
		lm_pairs[2 * i + 1] = '0' + i % 10;
	}
}

/* Records between two chances for another task to have the CPU. */
#define LM_RESCHED_RECORDS	256

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
	while (v >= 100) {
		i -= 2;
		memcpy(tmp + i, &lm_pairs[2 * do_div(v, 100)], 2);
	}
	if (v >= 10) {
		i -= 2;
		memcpy(tmp + i, &lm_pairs[2 * v], 2);
	} else {
		tmp[--i] = '0' + v;
	}
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
 * The longest record line: its fixed words and numbers (under 750 bytes:
 * the ten memory fields alone take at most 10 * 35), the decoded flags
 * and the flags that differ (each at most 64 names of at most 5 bytes and
 * a separator), the huge page sizes (at most 64 of at most 8 bytes and a
 * comma) and the mthp= counts (one "<size>K:<count>," of at most 26 bytes
 * an order).
 */
#define LM_NAMES_MAX	(BITS_PER_LONG * 6)
#define LM_SIZES_MAX	(BITS_PER_LONG * 9)
#define LM_MTHP_MAX	(LM_MTHP_ORDERS * 26)
#define LM_LINE_MAX	(750 + 2 * LM_NAMES_MAX + LM_SIZES_MAX + LM_MTHP_MAX)

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
#define LM_NAMES_CACHED	4

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
static size_t lm_put_record(const struct lm_vma *v, enum lm_merge merge,
			    struct lm_scratch *buf)
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
	p = lm_cat(p, " cont=");
	p = lm_dec(p, v->cont * PAGE_SIZE);
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
	return p - buf->line;
}

/* The length of @s as maps writes names: a newline becomes \012. */
static size_t lm_escaped_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n' ? 4 : 1;
	return n;
}

static char *lm_escaped_put(char *p, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			p = lm_cat(p, "\\012");
		else
			*p++ = *s;
	}
	return p;
}

/*
 * The end of a group's line, made when the view is opened: for a mapped
 * file " dev=<major>:<minor> ino=<n>", then " name=" and the name column
 * as /proc/<pid>/maps prints it, and the newline.  The text needs nothing
 * else from the files and names the copies hold.  @path has PATH_MAX.
 */
static char *lm_group_tail(const struct lm_vma *v, char *path)
{
	static const char * const fixed[LM_KIND_NR] = {
		[LM_KIND_HEAP]		= "[heap]",
		[LM_KIND_STACK]		= "[stack]",
		[LM_KIND_VDSO]		= "[vdso]",
		[LM_KIND_VVAR]		= "[vvar]",
		[LM_KIND_VSYSCALL]	= "[vsyscall]",
		[LM_KIND_ANON]		= "",
	};
	const char *before = "", *name, *after = "";
	char ids[48], *tail, *p = ids;

	if (lm_kind_has_inode(v->kind)) {
		struct inode *inode = file_inode(v->file);

		p = lm_cat(p, " dev=");
		p = lm_hex(p, MAJOR(inode->i_sb->s_dev), 2);
		*p++ = ':';
		p = lm_hex(p, MINOR(inode->i_sb->s_dev), 2);
		p = lm_cat(p, " ino=");
		p = lm_dec(p, inode->i_ino);
	}
	*p = '\0';

	switch (v->kind) {
	case LM_KIND_FILE:
		name = d_path(lm_file_user_path(v->file), path, PATH_MAX);
		if (IS_ERR(name))
			name = "?";
		break;
	case LM_KIND_ANON_SHMEM:
		before = "[anon_shmem:";
		name = v->name;
		after = "]";
		break;
	case LM_KIND_ANON_NAMED:
		before = "[anon:";
		name = v->name;
		after = "]";
		break;
	case LM_KIND_SPECIAL:
		name = v->name;
		break;
	default:
		name = fixed[v->kind];
		break;
	}

	tail = kmalloc(strlen(ids) + sizeof(" name=") + strlen(before) +
		       lm_escaped_len(name) + strlen(after) + 1,
		       GFP_KERNEL_ACCOUNT);
	if (!tail)
		return NULL;
	p = lm_cat(tail, ids);
	p = lm_cat(p, " name=");
	p = lm_cat(p, before);
	p = lm_escaped_put(p, name);
	p = lm_cat(p, after);
	*p++ = '\n';
	*p = '\0';
	return tail;
}

/* The numbers of a group's line, up to its tail. */
static size_t lm_put_group(const struct lm_group *grp, struct lm_scratch *buf)
{
	char *p = buf->line;

	p = lm_cat(p, "group ");
	p = lm_cat(p, lm_kind_name(grp->kind));
	p = lm_cat(p, " records=");
	p = lm_dec(p, grp->nr);
	p = lm_cat(p, " size=");
	p = lm_dec(p, grp->size);
	p = lm_cat(p, " huge=");
	p = lm_dec(p, grp->huge);
	p = lm_mem_put(p, &grp->mem);
	return p - buf->line;
}

/*
 * The text of one open view.  The snapshot and its groups are taken when
 * the view is opened, and the text is made from them as it is read, a
 * window at a time: the same text for every read of one open file, which
 * needs no room for all of it.  A read before the window makes it again
 * from the start (as seq_file does); one after it makes the text up to
 * there.  ->lock serializes the readers of one open file.
 */
#define LM_WINDOW	PAGE_SIZE

enum lm_line { LM_LINE_HEADER, LM_LINE_NOMM, LM_LINE_GROUPS, LM_LINE_END };

struct lm_text {
	struct lm_snapshot snap;	/* the copies, without files and names */
	struct lm_groups g;
	char **tails;			/* per group: lm_group_tail() */
	struct lm_scratch *buf;
	struct mutex lock;		/* the reader's place: win, rest, next... */
	loff_t size;			/* of the whole text, once made; else -1 */
	loff_t known;			/* the most of it ever made */
	char *win;			/* [win_pos, win_pos + win_len) of the text */
	size_t win_len;
	loff_t win_pos;
	const char *rest;		/* of the line being made, not in the window */
	size_t rest_len;
	const char *tail;		/* then this: a group line's tail */
	enum lm_line next;		/* the line to make next: */
	unsigned int group;		/* in ->g.groups[] */
	unsigned int record;		/* 0: the group's line; n: its nth record */
	u64 render_ns;			/* spent making text, for last_open_ns */
};

/* The header: the process and what it costs. */
static size_t lm_put_header(const struct lm_text *t, struct lm_scratch *buf)
{
	char *p = buf->line;

	p = lm_cat(p, "libmaps ");
	p = lm_dec(p, LM_VIEW_VERSION);
	p = lm_cat(p, " pid=");
	p = lm_dec(p, t->snap.pid);
	p = lm_cat(p, " vmas=");
	p = lm_dec(p, t->snap.nr);
	p = lm_cat(p, " groups=");
	p = lm_dec(p, t->g.nr);
	p = lm_mem_put(p, &t->g.mem);
	/* what pmd= counts in, for a reader on another machine */
	p = lm_cat(p, " pmd_size=");
	p = lm_dec(p, PMD_SIZE);
	p = lm_cat(p, t->snap.changed ? " state=changed" : " state=one");
	if (t->snap.ranged) {
		p = lm_cat(p, " range=");
		p = lm_hex(p, t->snap.range_start, 1);
		*p++ = '-';
		p = lm_hex(p, t->snap.range_end, 1);
		p = lm_cat(p, " map_vmas=");
		p = lm_dec(p, t->snap.map_vmas);
		p = lm_cat(p, " map_size=");
		p = lm_dec(p, t->snap.map_size);
	}
	p = lm_cat(p, " comm=");
	p = lm_escaped_put(p, t->snap.comm);
	*p++ = '\n';
	return p - buf->line;
}

/* Make the next line of the text into ->rest (and ->tail); false at the end. */
static bool lm_next_line(struct lm_text *t)
{
	const struct lm_group *grp;
	const struct lm_vma *v, *prev;
	enum lm_merge merge;
	size_t len;

	switch (t->next) {
	case LM_LINE_HEADER:
		len = lm_put_header(t, t->buf);
		t->next = t->snap.has_mm ? LM_LINE_GROUPS : LM_LINE_NOMM;
		break;
	case LM_LINE_NOMM:
		len = lm_cat(t->buf->line, "nomm\n") - t->buf->line;
		t->next = LM_LINE_END;
		break;
	case LM_LINE_GROUPS:
		if (t->group == t->g.nr) {
			t->next = LM_LINE_END;
			return false;
		}
		grp = &t->g.groups[t->group];
		if (!t->record) {
			len = lm_put_group(grp, t->buf);
			t->tail = t->tails[t->group];
			t->record = 1;
			break;
		}
		v = t->g.order[grp->first + t->record - 1];
		prev = t->record > 1 ? t->g.order[grp->first + t->record - 2] : NULL;
		if (!prev)
			merge = LM_MERGE_FIRST;
		else if (prev->end != v->start)
			merge = LM_MERGE_HOLE;
		else
			merge = v->merge;	/* @prev is the VMA before @v */
		len = lm_put_record(v, merge, t->buf);
		if (t->record++ == grp->nr) {
			t->group++;
			t->record = 0;
		}
		break;
	default:
		return false;
	}
	t->rest = t->buf->line;
	t->rest_len = len;
	return true;
}

/* Start the text again from its first byte. */
static void lm_rewind(struct lm_text *t)
{
	t->win_pos = 0;
	t->win_len = 0;
	t->rest_len = 0;
	t->tail = NULL;
	t->next = LM_LINE_HEADER;
	t->group = 0;
	t->record = 0;
}

/* Move the window on to the next LM_WINDOW bytes of the text (or fewer, at its end). */
static void lm_fill(struct lm_text *t)
{
	char *p = t->win, *end = t->win + LM_WINDOW;
	u64 t0 = ktime_get_ns();
	size_t n;

	t->win_pos += t->win_len;
	while (p < end) {
		if (!t->rest_len) {
			if (t->tail) {
				t->rest = t->tail;
				t->rest_len = strlen(t->tail);
				t->tail = NULL;
				continue;
			}
			if (!lm_next_line(t))
				break;
		}
		n = min_t(size_t, t->rest_len, end - p);
		memcpy(p, t->rest, n);
		p += n;
		t->rest += n;
		t->rest_len -= n;
	}
	t->win_len = p - t->win;
	if (p < end)
		t->size = t->win_pos + t->win_len;
	if (t->win_pos + t->win_len > t->known)
		WRITE_ONCE(t->known, t->win_pos + t->win_len);
	t->render_ns += ktime_get_ns() - t0;
	cond_resched();
}

/**
 * lm_text_read - read() of a view: up to @count bytes of @text at *@ppos
 * @text: the text
 * @buf: the reader's buffer
 * @count: its size
 * @ppos: the file position, advanced by what was read
 *
 * Return: the bytes read, 0 at the end, -EFAULT if none could be copied,
 * -EINTR if a fatal signal came while waiting for another reader.
 */
ssize_t lm_text_read(struct lm_text *text, char __user *buf, size_t count,
		     loff_t *ppos)
{
	loff_t pos = *ppos;
	size_t done = 0, off, n, left = 0;

	if (pos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	if (mutex_lock_killable(&text->lock))
		return -EINTR;
	if (pos < text->win_pos)
		lm_rewind(text);
	while (done < count) {
		if (text->size >= 0 && pos + done >= text->size)
			break;
		if (pos + done >= text->win_pos + text->win_len) {
			lm_fill(text);
			continue;
		}
		off = pos + done - text->win_pos;
		n = min_t(size_t, count - done, text->win_len - off);
		left = copy_to_user(buf + done, text->win + off, n);
		done += n - left;
		if (left)
			break;	/* the rest of the reader's buffer faults */
	}
	mutex_unlock(&text->lock);
	if (!done && left)
		return -EFAULT;
	*ppos = pos + done;
	return done;
}

/* The bytes of @text known to exist: its size once it was made to the end. */
loff_t lm_text_known(struct lm_text *text)
{
	return READ_ONCE(text->known);
}

/**
 * lm_text_reach - make @text until @to bytes of it exist, or to its end
 * @text: the text
 * @to: the bytes wanted (LLONG_MAX: all)
 *
 * Return: the bytes known to exist then (its size if it has fewer than
 * @to), or -EINTR if a fatal signal came while waiting for another reader.
 */
loff_t lm_text_reach(struct lm_text *text, loff_t to)
{
	loff_t known;

	if (to <= lm_text_known(text))
		return lm_text_known(text);
	if (mutex_lock_killable(&text->lock))
		return -EINTR;
	while (text->known < to && text->size < 0)
		lm_fill(text);
	known = text->known;
	mutex_unlock(&text->lock);
	return known;
}

/*
 * Where the time of the last open went, in ns: reading the THP settings,
 * copying the VMAs, walking their page tables, grouping them, and making
 * the text (written when it is closed: the text is made as it is read).
 */
static unsigned long lm_last_ns[5];
static unsigned int lm_last_ns_nr = ARRAY_SIZE(lm_last_ns);
module_param_array_named(last_open_ns, lm_last_ns, ulong, &lm_last_ns_nr, 0444);
MODULE_PARM_DESC(last_open_ns,
		 "ns the last open spent reading THP settings, copying, walking, grouping, and (once closed) making the text");

/*
 * What the last view allocated at its peak: the snapshot, its groups, the
 * groups' tails and the window, all there from open to close.  For the
 * benchmarks (bench/), which compare it with the size of the text.
 */
static unsigned long lm_last_snapshot_bytes;
module_param_named(last_snapshot_bytes, lm_last_snapshot_bytes, ulong, 0444);
MODULE_PARM_DESC(last_snapshot_bytes,
		 "bytes the last view allocated at its peak (for benchmarks)");

static unsigned long lm_peak_bytes(const struct lm_text *t, unsigned long names)
{
	unsigned long bytes = (unsigned long)t->snap.cap * sizeof(*t->snap.vmas);
	unsigned int i;

	bytes += names;		/* freed once the groups had their tails */
	bytes += (unsigned long)t->snap.nr * sizeof(*t->g.order);
	bytes += (unsigned long)t->g.nr * (sizeof(*t->g.groups) + sizeof(*t->tails));
	for (i = 0; i < t->g.nr; i++)
		bytes += strlen(t->tails[i]) + 1;
	return bytes + sizeof(*t) + sizeof(*t->buf) + LM_WINDOW;
}

void lm_text_free(struct lm_text *text)
{
	unsigned int i;

	if (!text)
		return;
	if (text->render_ns)	/* a text that was read */
		WRITE_ONCE(lm_last_ns[4], text->render_ns);
	for (i = 0; text->tails && i < text->g.nr; i++) {
		kfree(text->tails[i]);
		if (!((i + 1) % LM_RESCHED_RECORDS))
			cond_resched();
	}
	kvfree(text->tails);
	kfree(text->win);
	kvfree(text->buf);
	lm_groups_release(&text->g);
	lm_snapshot_release(&text->snap);
	mutex_destroy(&text->lock);
	kfree(text);
}

/* The tails of every group of @t, made with the files and names of the copies. */
static int lm_make_tails(struct lm_text *t)
{
	unsigned int i;
	char *path;

	t->tails = kvcalloc(t->g.nr, sizeof(*t->tails), GFP_KERNEL_ACCOUNT);
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!t->tails || !path) {
		kfree(path);
		return -ENOMEM;
	}
	for (i = 0; i < t->g.nr; i++) {
		t->tails[i] = lm_group_tail(t->g.order[t->g.groups[i].first], path);
		if (!t->tails[i])
			break;
		if (!((i + 1) % LM_RESCHED_RECORDS))
			cond_resched();
	}
	kfree(path);
	return i == t->g.nr ? 0 : -ENOMEM;
}

/**
 * lm_view_render - take a snapshot of @task for the text of its view
 * @task: the task, referenced by the caller
 * @pid: its pid as the reader sees it
 * @range: the range a view of part of the map holds, or NULL for all
 *
 * Return: the text, to be freed with lm_text_free(), or an ERR_PTR() of
 * the errno from lm_snapshot_take() or an allocation.
 */
struct lm_text *lm_view_render(struct task_struct *task, pid_t pid,
			       const struct libmaps_range *range)
{
	unsigned long names = 0;
	struct lm_text *t;
	unsigned int i;
	u64 t0;
	int ret;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return ERR_PTR(-ENOMEM);
	mutex_init(&t->lock);
	t->size = -1;
	lm_rewind(t);
	ret = lm_snapshot_take(task, pid, range, &t->snap);
	if (ret)
		goto fail;
	t0 = ktime_get_ns();
	ret = lm_groups_build(&t->snap, &t->g);
	if (!ret)
		ret = lm_make_tails(t);
	if (ret)
		goto fail;
	for (i = 0; i < t->snap.nr; i++)
		if (t->snap.vmas[i].name)
			names += strlen(t->snap.vmas[i].name) + 1;
	lm_snapshot_put_refs(&t->snap);

	ret = -ENOMEM;
	t->buf = kvmalloc(sizeof(*t->buf), GFP_KERNEL_ACCOUNT);
	t->win = kmalloc(LM_WINDOW, GFP_KERNEL_ACCOUNT);
	if (!t->buf || !t->win)
		goto fail;
	for (i = 0; i < LM_NAMES_CACHED; i++) {
		t->buf->decoded[i].flags = 0;
		t->buf->decoded[i].len = 0;
		t->buf->diff[i].flags = 0;
		t->buf->diff[i].len = 0;
	}
	t->buf->sizes_orders = 0;
	t->buf->sizes_len = 0;

	WRITE_ONCE(lm_last_snapshot_bytes, lm_peak_bytes(t, names));
	WRITE_ONCE(lm_last_ns[0], t->snap.thp_ns);
	WRITE_ONCE(lm_last_ns[1], t->snap.copy_ns);
	WRITE_ONCE(lm_last_ns[2], t->snap.walk_ns);
	WRITE_ONCE(lm_last_ns[3], ktime_get_ns() - t0);
	return t;
fail:
	lm_text_free(t);
	return ERR_PTR(ret);
}
