// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c: parsing the libmaps view (Documentation/view.rst, format version 1) and,
 * for the fallback, /proc/<pid>/smaps into the same structures.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view.h"

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

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d) {
		perror("libmaps");
		exit(1);
	}
	return d;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		perror("libmaps");
		exit(1);
	}
	return p;
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
	unsigned long long pid, vmas, groups;
	struct lm_mem_stats mem;
	char *comm;
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
	if (!strcmp(key, "comm"))
		h->comm = val;
	return 0;
}

static int group_field(void *obj, const char *key, char *val)
{
	struct lm_group *g = obj;
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
		g->name = xstrdup(val);
	}
	return 0;
}

static int rec_field(void *obj, const char *key, char *val)
{
	struct lm_rec *r = obj;
	unsigned long long v;
	int rc = mem_field(&r->mem, key, val);

	if (rc <= 0)
		return rc;
	if (!strcmp(key, "role")) {
		r->role = xstrdup(val);
	} else if (!strcmp(key, "flags")) {
		if (strncmp(val, "0x", 2) || num(val + 2, 16, &r->flags))
			return -1;
		r->has_flags = true;
	} else if (!strcmp(key, "decoded")) {
		r->decoded = xstrdup(val);
	} else if (!strcmp(key, "thp")) {
		if (num(val, 10, &v) || v > 1)
			return -1;
		r->thp = (int)v;
	} else if (!strcmp(key, "thp_reason")) {
		r->thp_reason = xstrdup(val);
	} else if (!strcmp(key, "thp_sizes")) {
		r->thp_sizes = xstrdup(val);
	} else if (!strcmp(key, "pmd")) {
		if (num(val, 10, &v))
			return -1;
		r->pmd = (long)v;
	} else if (!strcmp(key, "pagesize")) {
		size_t n = strlen(val);

		if (n < 2 || val[n - 1] != 'K')
			return -1;
		val[n - 1] = '\0';
		if (num(val, 10, &v))
			return -1;
		r->pagesize_kb = v;
	} else if (!strcmp(key, "merge")) {
		r->merge = xstrdup(val);
	} else if (!strcmp(key, "mthp")) {
		r->mthp = xstrdup(val);
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

int lm_parse_view(const char *text, struct lm_proc *p, char *err, size_t errlen)
{
	char *copy, *line, *next;
	struct header h = { 0 };
	struct lm_group *g = NULL;
	size_t maxrecs, maxgroups;
	unsigned int lineno = 0;
	int version;
	int n = 0;

	memset(p, 0, sizeof(*p));
	if (sscanf(text, "libmaps %d%n", &version, &n) != 1 ||
	    (text[n] != ' ' && text[n] != '\n'))
		return fail(err, errlen, 0, "not a libmaps view");
	if (version != LM_FORMAT_VERSION)
		return fail(err, errlen, 0,
			    "view format version %d, this tool reads version %d",
			    version, LM_FORMAT_VERSION);

	maxrecs = count_lines(text, '\t');
	maxgroups = count_lines(text, 'g');
	p->recs = xcalloc(maxrecs, sizeof(*p->recs));
	p->groups = xcalloc(maxgroups, sizeof(*p->groups));
	copy = xstrdup(text);

	for (line = copy; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (lineno == 1) {
			if (split_fields(line + n, "comm", header_field, &h) ||
			    !h.comm)
				goto bad;
			p->pid = (pid_t)h.pid;
			p->mem = h.mem;
			p->comm = xstrdup(h.comm);
		} else if (!strncmp(line, "group ", 6)) {
			char *kind = line + 6, *sp = strchr(kind, ' ');

			if (!sp || p->ngroups >= maxgroups)
				goto bad;
			*sp = '\0';
			g = &p->groups[p->ngroups++];
			g->kind = xstrdup(kind);
			if (split_fields(sp + 1, "name", group_field, g) ||
			    !g->name)
				goto bad;
			g->recs = xcalloc(g->records, sizeof(*g->recs));
		} else if (line[0] == '\t') {
			struct lm_rec *r = &p->recs[p->nr];
			char *rest;

			if (!g || p->nr >= maxrecs || g->nr >= g->records)
				goto bad;
			r->thp = -1;
			r->pmd = -1;
			rest = rec_position(line + 1, r);
			if (!rest || split_fields(rest, "\n", rec_field, r) ||
			    !r->role || !r->merge || r->thp < 0 || !r->decoded)
				goto bad;
			r->group = g;
			g->recs[g->nr++] = r;
			p->nr++;
		} else if (!strcmp(line, "nomm")) {
			p->nomm = true;
		} else if (*line) {
			goto bad;
		}
	}
	free(copy);
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
	free(copy);
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
static const char *smaps_role(const struct lm_rec *r, const struct lm_rec *prev,
			      const struct lm_group *g)
{
	bool shared = r->perms[3] == 's';

	if (strcmp(g->kind, "file") && strcmp(g->kind, "anon") &&
	    strcmp(g->kind, "anon-shmem"))
		return g->kind;
	if (has_flag(r->decoded, "ht"))
		return "hugetlb";
	if (has_flag(r->decoded, "pf") || has_flag(r->decoded, "io") ||
	    has_flag(r->decoded, "mm"))
		return "device";
	if (strcmp(g->kind, "file")) {
		if (!strcmp(g->kind, "anon")) {
			if (prev && prev->end == r->start &&
			    !strcmp(prev->group->kind, "file") &&
			    prev->perms[1] == 'w' && prev->perms[3] == 'p')
				return "bss";
			return shared ? "shmem" : "anon";
		}
		if (!strcmp(g->kind, "anon-shmem"))
			return "shmem";
		return g->kind;
	}
	if (!strncmp(g->name, "/memfd:", 7))
		return "memfd";
	if (shared)
		return (!strncmp(g->name, "/dev/shm/", 9) ||
			!strncmp(g->name, "/dev/zero", 9) ||
			!strncmp(g->name, "/SYSV", 5)) ? "shmem" : "file";
	if (r->perms[2] == 'x')
		return "text";
	if (r->perms[1] == 'w')
		return "data";
	if (r->perms[0] != 'r')
		return "gap";
	return has_flag(r->decoded, "ac") ? "relro" : "rodata";
}

static struct lm_group *find_group(struct lm_proc *p, const char *kind,
				   const char *name, unsigned int major,
				   unsigned int minor, unsigned long long ino)
{
	for (size_t i = 0; i < p->ngroups; i++) {
		struct lm_group *g = &p->groups[i];

		if (g->kind && g->name && !strcmp(g->kind, kind) &&
		    !strcmp(g->name, name) &&
		    g->major == major && g->minor == minor && g->ino == ino)
			return g;
	}
	return NULL;
}

static int group_order(const void *a, const void *b)
{
	const struct lm_group *x = a, *y = b;
	bool fx = !strcmp(x->kind, "file"), fy = !strcmp(y->kind, "file");

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
				r->pmd = pmd_kb / 2048;
			r = &p->recs[p->nr];
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
			r->decoded = xstrdup("");
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
			free(r->decoded);
			r->decoded = xstrdup(s);
			for (d = r->decoded; *d; d++)
				if (*d == ' ')
					*d = ',';
			if (d > r->decoded && d[-1] == ',')
				d[-1] = '\0';
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
		r->pmd = pmd_kb / 2048;

	/* Group as the module does: one group per file by inode and path. */
	p->groups = xcalloc(p->nr, sizeof(*p->groups));
	for (size_t i = 0; i < p->nr; i++) {
		const char *name = names[i] ? names[i] : "";
		const char *kind = name[0] == '/' && ino[i] ? "file" :
				   anon_kind(name);
		struct lm_group *g = find_group(p, kind, name, dev[2 * i],
						dev[2 * i + 1], ino[i]);

		if (!g) {
			g = &p->groups[p->ngroups++];
			g->kind = xstrdup(kind);
			g->name = xstrdup(name);
			g->major = dev[2 * i];
			g->minor = dev[2 * i + 1];
			g->ino = ino[i];
			g->has_inode = !strcmp(kind, "file") ||
				       !strcmp(kind, "anon-shmem");
			g->recs = xcalloc(p->nr, sizeof(*g->recs));
		}
		g->recs[g->nr++] = &p->recs[i];
		g->records++;
		g->size += p->recs[i].end - p->recs[i].start;
		g->huge += (unsigned long long)p->recs[i].pmd * 2048 * 1024;
	}
	qsort(p->groups, p->ngroups, sizeof(*p->groups), group_order);
	for (size_t i = 0; i < p->ngroups; i++)
		for (size_t j = 0; j < p->groups[i].nr; j++)
			p->groups[i].recs[j]->group = &p->groups[i];
	for (size_t i = 0; i < p->nr; i++)
		p->recs[i].role = xstrdup(smaps_role(&p->recs[i],
						     i ? &p->recs[i - 1] : NULL,
						     p->recs[i].group));
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

		if (strcmp(r->role, "bss") || prev->end != r->start ||
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

		free(r->decoded);
		free(r->role);
		free(r->thp_reason);
		free(r->thp_sizes);
		free(r->merge);
		free(r->mthp);
		free(r->elf_role);
		free(r->segment);
		free(r->elf_note);
	}
	for (size_t i = 0; i < p->ngroups; i++) {
		struct lm_group *g = &p->groups[i];

		free(g->kind);
		free(g->name);
		free(g->recs);
		free(g->extra);
		free(g->elf_status);
	}
	free(p->recs);
	free(p->groups);
	free(p->comm);
	memset(p, 0, sizeof(*p));
}
