// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c: libmaps trace, the address space changing call by call
 *
 * Runs a command under ptrace with a seccomp filter that stops it only at
 * the system calls that can change an address space (as strace's
 * --seccomp-bpf does; PTRACE_SYSCALL where seccomp is unavailable).  At
 * each such call the map is taken before and after it, from the libmaps
 * view or, without the module, from /proc/<pid>/maps, and the call is
 * printed as strace decodes it, followed by what it did to the map as
 * operations on records: created, removed, split, merged, grown, shrunk,
 * moved, changed.  A change seen before a call (a page fault growing the
 * stack, say) is printed as happening between calls.
 *
 * With the module, a stop reads only the records of the range the call
 * can change, and their neighbours (LIBMAPS_IOC_RANGE), and puts them in
 * place of those in the map it kept: a stop costs the kernel what the
 * call touched, not what the map holds.  The whole map is read when a
 * call's range cannot be told from its arguments, and whenever what was
 * kept no longer adds up to the whole map's count and size.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"
#include "uapi/libmaps.h"
#include "view.h"
#include "xalloc.h"

/* Not in every libc's headers yet: the same numbers on x86_64 and arm64. */
#ifndef __NR_process_madvise
#define __NR_process_madvise	440
#endif
#ifndef __NR_set_mempolicy_home_node
#define __NR_set_mempolicy_home_node	450
#endif
#ifndef __NR_mseal
#define __NR_mseal		462
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#endif
#define LM_UFFDIO_REGISTER	0xc020aa00U
#define LM_UFFDIO_UNREGISTER	0x8010aa01U

#if defined(__x86_64__)
#define LM_AUDIT_ARCH		AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define LM_AUDIT_ARCH		AUDIT_ARCH_AARCH64
#endif

static const char *prog = "libmaps trace";

/* --json: one JSON object a line for each call shown, not text. */
static bool json_out;
/* --summary: the provenance of every record of the last map, at the end. */
static bool summary_wanted;

/* @s as a JSON string (NULL: null). */
static void put_json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < ' ')
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* --- how each call is decoded --- */

enum arg {
	A_NONE, A_ADDR, A_ULONG, A_INT, A_HEX, A_PROT, A_MAP, A_FD, A_MREMAP,
	A_MADV, A_MLOCK2, A_MCL, A_STR, A_PTR, A_PRCTL, A_IOCTL,
};

enum ret { R_INT, R_ADDR };

struct call_desc {
	long nr;
	const char *name;
	enum arg args[6];
	enum ret ret;
};

#define CALL(n, r, ...)	{ __NR_##n, #n, { __VA_ARGS__ }, r }

static const struct call_desc calls[] = {
	CALL(mmap, R_ADDR, A_ADDR, A_ULONG, A_PROT, A_MAP, A_FD, A_HEX),
	CALL(munmap, R_INT, A_ADDR, A_ULONG),
	CALL(mprotect, R_INT, A_ADDR, A_ULONG, A_PROT),
	CALL(pkey_mprotect, R_INT, A_ADDR, A_ULONG, A_PROT, A_INT),
	CALL(mremap, R_ADDR, A_ADDR, A_ULONG, A_ULONG, A_MREMAP, A_ADDR),
	CALL(madvise, R_INT, A_ADDR, A_ULONG, A_MADV),
	CALL(process_madvise, R_INT, A_INT, A_PTR, A_ULONG, A_MADV, A_HEX),
	CALL(brk, R_ADDR, A_ADDR),
	CALL(mlock, R_INT, A_ADDR, A_ULONG),
	CALL(mlock2, R_INT, A_ADDR, A_ULONG, A_MLOCK2),
	CALL(munlock, R_INT, A_ADDR, A_ULONG),
	CALL(mlockall, R_INT, A_MCL),
	CALL(munlockall, R_INT, A_NONE),
	CALL(mseal, R_INT, A_ADDR, A_ULONG, A_HEX),
	CALL(remap_file_pages, R_INT, A_ADDR, A_ULONG, A_PROT, A_ULONG, A_MAP),
	CALL(shmat, R_ADDR, A_INT, A_ADDR, A_HEX),
	CALL(shmdt, R_INT, A_ADDR),
	CALL(mbind, R_INT, A_ADDR, A_ULONG, A_INT, A_PTR, A_ULONG, A_HEX),
	CALL(set_mempolicy_home_node, R_INT, A_ADDR, A_ULONG, A_INT, A_HEX),
	CALL(execve, R_INT, A_STR, A_PTR, A_PTR),
	CALL(execveat, R_INT, A_FD, A_STR, A_PTR, A_PTR, A_HEX),
	/* only PR_SET_VMA and PR_SET_THP_DISABLE stop (the filter) */
	CALL(prctl, R_INT, A_PRCTL, A_ULONG, A_HEX, A_HEX, A_HEX),
	/* only userfaultfd registration stops */
	CALL(ioctl, R_INT, A_FD, A_IOCTL, A_PTR),
};

#define NCALLS	(sizeof(calls) / sizeof(calls[0]))

static const struct call_desc *call_of(long nr)
{
	for (size_t i = 0; i < NCALLS; i++)
		if (calls[i].nr == nr)
			return &calls[i];
	return NULL;
}

/* Whether the call @nr with @args can change an address space. */
static bool call_traced(long nr, const uint64_t *args)
{
	if (nr == __NR_prctl)
		return (uint32_t)args[0] == PR_SET_VMA ||
		       (uint32_t)args[0] == PR_SET_THP_DISABLE;
	if (nr == __NR_ioctl)
		return (uint32_t)args[1] == LM_UFFDIO_REGISTER ||
		       (uint32_t)args[1] == LM_UFFDIO_UNREGISTER;
	return call_of(nr) != NULL;
}

struct flag_name {
	unsigned long v;
	const char *name;
};

static const struct flag_name prot_flags[] = {
	{ PROT_READ, "PROT_READ" }, { PROT_WRITE, "PROT_WRITE" },
	{ PROT_EXEC, "PROT_EXEC" }, { 0x8, "PROT_SEM" },
	{ 0x10, "PROT_BTI" }, { 0x20, "PROT_MTE" },
	{ PROT_GROWSDOWN, "PROT_GROWSDOWN" }, { PROT_GROWSUP, "PROT_GROWSUP" },
	{ 0, NULL },
};

static const struct flag_name map_flags[] = {
	{ MAP_FIXED, "MAP_FIXED" }, { MAP_ANONYMOUS, "MAP_ANONYMOUS" },
#ifdef MAP_32BIT
	{ MAP_32BIT, "MAP_32BIT" },
#endif
	{ MAP_GROWSDOWN, "MAP_GROWSDOWN" }, { MAP_DENYWRITE, "MAP_DENYWRITE" },
	{ MAP_EXECUTABLE, "MAP_EXECUTABLE" }, { MAP_LOCKED, "MAP_LOCKED" },
	{ MAP_NORESERVE, "MAP_NORESERVE" }, { MAP_POPULATE, "MAP_POPULATE" },
	{ MAP_NONBLOCK, "MAP_NONBLOCK" }, { MAP_STACK, "MAP_STACK" },
	{ MAP_HUGETLB, "MAP_HUGETLB" }, { 0x80000, "MAP_SYNC" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" }, { 0x4000000, "MAP_UNINITIALIZED" },
	{ 0, NULL },
};

static const struct flag_name mremap_flags[] = {
	{ 1, "MREMAP_MAYMOVE" }, { 2, "MREMAP_FIXED" }, { 4, "MREMAP_DONTUNMAP" },
	{ 0, NULL },
};

static const struct flag_name mcl_flags[] = {
	{ 1, "MCL_CURRENT" }, { 2, "MCL_FUTURE" }, { 4, "MCL_ONFAULT" },
	{ 0, NULL },
};

static const struct flag_name mlock2_flags[] = {
	{ 1, "MLOCK_ONFAULT" }, { 0, NULL },
};

static const struct flag_name madv_names[] = {
	{ 0, "MADV_NORMAL" }, { 1, "MADV_RANDOM" }, { 2, "MADV_SEQUENTIAL" },
	{ 3, "MADV_WILLNEED" }, { 4, "MADV_DONTNEED" }, { 8, "MADV_FREE" },
	{ 9, "MADV_REMOVE" }, { 10, "MADV_DONTFORK" }, { 11, "MADV_DOFORK" },
	{ 12, "MADV_MERGEABLE" }, { 13, "MADV_UNMERGEABLE" },
	{ 14, "MADV_HUGEPAGE" }, { 15, "MADV_NOHUGEPAGE" },
	{ 16, "MADV_DONTDUMP" }, { 17, "MADV_DODUMP" },
	{ 18, "MADV_WIPEONFORK" }, { 19, "MADV_KEEPONFORK" },
	{ 20, "MADV_COLD" }, { 21, "MADV_PAGEOUT" },
	{ 22, "MADV_POPULATE_READ" }, { 23, "MADV_POPULATE_WRITE" },
	{ 24, "MADV_DONTNEED_LOCKED" }, { 25, "MADV_COLLAPSE" },
	{ 100, "MADV_HWPOISON" }, { 101, "MADV_SOFT_OFFLINE" },
	{ 102, "MADV_GUARD_INSTALL" }, { 103, "MADV_GUARD_REMOVE" },
	{ 0, NULL },
};

static const struct flag_name prctl_names[] = {
	{ PR_SET_THP_DISABLE, "PR_SET_THP_DISABLE" }, { PR_SET_VMA, "PR_SET_VMA" },
	{ 0, NULL },
};

static const struct flag_name ioctl_names[] = {
	{ LM_UFFDIO_REGISTER, "UFFDIO_REGISTER" },
	{ LM_UFFDIO_UNREGISTER, "UFFDIO_UNREGISTER" },
	{ 0, NULL },
};

/* @v as "A|B|0x40", or @zero if it is 0. */
static void put_flags(FILE *out, unsigned long v, const struct flag_name *t,
		      const char *zero)
{
	bool first = true;

	if (!v) {
		fputs(zero, out);
		return;
	}
	for (; t->name; t++) {
		if ((v & t->v) == t->v) {
			fprintf(out, "%s%s", first ? "" : "|", t->name);
			v &= ~t->v;
			first = false;
		}
	}
	if (v)
		fprintf(out, "%s%#lx", first ? "" : "|", v);
}

static void put_value(FILE *out, unsigned long v, const struct flag_name *t)
{
	for (; t->name; t++) {
		if (t->v == v) {
			fputs(t->name, out);
			return;
		}
	}
	fprintf(out, "%#lx", v);
}

static void put_map(FILE *out, unsigned long v)
{
	static const char *const types[] = {
		"0", "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE",
	};
	unsigned long huge = (v >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;

	fputs(types[v & 3], out);
	v &= ~(3UL | ((unsigned long)MAP_HUGE_MASK << MAP_HUGE_SHIFT));
	if (v) {
		fputc('|', out);
		put_flags(out, v, map_flags, "");
	}
	if (huge) {
		unsigned long kb = (1UL << huge) >> 10;

		if (kb >= 1024UL * 1024)
			fprintf(out, "|MAP_HUGE_%luGB", kb >> 20);
		else if (kb >= 1024)
			fprintf(out, "|MAP_HUGE_%luMB", kb >> 10);
		else
			fprintf(out, "|MAP_HUGE_%luKB", kb);
	}
}

/* The string at @addr of @tid, as strace quotes it (at most PATH_MAX). */
static void put_str(FILE *out, pid_t tid, unsigned long addr)
{
	char buf[PATH_MAX];
	struct iovec local = { buf, sizeof(buf) - 1 };
	struct iovec remote = { (void *)addr, sizeof(buf) - 1 };
	ssize_t n;

	if (!addr) {
		fputs("NULL", out);
		return;
	}
	n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n <= 0) {
		/* no CONFIG_CROSS_MEMORY_ATTACH: the tracer may read its memory */
		char mem[64];
		int fd;

		snprintf(mem, sizeof(mem), "/proc/%d/mem", (int)tid);
		fd = open(mem, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : pread(fd, buf, sizeof(buf) - 1, (off_t)addr);
		if (fd >= 0)
			close(fd);
	}
	if (n <= 0) {
		fprintf(out, "%#lx", addr);
		return;
	}
	buf[n] = '\0';
	fputc('"', out);
	for (const char *s = buf; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f)
			fprintf(out, "\\%o", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* A file descriptor as strace -y writes it: 3</usr/lib/libc.so.6>. */
static void put_fd(FILE *out, pid_t tid, int fd)
{
	char path[64], target[PATH_MAX];
	ssize_t n;

	if (fd == AT_FDCWD) {
		fputs("AT_FDCWD", out);
		return;
	}
	fprintf(out, "%d", fd);
	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0)
		fprintf(out, "<%.*s>", (int)n, target);
}

struct call {
	const struct call_desc *desc;
	long nr;
	uint64_t args[6];
	char *text;		/* the call decoded, up to its ')' */
};

static char *decode_call(pid_t tid, long nr, const uint64_t *a,
			 const struct call_desc **descp)
{
	const struct call_desc *d = call_of(nr);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	*descp = d;
	if (!d) {
		fprintf(out, "syscall_%ld()", nr);
		fclose(out);
		return text;
	}
	fprintf(out, "%s(", d->name);
	for (int i = 0; i < 6 && d->args[i] != A_NONE; i++) {
		unsigned long v = a[i];

		/* the new address only with MREMAP_FIXED, as strace does */
		if (nr == __NR_mremap && i == 4 && !(a[3] & 2))
			break;
		if (i)
			fputs(", ", out);
		switch (d->args[i]) {
		case A_ADDR:
			if (v)
				fprintf(out, "%#lx", v);
			else
				fputs("NULL", out);
			break;
		case A_ULONG:
			fprintf(out, "%lu", v);
			break;
		case A_INT:
			fprintf(out, "%d", (int)v);
			break;
		case A_HEX:
			fprintf(out, v ? "%#lx" : "%lu", v);
			break;
		case A_PROT:
			put_flags(out, v, prot_flags, "PROT_NONE");
			break;
		case A_MAP:
			put_map(out, v);
			break;
		case A_FD:
			put_fd(out, tid, (int)v);
			break;
		case A_MREMAP:
			put_flags(out, v, mremap_flags, "0");
			break;
		case A_MADV:
			put_value(out, (unsigned int)v, madv_names);
			break;
		case A_MLOCK2:
			put_flags(out, v, mlock2_flags, "0");
			break;
		case A_MCL:
			put_flags(out, v, mcl_flags, "0");
			break;
		case A_STR:
			put_str(out, tid, v);
			break;
		case A_PTR:
			fprintf(out, v ? "%#lx" : "NULL", v);
			break;
		case A_PRCTL:
			put_value(out, (unsigned int)v, prctl_names);
			break;
		case A_IOCTL:
			put_value(out, (unsigned int)v, ioctl_names);
			break;
		case A_NONE:
			break;
		}
	}
	fputc(')', out);
	fclose(out);
	return text;
}

/* What a call returned, as strace writes it: " = 0x7f...\n". */
static void put_return_text(FILE *out, const struct call_desc *d, int64_t rval,
			    bool is_error)
{
	if (is_error) {
		const char *name = strerrorname_np((int)-rval);

		fprintf(out, " = -1 %s (%s)\n", name ? name : "E?",
			strerror((int)-rval));
	} else if (d && d->ret == R_ADDR) {
		fprintf(out, " = %#llx\n", (unsigned long long)rval);
	} else {
		fprintf(out, " = %lld\n", (long long)rval);
	}
}

static void put_return(FILE *out, const struct call_desc *d, int64_t rval,
		       bool is_error)
{
	if (json_out) {
		if (is_error) {
			fputs("\"return\":-1,\"error\":", out);
			put_json_str(out, strerrorname_np((int)-rval));
		} else if (d && d->ret == R_ADDR) {
			fprintf(out, "\"return\":\"%#llx\"", (unsigned long long)rval);
		} else {
			fprintf(out, "\"return\":%lld", (long long)rval);
		}
		return;
	}
	put_return_text(out, d, rval, is_error);
}

/* --- the map, as the view or maps gives it --- */

struct rec {
	unsigned long start, end;
	char perms[5];
	unsigned long long offset, ino;
	unsigned int major, minor;
	char *name;		/* maps' path column; "" for none */
	char *decoded;		/* the view's decoded flags; NULL from maps */
	char *merge;		/* the view's merge reason; NULL from maps */
	struct hent *hist;	/* the calls that made and changed it, oldest first */
	unsigned int nhist;
	bool from_range;	/* read with this stop's range, not kept */
};

/* One step of a record's history: call @call (0: between calls) did @op. */
struct hent {
	unsigned long call;
	const char *op;		/* a string literal: "created", "split", ... */
};

/*
 * --summary: the text of every call that stopped, call n at [n - 1]
 * (n is struct trace's calls then): "mmap(...) = 0x...".
 */
static char **call_texts;
static unsigned long ncall_texts;

struct map {
	struct rec *r;
	size_t nr;
	unsigned long long size;	/* the bytes its records span */
	bool valid;
};

static void map_free(struct map *m)
{
	for (size_t i = 0; i < m->nr; i++) {
		free(m->r[i].name);
		free(m->r[i].decoded);
		free(m->r[i].merge);
		free(m->r[i].hist);
	}
	free(m->r);
	m->r = NULL;
	m->nr = 0;
	m->size = 0;
	m->valid = false;
}

static struct rec *map_add(struct map *m, size_t *cap)
{
	if (m->nr == *cap) {
		m->r = xrealloc(m->r, (*cap = *cap ? *cap * 2 : 64) * sizeof(*m->r));
	}
	memset(&m->r[m->nr], 0, sizeof(m->r[0]));
	return &m->r[m->nr++];
}

/* The map of @pid from /proc/<pid>/maps; false if it could not be read. */
static bool map_from_maps(pid_t pid, struct map *m)
{
	char path[64];
	char *text, *line, *next;
	size_t cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	text = lm_slurp(path, NULL);
	if (!text)
		return false;
	for (line = text; *line; line = next) {
		struct rec *r;
		int name_at = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		r = map_add(m, &cap);
		if (sscanf(line, "%lx-%lx %4s %llx %x:%x %llu %n", &r->start,
			   &r->end, r->perms, &r->offset, &r->major, &r->minor,
			   &r->ino, &name_at) < 7) {
			m->nr--;
			continue;
		}
		r->name = xstrdup(name_at ? line + name_at : "");
		m->size += r->end - r->start;
	}
	free(text);
	m->valid = true;
	return true;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The records of view @p added to @m, which has room for *@cap. */
static void map_add_proc(struct map *m, size_t *cap, const struct lm_proc *p,
			 bool from_range)
{
	for (size_t i = 0; i < p->nr; i++) {
		const struct lm_rec *lr = &p->recs[i];
		struct rec *r = map_add(m, cap);

		r->start = lr->start;
		r->end = lr->end;
		memcpy(r->perms, lr->perms, sizeof(r->perms));
		r->offset = lr->offset;
		if (lr->group) {
			r->name = xstrdup(lr->group->name);
			r->major = lr->group->major;
			r->minor = lr->group->minor;
			r->ino = lr->group->ino;
		} else {
			r->name = xstrdup("");
		}
		r->decoded = xstrdup(lr->decoded);
		r->merge = xstrdup(lr->merge);
		r->from_range = from_range;
	}
}

/*
 * The map of @pid from the libmaps view, in address order (the view's is
 * by group); false if it could not be read.
 */
static bool map_from_view(pid_t pid, struct map *m)
{
	char path[64], err[256];
	struct lm_proc p;
	size_t cap = 0;
	char *text;

	snprintf(path, sizeof(path), LM_DEBUGFS "/%d", (int)pid);
	text = lm_slurp(path, NULL);
	if (!text)
		return false;
	if (lm_parse_view(text, &p, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, err);
		free(text);
		return false;
	}
	free(text);
	map_add_proc(m, &cap, &p, false);
	lm_proc_free(&p);
	if (m->nr)
		qsort(m->r, m->nr, sizeof(m->r[0]), rec_cmp);
	for (size_t i = 0; i < m->nr; i++)
		m->size += m->r[i].end - m->r[i].start;
	m->valid = true;
	return true;
}

struct trace {
	FILE *out;
	bool follow, use_view, verbose, seccomp, many;
	bool whole;		/* --whole-map: never a range of the view */
	bool verify;		/* LIBMAPS_TRACE_VERIFY: each range against the whole */
	unsigned long ranged, mismatched;	/* stops read by range; unlike the whole */
	pid_t child;		/* the command, or the process attached to */
	bool attached;		/* -p: detach, never kill, at the end */
	int child_status;
	bool child_done;
	unsigned long calls;
};

static bool map_take(struct trace *t, pid_t pid, struct map *m)
{
	map_free(m);
	if (t->use_view && map_from_view(pid, m))
		return true;
	return map_from_maps(pid, m);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool rec_eq(const struct rec *a, const struct rec *b)
{
	return a->start == b->start && a->end == b->end &&
	       !strcmp(a->perms, b->perms) && a->offset == b->offset &&
	       a->major == b->major && a->minor == b->minor &&
	       a->ino == b->ino && !strcmp(a->name, b->name) &&
	       str_eq(a->decoded, b->decoded) && str_eq(a->merge, b->merge);
}

/* @r as maps writes it, and (@merge) why it is not merged with the one before. */
static void put_rec(FILE *out, const struct rec *r, bool merge)
{
	if (json_out) {
		fprintf(out, "{\"start\":\"%08lx\",\"end\":\"%08lx\",\"perms\":\"%s\",\"offset\":\"%08llx\",\"name\":",
			r->start, r->end, r->perms, r->offset);
		put_json_str(out, r->name[0] ? r->name : NULL);
		fputs(",\"flags\":", out);
		put_json_str(out, r->decoded);
		fputs(",\"merge\":", out);
		put_json_str(out, r->merge);
		fputc('}', out);
		return;
	}
	fprintf(out, "%08lx-%08lx %s", r->start, r->end, r->perms);
	if (r->name[0])
		fprintf(out, " %s", r->name);
	if (merge && r->merge)
		fprintf(out, " merge=%s", r->merge);
}

/* Each mnemonic of @b not in @a, with @sign: "+ac". */
static void put_flag_diff(FILE *out, const char *a, const char *b, char sign)
{
	const char *s = b;

	while (*s) {
		size_t len = strcspn(s, ",");
		const char *f = a;
		bool found = false;

		while (*f && !found) {
			size_t flen = strcspn(f, ",");

			found = flen == len && !strncmp(f, s, len);
			f += flen + (f[flen] == ',');
		}
		if (!found)
			fprintf(out, " %c%.*s", sign, (int)len, s);
		s += len + (s[len] == ',');
	}
}

/* What changed in a record that kept its place. */
static void put_changes(FILE *out, const struct rec *a, const struct rec *b)
{
	if (strcmp(a->perms, b->perms))
		fprintf(out, " perms %s->%s", a->perms, b->perms);
	if (a->decoded && b->decoded && strcmp(a->decoded, b->decoded)) {
		fputs(" flags", out);
		put_flag_diff(out, a->decoded, b->decoded, '+');
		put_flag_diff(out, b->decoded, a->decoded, '-');
	}
	if (strcmp(a->name, b->name))
		fprintf(out, " name \"%s\"->\"%s\"", a->name, b->name);
	if (a->offset != b->offset)
		fprintf(out, " offset %llx->%llx", a->offset, b->offset);
	if (a->merge && b->merge && strcmp(a->merge, b->merge))
		fprintf(out, " merge %s->%s", a->merge, b->merge);
}

/*
 * Whether @a and @b differ in their merge reasons alone: a neighbour of
 * a change, which may now merge or not for another reason.
 */
static bool only_merge(const struct rec *a, const struct rec *b)
{
	struct rec x = *a;

	x.merge = b->merge;
	return !str_eq(a->merge, b->merge) && rec_eq(&x, b);
}

/* Whether @a and @b map the same file (or both no file) at one offset. */
static bool same_object(const struct rec *a, const struct rec *b)
{
	return a->ino == b->ino && a->major == b->major &&
	       a->minor == b->minor && !strcmp(a->name, b->name) &&
	       (a->offset == b->offset || !a->ino);
}

/*
 * One connected change: the old records @o and the new records @n whose
 * ranges overlap one another (directly or through a chain), one record a
 * line.  With
 * the view, each new record says why it is not merged with the one
 * before it (merge=).
 */
static const char *op_kind(struct rec *const *o, size_t no,
			   struct rec *const *n, size_t nn)
{
	if (!no)
		return "created";
	if (!nn)
		return "removed";
	if (no == 1 && nn == 1 && o[0]->start == n[0]->start &&
	    o[0]->end == n[0]->end)
		return !same_object(o[0], n[0]) ? "replaced" :
		       only_merge(o[0], n[0]) ? "neighbour" : "changed";
	if (no == 1 && nn == 1)
		return n[0]->end - n[0]->start > o[0]->end - o[0]->start ?
		       "grown" : "shrunk";
	if (no == 1)
		return "split";
	if (nn == 1)
		return "merged";
	return "replaced";
}

static void put_json_op(FILE *out, const char *what, struct rec *const *o,
			size_t no, struct rec *const *n, size_t nn)
{
	size_t i;

	/* @out holds this call's operations alone */
	fprintf(out, "%s{\"op\":\"%s\",\"old\":[", ftell(out) ? "," : "", what);
	for (i = 0; i < no; i++) {
		fputs(i ? "," : "", out);
		put_rec(out, o[i], true);
	}
	fputs("],\"new\":[", out);
	for (i = 0; i < nn; i++) {
		fputs(i ? "," : "", out);
		put_rec(out, n[i], true);
	}
	fputs("]}", out);
}

static void put_op(FILE *out, const char *indent, const char *what,
		   struct rec *const *o, size_t no, struct rec *const *n,
		   size_t nn)
{
	size_t i;

	if (json_out) {
		put_json_op(out, what, o, no, n, nn);
		return;
	}
	if (!strcmp(what, "changed") || !strcmp(what, "neighbour")) {
		fprintf(out, "%s%-9s ", indent, what);
		put_rec(out, o[0], false);
		fputc(':', out);
		put_changes(out, o[0], n[0]);
		fputc('\n', out);
		return;
	}
	for (i = 0; i < no; i++) {
		fprintf(out, "%s%-9s ", indent, i ? "" : what);
		put_rec(out, o[i], true);
		fputc('\n', out);
	}
	for (i = 0; i < nn; i++) {
		fprintf(out, "%s%-9s ", indent, no ? i ? "" : "  ->" : i ? "" : what);
		put_rec(out, n[i], true);
		fputc('\n', out);
	}
}

/* A removed and a created record that are one mapping moved (mremap). */
static bool moved(const struct rec *a, const struct rec *b)
{
	return !strcmp(a->perms, b->perms) && !strcmp(a->name, b->name) &&
	       a->ino == b->ino && a->offset == b->offset && a->start != b->start;
}

/* The range a call mapped anew (mmap): what lies inside it was created. */
struct span {
	unsigned long lo, hi;
};

/* @to takes over the history of @from, which keeps none. */
static void hist_move(struct rec *to, struct rec *from)
{
	free(to->hist);
	to->hist = from->hist;
	to->nhist = from->nhist;
	from->hist = NULL;
	from->nhist = 0;
}

/* @to's history: @from's (none: NULL), then @op by @call. */
static void hist_step(struct rec *to, const struct rec *from,
		      unsigned long call, const char *op)
{
	unsigned int n = from ? from->nhist : 0;
	struct hent *h = xmalloc((n + 1) * sizeof(*h));

	if (n)
		memcpy(h, from->hist, n * sizeof(*h));
	h[n].call = call;
	h[n].op = op;
	free(to->hist);
	to->hist = h;
	to->nhist = n + 1;
}

/*
 * Whether @n maps what @a mapped at its addresses: the same file at the
 * offset that continues @a's (maps gives an anonymous record offset 0),
 * or both no file, of one name.
 */
static bool continues(const struct rec *a, const struct rec *n)
{
	return a->ino == n->ino && a->major == n->major &&
	       a->minor == n->minor && !strcmp(a->name, n->name) &&
	       (!a->ino || n->offset - a->offset == n->start - a->start);
}

/*
 * The histories of one connected change's new records: a new record that
 * is what is left of an old one (it overlaps it, maps the same object at
 * the same offset for the same address) goes on with its history, and
 * @op by @call; any other was created by @call.
 */
static void hist_change(struct rec *const *o, size_t no, struct rec *const *n,
			size_t nn, unsigned long call, const char *op,
			const struct span *fresh)
{
	for (size_t k = 0; k < nn; k++) {
		const struct rec *from = NULL;
		bool inside = fresh && fresh->lo <= n[k]->start &&
			      n[k]->end <= fresh->hi;

		for (size_t l = 0; l < no && !from && !inside; l++)
			if (o[l]->start < n[k]->end && n[k]->start < o[l]->end &&
			    continues(o[l], n[k]))
				from = o[l];
		hist_step(n[k], from, call, from ? op : "created");
	}
}

struct change {
	size_t o0, no, n0, nn;	/* its old and its new records, in o[] and n[] */
};

/*
 * Print what turned @a into @b, one line per connected change: the old
 * and new records whose ranges overlap, directly or through a chain.
 * @mremap: a record removed in one place and created in another is one
 * mapping moved.  With --summary, each new record's history is that of
 * the old one it is what is left of, then @call (0: between calls);
 * @fresh is the range the call mapped anew (NULL: none).  Returns how
 * many changes; @out NULL only counts them.
 */
static unsigned int map_diff(FILE *out, const char *indent,
			     struct map *a, struct map *b, bool mremap,
			     unsigned long call, const struct span *fresh)
{
	struct rec **o = calloc(a->nr + 1, sizeof(*o));
	struct rec **n = calloc(b->nr + 1, sizeof(*n));
	struct change *c = calloc(a->nr + b->nr + 1, sizeof(*c));
	size_t no = 0, nn = 0, nc = 0, i = 0, j = 0, oi = 0, ni = 0;
	size_t moves, mv[2] = { 0, 0 };
	bool is_move;
	struct rec *gone = NULL, *born = NULL;

	if (!o || !n || !c)
		lm_die_nomem();
	/* what is not in both, each list in address order */
	while (i < a->nr || j < b->nr) {
		if (i < a->nr && j < b->nr && rec_eq(&a->r[i], &b->r[j])) {
			hist_move(&b->r[j], &a->r[i]);
			i++;
			j++;
		} else if (j >= b->nr ||
			   (i < a->nr && a->r[i].start < b->r[j].start)) {
			o[no++] = &a->r[i++];
		} else if (i >= a->nr || b->r[j].start < a->r[i].start) {
			n[nn++] = &b->r[j++];
		} else {
			o[no++] = &a->r[i++];
			n[nn++] = &b->r[j++];
		}
	}
	while (oi < no || ni < nn) {
		struct change *ch = &c[nc++];
		unsigned long end = 0;

		ch->o0 = oi;
		ch->n0 = ni;
		for (;;) {
			bool old = oi < no && (ni >= nn || o[oi]->start <= n[ni]->start);
			struct rec *r = old ? o[oi] : ni < nn ? n[ni] : NULL;

			if (!r || (oi + ni > ch->o0 + ch->n0 && r->start >= end))
				break;
			if (old)
				oi++;
			else
				ni++;
			if (r->end > end)
				end = r->end;
		}
		ch->no = oi - ch->o0;
		ch->nn = ni - ch->n0;
	}
	/* the two changes of a move, less the neighbours' reasons */
	for (i = 0, moves = 0; mremap && i < nc; i++) {
		if (c[i].no == 1 && c[i].nn == 1 &&
		    only_merge(o[c[i].o0], n[c[i].n0]))
			continue;
		if (c[i].no + c[i].nn != 1 || moves == 2) {
			moves = 3;
			break;
		}
		if (c[i].no)
			gone = o[c[i].o0];
		else
			born = n[c[i].n0];
		mv[moves++] = i;
	}
	is_move = moves == 2 && gone && born && moved(gone, born);
	if (is_move && summary_wanted)
		hist_step(born, gone, call, "moved");
	for (i = 0; summary_wanted && i < nc; i++)
		if (!is_move || (i != mv[0] && i != mv[1]))
			hist_change(o + c[i].o0, c[i].no, n + c[i].n0, c[i].nn, call,
				    op_kind(o + c[i].o0, c[i].no, n + c[i].n0, c[i].nn),
				    fresh);
	if (is_move && out)
		put_op(out, indent, "moved", &gone, 1, &born, 1);
	for (i = 0; out && i < nc; i++)
		if (!is_move || (i != mv[0] && i != mv[1]))
			put_op(out, indent,
			       op_kind(o + c[i].o0, c[i].no, n + c[i].n0, c[i].nn),
			       o + c[i].o0, c[i].no, n + c[i].n0, c[i].nn);
	free(o);
	free(n);
	free(c);
	return (unsigned int)(is_move ? nc - 1 : nc);
}

/* --- the tracees --- */

struct task {
	pid_t tid, tgid;
	bool in_call;		/* between its call's entry and exit */
	struct call call;
};

struct mm {
	pid_t tgid;
	struct map map;		/* as last seen, whole or in part */
	int view_fd;		/* its view, for LIBMAPS_IOC_RANGE; -1: not open */
	bool no_range;		/* the module has no range form */
};

static struct task *tasks;
static size_t ntasks;
static struct mm *mms;
static size_t nmms;

static void *grow(void *v, size_t n, size_t size)
{
	return xrealloc(v, (n + 1) * size);
}

static pid_t tgid_of(pid_t tid)
{
	char path[64], *s, *t;
	pid_t tgid = tid;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	s = lm_slurp(path, NULL);
	if (!s)
		return tid;
	t = strstr(s, "\nTgid:");
	if (t)
		tgid = (pid_t)strtol(t + 6, NULL, 10);
	free(s);
	return tgid;
}

static struct task *task_find(pid_t tid)
{
	for (size_t i = 0; i < ntasks; i++)
		if (tasks[i].tid == tid)
			return &tasks[i];
	return NULL;
}

static struct task *task_add(pid_t tid)
{
	struct task *tk;

	tasks = grow(tasks, ntasks, sizeof(*tasks));
	tk = &tasks[ntasks++];
	memset(tk, 0, sizeof(*tk));
	tk->tid = tid;
	tk->tgid = tgid_of(tid);
	return tk;
}

static void task_del(pid_t tid)
{
	struct task *tk = task_find(tid);

	if (!tk)
		return;
	free(tk->call.text);
	*tk = tasks[--ntasks];
}

static struct mm *mm_of(pid_t tgid)
{
	for (size_t i = 0; i < nmms; i++)
		if (mms[i].tgid == tgid)
			return &mms[i];
	mms = grow(mms, nmms, sizeof(*mms));
	memset(&mms[nmms], 0, sizeof(mms[0]));
	mms[nmms].tgid = tgid;
	mms[nmms].view_fd = -1;
	return &mms[nmms++];
}

static void mm_del(pid_t tgid)
{
	for (size_t i = 0; i < nmms; i++) {
		if (mms[i].tgid == tgid) {
			map_free(&mms[i].map);
			if (mms[i].view_fd >= 0)
				close(mms[i].view_fd);
			mms[i] = mms[--nmms];
			return;
		}
	}
}

static bool shown(const struct trace *t, const struct task *tk)
{
	return t->follow || tk->tgid == t->child;
}

static void put_prefix(struct trace *t, const struct task *tk)
{
	if (t->many || tk->tid != t->child)
		fprintf(t->out, "[pid %5d] ", (int)tk->tid);
}

/*
 * What turned @a into @b, as text or JSON operations, in a string of its
 * own (free it); *@ops: how many.
 */
static char *diff_string(struct map *a, struct map *b, bool mremap,
			 unsigned long call, const struct span *fresh,
			 unsigned int *ops)
{
	char *text = NULL;
	size_t len = 0;
	FILE *d = lm_must(open_memstream(&text, &len));

	*ops = map_diff(d, "    ", a, b, mremap, call, fresh);
	fclose(d);
	return text;
}

/* The line of a call (or of a change between calls: @text NULL). */
static void put_call(struct trace *t, const struct task *tk, const char *text,
		     const struct call_desc *d, int64_t rval, bool is_error,
		     const char *ops)
{
	if (json_out) {
		fprintf(t->out, "{\"pid\":%d,", (int)tk->tid);
		if (text) {
			fprintf(t->out, "\"seq\":%lu,\"call\":", t->calls);
			put_json_str(t->out, text);
			fputc(',', t->out);
			put_return(t->out, d, rval, is_error);
		} else {
			fputs("\"between\":true", t->out);
		}
		fprintf(t->out, ",\"ops\":[%s]}\n", ops);
	} else {
		put_prefix(t, tk);
		if (text) {
			fputs(text, t->out);
			put_return(t->out, d, rval, is_error);
		} else {
			fputs("--- between calls (page faults, or another process):\n",
			      t->out);
		}
		fputs(ops, t->out);
	}
	fflush(t->out);
}

/* --- the part of a map a call can change --- */

/* [@addr, @addr + @len) in whole pages, in @s; 1 (one span). */
static int span_of(struct span *s, unsigned long addr, unsigned long len)
{
	unsigned long pg = (unsigned long)sysconf(_SC_PAGESIZE);

	s->lo = addr & ~(pg - 1);
	if (addr + len < addr || addr + len > ~0UL - pg)
		s->hi = ~0UL;
	else
		s->hi = (addr + len + pg - 1) & ~(pg - 1);
	return 1;
}

/* The [heap] record of @m, or NULL. */
static const struct rec *heap_of(const struct map *m)
{
	for (size_t i = m->nr; i-- > 0;)
		if (!strcmp(m->r[i].name, "[heap]"))
			return &m->r[i];
	return NULL;
}

/*
 * The ranges of the map the call of @tk can change, from its arguments
 * at entry and, at exit (@at_exit), from what it returned too: how many
 * spans (at most 2) in @s, 0 if there is nothing to read (an mmap() that
 * has not chosen its place yet), -1 if they cannot be told (read the
 * whole map).  @m is the map at the call's entry.
 */
static int call_spans(const struct task *tk, const struct map *m, bool at_exit,
		      int64_t rval, bool is_error, struct span *s)
{
	const uint64_t *a = tk->call.args;
	unsigned long to, pg = (unsigned long)sysconf(_SC_PAGESIZE);
	const struct rec *heap;
	int n;

	switch (tk->call.nr) {
	case __NR_mmap:
		if (at_exit && !is_error)
			return span_of(s, (unsigned long)rval, a[1]);
		if (a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE))
			return span_of(s, a[0], a[1]);
		return 0;
	case __NR_munmap:
	case __NR_mprotect:
	case __NR_pkey_mprotect:
	case __NR_madvise:
	case __NR_mlock:
	case __NR_mlock2:
	case __NR_munlock:
	case __NR_mseal:
	case __NR_mbind:
	case __NR_set_mempolicy_home_node:
	case __NR_remap_file_pages:
		return span_of(s, a[0], a[1]);
	case __NR_mremap:
		/* in place, it can grow to the new size */
		n = span_of(s, a[0], a[1] > a[2] ? a[1] : a[2]);
		if (at_exit && !is_error)
			n += span_of(s + n, (unsigned long)rval, a[2]);
		else if (a[3] & MREMAP_FIXED)
			n += span_of(s + n, a[4], a[2]);
		return n;
	case __NR_brk:
		heap = heap_of(m);
		if (!heap)
			return -1;	/* where the heap starts is not known */
		to = at_exit ? (unsigned long)rval : a[0];
		to = to ? (to + pg - 1) & ~(pg - 1) : heap->end;
		s->lo = to < heap->end ? to : heap->end;
		s->hi = to < heap->end ? heap->end : to;
		return 1;
	case __NR_prctl:
		if (a[0] == PR_SET_VMA)
			return span_of(s, a[2], a[3]);
		return -1;
	default:
		return -1;
	}
}

/* A copy of @from, without its history. */
static void rec_copy(struct rec *to, const struct rec *from)
{
	*to = *from;
	to->name = xstrdup(from->name);
	to->decoded = from->decoded ? xstrdup(from->decoded) : NULL;
	to->merge = from->merge ? xstrdup(from->merge) : NULL;
	to->hist = NULL;
	to->nhist = 0;
	to->from_range = false;
}

/*
 * The records of @mm's process that meet @s, from its view file's range
 * form, into @p; false if that cannot be had (an older module: then never
 * again for this process).
 */
static bool view_range(struct mm *mm, const struct span *s, struct lm_proc *p)
{
	struct libmaps_range req = { s->lo, s->hi, 0 };
	char path[64], err[256], *text = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	if (mm->view_fd < 0) {
		snprintf(path, sizeof(path), LM_DEBUGFS "/%d", (int)mm->tgid);
		mm->view_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (mm->view_fd < 0)
			return false;
	}
	if (ioctl(mm->view_fd, LIBMAPS_IOC_RANGE, &req)) {
		if (errno == ENOTTY)
			mm->no_range = true;
		return false;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 16384;
			text = grow(text, cap - 1, 1);
		}
		n = read(mm->view_fd, text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	if (n < 0 || lm_parse_view(text, p, err, sizeof(err)) || !p->ranged) {
		if (n >= 0)
			lm_proc_free(p);
		free(text);
		return false;
	}
	free(text);
	return true;
}

/* Same file or kind and name: one group of the view. */
static bool same_group(const struct rec *a, const struct rec *b)
{
	return a->ino == b->ino && a->major == b->major && a->minor == b->minor &&
	       !strcmp(a->name, b->name);
}

static bool merge_is_place(const char *merge)
{
	return !strcmp(merge, "first") || !strcmp(merge, "hole");
}

/* The record of @m that starts at @start, or NULL. */
static const struct rec *rec_at(const struct map *m, unsigned long start)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->r[mid].start == start)
			return &m->r[mid];
		if (m->r[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The first record of @m whose end is at or above @addr (@m->nr: none). */
static size_t rec_from(const struct map *m, unsigned long addr)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->r[mid].end < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * What a stop that read one range changes in the map kept for its
 * process: the kept records [@at, @at + @nold) give way to the @nnew
 * first records of @new; the kept records at @extra[] (above them) give
 * way to the rest of @new, themselves with another merge= (the first
 * record of their group came or went in the range).  @old gets the
 * records taken out, with their histories, once delta_take() has run;
 * map_diff(@old, @new) is what the stop changed.
 */
struct delta {
	size_t at, nold, nnew;
	struct map old, new;
	size_t *extra, nextra;
};

static void delta_free(struct delta *d)
{
	map_free(&d->old);
	map_free(&d->new);
	free(d->extra);
	memset(d, 0, sizeof(*d));
}

/*
 * The record of group @like that comes last before @nnew records of @n
 * (newest first) and, below them, the kept records under @at of @m:
 * what the whole view would call the record before in its group.
 */
static const struct rec *group_before(const struct rec *like, const struct rec *n,
				      size_t nnew, const struct map *m, size_t at)
{
	while (nnew-- > 0)
		if (same_group(&n[nnew], like))
			return &n[nnew];
	while (at-- > 0)
		if (same_group(&m->r[at], like))
			return &m->r[at];
	return NULL;
}

/*
 * The merge= the whole view would give @r, read in a range whose text
 * says it (@r->merge), with @gp the record before it in its group.  A
 * range says "first" of a record whose group's record before it is
 * outside it: that is "first" if there is none, "hole" if it does not
 * touch @r; if it does, @r is the lowest record of its range, and the
 * rule between the two is the one @old had: neither changed below the
 * range.  NULL if @old has none.
 */
static char *merge_of(const struct rec *r, const struct rec *gp, const struct map *old)
{
	const struct rec *o;

	if (!r->merge || !merge_is_place(r->merge))
		return xstrdup(r->merge);
	if (!gp)
		return xstrdup("first");
	if (gp->end != r->start)
		return xstrdup("hole");
	o = rec_at(old, r->start);
	if (r->from_range && o && o->merge && !merge_is_place(o->merge) &&
	    !strcmp(o->perms, r->perms) && o->offset == r->offset &&
	    same_group(o, r) && str_eq(o->decoded, r->decoded))
		return xstrdup(o->merge);
	return NULL;
}

static bool delta_has_extra(const struct delta *d, size_t k)
{
	for (size_t i = 0; i < d->nextra; i++)
		if (d->extra[i] == k)
			return true;
	return false;
}

/*
 * Build @d from the records @mm's process has now where @sp meets its map
 * (@p, one range view).  False if they do not fit in the kept map (it
 * changed elsewhere too) or do not add up to the whole map's count and
 * size: then the whole map is read.  Nothing is taken out of the kept map
 * yet (delta_take()).
 */
static bool delta_build(struct mm *mm, const struct span *sp, const struct lm_proc *p,
			struct delta *d)
{
	struct map *m = &mm->map;
	size_t cap = 0, i, k, end;
	unsigned long long size = m->size;
	struct rec *n;

	memset(d, 0, sizeof(*d));
	d->at = rec_from(m, sp->lo);
	for (end = d->at; end < m->nr && m->r[end].start <= sp->hi; end++)
		size -= m->r[end].end - m->r[end].start;
	d->nold = end - d->at;
	map_add_proc(&d->new, &cap, p, true);
	d->nnew = d->new.nr;
	n = d->new.r;
	if (d->nnew)
		qsort(n, d->nnew, sizeof(*n), rec_cmp);
	for (i = 0; i < d->nnew; i++) {
		size += n[i].end - n[i].start;
		/* each in the range, none over another or over a kept one */
		if (n[i].end < sp->lo || n[i].start > sp->hi ||
		    (i && n[i].start < n[i - 1].end) ||
		    (!i && d->at && n[i].start < m->r[d->at - 1].end) ||
		    (i == d->nnew - 1 && end < m->nr && n[i].end > m->r[end].start))
			return false;
	}
	if (m->nr - d->nold + d->nnew != p->map_vmas || size != p->map_size)
		return false;

	/* each new record's merge=, as the whole view has it */
	for (i = 0; i < d->nnew; i++) {
		char *merge = merge_of(&n[i], group_before(&n[i], n, i, m, d->at), m);

		if (!merge)
			return false;
		free(n[i].merge);
		n[i].merge = merge;
	}
	/*
	 * The first kept record above the range of each group in it, before
	 * or after: it is "first" or "hole" after the group's records there.
	 */
	for (i = 0; i < d->nold + d->nnew; i++) {
		const struct rec *g = i < d->nold ? &m->r[d->at + i] : &n[i - d->nold];
		char *merge;

		for (k = end; k < m->nr && !same_group(&m->r[k], g); k++)
			;
		if (k == m->nr || !m->r[k].merge || !merge_is_place(m->r[k].merge))
			continue;
		merge = xstrdup(group_before(&m->r[k], n, d->nnew, m, d->at) ? "hole" : "first");
		if (!strcmp(merge, m->r[k].merge) || delta_has_extra(d, k)) {
			free(merge);
			continue;
		}
		/* the extras' copies follow the new records in @new */
		d->extra = grow(d->extra, d->nextra, sizeof(*d->extra));
		d->extra[d->nextra++] = k;
		rec_copy(map_add(&d->new, &cap), &m->r[k]);
		n = d->new.r;
		free(n[d->new.nr - 1].merge);
		n[d->new.nr - 1].merge = merge;
	}
	/* in the kept map's order, as map_diff() wants them: sort both */
	for (i = 1; i < d->nextra; i++) {
		for (k = i; k > 0 && d->extra[k - 1] > d->extra[k]; k--) {
			size_t x = d->extra[k];
			struct rec r = n[d->nnew + k];

			d->extra[k] = d->extra[k - 1];
			d->extra[k - 1] = x;
			n[d->nnew + k] = n[d->nnew + k - 1];
			n[d->nnew + k - 1] = r;
		}
	}
	d->new.valid = true;
	return true;
}

/* Take the records @d replaces out of the kept map into @d->old. */
static void delta_take(struct mm *mm, struct delta *d)
{
	struct map *m = &mm->map;
	size_t cap = 0, i;

	for (i = 0; i < d->nold; i++)
		*map_add(&d->old, &cap) = m->r[d->at + i];
	for (i = 0; i < d->nextra; i++)
		*map_add(&d->old, &cap) = m->r[d->extra[i]];
	d->old.valid = true;
}

/* Put @d's new records in the kept map, which owns them then. */
static void delta_apply(struct mm *mm, struct delta *d)
{
	struct map *m = &mm->map;
	size_t i, tail = m->nr - d->at - d->nold;

	for (i = 0; i < d->nextra; i++)
		m->r[d->extra[i]] = d->new.r[d->nnew + i];
	if (d->nnew > d->nold)
		m->r = grow(m->r, m->nr + d->nnew - d->nold - 1, sizeof(*m->r));
	memmove(&m->r[d->at + d->nnew], &m->r[d->at + d->nold], tail * sizeof(*m->r));
	memcpy(&m->r[d->at], d->new.r, d->nnew * sizeof(*m->r));
	for (i = 0; i < d->nold; i++)
		m->size -= d->old.r[i].end - d->old.r[i].start;
	for (i = 0; i < d->nnew; i++)
		m->size += d->new.r[i].end - d->new.r[i].start;
	m->nr = m->nr - d->nold + d->nnew;
	/* the records moved: @new owns none of them now */
	d->new.nr = 0;
	delta_free(d);
}

enum take { TAKE_NONE, TAKE_OK, TAKE_FAILED };

/*
 * The map a stop takes: the whole map (@now), or (@partial) what a range
 * changed in the one kept (@d).
 */
struct taken {
	bool partial;
	struct map now;
	struct delta d;
};

/*
 * LIBMAPS_TRACE_VERIFY: the kept map after a range read, against the
 * whole view read right after it; a difference is reported, with the
 * first record that differs, and counted.
 */
static void verify_range(struct trace *t, struct mm *mm)
{
	struct map whole = { 0 };
	const struct map *m = &mm->map;
	size_t i;

	if (!map_take(t, mm->tgid, &whole))
		return;
	for (i = 0; i < m->nr && i < whole.nr; i++)
		if (!rec_eq(&m->r[i], &whole.r[i]))
			break;
	if (i < m->nr || i < whole.nr || m->size != whole.size) {
		t->mismatched++;
		fprintf(stderr, "%s: trace: range read: kept %zu records (%llu bytes), the whole view %zu (%llu); first difference at record %zu:",
			prog, m->nr, m->size, whole.nr, whole.size, i);
		if (i < m->nr)
			fprintf(stderr, " kept %lx-%lx %s merge=%s", m->r[i].start,
				m->r[i].end, m->r[i].perms, m->r[i].merge);
		if (i < whole.nr)
			fprintf(stderr, " whole %lx-%lx %s merge=%s", whole.r[i].start,
				whole.r[i].end, whole.r[i].perms, whole.r[i].merge);
		fputc('\n', stderr);
	}
	map_free(&whole);
}

/*
 * The map of @tk's process at its call's entry or exit: what changed in
 * the range the call can change, where that can be told and read in one
 * range (TAKE_NONE where there is nothing to read), else the whole map.
 */
static enum take map_take_call(struct trace *t, struct mm *mm, const struct task *tk,
			       bool at_exit, int64_t rval, bool is_error,
			       struct taken *out)
{
	struct span sp[2] = { { 0, 0 }, { 0, 0 } };
	struct lm_proc p;
	int ns = -1;

	memset(out, 0, sizeof(*out));
	if (t->use_view && !t->whole && !mm->no_range && mm->map.valid)
		ns = call_spans(tk, &mm->map, at_exit, rval, is_error, sp);
	if (!ns)
		return TAKE_NONE;
	/* two places (mremap moving) are one range if they meet */
	if (ns == 2 && sp[0].lo <= sp[1].hi && sp[1].lo <= sp[0].hi) {
		sp[0].lo = sp[0].lo < sp[1].lo ? sp[0].lo : sp[1].lo;
		sp[0].hi = sp[0].hi > sp[1].hi ? sp[0].hi : sp[1].hi;
		ns = 1;
	}
	if (ns == 1 && view_range(mm, sp, &p)) {
		bool ok = delta_build(mm, sp, &p, &out->d);

		lm_proc_free(&p);
		if (ok) {
			out->partial = true;
			t->ranged++;
			return TAKE_OK;
		}
		delta_free(&out->d);
	}
	return map_take(t, mm->tgid, &out->now) ? TAKE_OK : TAKE_FAILED;
}

/*
 * What the stop changed, from what it took (@tk) against the kept map, as
 * text or JSON operations (@out NULL: only the histories), then kept.
 */
static char *take_keep(struct trace *t, struct mm *mm, struct taken *tk, bool out,
		       bool mremap, unsigned long call, const struct span *fresh,
		       unsigned int *ops)
{
	char *diff = NULL;

	*ops = 0;
	if (tk->partial) {
		delta_take(mm, &tk->d);
		if (out)
			diff = diff_string(&tk->d.old, &tk->d.new, mremap, call, fresh, ops);
		else
			*ops = map_diff(NULL, "", &tk->d.old, &tk->d.new, mremap, call, fresh);
		delta_apply(mm, &tk->d);
		if (t->verify)
			verify_range(t, mm);
		return diff;
	}
	if (out && mm->map.valid)
		diff = diff_string(&mm->map, &tk->now, mremap, call, fresh, ops);
	map_free(&mm->map);
	mm->map = tk->now;
	return diff;
}

/* The entry of a call: decode it, and take the map it starts from. */
static void call_enter(struct trace *t, struct task *tk, long nr,
		       const uint64_t *args)
{
	struct mm *mm = mm_of(tk->tgid);
	bool exec = nr == __NR_execve || nr == __NR_execveat;
	struct taken took;
	unsigned int ops;
	char *diff;

	tk->in_call = true;
	tk->call.nr = nr;
	memcpy(tk->call.args, args, sizeof(tk->call.args));
	free(tk->call.text);
	tk->call.text = decode_call(tk->tid, nr, args, &tk->call.desc);
	if (map_take_call(t, mm, tk, false, 0, false, &took) != TAKE_OK)
		return;
	diff = take_keep(t, mm, &took, shown(t, tk) && !exec, false, 0, NULL, &ops);
	if (diff && ops)
		put_call(t, tk, NULL, NULL, 0, false, diff);
	free(diff);
}

/* Keep the next call's text and what it returned, as strace writes them. */
static void keep_call_text(const char *text, const struct call_desc *d,
			   int64_t rval, bool is_error)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f;

	if (!summary_wanted)
		return;
	f = lm_must(open_memstream(&line, &len));
	fputs(text, f);
	put_return_text(f, d, rval, is_error);
	fclose(f);
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	call_texts = grow(call_texts, ncall_texts, sizeof(*call_texts));
	call_texts[ncall_texts++] = line;
}

/*
 * The provenance of @m, the last map of @pid seen: every record, with the
 * calls that made and changed it, oldest first.
 */
static void put_summary(struct trace *t, pid_t pid, const struct map *m)
{
	if (!m->valid)
		return;
	if (json_out)
		fprintf(t->out, "{\"pid\":%d,\"provenance\":[", (int)pid);
	else
		fprintf(t->out, "=== pid %d: the map as last seen, and the calls that made each record\n",
			(int)pid);
	for (size_t i = 0; i < m->nr; i++) {
		const struct rec *r = &m->r[i];

		if (json_out) {
			fputs(i ? "," : "", t->out);
			fputs("{\"record\":", t->out);
			put_rec(t->out, r, true);
			fputs(",\"history\":[", t->out);
		} else {
			put_rec(t->out, r, false);
			fputc('\n', t->out);
			if (!r->nhist)
				fputs("    (mapped before the trace began)\n", t->out);
		}
		for (unsigned int k = 0; k < r->nhist; k++) {
			const struct hent *h = &r->hist[k];
			const char *text = h->call && h->call <= ncall_texts ?
					   call_texts[h->call - 1] : NULL;

			if (json_out) {
				fprintf(t->out, "%s{\"call\":%lu,\"op\":\"%s\",\"text\":",
					k ? "," : "", h->call, h->op);
				put_json_str(t->out, text);
				fputc('}', t->out);
			} else if (h->call) {
				fprintf(t->out, "    #%-5lu %-9s %s\n", h->call, h->op,
					text ? text : "?");
			} else {
				fprintf(t->out, "    %-6s %-9s between calls (page faults, or another process)\n",
					"", h->op);
			}
		}
		if (json_out)
			fputs("]}", t->out);
	}
	if (json_out)
		fputs("]}\n", t->out);
	fflush(t->out);
}

/* The exit of a call: what it returned, and what it did to the map. */
static void call_exit(struct trace *t, struct task *tk, int64_t rval,
		      bool is_error)
{
	struct mm *mm = mm_of(tk->tgid);
	bool exec = tk->call.nr == __NR_execve || tk->call.nr == __NR_execveat;
	const char *text = tk->call.text ? tk->call.text : "?";
	struct span fresh, *mapped = NULL;
	unsigned int ops = 0;
	struct taken took;
	char *diff = NULL;
	enum take how;

	tk->in_call = false;
	t->calls++;
	keep_call_text(text, tk->call.desc, rval, is_error);
	if (exec) {
		memset(&took, 0, sizeof(took));
		how = map_take(t, tk->tgid, &took.now) ? TAKE_OK : TAKE_FAILED;
	} else {
		how = map_take_call(t, mm, tk, true, rval, is_error, &took);
	}
	if (how != TAKE_OK) {
		/* TAKE_NONE: a failed mmap(NULL), which changed nothing */
		if (shown(t, tk) && (how == TAKE_FAILED || t->verbose))
			put_call(t, tk, text, tk->call.desc, rval, is_error, "");
		return;
	}
	if (!is_error && tk->call.nr == __NR_mmap) {
		long page = sysconf(_SC_PAGESIZE);

		fresh.lo = (unsigned long)rval;
		fresh.hi = fresh.lo + ((tk->call.args[1] + page - 1) & ~(page - 1));
		mapped = &fresh;
	}
	if (exec && !is_error) {
		struct map none = { .valid = true };

		diff = diff_string(&none, &took.now, false, t->calls, NULL, &ops);
		map_free(&mm->map);
		mm->map = took.now;
	} else {
		diff = take_keep(t, mm, &took, true, tk->call.nr == __NR_mremap,
				 t->calls, mapped, &ops);
	}
	if (shown(t, tk) && (ops || t->verbose || exec))
		put_call(t, tk, text, tk->call.desc, rval, is_error, diff ? diff : "");
	free(diff);
}

#ifdef LM_AUDIT_ARCH
#define LD(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, e)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (e))
#define JGE(k, t, e)	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (e))
#define RET(v)	BPF_STMT(BPF_RET | BPF_K, (v))

/* The instructions of the verdict on call @nr, once it is known to be it. */
static unsigned int verdict_len(unsigned int nr)
{
	return nr == __NR_prctl || nr == __NR_ioctl ? 5 : 1;
}

static unsigned int put_verdict(struct sock_filter *f, unsigned int nr)
{
	unsigned int n = 0;

	if (nr == __NR_prctl) {
		/* only the options that change a map */
		f[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, args[0]));
		f[n++] = (struct sock_filter)JEQ(PR_SET_VMA, 2, 0);
		f[n++] = (struct sock_filter)JEQ(PR_SET_THP_DISABLE, 1, 0);
		f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	} else if (nr == __NR_ioctl) {
		f[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, args[1]));
		f[n++] = (struct sock_filter)JEQ(LM_UFFDIO_REGISTER, 2, 0);
		f[n++] = (struct sock_filter)JEQ(LM_UFFDIO_UNREGISTER, 1, 0);
		f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	}
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_TRACE);
	return n;
}

/* Calls at most this many are tested one after the other; more, halved. */
#define LM_FILTER_LEAF	3

/* The length of the decision tree put_tree() writes for @nrs[0..@n). */
static unsigned int tree_len(const unsigned int *nrs, unsigned int n)
{
	unsigned int len = 0;

	if (n > LM_FILTER_LEAF)
		return 1 + tree_len(nrs, n / 2) + tree_len(nrs + n / 2, n - n / 2);
	for (unsigned int i = 0; i < n; i++)
		len += 1 + verdict_len(nrs[i]);
	return len + 1;
}

/*
 * A binary search over the sorted call numbers @nrs[0..@n), the call's
 * number in the accumulator: the calls that are not traced (all but a
 * few dozen, read() and write() among them) are let through after about
 * log2(n) tests, not after a test of every traced call.
 */
static unsigned int put_tree(struct sock_filter *f, const unsigned int *nrs, unsigned int n)
{
	unsigned int k = 0, i, at;

	if (n > LM_FILTER_LEAF) {
		unsigned int left = tree_len(nrs, n / 2);

		f[k++] = (struct sock_filter)JGE(nrs[n / 2], (unsigned char)left, 0);
		k += put_tree(f + k, nrs, n / 2);
		k += put_tree(f + k, nrs + n / 2, n - n / 2);
		return k;
	}
	/* n tests, each jumping to its verdict, then ALLOW, then the verdicts */
	for (i = 0, at = n + 1; i < n; i++) {
		f[k] = (struct sock_filter)JEQ(nrs[i], (unsigned char)(at - k - 1), 0);
		at += verdict_len(nrs[i]);
		k++;
	}
	f[k++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	for (i = 0; i < n; i++)
		k += put_verdict(f + k, nrs[i]);
	return k;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/*
 * The seccomp filter: SECCOMP_RET_TRACE for the calls that can change a
 * map (call_traced()), SECCOMP_RET_ALLOW for every other; into @f, which
 * has room for @max instructions.  Returns how many, 0 if they do not fit.
 */
static unsigned int build_filter(struct sock_filter *f, unsigned int max)
{
	unsigned int nrs[NCALLS], n = 0, i;

	for (i = 0; i < NCALLS; i++)
		nrs[i] = (unsigned int)calls[i].nr;
	qsort(nrs, NCALLS, sizeof(nrs[0]), cmp_uint);
	if (4 + tree_len(nrs, NCALLS) > max)
		return 0;
	f[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)JEQ(LM_AUDIT_ARCH, 1, 0);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, nr));
	return n + put_tree(f + n, nrs, NCALLS);
}
#endif

static int install_filter(void)
{
#ifdef LM_AUDIT_ARCH
	struct sock_filter f[256];
	struct sock_fprog fprog;

	fprog.len = (unsigned short)build_filter(f, sizeof(f) / sizeof(f[0]));
	fprog.filter = f;
	if (!fprog.len) {
		errno = E2BIG;
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog);
#else
	errno = ENOSYS;
	return -1;
#endif
}

#undef LD
#undef JEQ
#undef JGE
#undef RET

/* The child's verdict on its filter, read by the tracer with PEEKDATA. */
static volatile long filter_installed;

static void __attribute__((noreturn)) child(const char *path, char **argv,
					    bool seccomp)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
		fprintf(stderr, "%s: ptrace(PTRACE_TRACEME): %s\n", prog,
			strerror(errno));
		_exit(126);
	}
	filter_installed = seccomp && !install_filter();
	raise(SIGSTOP);
	execv(path, argv);
	fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* @cmd as the shell would find it: NULL if there is no such command. */
static char *find_command(const char *cmd)
{
	const char *path = getenv("PATH");
	struct stat st;
	char *buf;

	if (strchr(cmd, '/'))
		return stat(cmd, &st) ? NULL : xstrdup(cmd);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	buf = malloc(strlen(path) + strlen(cmd) + 2);
	if (!buf)
		return NULL;
	while (*path) {
		size_t len = strcspn(path, ":");

		sprintf(buf, "%.*s/%s", (int)(len ? len : 1), len ? path : ".", cmd);
		if (!stat(buf, &st) && S_ISREG(st.st_mode) && !access(buf, X_OK))
			return buf;
		path += len + (path[len] == ':');
	}
	free(buf);
	return NULL;
}

static const char *sig_name(int sig)
{
	const char *s = sigabbrev_np(sig);
	static char buf[16];

	if (!s)
		return "SIG?";
	snprintf(buf, sizeof(buf), "SIG%s", s);
	return buf;
}

/* How a traced process ended. */
static void put_end(struct trace *t, const struct task *tk, int status)
{
	if (json_out) {
		if (WIFEXITED(status))
			fprintf(t->out, "{\"pid\":%d,\"exited\":%d}\n",
				(int)tk->tid, WEXITSTATUS(status));
		else
			fprintf(t->out, "{\"pid\":%d,\"killed\":\"%s\"}\n",
				(int)tk->tid, sig_name(WTERMSIG(status)));
		return;
	}
	put_prefix(t, tk);
	if (WIFEXITED(status))
		fprintf(t->out, "+++ exited with %d +++\n", WEXITSTATUS(status));
	else
		fprintf(t->out, "+++ killed by %s +++\n", sig_name(WTERMSIG(status)));
}

/* A stop of @tk at a call's entry (seccomp stop or syscall-entry stop). */
static void stop_entry(struct trace *t, struct task *tk,
		       const struct __ptrace_syscall_info *si)
{
	const uint64_t *args = si->op == PTRACE_SYSCALL_INFO_SECCOMP ?
			       si->seccomp.args : si->entry.args;
	long nr = (long)(si->op == PTRACE_SYSCALL_INFO_SECCOMP ?
			 si->seccomp.nr : si->entry.nr);

	if (call_traced(nr, args))
		call_enter(t, tk, nr, args);
}

static const unsigned long trace_opts = PTRACE_O_TRACESYSGOOD |
	PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
	PTRACE_O_TRACECLONE;

static volatile sig_atomic_t detach_asked;

static void ask_detach(int sig)
{
	(void)sig;
	detach_asked = 1;
}

/* Let every tracee go, each in a ptrace-stop, with its pending signal. */
static int detach_all(struct trace *t)
{
	for (size_t i = 0; i < ntasks; i++)
		ptrace(PTRACE_INTERRUPT, tasks[i].tid, NULL, NULL);
	while (ntasks) {
		pid_t tid = tasks[0].tid;
		siginfo_t info;
		int status, sig = 0;

		if (waitpid(tid, &status, __WALL) < 0 && errno == EINTR)
			continue;
		if (WIFSTOPPED(status) && !(status >> 16) &&
		    WSTOPSIG(status) != (SIGTRAP | 0x80) &&
		    !ptrace(PTRACE_GETSIGINFO, tid, NULL, &info))
			sig = WSTOPSIG(status);
		if (WIFSTOPPED(status))
			ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)sig);
		task_del(tid);
	}
	for (size_t i = 0; summary_wanted && i < nmms; i++)
		if (t->follow || mms[i].tgid == t->child)
			put_summary(t, mms[i].tgid, &mms[i].map);
	fflush(t->out);
	fprintf(stderr, "%s: detached from pid %d, which goes on\n", prog,
		(int)t->child);
	return 0;
}

/* Why @pid cannot be traced (@err from PTRACE_SEIZE), and what to do. */
static void attach_error(pid_t pid, int err)
{
	char path[64], *s, *at;
	long tracer = 0, scope = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	s = lm_slurp(path, NULL);
	at = s ? strstr(s, "\nTracerPid:") : NULL;
	if (at)
		tracer = strtol(at + 11, NULL, 10);
	free(s);
	s = lm_slurp("/proc/sys/kernel/yama/ptrace_scope", NULL);
	if (s)
		scope = strtol(s, NULL, 10);
	free(s);
	if (err == ESRCH)
		fprintf(stderr, "%s: pid %d: no such process\n", prog, (int)pid);
	else if (err == EPERM && tracer)
		fprintf(stderr, "%s: pid %d is traced already, by pid %ld (TracerPid in %s): detach that tracer first\n",
			prog, (int)pid, tracer, path);
	else if (err == EPERM && scope)
		fprintf(stderr, "%s: cannot attach to pid %d: kernel.yama.ptrace_scope is %ld; run as root, or set it to 0\n",
			prog, (int)pid, scope);
	else if (err == EPERM)
		fprintf(stderr, "%s: cannot attach to pid %d: permission denied; it needs CAP_SYS_PTRACE or the process's own user\n",
			prog, (int)pid);
	else
		fprintf(stderr, "%s: cannot attach to pid %d: %s\n", prog,
			(int)pid, strerror(err));
}

/*
 * -p: seize every thread of @pid and stop it once, until a listing of its
 * threads finds none new (a thread may be made while they are seized).
 * No seccomp filter can be put into a running process: every call stops.
 */
static int attach(struct trace *t, pid_t pid)
{
	struct sigaction sa = { .sa_handler = ask_detach };
	bool more = true;
	char path[64];

	t->child = pid;
	t->attached = true;
	t->seccomp = false;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (int round = 0; more && round < 16; round++) {
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d) {
			attach_error(pid, errno == ENOENT ? ESRCH : errno);
			return -1;
		}
		more = false;
		while ((de = readdir(d))) {
			pid_t tid = (pid_t)strtol(de->d_name, NULL, 10);

			if (tid <= 0 || task_find(tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)trace_opts)) {
				if (tid != pid)
					continue;	/* a thread that just ended */
				attach_error(pid, errno);
				closedir(d);
				return -1;
			}
			task_add(tid)->tgid = pid;
			ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
			more = true;
		}
		closedir(d);
	}
	if (!task_find(pid)) {
		attach_error(pid, ESRCH);
		return -1;
	}
	map_take(t, pid, &mm_of(pid)->map);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return 0;
}

/* The command, stopped before its exec: trace it from there. */
static int start(struct trace *t)
{
	unsigned long opts = trace_opts | PTRACE_O_EXITKILL;

	if (t->seccomp)
		opts |= PTRACE_O_TRACESECCOMP;
	if (ptrace(PTRACE_SETOPTIONS, t->child, NULL, (void *)opts)) {
		fprintf(stderr, "%s: ptrace(PTRACE_SETOPTIONS): %s\n", prog,
			strerror(errno));
		kill(t->child, SIGKILL);
		return -1;
	}
	task_add(t->child);
	if (ptrace(t->seccomp ? PTRACE_CONT : PTRACE_SYSCALL, t->child, NULL, NULL))
		return -1;
	return 0;
}

/* Start @path under ptrace, stopped before its exec. */
static int launch(struct trace *t, const char *path, char **argv)
{
	int status;

	fflush(NULL);
	t->child = fork();
	if (t->child < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
		return -1;
	}
	if (!t->child)
		child(path, argv, t->seccomp);
	if (waitpid(t->child, &status, __WALL) < 0 || !WIFSTOPPED(status)) {
		fprintf(stderr, "%s: the command did not start under ptrace\n", prog);
		return -1;
	}
	if (t->seccomp) {
		errno = 0;
		t->seccomp = ptrace(PTRACE_PEEKDATA, t->child,
				    (void *)&filter_installed, NULL) == 1;
		if (!t->seccomp)
			fprintf(stderr, "%s: no seccomp filter (%s); stopping at every system call\n",
				prog, errno ? strerror(errno) : "refused");
	}
	return start(t);
}

static int run(struct trace *t)
{
	int status;
	pid_t tid;

	while (ntasks) {
		struct __ptrace_syscall_info si;
		enum __ptrace_request resume;
		struct task *tk;
		int sig = 0, event;

		if (detach_asked)
			return detach_all(t);
		tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		tk = task_find(tid);
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (tk && shown(t, tk) && tk->tid == tk->tgid)
				put_end(t, tk, status);
			if (tid == t->child) {
				t->child_status = status;
				t->child_done = true;
			}
			if (tk && tk->tid == tk->tgid) {
				if (summary_wanted && shown(t, tk))
					put_summary(t, tk->tgid, &mm_of(tk->tgid)->map);
				mm_del(tk->tgid);
			}
			task_del(tid);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (!tk) {
			/* a new child or thread, reported before its parent's event */
			tk = task_add(tid);
			t->many = t->follow;
			if (WSTOPSIG(status) == SIGSTOP ||
			    status >> 16 == PTRACE_EVENT_STOP) {
				ptrace(t->seccomp ? PTRACE_CONT : PTRACE_SYSCALL,
				       tid, NULL, NULL);
				continue;
			}
		}
		resume = t->seccomp && !tk->in_call ? PTRACE_CONT : PTRACE_SYSCALL;
		event = status >> 16;
		if (event == PTRACE_EVENT_SECCOMP || WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(si), &si) <= 0)
				si.op = PTRACE_SYSCALL_INFO_NONE;
			if (si.op == PTRACE_SYSCALL_INFO_SECCOMP ||
			    si.op == PTRACE_SYSCALL_INFO_ENTRY) {
				stop_entry(t, tk, &si);
			} else if (si.op == PTRACE_SYSCALL_INFO_EXIT && tk->in_call) {
				call_exit(t, tk, si.exit.rval, si.exit.is_error);
			}
			/* after a seccomp stop, wait for the call's exit */
			resume = t->seccomp && !tk->in_call ? PTRACE_CONT : PTRACE_SYSCALL;
		} else if (event == PTRACE_EVENT_STOP) {
			/* -p: a group-stop stays stopped; an interrupt goes on */
			if (WSTOPSIG(status) != SIGTRAP) {
				ptrace(PTRACE_LISTEN, tid, NULL, NULL);
				continue;
			}
		} else if (event) {
			/* fork, clone, exec: the new task announces itself */
			if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
			    event == PTRACE_EVENT_CLONE)
				t->many = t->follow;
		} else if (WSTOPSIG(status) != SIGTRAP) {
			siginfo_t info;

			/* a group-stop has no siginfo: let it stop, do not signal */
			if (!ptrace(PTRACE_GETSIGINFO, tid, NULL, &info))
				sig = WSTOPSIG(status);
		}
		ptrace(resume, tid, NULL, (void *)(long)sig);
	}
	fflush(t->out);
	if (!t->child_done)
		return 1;
	if (WIFEXITED(t->child_status))
		return WEXITSTATUS(t->child_status);
	return 128 + WTERMSIG(t->child_status);
}

static void usage(FILE *out, int rc)
{
	fprintf(out, "Usage:\n"
		" libmaps trace [options] [--] <command> [<argument>...]\n"
		" libmaps trace [options] -p <pid>\n\n"
		"Run a command and show, after every system call that can change its\n"
		"address space, the call (decoded as strace does) and what it did to\n"
		"the memory map: records created, removed, split, merged, grown,\n"
		"shrunk, moved or changed, and why new records are not merged.\n\n"
		"Options:\n"
		" -f, --follow-forks     show the calls of children too\n"
		" -J, --json             one JSON object a line for each call shown\n"
		" -o, --output <file>    write the trace to <file>, not stderr\n"
		" -p, --pid <pid>        attach to a running process (every call stops;\n"
		"                          SIGINT detaches and leaves it running)\n"
		" -s, --summary          at the end, every record of the last map with\n"
		"                          the calls that made and changed it\n"
		" -v, --verbose          show calls that changed nothing too\n"
		"     --proc             diff /proc/<pid>/maps even if the module is loaded\n"
		"     --whole-map        read the whole view at every stop, not only the\n"
		"                          range the call can change\n"
		"     --no-seccomp       stop at every system call (PTRACE_SYSCALL)\n"
		" -h, --help             display this help\n\n"
		"Exits with the command's (or the attached process's) exit status, 128+N\n"
		"if a signal N killed it, 0 after a detach.\n\n"
		"For more details see libmaps(8).\n");
	exit(rc);
}

int lm_trace_main(int argc, char **argv)
{
	struct trace t = { .out = stderr, .seccomp = true, .use_view = true };
	const char *verify = getenv("LIBMAPS_TRACE_VERIFY");
	const char *outfile = NULL;
	char *path = NULL, *end;
	pid_t pid = 0;
	int i, rc;

	t.verify = verify && *verify && strcmp(verify, "0");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "-f") || !strcmp(a, "--follow-forks")) {
			t.follow = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			t.verbose = true;
		} else if (!strcmp(a, "-J") || !strcmp(a, "--json")) {
			json_out = true;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--summary")) {
			summary_wanted = true;
		} else if (!strcmp(a, "--proc")) {
			t.use_view = false;
		} else if (!strcmp(a, "--whole-map")) {
			t.whole = true;
		} else if (!strcmp(a, "--no-seccomp")) {
			t.seccomp = false;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
			outfile = argv[++i];
		} else if (!strncmp(a, "--output=", 9)) {
			outfile = a + 9;
		} else if ((!strcmp(a, "-p") || !strcmp(a, "--pid")) && i + 1 < argc) {
			errno = 0;
			pid = (pid_t)strtol(argv[++i], &end, 10);
			if (errno || *end || pid <= 0) {
				fprintf(stderr, "%s: not a pid: %s\n", prog, argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, 0);
		} else {
			fprintf(stderr, "%s: unknown option or missing argument: %s\n"
				"Try 'libmaps trace --help' for more information.\n",
				prog, a);
			return 2;
		}
	}
	if ((i >= argc) == !pid) {
		fprintf(stderr, "%s: %s\n"
			"Try 'libmaps trace --help' for more information.\n", prog,
			pid ? "-p and a command exclude each other" : "no command given");
		return 2;
	}
	if (!pid) {
		path = find_command(argv[i]);
		if (!path) {
			fprintf(stderr, "%s: %s: command not found\n", prog, argv[i]);
			return 127;
		}
	}
	if (outfile) {
		t.out = fopen(outfile, "we");
		if (!t.out) {
			fprintf(stderr, "%s: %s: %s\n", prog, outfile, strerror(errno));
			free(path);
			return 1;
		}
	}
	if (t.use_view && access(LM_DEBUGFS, X_OK)) {
		t.use_view = false;
		fprintf(stderr, "%s: no %s (the libmaps module is not loaded, or debugfs is not mounted); diffing /proc/<pid>/maps: no merge reasons or flags\n",
			prog, LM_DEBUGFS);
	}
	if (pid) {
		rc = attach(&t, pid);
	} else {
		rc = launch(&t, path, argv + i);
		free(path);
	}
	if (rc) {
		if (t.out != stderr)
			fclose(t.out);
		return 1;
	}
	rc = run(&t);
	if (t.verify)
		fprintf(stderr, "%s: trace: %lu stops read by range, %lu unlike the whole view\n",
			prog, t.ranged, t.mismatched);
	if (t.out != stderr && fclose(t.out)) {
		fprintf(stderr, "%s: %s: %s\n", prog, outfile, strerror(errno));
		rc = rc ? rc : 1;
	}
	return rc;
}
