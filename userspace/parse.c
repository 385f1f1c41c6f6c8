// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c: parsing the libmaps view (Documentation/view.rst, format version 1) and,
 * for the fallback, /proc/<pid>/smaps into the same structures.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "view.h"
#include "xalloc.h"

#define LM_FORMAT_VERSION 1

static int fail(char *err, size_t errlen, unsigned int lineno,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	/* clang 14's analyzer misses the va_start above. */
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (lineno)
		snprintf(err, errlen, "line %u: %s", lineno, msg);
	else
		snprintf(err, errlen, "%s", msg);
	return -1;
}

/* --- the view's strings: each distinct one stored once --- */

#define STR_CHUNK	65536

struct str_chunk {
	struct str_chunk *prev;
	char data[];
};

struct lm_strings {
	struct str_chunk *chunk;	/* the one being filled */
	size_t used, room;		/* of its data */
	const char **slot;		/* open addressing; NULL: free */
	size_t nslots, nused;
};

static size_t str_hash(const char *s, size_t len)
{
	size_t h = 2166136261u;		/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void str_grow(struct lm_strings *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 256;
	const char **slot = xcalloc(n, sizeof(*slot));

	for (size_t i = 0; i < t->nslots; i++) {
		const char *s = t->slot[i];
		size_t j;

		if (!s)
			continue;
		for (j = str_hash(s, strlen(s)) & (n - 1); slot[j]; j = (j + 1) & (n - 1))
			;
		slot[j] = s;
	}
	free(t->slot);
	t->slot = slot;
	t->nslots = n;
}

static const char *str_store(struct lm_strings *t, const char *s, size_t len)
{
	char *d;

	if (len + 1 > t->room) {
		size_t size = len + 1 > STR_CHUNK ? len + 1 : STR_CHUNK;
		struct str_chunk *c = xmalloc(sizeof(*c) + size);

		c->prev = t->chunk;
		t->chunk = c;
		t->used = 0;
		t->room = size;
	}
	d = t->chunk->data + t->used;
	memcpy(d, s, len);
	d[len] = '\0';
	t->used += len + 1;
	t->room -= len + 1;
	return d;
}

/* The @len bytes at @s as a string of @p's, stored once however often asked. */
static const char *intern(struct lm_proc *p, const char *s, size_t len)
{
	struct lm_strings *t = p->strings;
	size_t i;

	if (!t)
		t = p->strings = xcalloc(1, sizeof(*t));
	if (2 * (t->nused + 1) > t->nslots)
		str_grow(t);
	for (i = str_hash(s, len) & (t->nslots - 1); t->slot[i];
	     i = (i + 1) & (t->nslots - 1))
		if (!strncmp(t->slot[i], s, len) && !t->slot[i][len])
			return t->slot[i];
	t->nused++;
	return t->slot[i] = str_store(t, s, len);
}

static const char *intern_str(struct lm_proc *p, const char *s)
{
	return intern(p, s ? s : "", s ? strlen(s) : 0);
}

/* --- the vocabularies (view.h) --- */

const char *const lm_role_names[LM_NR_ROLES] = {
	[LM_ROLE_OTHER]		= "",
	[LM_ROLE_TEXT]		= "text",
	[LM_ROLE_RODATA]	= "rodata",
	[LM_ROLE_RELRO]		= "relro",
	[LM_ROLE_DATA]		= "data",
	[LM_ROLE_BSS]		= "bss",
	[LM_ROLE_GAP]		= "gap",
	[LM_ROLE_HEAP]		= "heap",
	[LM_ROLE_STACK]		= "stack",
	[LM_ROLE_VDSO]		= "vdso",
	[LM_ROLE_VVAR]		= "vvar",
	[LM_ROLE_VSYSCALL]	= "vsyscall",
	[LM_ROLE_SPECIAL]	= "special",
	[LM_ROLE_ANON_NAMED]	= "anon-named",
	[LM_ROLE_ANON]		= "anon",
	[LM_ROLE_SHMEM]		= "shmem",
	[LM_ROLE_MEMFD]		= "memfd",
	[LM_ROLE_HUGETLB]	= "hugetlb",
	[LM_ROLE_DEVICE]	= "device",
	[LM_ROLE_FILE]		= "file",
};

const char *const lm_kind_names[LM_NR_KINDS] = {
	[LM_KIND_OTHER]		= "",
	[LM_KIND_FILE]		= "file",
	[LM_KIND_ANON_SHMEM]	= "anon-shmem",
	[LM_KIND_HEAP]		= "heap",
	[LM_KIND_STACK]		= "stack",
	[LM_KIND_VDSO]		= "vdso",
	[LM_KIND_VVAR]		= "vvar",
	[LM_KIND_VSYSCALL]	= "vsyscall",
	[LM_KIND_SPECIAL]	= "special",
	[LM_KIND_ANON_NAMED]	= "anon-named",
	[LM_KIND_ANON]		= "anon",
};

const char *const lm_merge_names[LM_NR_MERGES] = {
	[LM_MERGE_OTHER]	= "",
	[LM_MERGE_FIRST]	= "first",
	[LM_MERGE_HOLE]		= "hole",
	[LM_MERGE_SPECIAL]	= "special",
	[LM_MERGE_MEMPOLICY]	= "mempolicy",
	[LM_MERGE_FLAGS]	= "flags",
	[LM_MERGE_FILE]		= "file",
	[LM_MERGE_CLOSE]	= "close",
	[LM_MERGE_UFFD]		= "uffd",
	[LM_MERGE_ANON_NAME]	= "anon-name",
	[LM_MERGE_ANON_VMA]	= "anon-vma",
	[LM_MERGE_OFFSET]	= "offset",
	[LM_MERGE_MERGEABLE]	= "mergeable",
};

const char *const lm_thp_names[LM_NR_THPS] = {
	[LM_THP_OTHER]			= "",
	[LM_THP_ELIGIBLE]		= "eligible",
	[LM_THP_NOT_BUILT]		= "not-built",
	[LM_THP_NO_SYSFS]		= "no-sysfs",
	[LM_THP_NO_MM]			= "no-mm",
	[LM_THP_HW]			= "hw-unsupported",
	[LM_THP_NOHUGEPAGE]		= "nohugepage",
	[LM_THP_PRCTL]			= "prctl",
	[LM_THP_PRCTL_ADVISED]		= "prctl-except-advised",
	[LM_THP_DAX]			= "dax",
	[LM_THP_SPECIAL]		= "special",
	[LM_THP_MISALIGNED]		= "misaligned",
	[LM_THP_TOO_SMALL]		= "too-small",
	[LM_THP_SHMEM_NOT_REGULAR]	= "shmem-not-regular",
	[LM_THP_SHMEM_DENY]		= "shmem-deny",
	[LM_THP_SHMEM_NEVER]		= "shmem-never",
	[LM_THP_SHMEM_ADVISE]		= "shmem-advise",
	[LM_THP_SHMEM_WITHIN_SIZE]	= "shmem-within-size",
	[LM_THP_SHMEM_NO_SIZE]		= "shmem-no-size",
	[LM_THP_SYSFS_NEVER]		= "sysfs-never",
	[LM_THP_SYSFS_MADVISE]		= "sysfs-madvise",
	[LM_THP_NO_SIZE]		= "no-size-enabled",
	[LM_THP_NO_FILE]		= "no-file",
	[LM_THP_FILE]			= "file",
	[LM_THP_FILE_NOEXEC]		= "file-noexec",
	[LM_THP_FILE_ANON_INODE]	= "file-anon-inode",
	[LM_THP_FILE_WRITABLE]		= "file-writable",
	[LM_THP_FILE_NOT_REGULAR]	= "file-not-regular",
	[LM_THP_STACK]			= "exec-stack",
};

int lm_vocab_id(const char *const *names, int n, const char *name, size_t len)
{
	for (int i = 1; i < n; i++)
		if (!strncmp(names[i], name, len) && !names[i][len])
			return i;
	return 0;
}

/*
 * The id of an interned @name: records repeat a few names, and an
 * interned name is one pointer, so the last one looked up is kept.
 */
struct vocab_memo {
	const char *name;
	int id;
};

static int vocab_id(struct vocab_memo *m, const char *const *names, int n,
		    const char *name, size_t len)
{
	if (name != m->name) {
		m->name = name;
		m->id = lm_vocab_id(names, n, name, len);
	}
	return m->id;
}

static void strings_free(struct lm_strings *t)
{
	if (!t)
		return;
	while (t->chunk) {
		struct str_chunk *prev = t->chunk->prev;

		free(t->chunk);
		t->chunk = prev;
	}
	free(t->slot);
	free(t);
}

char *lm_slurp(const char *path, size_t *len)
{
	size_t size = 65536, used = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(size);
	while (buf) {
		ssize_t n;

		if (used + 1 >= size) {
			char *nbuf = realloc(buf, size * 2);

			if (!nbuf) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = nbuf;
			size *= 2;
		}
		n = read(fd, buf + used, size - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0) {
			buf[used] = '\0';
			if (len)
				*len = used;
			break;
		}
		used += n;
	}
	{
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return buf;
}

/*
 * Split "key=value key=value ... last=rest of line" in place.  @rest_key
 * names the field that runs to the end of the line.  Calls @fn for every
 * field; unknown keys are the callback's to ignore.
 */
typedef int (*field_fn)(void *obj, const char *key, char *val);

static int split_fields(char *s, const char *rest_key, field_fn fn, void *obj)
{
	size_t rlen = strlen(rest_key);

	while (*s) {
		char *eq, *end;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (!strncmp(s, rest_key, rlen) && s[rlen] == '=')
			return fn(obj, rest_key, s + rlen + 1);
		end = strchr(s, ' ');
		if (end)
			*end = '\0';
		eq = strchr(s, '=');
		if (!eq)
			return -1;
		*eq = '\0';
		if (fn(obj, s, eq + 1))
			return -1;
		if (!end)
			break;
		s = end + 1;
	}
	return 0;
}

static int num(const char *s, int base, unsigned long long *v)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	*v = strtoull(s, &end, base);
	return (errno || *end) ? -1 : 0;
}

/* The memory fields, in enum lm_mem order: the view's keys and smaps'. */
static const struct {
	const char *view, *smaps;
} mem_keys[LM_NR_MEM] = {
	[LM_MEM_RSS]		= { "rss", "Rss" },
	[LM_MEM_PSS]		= { "pss", "Pss" },
	[LM_MEM_ANON]		= { "anon", "Anonymous" },
	[LM_MEM_SHARED_CLEAN]	= { "shared_clean", "Shared_Clean" },
	[LM_MEM_SHARED_DIRTY]	= { "shared_dirty", "Shared_Dirty" },
	[LM_MEM_PRIVATE_CLEAN]	= { "private_clean", "Private_Clean" },
	[LM_MEM_PRIVATE_DIRTY]	= { "private_dirty", "Private_Dirty" },
	[LM_MEM_SWAP]		= { "swap", "Swap" },
	[LM_MEM_SWAP_PSS]	= { "swap_pss", "SwapPss" },
	[LM_MEM_LOCKED]		= { "locked", "Locked" },
};

const char *lm_mem_view_key(enum lm_mem m)
{
	return mem_keys[m].view;
}

const char *lm_mem_smaps_key(enum lm_mem m)
{
	return mem_keys[m].smaps;
}

/*
 * A memory field of a header, group or record line: 0 when @key is one
 * and @val a number, -1 when @val is not, 1 when @key is no memory field.
 */
static int mem_field(struct lm_mem_stats *m, const char *key, const char *val)
{
	for (int i = 0; i < LM_NR_MEM; i++) {
		if (strcmp(key, mem_keys[i].view))
			continue;
		if (num(val, 10, &m->v[i]))
			return -1;
		m->known |= LM_MEM_BIT(i);
		return 0;
	}
	return 1;
}

struct header {
	unsigned long long pid, vmas, groups, map_vmas, map_size, pmd_size;
	struct lm_mem_stats mem;
	char *comm;
	bool changed, ranged;
};

static int header_field(void *obj, const char *key, char *val)
{
	struct header *h = obj;
	int rc = mem_field(&h->mem, key, val);

	if (rc <= 0)
		return rc;
	if (!strcmp(key, "pid"))
		return num(val, 10, &h->pid);
	if (!strcmp(key, "vmas"))
		return num(val, 10, &h->vmas);
	if (!strcmp(key, "groups"))
		return num(val, 10, &h->groups);
	if (!strcmp(key, "state"))
		h->changed = !strcmp(val, "changed");
	if (!strcmp(key, "range"))
		h->ranged = true;
	if (!strcmp(key, "map_vmas"))
		return num(val, 10, &h->map_vmas);
	if (!strcmp(key, "map_size"))
		return num(val, 10, &h->map_size);
	if (!strcmp(key, "pmd_size"))
		return num(val, 10, &h->pmd_size);
	if (!strcmp(key, "comm"))
		h->comm = val;
	return 0;
}

/* A group line's fields: @g, and @p for its strings. */
struct group_ctx {
	struct lm_proc *p;
	struct lm_group *g;
};

static int group_field(void *obj, const char *key, char *val)
{
	struct group_ctx *c = obj;
	struct lm_group *g = c->g;
	unsigned long long v;
	int rc = mem_field(&g->mem, key, val);

	if (rc <= 0)
		return rc;
	if (!strcmp(key, "records")) {
		if (num(val, 10, &v))
			return -1;
		g->records = v;
	} else if (!strcmp(key, "size")) {
		return num(val, 10, &g->size);
	} else if (!strcmp(key, "huge")) {
		return num(val, 10, &g->huge);
	} else if (!strcmp(key, "dev")) {
		if (sscanf(val, "%x:%x", &g->major, &g->minor) != 2)
			return -1;
		g->has_inode = true;
	} else if (!strcmp(key, "ino")) {
		return num(val, 10, &g->ino);
	} else if (!strcmp(key, "name")) {
		g->name = intern_str(c->p, val);
	}
	return 0;
}

/*
 * A record line is read in place, one pass, as it is most of the view:
 * its keys, the memory fields' (enum lm_mem) first.
 */
enum rec_key {
	K_SIZE = LM_NR_MEM, K_ROLE, K_FLAGS, K_DECODED, K_THP, K_THP_REASON,
	K_THP_SIZES, K_PMD, K_MTHP, K_CONT, K_PAGESIZE, K_MERGE, NR_REC_KEYS
};

static const char *const rec_keys[NR_REC_KEYS - LM_NR_MEM] = {
	[K_SIZE - LM_NR_MEM]		= "size",
	[K_ROLE - LM_NR_MEM]		= "role",
	[K_FLAGS - LM_NR_MEM]		= "flags",
	[K_DECODED - LM_NR_MEM]		= "decoded",
	[K_THP - LM_NR_MEM]		= "thp",
	[K_THP_REASON - LM_NR_MEM]	= "thp_reason",
	[K_THP_SIZES - LM_NR_MEM]	= "thp_sizes",
	[K_PMD - LM_NR_MEM]		= "pmd",
	[K_MTHP - LM_NR_MEM]		= "mthp",
	[K_CONT - LM_NR_MEM]		= "cont",
	[K_PAGESIZE - LM_NR_MEM]	= "pagesize",
	[K_MERGE - LM_NR_MEM]		= "merge",
};

/*
 * The key of the @len bytes at @k, or -1 if it is none.  Every record
 * line has the same keys in the same order, so the search starts at the
 * key after the last one found (@hint), which is nearly always the one.
 */
static int rec_key(const char *k, size_t len, int *hint)
{
	for (int n = 0; n < NR_REC_KEYS; n++) {
		int i = (*hint + n) % NR_REC_KEYS;
		const char *name = i < LM_NR_MEM ? mem_keys[i].view :
				   rec_keys[i - LM_NR_MEM];

		if (!strncmp(name, k, len) && !name[len]) {
			*hint = (i + 1) % NR_REC_KEYS;
			return i;
		}
	}
	return -1;
}

static int digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : 16;
}

/*
 * num() of the @len bytes at @s.  Plain digits that cannot overflow are
 * added up here; anything else (a sign, 0x, leading zeroes, overflow)
 * goes to strtoull() as before.
 */
static int num_n(const char *s, size_t len, int base, unsigned long long *v)
{
	unsigned long long x = 0;
	size_t i = 0;
	char *copy;
	int rc;

	if (len && len <= (base == 16 ? 15U : 18U)) {
		for (; i < len && digit(s[i]) < base; i++)
			x = x * base + digit(s[i]);
		if (i == len) {
			*v = x;
			return 0;
		}
	}
	copy = xstrndup(s, len);
	rc = num(copy, base, v);
	free(copy);
	return rc;
}

/* The names last looked up, for one lm_parse_view() (it resets them). */
static struct vocab_memo role_memo, thp_memo, merge_memo;

static int rec_field(struct lm_proc *p, struct lm_rec *r, int key,
		     const char *val, size_t len)
{
	unsigned long long v;
	const char *colon;

	if (key < 0)
		return 0;
	if (key < LM_NR_MEM) {
		if (num_n(val, len, 10, &r->mem.v[key]))
			return -1;
		r->mem.known |= LM_MEM_BIT(key);
		return 0;
	}
	switch (key) {
	case K_SIZE:		/* it is end - start */
		break;
	case K_ROLE:
		r->role = intern(p, val, len);
		r->role_id = vocab_id(&role_memo, lm_role_names, LM_NR_ROLES,
				      r->role, len);
		break;
	case K_FLAGS:
		if (len < 2 || val[0] != '0' || val[1] != 'x' ||
		    num_n(val + 2, len - 2, 16, &r->flags))
			return -1;
		r->has_flags = true;
		break;
	case K_DECODED:
		r->decoded = intern(p, val, len);
		break;
	case K_THP:
		if (num_n(val, len, 10, &v) || v > 1)
			return -1;
		r->thp = (int)v;
		break;
	case K_THP_REASON:
		r->thp_reason = intern(p, val, len);
		r->thp_id = vocab_id(&thp_memo, lm_thp_names, LM_NR_THPS,
				     r->thp_reason, len);
		break;
	case K_THP_SIZES:
		r->thp_sizes = intern(p, val, len);
		break;
	case K_PMD:
		if (num_n(val, len, 10, &v))
			return -1;
		r->pmd = (long)v;
		break;
	case K_PAGESIZE:
		if (len < 2 || val[len - 1] != 'K' || num_n(val, len - 1, 10, &v))
			return -1;
		r->pagesize_kb = v;
		break;
	case K_MERGE:
		r->merge = intern(p, val, len);
		colon = memchr(val, ':', len);
		r->merge_id = vocab_id(&merge_memo, lm_merge_names, LM_NR_MERGES,
				       r->merge, colon ? (size_t)(colon - val) : len);
		break;
	case K_MTHP:
		r->mthp = intern(p, val, len);
		break;
	case K_CONT:
		if (num_n(val, len, 10, &v))
			return -1;
		r->cont = (long long)v;
		break;
	}
	return 0;
}

/* "start-end perms offset" of a record line; returns the rest. */
static char *rec_position(char *s, struct lm_rec *r)
{
	int n = 0;

	if (sscanf(s, "%lx-%lx %4s %llx%n", &r->start, &r->end, r->perms,
		   &r->offset, &n) != 4 || r->start >= r->end ||
	    strlen(r->perms) != 4)
		return NULL;
	return s + n;
}

/* 1 to 16 hex digits at @s, before @e, into @v; NULL if not so. */
static const char *hex_run(const char *s, const char *e, unsigned long long *v)
{
	const char *d = s;

	for (*v = 0; d < e && d - s < 16 && digit(*d) < 16; d++)
		*v = *v << 4 | digit(*d);
	return d == s || (d < e && digit(*d) < 16) ? NULL : d;
}

/*
 * rec_position() of the line from @s to @e, in place when it is written
 * the way the module writes it; the number of bytes read, or 0.
 */
static size_t rec_position_n(const char *s, const char *e, struct lm_rec *r)
{
	unsigned long long start, end;
	const char *q = hex_run(s, e, &start);
	char *copy, *rest;
	size_t n;

	if (q && q < e && *q == '-')
		q = hex_run(q + 1, e, &end);
	else
		q = NULL;
	if (q && e - q > 6 && q[0] == ' ' && q[5] == ' ') {
		for (int i = 0; q && i < 4; i++)
			if (isspace((unsigned char)q[1 + i]))
				q = NULL;
		if (q) {
			memcpy(r->perms, q + 1, 4);
			r->perms[4] = '\0';
			q = hex_run(q + 6, e, &r->offset);
		}
		if (q && (q == e || *q == ' ')) {
			r->start = start;
			r->end = end;
			return start < end ? (size_t)(q - s) : 0;
		}
	}
	/* anything else as sscanf() reads it */
	copy = xstrndup(s, e - s);
	rest = rec_position(copy, r);
	n = rest ? (size_t)(rest - copy) : 0;
	free(copy);
	return n;
}

/*
 * A record line, from after its tab to @e: its position, then
 * "key=value" fields split at spaces as split_fields() splits them.
 */
static int parse_rec(struct lm_proc *p, struct lm_rec *r, const char *s,
		     const char *e, int *hint)
{
	size_t n = rec_position_n(s, e, r);

	if (!n)
		return -1;
	for (s += n; s < e; ) {
		const char *end, *eq;

		if (*s == ' ') {
			s++;
			continue;
		}
		end = memchr(s, ' ', e - s);
		if (!end)
			end = e;
		eq = memchr(s, '=', end - s);
		if (!eq || rec_field(p, r, rec_key(s, eq - s, hint), eq + 1,
				     end - eq - 1))
			return -1;
		s = end;
	}
	return 0;
}

static size_t count_lines(const char *text, char first)
{
	size_t n = 0;
	const char *s = text;

	while (*s) {
		if (*s == first)
			n++;
		s = strchr(s, '\n');
		if (!s)
			break;
		s++;
	}
	return n;
}

static int by_start(const void *a, const void *b)
{
	const struct lm_rec *x = *(struct lm_rec * const *)a;
	const struct lm_rec *y = *(struct lm_rec * const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The header line, @n bytes into it past "libmaps <version>". */
static int parse_header(struct lm_proc *p, struct header *h, const char *s,
			size_t len, int n)
{
	char *line = xstrndup(s, len);
	int rc = -1;

	if ((size_t)n <= len && !split_fields(line + n, "comm", header_field, h) &&
	    h->comm) {
		p->pid = (pid_t)h->pid;
		p->mem = h->mem;
		p->comm = xstrdup(h->comm);
		p->changed = h->changed;
		p->ranged = h->ranged;
		p->map_vmas = h->map_vmas;
		p->map_size = h->map_size;
		/* a view from before pmd_size=: this machine's */
		if (h->pmd_size)
			lm_pmd_size_set(h->pmd_size);
		rc = 0;
	}
	free(line);
	return rc;
}

/* "group <kind> key=value ... name=<name>" */
static int parse_group(struct lm_proc *p, struct lm_group *g, const char *s,
		       size_t len)
{
	char *line = xstrndup(s, len);
	char *kind = line + 6, *sp = strchr(kind, ' ');
	struct group_ctx c = { p, g };
	int rc = -1;

	if (sp) {
		*sp = '\0';
		g->kind = intern_str(p, kind);
		g->kind_id = LM_KIND_ID(g->kind);
		if (!split_fields(sp + 1, "name", group_field, &c) && g->name) {
			g->recs = xcalloc(g->records, sizeof(*g->recs));
			rc = 0;
		}
	}
	free(line);
	return rc;
}

int lm_parse_view(const char *text, struct lm_proc *p, char *err, size_t errlen)
{
	struct header h = { 0 };
	struct lm_group *g = NULL;
	size_t maxrecs, maxgroups;
	unsigned int lineno = 0;
	const char *s, *e;
	int version, hint = 0;
	char *end;
	int n = 0;

	memset(p, 0, sizeof(*p));
	memset(&role_memo, 0, sizeof(role_memo));
	memset(&thp_memo, 0, sizeof(thp_memo));
	memset(&merge_memo, 0, sizeof(merge_memo));
	/* not sscanf(), which would first measure the whole text */
	if (strncmp(text, "libmaps ", 8) || !isdigit((unsigned char)text[8]))
		return fail(err, errlen, 0, "not a libmaps view");
	version = (int)strtol(text + 8, &end, 10);
	n = end - text;
	if (*end != ' ' && *end != '\n')
		return fail(err, errlen, 0, "not a libmaps view");
	if (version != LM_FORMAT_VERSION)
		return fail(err, errlen, 0,
			    "view format version %d, this tool reads version %d",
			    version, LM_FORMAT_VERSION);

	maxrecs = count_lines(text, '\t');
	maxgroups = count_lines(text, 'g');
	p->recs = xcalloc(maxrecs, sizeof(*p->recs));
	p->groups = xcalloc(maxgroups, sizeof(*p->groups));

	for (s = text; *s; s = *e ? e + 1 : e) {
		size_t len;

		e = strchrnul(s, '\n');
		len = e - s;
		lineno++;
		if (!len)
			continue;	/* as before: an empty line is skipped */
		if (lineno == 1) {
			if (parse_header(p, &h, s, len, n))
				goto bad;
		} else if (len >= 6 && !memcmp(s, "group ", 6)) {
			if (p->ngroups >= maxgroups)
				goto bad;
			g = &p->groups[p->ngroups++];
			if (parse_group(p, g, s, len))
				goto bad;
		} else if (s[0] == '\t') {
			struct lm_rec *r = &p->recs[p->nr];

			if (!g || p->nr >= maxrecs || g->nr >= g->records)
				goto bad;
			r->thp = -1;
			r->pmd = -1;
			r->cont = -1;
			if (parse_rec(p, r, s + 1, e, &hint) ||
			    !r->role || !r->merge || r->thp < 0 || !r->decoded)
				goto bad;
			r->group = g;
			g->recs[g->nr++] = r;
			p->nr++;
		} else if (len == 4 && !memcmp(s, "nomm", 4)) {
			p->nomm = true;
		} else {
			goto bad;
		}
	}
	if (p->nr != h.vmas || p->ngroups != h.groups)
		return fail(err, errlen, 0,
			    "header says vmas=%llu groups=%llu, view has %zu and %zu",
			    h.vmas, h.groups, p->nr, p->ngroups);
	for (size_t i = 0; i < p->ngroups; i++)
		if (p->groups[i].nr != p->groups[i].records)
			return fail(err, errlen, 0, "group %s: records=%lu but %zu lines",
				    p->groups[i].name, p->groups[i].records,
				    p->groups[i].nr);
	lm_attach_bss(p);
	return 0;
bad:
	return fail(err, errlen, lineno, "malformed view line");
}

/* --- the fallback: /proc/<pid>/smaps --- */

/*
 * "Rss:   12 kB" and the other memory lines of a record: 0 when @line is
 * one (@m updated), 1 when it is no memory line, -1 when malformed.
 */
static int smaps_mem_line(struct lm_mem_stats *m, const char *line)
{
	size_t klen = strcspn(line, ":");
	unsigned long long kb;
	char *end;

	if (!line[klen])
		return 1;
	for (int i = 0; i < LM_NR_MEM; i++) {
		if (strlen(mem_keys[i].smaps) != klen ||
		    strncmp(line, mem_keys[i].smaps, klen))
			continue;
		errno = 0;
		kb = strtoull(line + klen + 1, &end, 10);
		if (errno || end == line + klen + 1 || strcmp(end, " kB"))
			return -1;
		m->v[i] = kb * 1024;
		m->known |= LM_MEM_BIT(i);
		return 0;
	}
	return 1;
}

/*
 * The fallback's group and process totals are the sums of the records
 * just read.  smaps_rollup would round PSS once rather than per VMA
 * (smaps prints whole kB, so the sum may be up to 1023 bytes a record
 * lower), but it is a second read at another moment: pages fault in and
 * out between the two, and totals that are not the sum of the lines
 * under them would mislead more than that rounding does.
 */
static void smaps_totals(struct lm_proc *p)
{
	lm_mem_zero(&p->mem);
	for (size_t i = 0; i < p->ngroups; i++) {
		struct lm_group *g = &p->groups[i];

		lm_mem_zero(&g->mem);
		for (size_t j = 0; j < g->nr; j++)
			lm_mem_add(&g->mem, &g->recs[j]->mem);
		lm_mem_add(&p->mem, &g->mem);
	}
}

static const char *anon_kind(const char *name)
{
	static const char *const specials[] = {
		"[heap]", "heap", "[stack]", "stack", "[vdso]", "vdso",
		"[vvar]", "vvar", "[vsyscall]", "vsyscall",
	};

	if (!*name)
		return "anon";
	for (size_t i = 0; i < sizeof(specials) / sizeof(*specials); i += 2)
		if (!strcmp(name, specials[i]))
			return specials[i + 1];
	if (!strncmp(name, "[anon:", 6))
		return "anon-named";
	if (!strncmp(name, "[anon_shmem:", 12))
		return "anon-shmem";
	return "special";
}

static bool has_flag(const char *decoded, const char *mn)
{
	size_t len = strlen(mn);
	const char *s = decoded;

	while (s && *s) {
		if (!strncmp(s, mn, len) && (s[len] == ',' || !s[len]))
			return true;
		s = strchr(s, ',');
		if (s)
			s++;
	}
	return false;
}

/*
 * The module's role rules (Documentation/view.rst), as far as smaps can
 * feed them: smaps does not show the anon_vma, so a read-only private
 * file record is taken to be RELRO when it is accounted ("ac": it was
 * writable once), which is how RELRO ends up.
 */
static enum lm_role_id smaps_role(const struct lm_rec *r,
				  const struct lm_rec *prev,
				  const struct lm_group *g)
{
	bool shared = r->perms[3] == 's';

	/* heap, stack, vdso ...: kinds that are roles too */
	if (g->kind_id != LM_KIND_FILE && g->kind_id != LM_KIND_ANON &&
	    g->kind_id != LM_KIND_ANON_SHMEM)
		return LM_ROLE_ID(g->kind);
	if (has_flag(r->decoded, "ht"))
		return LM_ROLE_HUGETLB;
	if (has_flag(r->decoded, "pf") || has_flag(r->decoded, "io") ||
	    has_flag(r->decoded, "mm"))
		return LM_ROLE_DEVICE;
	if (g->kind_id == LM_KIND_ANON_SHMEM)
		return LM_ROLE_SHMEM;
	if (g->kind_id == LM_KIND_ANON) {
		if (prev && prev->end == r->start &&
		    prev->group->kind_id == LM_KIND_FILE &&
		    prev->perms[1] == 'w' && prev->perms[3] == 'p')
			return LM_ROLE_BSS;
		return shared ? LM_ROLE_SHMEM : LM_ROLE_ANON;
	}
	if (!strncmp(g->name, "/memfd:", 7))
		return LM_ROLE_MEMFD;
	if (shared)
		return (!strncmp(g->name, "/dev/shm/", 9) ||
			!strncmp(g->name, "/dev/zero", 9) ||
			!strncmp(g->name, "/SYSV", 5)) ? LM_ROLE_SHMEM : LM_ROLE_FILE;
	if (r->perms[2] == 'x')
		return LM_ROLE_TEXT;
	if (r->perms[1] == 'w')
		return LM_ROLE_DATA;
	if (r->perms[0] != 'r')
		return LM_ROLE_GAP;
	return has_flag(r->decoded, "ac") ? LM_ROLE_RELRO : LM_ROLE_RODATA;
}

static struct lm_group *find_group(struct lm_proc *p, enum lm_kind_id kind,
				   const char *name, unsigned int major,
				   unsigned int minor, unsigned long long ino)
{
	for (size_t i = 0; i < p->ngroups; i++) {
		struct lm_group *g = &p->groups[i];

		if (g->kind && g->name && g->kind_id == kind &&
		    !strcmp(g->name, name) &&
		    g->major == major && g->minor == minor && g->ino == ino)
			return g;
	}
	return NULL;
}

static int group_order(const void *a, const void *b)
{
	const struct lm_group *x = a, *y = b;
	bool fx = x->kind_id == LM_KIND_FILE, fy = y->kind_id == LM_KIND_FILE;

	if (fx != fy)
		return fx ? -1 : 1;
	return x->recs[0]->start < y->recs[0]->start ? -1 :
	       x->recs[0]->start > y->recs[0]->start;
}

int lm_parse_smaps(const char *text, pid_t pid, struct lm_proc *p,
		   char *err, size_t errlen)
{
	char *copy, *line, *next;
	struct lm_rec *r = NULL;
	unsigned int lineno = 0;
	size_t max;
	unsigned long long *ino = NULL;
	unsigned int *dev = NULL;
	char **names = NULL;
	long pmd_kb = 0;
	/* smaps counts PMD-mapped kB; pmd= counts this kernel's PMDs */
	unsigned long long pmd_bytes = lm_pmd_size() ? lm_pmd_size() : 2 << 20;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->from_smaps = true;
	max = 0;
	for (const char *s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : s)
		if (strchr("0123456789abcdef", *s))
			max++;
	p->recs = xcalloc(max, sizeof(*p->recs));
	ino = xcalloc(max, sizeof(*ino));
	dev = xcalloc(max * 2, sizeof(*dev));
	names = xcalloc(max, sizeof(*names));
	copy = xstrdup(text);

	for (line = copy; line && *line; line = next) {
		char *rest;
		int n = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		sscanf(line, "%*x-%*x %*4s %*x %*x:%*x %*u%n", &n);
		if (n > 0) {
			if (r)
				r->pmd = pmd_kb * 1024 / pmd_bytes;
			r = &p->recs[p->nr];
			r->cont = -1;	/* smaps does not say */
			rest = rec_position(line, r);
			if (!rest || sscanf(rest, " %x:%x %llu%n", &dev[2 * p->nr],
					    &dev[2 * p->nr + 1], &ino[p->nr], &n) != 3)
				goto bad;
			rest += n;
			while (*rest == ' ')
				rest++;
			names[p->nr] = rest;
			r->thp = -1;
			r->pagesize_kb = 4;
			r->decoded = intern_str(p, "");
			pmd_kb = 0;
			p->nr++;
			continue;
		}
		if (!r)
			goto bad;
		n = smaps_mem_line(&r->mem, line);
		if (n < 0)
			goto bad;
		if (!n)
			continue;
		if (!strncmp(line, "VmFlags:", 8)) {
			char *s = line + 8, *d;

			while (*s == ' ')
				s++;
			for (d = s; *d; d++)
				if (*d == ' ')
					*d = ',';
			if (d > s && d[-1] == ',')
				d--;
			r->decoded = intern(p, s, d - s);
		} else if (!strncmp(line, "THPeligible:", 12)) {
			r->thp = atoi(line + 12) ? 1 : 0;
		} else if (!strncmp(line, "KernelPageSize:", 15)) {
			r->pagesize_kb = strtoul(line + 15, NULL, 10);
		} else if (!strncmp(line, "AnonHugePages:", 14) ||
			   !strncmp(line, "ShmemPmdMapped:", 15) ||
			   !strncmp(line, "FilePmdMapped:", 14)) {
			pmd_kb += strtol(strchr(line, ':') + 1, NULL, 10);
		}
	}
	if (r)
		r->pmd = pmd_kb * 1024 / pmd_bytes;
	/*
	 * [vsyscall] is no VMA of the process (the kernel's gate area, which
	 * maps shows last): the module never lists it, and neither does this.
	 */
	if (p->nr && !strcmp(names[p->nr - 1], "[vsyscall]"))
		p->nr--;

	/* Group as the module does: one group per file by inode and path. */
	p->groups = xcalloc(p->nr, sizeof(*p->groups));
	for (size_t i = 0; i < p->nr; i++) {
		const char *name = names[i] ? names[i] : "";
		const char *kind = name[0] == '/' && ino[i] ? "file" :
				   anon_kind(name);
		enum lm_kind_id kind_id = LM_KIND_ID(kind);
		struct lm_group *g = find_group(p, kind_id, name, dev[2 * i],
						dev[2 * i + 1], ino[i]);

		if (!g) {
			g = &p->groups[p->ngroups++];
			g->kind = intern_str(p, kind);
			g->kind_id = kind_id;
			g->name = intern_str(p, name);
			g->major = dev[2 * i];
			g->minor = dev[2 * i + 1];
			g->ino = ino[i];
			g->has_inode = kind_id == LM_KIND_FILE ||
				       kind_id == LM_KIND_ANON_SHMEM;
			g->recs = xcalloc(p->nr, sizeof(*g->recs));
		}
		g->recs[g->nr++] = &p->recs[i];
		g->records++;
		g->size += p->recs[i].end - p->recs[i].start;
		g->huge += (unsigned long long)p->recs[i].pmd * lm_pmd_size();
	}
	qsort(p->groups, p->ngroups, sizeof(*p->groups), group_order);
	for (size_t i = 0; i < p->ngroups; i++)
		for (size_t j = 0; j < p->groups[i].nr; j++)
			p->groups[i].recs[j]->group = &p->groups[i];
	for (size_t i = 0; i < p->nr; i++) {
		struct lm_rec *r = &p->recs[i];

		r->role_id = smaps_role(r, i ? r - 1 : NULL, r->group);
		r->role = r->role_id == LM_ROLE_OTHER ? r->group->kind :
			  lm_role_names[r->role_id];
	}
	smaps_totals(p);
	free(copy);
	free(ino);
	free(dev);
	free(names);
	if (!p->nr)
		p->nomm = true;
	lm_attach_bss(p);
	return 0;
bad:
	free(copy);
	free(ino);
	free(dev);
	free(names);
	return fail(err, errlen, lineno, "malformed smaps line");
}

void lm_attach_bss(struct lm_proc *p)
{
	struct lm_rec **sorted = xcalloc(p->nr, sizeof(*sorted));

	for (size_t i = 0; i < p->nr; i++)
		sorted[i] = &p->recs[i];
	qsort(sorted, p->nr, sizeof(*sorted), by_start);
	for (size_t i = 1; i < p->nr; i++) {
		struct lm_rec *r = sorted[i], *prev = sorted[i - 1];
		struct lm_group *lib = prev->group;

		if (r->role_id != LM_ROLE_BSS || prev->end != r->start ||
		    !lm_group_is_file(lib))
			continue;
		if (!lib->extra)
			lib->extra = xcalloc(p->nr, sizeof(*lib->extra));
		lib->extra[lib->nr_extra++] = r;
		r->lib = lib;
		r->lib_end = r->end;
		free(r->segment);
		free(r->elf_note);
		r->segment = xstrdup("after the data segment; not checked against ELF");
		r->elf_note = xstrdup("It is taken for bss only because it directly follows the library's writable data record: its ELF headers were not read, so it may as well be unrelated anonymous memory mapped there");
	}
	free(sorted);
}

/*
 * @r's memory as the library's: all of it, or none if the record also
 * holds other anonymous memory, whose pages nobody can tell from the
 * bss's (the record shows them on its own line).
 */
static struct lm_mem_stats lib_part(const struct lm_rec *r)
{
	struct lm_mem_stats x = r->mem;

	if (lm_lib_size(r) == r->end - r->start)
		return x;
	for (int i = 0; i < LM_NR_MEM; i++)
		x.v[i] = 0;
	return x;
}

void lm_group_mem(const struct lm_group *g, struct lm_mem_stats *out)
{
	*out = g->mem;
	for (size_t i = 0; i < g->nr; i++) {
		const struct lm_rec *r = g->recs[i];

		if (!r->lib)
			continue;
		out->known &= r->mem.known;
		for (int m = 0; m < LM_NR_MEM; m++)
			out->v[m] -= out->v[m] < r->mem.v[m] ? out->v[m] : r->mem.v[m];
	}
	for (size_t i = 0; i < g->nr_extra; i++) {
		struct lm_mem_stats x = lib_part(g->extra[i]);

		lm_mem_add(out, &x);
	}
}

void lm_proc_free(struct lm_proc *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		struct lm_rec *r = &p->recs[i];

		free(r->segment);
		free(r->elf_note);
	}
	for (size_t i = 0; i < p->ngroups; i++) {
		struct lm_group *g = &p->groups[i];

		free(g->recs);
		free(g->extra);
		free(g->elf_status);
	}
	free(p->recs);
	free(p->groups);
	free(p->comm);
	strings_free(p->strings);
	memset(p, 0, sizeof(*p));
}
