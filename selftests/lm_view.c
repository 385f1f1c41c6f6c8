// SPDX-License-Identifier: GPL-2.0
/*
 * Parse the libmaps view, /proc/<pid>/maps and /proc/<pid>/smaps, and
 * compare the first against the other two.  Buffers are static so that
 * reading the files does not change the address space being read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lm_view.h"
#include "uapi/libmaps.h"

#define LM_BUF_SIZE	(8 << 20)

__thread char lm_error[512];

const char * const lm_mem_keys[LM_MEM_NR] = {
	"rss", "pss", "anon", "shared_clean", "shared_dirty", "private_clean",
	"private_dirty", "swap", "swap_pss", "locked",
};
const char * const lm_mem_smaps[LM_MEM_NR] = {
	"Rss:", "Pss:", "Anonymous:", "Shared_Clean:", "Shared_Dirty:", "Private_Clean:",
	"Private_Dirty:", "Swap:", "SwapPss:", "Locked:",
};
bool lm_compare_memory, lm_compare_rollup;


static char *buf_maps, *buf_maps2, *buf_view, *buf_smaps;

/*
 * The read buffers, mapped once, never backed by huge pages and touched
 * up front: reading into them must not change the address space (new
 * VMAs, or huge pages faulted in between two reads) that is being read.
 */
static void *prefaulted(size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* DONTFORK too: no VMA of a test can merge with these */
	madvise(p, size, MADV_NOHUGEPAGE);
	madvise(p, size, MADV_DONTFORK);
	memset(p, 0, size);
	return p;
}

static int buffers(void)
{
	if (buf_maps)
		return 0;
	buf_maps = prefaulted(LM_BUF_SIZE);
	buf_maps2 = prefaulted(LM_BUF_SIZE);
	buf_view = prefaulted(LM_BUF_SIZE);
	buf_smaps = prefaulted(4 * LM_BUF_SIZE);
	return buf_maps && buf_maps2 && buf_view && buf_smaps ? 0 : -1;
}

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lm_error, sizeof(lm_error), fmt, ap);
	va_end(ap);
	return -1;
}

/* Read a whole file with read(2) in chunks; NUL-terminated. */
ssize_t lm_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len < 4096 ? size - 1 - len : 4096);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * Copy the value of " key=" in @line into @out, up to the first of @stop;
 * NULL if the line has no such field.
 */
static const char *field_until(const char *line, const char *key, const char *stop,
			       char *out, size_t size)
{
	char pat[32];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	n = strcspn(p, stop);
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* Value of " key=" in @line (up to the next space), or NULL. */
static const char *field(const char *line, const char *key, char *out, size_t size)
{
	return field_until(line, key, " \n", out, size);
}

/* The rest of the line after " key=" (names may contain spaces). */
static const char *last_field(const char *line, const char *key, char *out, size_t size)
{
	return field_until(line, key, "\n", out, size);
}

/*
 * The memory fields of a header, group or record line (up to @stop, the
 * key of the free-text field that ends it, or NULL): all or none.
 */
static int parse_mem(const char *line, const char *stop, unsigned long long mem[LM_MEM_NR],
		     bool *has)
{
	char buf[4096], tmp[32];
	size_t len = strlen(line);
	const char *end;
	int i, found = 0;

	if (stop) {
		snprintf(tmp, sizeof(tmp), " %s=", stop);
		end = strstr(line, tmp);
		if (end)
			len = end - line;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
	for (i = 0; i < LM_MEM_NR; i++) {
		mem[i] = 0;
		if (field(buf, lm_mem_keys[i], tmp, sizeof(tmp))) {
			mem[i] = strtoull(tmp, NULL, 10);
			found++;
		}
	}
	*has = found == LM_MEM_NR;
	return found && !*has ? fail("only %d of the memory fields: %.80s", found, line) : 0;
}

static int popcount64(unsigned long long x)
{
	return __builtin_popcountll(x);
}

/*
 * The positional fields as maps prints them ("%08lx-%08lx %c%c%c%c %08llx"):
 * lower-case hex of at least 8 digits, perms from [r-][w-][x-][sp].
 */
static bool maps_columns(const char *p)
{
	static const char hex[] = "0123456789abcdef";
	size_t n;

	n = strspn(p, hex);
	if (n < 8 || p[n] != '-')
		return false;
	p += n + 1;
	n = strspn(p, hex);
	if (n < 8 || p[n] != ' ')
		return false;
	p += n + 1;
	if (!strchr("r-", p[0]) || !strchr("w-", p[1]) || !strchr("x-", p[2]) ||
	    !strchr("sp", p[3]) || !p[0] || !p[1] || !p[2] || !p[3] || p[4] != ' ')
		return false;
	p += 5;
	n = strspn(p, hex);
	return n >= 8 && p[n] == ' ';
}

static int parse_record(const char *line, struct lm_view_rec *r)
{
	char tmp[512], *tok, *save;
	int n = 0;

	if (sscanf(line, "\t%lx-%lx %4s %llx%n", &r->start, &r->end, r->perms,
		   &r->offset, &n) != 4 || !maps_columns(line + 1))
		return fail("bad record line: %.80s", line);
	if (!field(line, "size", tmp, sizeof(tmp)))
		return fail("record without size=: %.80s", line);
	r->size = strtoul(tmp, NULL, 10);
	if (!field(line, "flags", tmp, sizeof(tmp)) || strncmp(tmp, "0x", 2))
		return fail("record without flags=0x: %.80s", line);
	r->flags = strtoull(tmp, NULL, 16);
	if (!field(line, "thp", tmp, sizeof(tmp)) || (strcmp(tmp, "0") && strcmp(tmp, "1")))
		return fail("record without thp=0|1: %.80s", line);
	r->thp = atoi(tmp);
	if (!field(line, "thp_reason", r->thp_reason, sizeof(r->thp_reason)))
		return fail("record without thp_reason=: %.80s", line);
	if (!field(line, "thp_sizes", r->thp_sizes, sizeof(r->thp_sizes)))
		r->thp_sizes[0] = '\0';
	if (!field(line, "role", r->role, sizeof(r->role)))
		return fail("record without role=: %.80s", line);
	if (!field(line, "merge", r->merge, sizeof(r->merge)))
		return fail("record without merge=: %.80s", line);
	if (!field(line, "pmd", tmp, sizeof(tmp)))
		return fail("record without pmd=: %.80s", line);
	r->pmd = strtoul(tmp, NULL, 10);
	if (!field(line, "mthp", r->mthp, sizeof(r->mthp)))
		return fail("record without mthp=: %.80s", line);
	if (!field(line, "cont", tmp, sizeof(tmp)))
		return fail("record without cont=: %.80s", line);
	r->cont = strtoul(tmp, NULL, 10);
	if (r->cont > r->size || r->cont % sysconf(_SC_PAGESIZE))
		return fail("cont=%lu: not pages of the record: %.80s", r->cont, line);
	if (!field(line, "pagesize", tmp, sizeof(tmp)) || tmp[strlen(tmp) - 1] != 'K')
		return fail("record without pagesize=<n>K: %.80s", line);
	r->pagesize_kb = strtoul(tmp, NULL, 10);
	if (parse_mem(line, NULL, r->mem, &r->has_mem))
		return -1;
	if (r->has_mem && (r->mem[LM_MEM_RSS] != r->mem[LM_MEM_SHARED_CLEAN] +
			   r->mem[LM_MEM_SHARED_DIRTY] + r->mem[LM_MEM_PRIVATE_CLEAN] +
			   r->mem[LM_MEM_PRIVATE_DIRTY] || r->mem[LM_MEM_PSS] > r->mem[LM_MEM_RSS] ||
			   r->mem[LM_MEM_ANON] > r->mem[LM_MEM_RSS] ||
			   r->mem[LM_MEM_LOCKED] > r->mem[LM_MEM_PSS] ||
			   r->mem[LM_MEM_SWAP_PSS] > r->mem[LM_MEM_SWAP]))
		return fail("memory fields that do not add up: %.200s", line);
	if (r->thp != !strcmp(r->thp_reason, "eligible"))
		return fail("thp=%d with thp_reason=%s", r->thp, r->thp_reason);
	if (r->thp != !!r->thp_sizes[0])
		return fail("thp=%d with thp_sizes='%s'", r->thp, r->thp_sizes);
	if (!strstr(line, " decoded="))
		return fail("record without decoded=: %.80s", line);
	tmp[0] = '\0';
	field(line, "decoded", tmp, sizeof(tmp));
	r->nr_decoded = 0;
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (r->nr_decoded == 64)
			return fail("too many decoded flags: %.80s", line);
		snprintf(r->decoded[r->nr_decoded++], sizeof(r->decoded[0]), "%s", tok);
	}
	return 0;
}

/*
 * Names follow the set bits in bit order.  The mnemonics of bits 0-8 are
 * the same on every kernel (VM_READ ... VM_MAYSHARE, VM_GROWSDOWN) and
 * bit<N> names bit N, so the i-th name must be that of the i-th set bit.
 * Returns the index of the first name out of place, or -1.
 */
static int bit_order_error(const struct lm_view_rec *r)
{
	static const char * const low[] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd",
	};
	unsigned long long f = r->flags;
	int i, bit;

	for (i = 0; i < r->nr_decoded && f; i++, f &= f - 1) {
		bit = __builtin_ctzll(f);
		if (!strncmp(r->decoded[i], "bit", 3)) {
			if (atoi(r->decoded[i] + 3) != bit)
				return i;
			continue;
		}
		if (bit < 9 && strcmp(r->decoded[i], low[bit]))
			return i;
		for (size_t j = bit < 9 ? 9 : 0; j < sizeof(low) / sizeof(low[0]); j++)
			if (!strcmp(r->decoded[i], low[j]))
				return i;
	}
	return -1;
}

/*
 * The line at *@pos, copied and NUL-terminated so that field lookups stay
 * within it; *@next is set to its newline (NULL if there is none).
 */
/* Per thread: the stress test parses views in several threads. */
static __thread char line_buf[16384];

static const char *text_line(const char **pos, const char **next)
{
	size_t len;

	*next = strchr(*pos, '\n');
	len = *next ? (size_t)(*next - *pos) + 1 : strlen(*pos);
	if (len >= sizeof(line_buf))
		len = sizeof(line_buf) - 1;
	memcpy(line_buf, *pos, len);
	line_buf[len] = '\0';
	*pos = line_buf;
	return line_buf;
}

/*
 * A group's or the header's memory fields are the sums of its @n records':
 * exactly, but for pss and locked, which sum smaps' fixed point and then
 * truncate, so that they are at least the sum of the records' truncated
 * values and less than @n bytes more.
 */
static bool mem_sums_ok(const unsigned long long want[LM_MEM_NR],
			const unsigned long long sum[LM_MEM_NR], unsigned int n)
{
	for (int i = 0; i < LM_MEM_NR; i++) {
		if (lm_mem_fixed(i)) {
			if (want[i] < sum[i] || want[i] >= sum[i] + n + (n == 0))
				return false;
		} else if (want[i] != sum[i]) {
			return false;
		}
	}
	return true;
}

/*
 * Parse a view and check its invariants: version 1, the counts in the
 * header and group lines agree with the lines that follow, sizes add up,
 * every set flag bit is named exactly once, and the order is as
 * documented (file groups first, each half by lowest address, records
 * ascending within a group).
 */
int lm_parse_view(const char *text, struct lm_view *v)
{
	const char *line = text, *next;
	char kind[16] = "", name[LM_NAME_MAX] = "", tmp[64], hdr[512], state[16];
	unsigned int g_major = 0, g_minor = 0, g_records = 0, seen = 0;
	unsigned long long g_ino = 0;
	unsigned long g_size = 0, sum = 0, last_first = 0, g_huge = 0, huge = 0;
	unsigned long long g_mem[LM_MEM_NR] = { 0 }, g_sum[LM_MEM_NR] = { 0 };
	unsigned long long all_sum[LM_MEM_NR] = { 0 };
	bool has_inode = false, in_files = true, g_has = false;
	int group = -1, i;

	memset(v, 0, sizeof(*v));
	if (sscanf(text, "libmaps %d pid=%d vmas=%u groups=%u", &v->version,
		   &v->pid, &v->vmas, &v->groups) != 4)
		return fail("bad header: %.80s", text);
	if (v->version != 1)
		return fail("unknown view version %d", v->version);
	next = strchr(line, '\n');
	if (!next)
		return fail("header not terminated");
	snprintf(hdr, sizeof(hdr), "%.*s", (int)(next - line), line);
	if (!field(hdr, "state", state, sizeof(state)) ||
	    (strcmp(state, "one") && strcmp(state, "changed")))
		return fail("header without state=one or state=changed: %.80s", hdr);
	v->changed = !strcmp(state, "changed");
	if (!field(hdr, "pmd_size", tmp, sizeof(tmp)) ||
	    strtoul(tmp, NULL, 10) != lm_pmd_size())
		return fail("header's pmd_size= is not this kernel's hpage_pmd_size %lu: %.80s",
			    lm_pmd_size(), hdr);
	if (field(hdr, "range", tmp, sizeof(tmp))) {
		v->ranged = true;
		if (sscanf(tmp, "%lx-%lx", &v->range_start, &v->range_end) != 2 ||
		    !field(hdr, "map_vmas", tmp, sizeof(tmp)))
			return fail("bad range= or no map_vmas=: %.80s", hdr);
		v->map_vmas = strtoul(tmp, NULL, 10);
		if (!field(hdr, "map_size", tmp, sizeof(tmp)))
			return fail("range= without map_size=: %.80s", hdr);
		v->map_size = strtoul(tmp, NULL, 10);
	}
	last_field(line, "comm", v->comm, sizeof(v->comm));
	if (parse_mem(line, "comm", v->mem, &v->has_mem))
		return -1;
	line = next + 1;

	if (!strcmp(line, "nomm\n")) {
		v->nomm = true;
		if (v->vmas || v->groups)
			return fail("nomm view with vmas=%u groups=%u", v->vmas, v->groups);
		return 0;
	}

	for (; *text_line(&line, &next); line = next + 1) {
		if (!next)
			return fail("unterminated line: %.80s", line);
		if (!strncmp(line, "group ", 6)) {
			if (group >= 0 && (seen != g_records || sum != g_size || huge != g_huge))
				return fail("group %d: records=%u size=%lu huge=%lu but %u records of %lu bytes, %lu huge",
					    group, g_records, g_size, g_huge, seen, sum, huge);
			if (group >= 0 && g_has && !mem_sums_ok(g_mem, g_sum, seen))
				return fail("group %d: memory fields not the sums of its records'", group);
			group++;
			if (sscanf(line, "group %15s records=%u size=%lu", kind, &g_records,
				   &g_size) != 3)
				return fail("bad group line: %.80s", line);
			if (!field(line, "huge", tmp, sizeof(tmp)))
				return fail("group without huge=: %.80s", line);
			g_huge = strtoul(tmp, NULL, 10);
			has_inode = field(line, "dev", tmp, sizeof(tmp)) != NULL;
			if (has_inode) {
				if (sscanf(tmp, "%x:%x", &g_major, &g_minor) != 2 ||
				    !field(line, "ino", tmp, sizeof(tmp)))
					return fail("bad dev=/ino=: %.80s", line);
				g_ino = strtoull(tmp, NULL, 10);
			}
			if ((!strcmp(kind, "file") || !strcmp(kind, "anon-shmem")) != has_inode)
				return fail("group kind %s with%s dev/ino", kind,
					    has_inode ? "" : "out");
			if (!last_field(line, "name", name, sizeof(name)))
				return fail("group without name=: %.80s", line);
			if (parse_mem(line, "name", g_mem, &g_has))
				return -1;
			memset(g_sum, 0, sizeof(g_sum));
			if (strcmp(kind, "file")) {
				in_files = false;
			} else if (!in_files) {
				return fail("file group after a non-file group: %.80s", line);
			}
			seen = 0;
			sum = 0;
			huge = 0;
			continue;
		}
		if (line[0] != '\t' || group < 0)
			return fail("unexpected line: %.80s", line);
		if (v->nr == LM_MAX_RECS)
			return fail("more than %d records", LM_MAX_RECS);
		struct lm_view_rec *r = &v->recs[v->nr];

		if (parse_record(line, r))
			return -1;
		if (r->size != r->end - r->start)
			return fail("size=%lu for %lx-%lx", r->size, r->start, r->end);
		if (popcount64(r->flags) != r->nr_decoded)
			return fail("flags=0x%llx has %d bits but %d names", r->flags,
				    popcount64(r->flags), r->nr_decoded);
		i = bit_order_error(r);
		if (i >= 0)
			return fail("flags=0x%llx: name %s out of bit order", r->flags,
				    r->decoded[i]);
		for (i = 0; i < r->nr_decoded - 1; i++)
			for (int j = i + 1; j < r->nr_decoded; j++)
				if (!strcmp(r->decoded[i], r->decoded[j]))
					return fail("flag %s named twice", r->decoded[i]);
		if (seen == 0) {
			/* a new group: within a half, groups go by lowest address */
			if (v->nr && (!strcmp(kind, "file") ||
				      strcmp(v->recs[v->nr - 1].kind, "file")) &&
			    r->start < last_first)
				return fail("group at %lx after a group at %lx", r->start, last_first);
			last_first = r->start;
		} else if (r->start < v->recs[v->nr - 1].end) {
			return fail("records not ascending at %lx", r->start);
		}
		snprintf(r->kind, sizeof(r->kind), "%s", kind);
		snprintf(r->name, sizeof(r->name), "%s", name);
		r->has_inode = has_inode;
		r->major = has_inode ? g_major : 0;
		r->minor = has_inode ? g_minor : 0;
		r->ino = has_inode ? g_ino : 0;
		r->group = group;
		r->group_huge = g_huge;
		/* merge= of a group's first record is "first", of others not */
		if ((seen == 0) != !strcmp(r->merge, "first"))
			return fail("record %lx: merge=%s as record %u of its group",
				    r->start, r->merge, seen);
		seen++;
		sum += r->size;
		huge += r->pmd * lm_pmd_size();
		if (r->has_mem != g_has || r->has_mem != v->has_mem)
			return fail("memory fields in some lines only, at %lx", r->start);
		for (i = 0; i < LM_MEM_NR; i++) {
			g_sum[i] += r->mem[i];
			all_sum[i] += r->mem[i];
		}
		v->nr++;
	}
	if (group >= 0 && (seen != g_records || sum != g_size || huge != g_huge))
		return fail("last group: records=%u size=%lu huge=%lu but %u records of %lu bytes, %lu huge",
			    g_records, g_size, g_huge, seen, sum, huge);
	if (group >= 0 && g_has && !mem_sums_ok(g_mem, g_sum, seen))
		return fail("last group: memory fields not the sums of its records'");
	if (v->has_mem && !mem_sums_ok(v->mem, all_sum, v->nr))
		return fail("header: memory fields not the sums of the records'");
	if ((unsigned int)v->nr != v->vmas)
		return fail("header vmas=%u but %d records", v->vmas, v->nr);
	if ((unsigned int)(group + 1) != v->groups)
		return fail("header groups=%u but %d groups", v->groups, group + 1);
	return 0;
}

static int parse_maps_line(const char *text, struct lm_maps_rec *r)
{
	/*
	 * sscanf() takes strlen() of its whole input: on the rest of an smaps
	 * text, that is quadratic (a minute for 3000 VMAs).  One line only.
	 */
	const char *line = text, *next;
	int n = 0;

	text_line(&line, &next);

	memset(r, 0, sizeof(*r));
	r->thp_eligible = -1;
	r->kernel_page_kb = -1;
	for (int k = 0; k < LM_MEM_NR; k++)
		r->mem_kb[k] = -1;
	if (sscanf(line, "%lx-%lx %4s %llx %x:%x %llu%n", &r->start, &r->end, r->perms,
		   &r->offset, &r->major, &r->minor, &r->ino, &n) != 7)
		return -1;
	line += n;
	while (*line == ' ')
		line++;
	snprintf(r->name, sizeof(r->name), "%.*s", (int)strcspn(line, "\n"), line);
	return 0;
}

int lm_parse_maps(const char *text, struct lm_maps *m)
{
	const char *line;

	m->nr = 0;
	for (line = text; *line; line = strchr(line, '\n') + 1) {
		if (m->nr == LM_MAX_RECS)
			return fail("more than %d maps records", LM_MAX_RECS);
		if (parse_maps_line(line, &m->recs[m->nr]))
			return fail("bad maps line: %.80s", line);
		/* the gate area is no VMA of the process (view.rst) */
		if (strcmp(m->recs[m->nr].name, "[vsyscall]"))
			m->nr++;
		if (!strchr(line, '\n'))
			break;
	}
	return 0;
}

/* Add smaps' VmFlags and THPeligible to the records of @m, range by range. */
int lm_parse_smaps(const char *text, struct lm_maps *m)
{
	struct lm_maps_rec *cur = NULL, gate;
	const char *line;
	int i = 0;

	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		struct lm_maps_rec hdr;
		char *tok, *save, flags[256];

		if (!parse_maps_line(line, &hdr)) {
			if (!strcmp(hdr.name, "[vsyscall]")) {
				cur = &gate;	/* read, and dropped */
				continue;
			}
			if (i >= m->nr || m->recs[i].start != hdr.start || m->recs[i].end != hdr.end)
				return fail("smaps range %lx-%lx is not maps record %d", hdr.start,
					    hdr.end, i);
			cur = &m->recs[i++];
			continue;
		}
		if (!cur)
			return fail("smaps does not start with a range");
		for (int k = 0; k < LM_MEM_NR; k++) {
			size_t kl = strlen(lm_mem_smaps[k]);

			if (!strncmp(line, lm_mem_smaps[k], kl))
				cur->mem_kb[k] = atol(line + kl);
		}
		if (!strncmp(line, "THPeligible:", 12)) {
			cur->thp_eligible = atoi(line + 12);
		} else if (!strncmp(line, "KernelPageSize:", 15)) {
			cur->kernel_page_kb = atol(line + 15);
		} else if (!strncmp(line, "AnonHugePages:", 14)) {
			cur->pmd_kb += atol(line + 14);
		} else if (!strncmp(line, "ShmemPmdMapped:", 15)) {
			cur->pmd_kb += atol(line + 15);
		} else if (!strncmp(line, "FilePmdMapped:", 14)) {
			cur->pmd_kb += atol(line + 14);
		} else if (!strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, sizeof(flags), "%.*s", (int)strcspn(line + 8, "\n"), line + 8);
			cur->nr_vmflags = 0;
			for (tok = strtok_r(flags, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				if (cur->nr_vmflags < LM_FLAGS_MAX)
					snprintf(cur->vmflags[cur->nr_vmflags++], 3, "%s", tok);
		}
	}
	if (i != m->nr)
		return fail("smaps has %d ranges, maps %d", i, m->nr);
	return 0;
}

bool lm_view_has_flag(const struct lm_view_rec *r, const char *mnemonic)
{
	for (int i = 0; i < r->nr_decoded; i++)
		if (!strcmp(r->decoded[i], mnemonic))
			return true;
	return false;
}

static bool maps_has_flag(const struct lm_maps_rec *r, const char *mnemonic)
{
	for (int i = 0; i < r->nr_vmflags; i++)
		if (!strcmp(r->vmflags[i], mnemonic))
			return true;
	return false;
}

unsigned long lm_pmd_size(void)
{
	static unsigned long size;
	char buf[32];

	if (!size) {
		unsigned long pg = sysconf(_SC_PAGESIZE);

		if (lm_read_file(LM_THP_DIR "hpage_pmd_size", buf, sizeof(buf)) > 0)
			size = strtoul(buf, NULL, 10);
		if (!size)
			size = pg / sizeof(uint64_t) * pg;
	}
	return size;
}

const char *lm_pmd_knob(const char *leaf)
{
	static char bufs[8][64];
	static unsigned int next;
	char *buf = bufs[next++ % 8];

	snprintf(buf, sizeof(bufs[0]), "hugepages-%lukB/%s", lm_pmd_size() >> 10, leaf);
	return buf;
}

unsigned long lm_hugetlb_size(void)
{
	static char buf[8192];
	char *at;

	if (lm_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return 0;
	at = strstr(buf, "\nHugepagesize:");
	return at ? strtoul(at + strlen("\nHugepagesize:"), NULL, 10) << 10 : 0;
}

void *lm_map_aligned(size_t size, size_t align, int prot, int flags, int fd)
{
	size_t pg = sysconf(_SC_PAGESIZE), span = size + align + 2 * pg;
	char *p = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	char *a, *end;

	if (p == MAP_FAILED)
		return p;
	/* keep one PROT_NONE page on each side: no neighbour can merge with it */
	a = (char *)(((unsigned long)p + pg + align - 1) & ~(align - 1));
	end = a + size + pg;
	if (a - pg > p)
		munmap(p, a - pg - p);
	if (p + span > end)
		munmap(end, p + span - end);
	return mmap(a, size, prot, flags | MAP_FIXED, fd, 0);
}

struct lm_view_rec *lm_view_find(struct lm_view *v, unsigned long start)
{
	for (int i = 0; i < v->nr; i++)
		if (v->recs[i].start == start)
			return &v->recs[i];
	return NULL;
}

int lm_maps_find(const struct lm_maps *m, unsigned long start)
{
	for (int i = 0; i < m->nr; i++)
		if (m->recs[i].start == start)
			return i;
	return -1;
}

int lm_maps_find_name(const struct lm_maps *m, const char *suffix, int from)
{
	size_t n = strlen(suffix);

	for (int i = from; i < m->nr; i++) {
		size_t len = strlen(m->recs[i].name);

		if (len >= n && !strcmp(m->recs[i].name + len - n, suffix))
			return i;
	}
	return -1;
}

static int mismatch(int *count, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "# mismatch: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return ++*count;
}

/* The view's records sorted by address, as maps lists them. */
static int by_start(const void *a, const void *b)
{
	const struct lm_view_rec *x = *(const struct lm_view_rec * const *)a;
	const struct lm_view_rec *y = *(const struct lm_view_rec * const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static const struct lm_view_rec *sorted[LM_MAX_RECS];

static pid_t lm_compare_pid;	/* the process lm_compare() compares */

/*
 * @v against maps' and smaps' @m.  With @mthp, a record of the whole view,
 * read right before smaps: every memory field, and mthp= against pagemap
 * (lm_compare_memory only).  Without, a record of a range read after
 * smaps: of the memory fields, those no other process changes (rss, anon,
 * swap; PSS and the shared/private split move whenever another process
 * maps or unmaps a page, libc's text in a guest's tmpfs say), and that
 * shared and private add up to rss.
 */
static int compare_one(const struct lm_view_rec *v, const struct lm_maps_rec *m, bool mthp,
		       int *bad)
{
	int i;

	if (v->start != m->start || v->end != m->end)
		return mismatch(bad, "range %lx-%lx, maps %lx-%lx", v->start, v->end,
				m->start, m->end);
	if (strcmp(v->perms, m->perms))
		mismatch(bad, "%lx: perms %s, maps %s", v->start, v->perms, m->perms);
	if (v->offset != m->offset)
		mismatch(bad, "%lx: offset %llx, maps %llx", v->start, v->offset, m->offset);
	if (v->major != m->major || v->minor != m->minor || v->ino != m->ino)
		mismatch(bad, "%lx: dev %02x:%02x ino %llu, maps %02x:%02x %llu", v->start,
			 v->major, v->minor, v->ino, m->major, m->minor, m->ino);
	if (strcmp(v->name, m->name))
		mismatch(bad, "%lx: name '%s', maps '%s'", v->start, v->name, m->name);

	/* VmFlags: every mnemonic smaps prints is decoded, and nothing more */
	for (i = 0; i < v->nr_decoded; i++) {
		if (!strncmp(v->decoded[i], "bit", 3))
			continue;
		if (!maps_has_flag(m, v->decoded[i]))
			mismatch(bad, "%lx: decoded %s not in smaps VmFlags", v->start,
				 v->decoded[i]);
	}
	for (i = 0; i < m->nr_vmflags; i++)
		if (strcmp(m->vmflags[i], "??") && !lm_view_has_flag(v, m->vmflags[i]))
			mismatch(bad, "%lx: smaps VmFlags %s not decoded", v->start, m->vmflags[i]);
	if (m->kernel_page_kb < 0 || (unsigned long)m->kernel_page_kb != v->pagesize_kb)
		mismatch(bad, "%lx: pagesize=%luK, smaps KernelPageSize %ld kB", v->start,
			 v->pagesize_kb, m->kernel_page_kb);
	if (v->pmd * (lm_pmd_size() >> 10) != (unsigned long)m->pmd_kb)
		mismatch(bad, "%lx: pmd=%lu, smaps PMD-mapped %ld kB", v->start, v->pmd,
			 m->pmd_kb);
	for (i = 0; lm_compare_memory && i < LM_MEM_NR; i++) {
		/* a range read after smaps: only what no other process moves */
		if (!mthp && i != LM_MEM_RSS && i != LM_MEM_ANON && i != LM_MEM_SWAP)
			continue;
		if (!v->has_mem || m->mem_kb[i] < 0 ||
		    (v->mem[i] >> 10) != (unsigned long long)m->mem_kb[i])
			mismatch(bad, "%lx: %s=%llu, smaps %s %ld kB", v->start, lm_mem_keys[i],
				 v->mem[i], lm_mem_smaps[i], m->mem_kb[i]);
	}
	if (!mthp && lm_compare_memory && v->has_mem &&
	    v->mem[LM_MEM_SHARED_CLEAN] + v->mem[LM_MEM_SHARED_DIRTY] +
	    v->mem[LM_MEM_PRIVATE_CLEAN] + v->mem[LM_MEM_PRIVATE_DIRTY] != v->mem[LM_MEM_RSS])
		mismatch(bad, "%lx: shared and private do not add up to rss=%llu", v->start,
			 v->mem[LM_MEM_RSS]);
	if (mthp && lm_compare_memory && v->mem[LM_MEM_RSS] && !v->pmd &&
	    v->end - v->start <= (1UL << 30) &&
	    !lm_view_has_flag(v, "ht") && !lm_view_has_flag(v, "pf")) {
		char want[256];

		if (lm_mthp_expected(lm_compare_pid, v->start, v->end, want, sizeof(want)))
			mismatch(bad, "%lx: %s", v->start, lm_error);
		else if (strcmp(want, v->mthp))
			mismatch(bad, "%lx: mthp=%s, pagemap and kpageflags say '%s'", v->start,
				 v->mthp, want);
	}
	/* contiguous PTEs: none without the bit, else no more than may be */
	if (!lm_cont_size() && v->cont)
		mismatch(bad, "%lx: cont=%lu on an architecture without contiguous PTEs",
			 v->start, v->cont);
	if (mthp && lm_compare_memory && lm_cont_size() && v->cont &&
	    v->end - v->start <= (1UL << 30)) {
		unsigned long most;

		if (lm_cont_bound(lm_compare_pid, v->start, v->end, &most))
			mismatch(bad, "%lx: %s", v->start, lm_error);
		else if (v->cont > most)
			mismatch(bad, "%lx: cont=%lu, but pagemap and kpageflags allow %lu",
				 v->start, v->cont, most);
	}
	if (m->thp_eligible < 0)
		mismatch(bad, "%lx: smaps has no THPeligible line", v->start);
	else if (v->thp != m->thp_eligible)
		mismatch(bad, "%lx: thp=%d, smaps THPeligible %d", v->start, v->thp,
			 m->thp_eligible);
	return *bad;
}

/* ------------------------------------------- large folios, from pagemap */

#define PM_PRESENT		(1ULL << 63)
#define PM_PFN_MASK		((1ULL << 55) - 1)
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define LM_ORDERS_MAX		20

static int kpageflags_fd = -1;

static uint64_t kpf(unsigned long pfn)
{
	uint64_t f = 0;

	if (pread(kpageflags_fd, &f, sizeof(f), (off_t)pfn * sizeof(f)) != sizeof(f))
		return 0;
	return f;
}

/*
 * The compound page @pfn belongs to, as tools/mm/thpmaps finds it: back
 * to its head, then forward over its tails.  Returns the order, 0 for a
 * page that is not part of one.
 */
static int folio_of(unsigned long pfn, unsigned long *head)
{
	unsigned long nr = 1;
	int order = 0;

	*head = pfn;
	if (!(kpf(pfn) & ((1ULL << KPF_COMPOUND_HEAD) | (1ULL << KPF_COMPOUND_TAIL))))
		return 0;
	while (*head && (kpf(*head) & (1ULL << KPF_COMPOUND_TAIL)) &&
	       pfn - *head < (1UL << LM_ORDERS_MAX))
		(*head)--;
	while (kpf(*head + nr) & (1ULL << KPF_COMPOUND_TAIL) && nr < (1UL << LM_ORDERS_MAX))
		nr++;
	while ((1UL << order) < nr)
		order++;
	return order;
}

/* @pid's pagemap (its name into @path), with kpageflags open too; or -1. */
static int open_pagemap(pid_t pid, char *path, size_t size)
{
	int fd;

	if (kpageflags_fd < 0)
		kpageflags_fd = open("/proc/kpageflags", O_RDONLY);
	snprintf(path, size, "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0 || kpageflags_fd < 0) {
		if (fd >= 0)
			close(fd);
		return fail("%s or /proc/kpageflags: %s", path, strerror(errno));
	}
	return fd;
}

int lm_mthp_expected(pid_t pid, unsigned long start, unsigned long end, char *out,
		     size_t size)
{
	unsigned long counts[LM_ORDERS_MAX + 1] = { 0 }, last = ~0UL, head, addr;
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t ent[512];
	char path[64];
	size_t len = 0;
	int fd, order;

	fd = open_pagemap(pid, path, sizeof(path));
	if (fd < 0)
		return -1;
	for (addr = start; addr < end;) {
		size_t n = (end - addr) / pg, i;

		if (n > 512)
			n = 512;
		if (pread(fd, ent, n * 8, (off_t)(addr / pg) * 8) != (ssize_t)(n * 8)) {
			close(fd);
			return fail("%s: %s", path, strerror(errno));
		}
		for (i = 0; i < n; i++, addr += pg) {
			if (!(ent[i] & PM_PRESENT) || !(ent[i] & PM_PFN_MASK)) {
				last = ~0UL;
				continue;
			}
			order = folio_of(ent[i] & PM_PFN_MASK, &head);
			if (order && head != last)
				counts[order]++;
			last = order ? head : ~0UL;
		}
	}
	close(fd);
	out[0] = '\0';
	for (order = LM_ORDERS_MAX; order >= 1; order--)
		if (counts[order] && len < size)
			len += snprintf(out + len, size - len, "%s%luK:%lu", len ? "," : "",
					((unsigned long)pg << order) >> 10, counts[order]);
	return 0;
}

unsigned long lm_cont_size(void)
{
#ifdef __aarch64__
	/* arch/arm64/include/asm/pgtable-hwdef.h: CONT_PTE_SHIFT */
	switch (sysconf(_SC_PAGESIZE)) {
	case 4096:
		return 64UL << 10;
	case 16384:
	case 65536:
		return 2UL << 20;
	}
#endif
	return 0;
}

int lm_cont_bound(pid_t pid, unsigned long start, unsigned long end, unsigned long *bytes)
{
	unsigned long cont = lm_cont_size(), pg = sysconf(_SC_PAGESIZE), nr = cont / pg;
	unsigned long block, head, pfn, i;
	int order;
	uint64_t ent[128];
	char path[64];
	int fd;

	*bytes = 0;
	if (!cont || nr > 128)
		return nr > 128 ? fail("contiguous block of %lu pages", nr) : 0;
	fd = open_pagemap(pid, path, sizeof(path));
	if (fd < 0)
		return -1;
	for (block = start & ~(cont - 1); block < end; block += cont) {
		bool ok;

		if (pread(fd, ent, nr * 8, (off_t)(block / pg) * 8) != (ssize_t)(nr * 8)) {
			close(fd);
			return fail("%s: %s", path, strerror(errno));
		}
		/* one folio: consecutive PFNs inside the first one's folio */
		pfn = ent[0] & PM_PFN_MASK;
		order = (ent[0] & PM_PRESENT) && pfn && !(pfn % nr) ? folio_of(pfn, &head) : 0;
		ok = order && pfn + nr <= head + (1UL << order);
		for (i = 1; ok && i < nr; i++)
			ok = (ent[i] & PM_PRESENT) && (ent[i] & PM_PFN_MASK) == pfn + i;
		if (ok)
			*bytes += (block + cont < end ? block + cont : end) -
				  (block > start ? block : start);
	}
	close(fd);
	return 0;
}

static char rollup[4096];

/* /proc/<pid>/smaps_rollup, read with the other files. */
static int read_rollup(pid_t pid)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/smaps_rollup");
	if (lm_read_file(path, rollup, sizeof(rollup)) < 0)
		return fail("%s: %s", path, strerror(errno));
	return 0;
}

/*
 * The header's memory fields against the sums of smaps' per-VMA lines
 * (exact; pss and locked at most a kB a VMA over, smaps truncating each
 * VMA where the header truncates once), and, with lm_compare_rollup, with
 * smaps_rollup.
 */
static void compare_totals(const struct lm_view *v, const struct lm_maps *m, int *bad)
{
	unsigned long long sum;
	const char *line;
	long kb;
	int i, j;

	for (i = 0; i < LM_MEM_NR; i++) {
		for (sum = 0, j = 0; j < m->nr; j++)
			sum += m->recs[j].mem_kb[i] > 0 ? m->recs[j].mem_kb[i] : 0;
		sum <<= 10;
		if (!v->has_mem || v->mem[i] < sum ||
		    v->mem[i] >= sum + (lm_mem_fixed(i) ?
					(unsigned long long)(m->nr + 1) << 10 : 1))
			mismatch(bad, "header: %s=%llu, smaps' VMAs sum to %llu kB", lm_mem_keys[i],
				 v->mem[i], sum >> 10);
		if (!lm_compare_rollup)
			continue;
		line = strstr(rollup, lm_mem_smaps[i]);
		kb = line ? atol(line + strlen(lm_mem_smaps[i])) : -1;
		if (!v->has_mem || kb < 0 || (v->mem[i] >> 10) != (unsigned long long)kb)
			mismatch(bad, "header: %s=%llu, smaps_rollup %s %ld kB", lm_mem_keys[i],
				 v->mem[i], lm_mem_smaps[i], kb);
	}
}

/* ------------------------------------------------------ the range form */

/*
 * Views of part of the map (LIBMAPS_IOC_RANGE), read in lm_compare()'s
 * window between two equal reads of maps, from one open file, and checked
 * against maps and smaps as the whole view is: a set of ranges picked
 * from maps each time, so that every test that compares the whole view
 * compares the range form too.
 */
/*
 * About 15 ranges a compare: the matrices compare thousands of times, on
 * the debug kernel too, where each range costs a snapshot under lockdep
 * and KASAN.
 */
#define LM_RANGES_MAX	24
#define LM_RANGE_SAMPLES 3

struct lm_range_read {
	unsigned long start, end;
	size_t at;		/* its text, in buf_ranges */
	int err;		/* errno of a failed ioctl() or read(), else 0 */
};

/*
 * Everything the range reads write, mapped and touched up front as the
 * read buffers are: nothing written in lm_compare()'s window may fault a
 * page in, which would change what the next read of it sees (a huge page
 * in a test's .bss; a page of a forked target no longer shared).
 */
struct lm_ranges {
	int nr;
	struct lm_range_read r[LM_RANGES_MAX];
	int nr_recs;
	unsigned long recs[LM_MAX_RECS][2];	/* maps' start and end */
	bool data[LM_MAX_RECS];			/* rw-p of a file: data */
	const struct lm_view_rec *sorted[LM_MAX_RECS];
	struct lm_view view;
};

static struct lm_ranges *rg;
static char *buf_ranges;

static void range_add(unsigned long start, unsigned long end)
{
	if (rg->nr < LM_RANGES_MAX && start <= end) {
		rg->r[rg->nr].start = start;
		rg->r[rg->nr++].end = end;
	}
}

/* The start and end of every record of maps' @text, into rg->recs. */
static void ranges_recs(const char *text)
{
	const char *line, *eol;

	rg->nr_recs = 0;
	for (line = text; *line && rg->nr_recs < LM_MAX_RECS; line = eol + 1) {
		eol = strchr(line, '\n');
		if (!eol)
			break;
		/* the gate area is no VMA of the process (view.rst) */
		if (memmem(line, eol - line, "[vsyscall]", 10))
			continue;
		char perms[5];
		unsigned long long ino;

		if (sscanf(line, "%lx-%lx %4s %*x %*x:%*x %llu", &rg->recs[rg->nr_recs][0],
			   &rg->recs[rg->nr_recs][1], perms, &ino) == 4) {
			rg->data[rg->nr_recs] = ino && !strcmp(perms, "rw-p");
			rg->nr_recs++;
		}
	}
}

/*
 * The ranges to read of a map whose records maps' @text lists: all of it;
 * below the first record and above the last (none); a strict inside of the
 * first hole (none) and the hole itself (the two records it parts); and,
 * for a sample of records, the record (with the neighbours it touches), one
 * byte inside it (it alone, whatever is before it), and from the middle
 * of it to the middle of a later one; and one byte inside each of the
 * first records right after a file's data (a bss, maybe: its role is
 * decided by the record before it, which is not in that range).
 */
static void ranges_pick(const char *text)
{
	unsigned long (*r)[2] = rg->recs;
	int n, i, k, a, b;

	ranges_recs(text);
	n = rg->nr_recs;
	rg->nr = 0;
	range_add(0, ~0UL);
	if (!n)
		return;
	if (r[0][0])
		range_add(0, r[0][0] - 1);
	if (r[n - 1][1] != ~0UL)
		range_add(r[n - 1][1] + 1, ~0UL);
	for (i = 0; i + 1 < n; i++) {
		if (r[i][1] < r[i + 1][0]) {
			range_add(r[i][1] + 1, r[i + 1][0] - 1);
			range_add(r[i][1], r[i + 1][0]);
			break;
		}
	}
	for (k = 0; k < LM_RANGE_SAMPLES; k++) {
		unsigned long mid;

		a = k * (n - 1) / (LM_RANGE_SAMPLES - 1);
		b = (a + n / 3) % n;
		mid = r[a][0] + (r[a][1] - r[a][0]) / 2;
		range_add(r[a][0], r[a][1]);
		range_add(mid, mid);
		if (b > a)
			range_add(mid, r[b][0] + (r[b][1] - r[b][0]) / 2);
	}
	for (i = 1, k = 0; i < n && k < LM_RANGE_SAMPLES; i++) {
		if (rg->data[i - 1] && r[i - 1][1] == r[i][0]) {
			range_add(r[i][0] + (r[i][1] - r[i][0]) / 2,
				  r[i][0] + (r[i][1] - r[i][0]) / 2);
			k++;
		}
	}
}

/* Read every picked range of @path through one open file, into buf_ranges. */
static int ranges_read(const char *path)
{
	size_t len = 0;
	ssize_t n;
	int fd, i;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail("%s: %s", path, strerror(errno));
	for (i = 0; i < rg->nr; i++) {
		struct lm_range_read *rr = &rg->r[i];
		struct libmaps_range req = { rr->start, rr->end, 0 };

		rr->at = len;
		rr->err = 0;
		/* the ioctl() rewinds: each read() starts at the text's start */
		if (ioctl(fd, LIBMAPS_IOC_RANGE, &req)) {
			rr->err = errno;
			continue;
		}
		while (len < LM_BUF_SIZE - 1) {
			n = read(fd, buf_ranges + len, LM_BUF_SIZE - 1 - len);
			if (n <= 0) {
				if (n < 0)
					rr->err = errno;
				break;
			}
			len += n;
		}
		buf_ranges[len++] = '\0';
		if (len >= LM_BUF_SIZE - 1) {
			close(fd);
			return fail("%s: range views over %d bytes", path, LM_BUF_SIZE);
		}
	}
	close(fd);
	return 0;
}

/*
 * Range @rr against maps (@m) and the whole view (@full) of the same
 * window: the records of maps that meet it, each exact as compare_one()
 * has it, with the whole view's role and mthp=, and its merge=, but for a
 * record whose group's record before it in the whole view is not in the
 * range: that one is "first" here.
 */
static void compare_range(const struct lm_range_read *rr, const struct lm_view *full,
			  const struct lm_maps *m, int *bad)
{
	struct lm_view *rv = &rg->view;
	const struct lm_view_rec *r, *f, *before;
	unsigned long size;
	int i, j, want = 0;

	if (rr->err) {
		mismatch(bad, "range %lx-%lx: %s", rr->start, rr->end, strerror(rr->err));
		return;
	}
	if (lm_parse_view(buf_ranges + rr->at, rv)) {
		mismatch(bad, "range %lx-%lx: %s", rr->start, rr->end, lm_error);
		return;
	}
	if (!rv->ranged || rv->range_start != rr->start || rv->range_end != rr->end)
		mismatch(bad, "range %lx-%lx: header says range=%lx-%lx", rr->start, rr->end,
			 rv->range_start, rv->range_end);
	if ((int)rv->map_vmas != m->nr)
		mismatch(bad, "range %lx-%lx: map_vmas=%u, maps has %d", rr->start, rr->end,
			 rv->map_vmas, m->nr);
	if (rv->changed)
		mismatch(bad, "range %lx-%lx: state=changed under one hold", rr->start, rr->end);
	for (size = 0, j = 0; j < m->nr; j++)
		size += m->recs[j].end - m->recs[j].start;
	if (rv->map_size != size)
		mismatch(bad, "range %lx-%lx: map_size=%lu, maps' records add up to %lu",
			 rr->start, rr->end, rv->map_size, size);
	for (i = 0; i < rv->nr; i++)
		rg->sorted[i] = &rv->recs[i];
	qsort(rg->sorted, rv->nr, sizeof(rg->sorted[0]), by_start);
	for (j = 0; j < m->nr; j++) {
		if (m->recs[j].end < rr->start || m->recs[j].start > rr->end)
			continue;
		if (want >= rv->nr) {
			want++;
			continue;
		}
		r = rg->sorted[want++];
		if (compare_one(r, &m->recs[j], false, bad))
			continue;
		f = lm_view_find((struct lm_view *)full, r->start);
		if (!f) {
			mismatch(bad, "range: %lx not in the whole view", r->start);
			continue;
		}
		if (strcmp(r->role, f->role))
			mismatch(bad, "range: %lx role=%s, the whole view's %s", r->start, r->role,
				 f->role);
		if (lm_compare_memory && strcmp(r->mthp, f->mthp))
			mismatch(bad, "range: %lx mthp=%s, the whole view's %s", r->start, r->mthp,
				 f->mthp);
		if (!strcmp(r->merge, f->merge))
			continue;
		before = f > full->recs && f[-1].group == f->group ? &f[-1] : NULL;
		if (strcmp(r->merge, "first") ||
		    (before && before->start >= rg->sorted[0]->start))
			mismatch(bad, "range %lx-%lx: %lx merge=%s, the whole view's %s",
				 rr->start, rr->end, r->start, r->merge, f->merge);
	}
	if (want != rv->nr)
		mismatch(bad, "range %lx-%lx: %d records, maps has %d that meet it", rr->start,
			 rr->end, rv->nr, want);
}

int lm_compare(pid_t pid, struct lm_view *v, struct lm_maps *m)
{
	char maps_path[64], smaps_path[64], view_path[64];
	ssize_t n1, n2;
	int tries, bad = 0, i;

	lm_compare_pid = pid ? pid : getpid();
	if (pid) {
		snprintf(maps_path, sizeof(maps_path), "/proc/%d/maps", pid);
		snprintf(smaps_path, sizeof(smaps_path), "/proc/%d/smaps", pid);
		snprintf(view_path, sizeof(view_path), LM_DEBUGFS "/%d", pid);
	} else {
		snprintf(maps_path, sizeof(maps_path), "/proc/self/maps");
		snprintf(smaps_path, sizeof(smaps_path), "/proc/self/smaps");
		snprintf(view_path, sizeof(view_path), LM_DEBUGFS "/self");
	}

	if (buffers())
		return fail("cannot map read buffers");
	if (!buf_ranges) {
		buf_ranges = prefaulted(LM_BUF_SIZE);
		rg = prefaulted(sizeof(*rg));
		if (!buf_ranges || !rg)
			return fail("cannot map read buffers");
	}

	/* maps, view, smaps, maps again: the map must not move meanwhile */
	for (tries = 0; tries < 10; tries++) {
		n1 = lm_read_file(maps_path, buf_maps, LM_BUF_SIZE);
		if (n1 < 0)
			return fail("%s: %s", maps_path, strerror(errno));
		if (lm_read_file(view_path, buf_view, LM_BUF_SIZE) < 0)
			return fail("%s: %s", view_path, strerror(errno));
		if (lm_read_file(smaps_path, buf_smaps, 4 * LM_BUF_SIZE) < 0)
			return fail("%s: %s", smaps_path, strerror(errno));
		if (lm_compare_memory && lm_compare_rollup && read_rollup(pid))
			return -1;
		ranges_pick(buf_maps);
		if (ranges_read(view_path))
			return -1;
		n2 = lm_read_file(maps_path, buf_maps2, LM_BUF_SIZE);
		if (n1 == n2 && !memcmp(buf_maps, buf_maps2, n1))
			break;
	}
	if (tries == 10)
		return fail("%s kept changing", maps_path);

	if (lm_parse_view(buf_view, v))
		return -1;
	if (lm_parse_maps(buf_maps, m) || lm_parse_smaps(buf_smaps, m))
		return -1;

	if (v->nr != m->nr)
		mismatch(&bad, "%d records, maps has %d", v->nr, m->nr);
	for (i = 0; i < v->nr; i++)
		sorted[i] = &v->recs[i];
	qsort(sorted, v->nr, sizeof(sorted[0]), by_start);
	for (i = 0; i < v->nr && i < m->nr; i++)
		compare_one(sorted[i], &m->recs[i], true, &bad);
	if (lm_compare_memory)
		compare_totals(v, m, &bad);
	for (i = 0; i < rg->nr; i++)
		compare_range(&rg->r[i], v, m, &bad);
	if (bad)
		fprintf(stderr, "# view of %s:\n%s", view_path, buf_view);
	return bad;
}

/* ------------------------------------------------------------ THP knobs */

/* A knob's current value: the [bracketed] word, or the whole text. */
int lm_knob_get(const char *knob, char *out, size_t size)
{
	char path[160], buf[256], *o, *c;

	snprintf(path, sizeof(path), LM_THP_DIR "%s", knob);
	if (lm_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	o = strchr(buf, '[');
	c = o ? strchr(o, ']') : NULL;
	if (c)
		snprintf(out, size, "%.*s", (int)(c - o - 1), o + 1);
	else
		snprintf(out, size, "%.*s", (int)strcspn(buf, "\n"), buf);
	return 0;
}

/* Set a knob; 0, or -1 if this kernel does not take that value. */
int lm_knob_set(const char *knob, const char *value)
{
	char path[160];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), LM_THP_DIR "%s", knob);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* Does the knob list @value among its choices? */
bool lm_knob_offers(const char *knob, const char *value)
{
	char path[160], buf[256], *tok, *save;

	snprintf(path, sizeof(path), LM_THP_DIR "%s", knob);
	if (lm_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	for (tok = strtok_r(buf, " []\n", &save); tok; tok = strtok_r(NULL, " []\n", &save))
		if (!strcmp(tok, value))
			return true;
	return false;
}

/* ------------------------------------------------------- test hygiene */

bool lm_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &ma, &mi);
	return ma > major || (ma == major && mi >= minor);
}

pid_t lm_fork(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid)
		return pid;
	/*
	 * A parent that died before the prctl() is not waited for.  (The
	 * first child in a new pid namespace sees its parent as 0.)
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) ||
	    (getppid() != parent && getppid() != 0))
		_exit(1);
	return 0;
}

/*
 * Every test binary here tests the module: without it, say so once and
 * skip (KSFT_SKIP) instead of failing every case.  The rig loads it before
 * the tests; a test that unloads it loads it again.
 */
__attribute__((constructor)) static void lm_require_module(void)
{
	if (access("/sys/module/libmaps", F_OK) == 0)
		return;
	printf("TAP version 13\n1..0 # SKIP libmaps.ko is not loaded (insmod libmaps.ko; the rig, qemu/run, does)\n");
	exit(4);
}
