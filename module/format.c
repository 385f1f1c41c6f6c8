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
#include <linux/kdev_t.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/seq_buf.h>
#include <linux/overflow.h>
#include <linux/slab.h>

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
 * Write @s as maps writes names: a newline becomes \012.  (Only
 * seq_buf_printf() is exported on every supported kernel.)
 */
static void lm_put_escaped(struct seq_buf *sb, const char *s)
{
	size_t run;

	while (*s) {
		run = strcspn(s, "\n");
		seq_buf_printf(sb, "%.*s", (int)run, s);
		s += run;
		if (*s) {
			seq_buf_printf(sb, "\\012");
			s++;
		}
	}
}

/*
 * Every set bit of @flags by name, separated by @sep, into @buf (64 names
 * of at most 5 bytes and a separator each fit in LM_NAMES_MAX).  A record
 * is then one seq_buf_printf(): formatting, not the walk, dominates the
 * cost of a view, and only seq_buf_printf() is exported on 5.10 and 6.1.
 */
#define LM_NAMES_MAX	(BITS_PER_LONG * 6 + 1)

/* Room to build one line in, allocated once per view: not on the stack. */
struct lm_scratch {
	char path[PATH_MAX];
	char decoded[LM_NAMES_MAX];
	char diff[LM_NAMES_MAX];
	char sizes[128];
};

static void lm_flag_string(char *buf, vm_flags_t flags, char sep)
{
	unsigned int bit;
	char *p = buf;

	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!(flags & BIT(bit)))
			continue;
		if (p != buf)
			*p++ = sep;
		if (lm_flag_names[bit]) {
			size_t n = strlen(lm_flag_names[bit]);

			memcpy(p, lm_flag_names[bit], n);
			p += n;
		} else {
			p += scnprintf(p, 6, "bit%u", bit);
		}
	}
	*p = '\0';
}

/* The huge page sizes of @orders, largest first: "2048K,64K". */
static void lm_size_string(char *buf, size_t size, unsigned long orders)
{
	size_t len = 0;
	int order;

	buf[0] = '\0';
	for (order = BITS_PER_LONG - 1; order >= 0; order--) {
		if (!(orders & BIT(order)))
			continue;
		len += scnprintf(buf + len, size - len, "%s%luK", len ? "," : "",
				 (PAGE_SIZE << order) >> 10);
	}
}

/*
 * One record.  @merge says why it is not one VMA with the record before
 * it in its group.
 */
static void lm_put_record(struct seq_buf *sb, const struct lm_vma *v,
			  enum lm_merge merge, struct lm_scratch *buf)
{
	vm_flags_t f = v->flags;

	lm_flag_string(buf->decoded, f, ',');
	buf->diff[0] = '\0';
	if (merge == LM_MERGE_FLAGS)
		lm_flag_string(buf->diff, v->merge_diff, '+');
	lm_size_string(buf->sizes, sizeof(buf->sizes), v->thp_orders);
	seq_buf_printf(sb,
		       "\t%08lx-%08lx %c%c%c%c %08llx size=%lu role=%s flags=0x%lx decoded=%s thp=%d thp_reason=%s%s%s pmd=%lu pagesize=%luK merge=%s%s%s\n",
		       v->start, v->end,
		       f & VM_READ ? 'r' : '-',
		       f & VM_WRITE ? 'w' : '-',
		       f & VM_EXEC ? 'x' : '-',
		       f & VM_MAYSHARE ? 's' : 'p',
		       (unsigned long long)v->pgoff << PAGE_SHIFT,
		       v->end - v->start, lm_role_name(v->role),
		       (unsigned long)f, buf->decoded,
		       v->thp_why == LM_THP_ELIGIBLE, lm_thp_why_name(v->thp_why),
		       v->thp_orders ? " thp_sizes=" : "", buf->sizes,
		       v->pmd, v->pagesize >> 10, lm_merge_name(merge),
		       merge == LM_MERGE_FLAGS ? ":" : "", buf->diff);
}

/* The name column of a group, as /proc/<pid>/maps prints it. */
static void lm_put_group_name(struct seq_buf *sb, const struct lm_vma *v,
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

	seq_buf_printf(sb, " name=");
	switch (v->kind) {
	case LM_KIND_FILE:
		p = d_path(lm_file_user_path(v->file), buf->path, PATH_MAX);
		lm_put_escaped(sb, IS_ERR(p) ? "?" : p);
		break;
	case LM_KIND_ANON_SHMEM:
		seq_buf_printf(sb, "[anon_shmem:");
		lm_put_escaped(sb, v->name);
		seq_buf_printf(sb, "]");
		break;
	case LM_KIND_ANON_NAMED:
		seq_buf_printf(sb, "[anon:");
		lm_put_escaped(sb, v->name);
		seq_buf_printf(sb, "]");
		break;
	case LM_KIND_SPECIAL:
		lm_put_escaped(sb, v->name);
		break;
	default:
		seq_buf_printf(sb, "%s", fixed[v->kind]);
		break;
	}
	seq_buf_printf(sb, "\n");
}

static void lm_put_group(struct seq_buf *sb, const struct lm_groups *g,
			 const struct lm_group *grp, struct lm_scratch *buf)
{
	const struct lm_vma *first = g->order[grp->first], *v, *prev = NULL;
	enum lm_merge merge;
	unsigned int i;

	seq_buf_printf(sb, "group %s records=%u size=%lu huge=%lu",
		       lm_kind_name(grp->kind), grp->nr, grp->size, grp->huge);
	if (lm_kind_has_inode(grp->kind)) {
		struct inode *inode = file_inode(first->file);

		seq_buf_printf(sb, " dev=%02x:%02x ino=%llu",
			       MAJOR(inode->i_sb->s_dev),
			       MINOR(inode->i_sb->s_dev),
			       (unsigned long long)inode->i_ino);
	}
	lm_put_group_name(sb, first, buf);

	for (i = 0; i < grp->nr; i++) {
		v = g->order[grp->first + i];
		if (!prev)
			merge = LM_MERGE_FIRST;
		else if (prev->end != v->start)
			merge = LM_MERGE_HOLE;
		else
			merge = v->merge;	/* @prev is the VMA before @v */
		lm_put_record(sb, v, merge, buf);
		prev = v;
	}
}

static void lm_put_view(struct seq_buf *sb, const struct lm_snapshot *snap,
			const struct lm_groups *g, struct lm_scratch *buf)
{
	unsigned int i;

	seq_buf_printf(sb, "libmaps %d pid=%d vmas=%u groups=%u comm=",
		       LM_VIEW_VERSION, snap->pid, snap->nr, g->nr);
	lm_put_escaped(sb, snap->comm);
	seq_buf_printf(sb, "\n");

	if (!snap->has_mm) {
		seq_buf_printf(sb, "nomm\n");
		return;
	}
	for (i = 0; i < g->nr; i++)
		lm_put_group(sb, g, &g->groups[i], buf);
}

/*
 * What the last view allocated at its peak, while the snapshot, the groups
 * and the text all exist: for the benchmarks (bench/), which compare it
 * with the size of the text.
 */
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
	bytes += (unsigned long)snap->nr * (sizeof(*g->order) + sizeof(*g->groups));
	return bytes + sizeof(struct lm_scratch) + struct_size(text, buf, text->size);
}

/*
 * Format into a buffer sized from the counts; a long path can overflow the
 * estimate, in which case the buffer doubles and the text is made again.
 */
static struct lm_text *lm_render(const struct lm_snapshot *snap,
				 const struct lm_groups *g)
{
	/* a record line is about 160 bytes; the rare longer text doubles */
	size_t size = 256 + (size_t)snap->nr * 192 + (size_t)g->nr * 256;
	struct lm_text *text = NULL;
	struct seq_buf sb;
	struct lm_scratch *buf;

	buf = kmalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);

	for (;;) {
		text = kvmalloc(struct_size(text, buf, size), GFP_KERNEL_ACCOUNT);
		if (!text)
			break;
		seq_buf_init(&sb, text->buf, size);
		lm_put_view(&sb, snap, g, buf);
		if (!seq_buf_has_overflowed(&sb))
			break;
		kvfree(text);
		size *= 2;
	}
	kfree(buf);
	if (!text)
		return ERR_PTR(-ENOMEM);
	text->len = seq_buf_used(&sb);
	text->size = size;
	return text;
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

	ret = lm_snapshot_take(task, pid, &snap);
	if (ret)
		return ERR_PTR(ret);
	ret = lm_groups_build(&snap, &g);
	if (ret) {
		text = ERR_PTR(ret);
	} else {
		text = lm_render(&snap, &g);
		if (!IS_ERR(text))
			WRITE_ONCE(lm_last_snapshot_bytes,
				   lm_peak_bytes(&snap, &g, text));
		lm_groups_release(&g);
	}
	lm_snapshot_release(&snap);
	return text;
}

void lm_text_free(struct lm_text *text)
{
	kvfree(text);
}
