// SPDX-License-Identifier: GPL-2.0
/*
 * ELF-exact roles: read each mapped file's program headers with libelf
 * and label every record with the segment it comes from.  The module can
 * only guess rodata from RELRO (by the anon_vma); the PT_GNU_RELRO header
 * says it exactly, and p_align says why a no-access gap is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf.h"
#include "model.h"
#include "xalloc.h"

#define MAX_LOADS 16

struct segs {
	GElf_Phdr load[MAX_LOADS];
	int nload;
	GElf_Phdr relro;
	bool has_relro;
};

static unsigned long page_size;

static unsigned long long pdown(unsigned long long x)
{
	return x & ~(unsigned long long)(page_size - 1);
}

static unsigned long long pup(unsigned long long x)
{
	return pdown(x + page_size - 1);
}


/* The maps escape of a newline (\012) undone; NULL if not a plain path. */
static char *plain_path(const char *name)
{
	size_t len = strlen(name);
	char *path, *d;

	if (name[0] != '/' || (len > 10 && !strcmp(name + len - 10, " (deleted)")))
		return NULL;
	path = malloc(len + 1);
	if (!path)
		return NULL;
	for (d = path; *name; ) {
		if (!strncmp(name, "\\012", 4)) {
			*d++ = '\n';
			name += 4;
		} else {
			*d++ = *name++;
		}
	}
	*d = '\0';
	return path;
}

/*
 * Open the file a group maps: through /proc/<pid>/map_files when the
 * process is live (that works for deleted files and other mount
 * namespaces), else by its path.
 */
static int open_mapped(const struct lm_proc *p, const struct lm_group *g,
		       bool live)
{
	int fd = -1, err = ENOENT;

	if (live) {
		char link[96];

		snprintf(link, sizeof(link), "/proc/%d/map_files/%lx-%lx",
			 (int)p->pid, g->recs[0]->start, g->recs[0]->end);
		fd = open(link, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		err = errno;
	}
	{
		char *path = plain_path(g->name);

		if (path) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			err = fd < 0 ? errno : 0;
			free(path);
		}
	}
	errno = err;
	return fd;
}

static const char not_elf[] = "not an ELF file";

static const char *read_segs(int fd, struct segs *s)
{
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	const char *why = NULL;
	size_t n;

	memset(s, 0, sizeof(*s));
	if (!e || elf_kind(e) != ELF_K_ELF) {
		why = not_elf;
		goto out;
	}
	if (elf_getphdrnum(e, &n)) {
		why = "no ELF program headers";
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph))
			continue;
		if (ph.p_type == PT_LOAD && s->nload < MAX_LOADS)
			s->load[s->nload++] = ph;
		else if (ph.p_type == PT_GNU_RELRO) {
			s->relro = ph;
			s->has_relro = true;
		}
	}
	if (!s->nload)
		why = "no PT_LOAD segments";
out:
	if (e)
		elf_end(e);
	return why;
}

static const char *seg_perms(const GElf_Phdr *ph)
{
	static char buf[4];

	buf[0] = ph->p_flags & PF_R ? 'r' : '-';
	buf[1] = ph->p_flags & PF_W ? 'w' : '-';
	buf[2] = ph->p_flags & PF_X ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

/* Load bias: where the loader put the file's first page. */
static bool find_bias(const struct lm_group *g, const struct segs *s,
		      unsigned long long *bias)
{
	for (size_t i = 0; i < g->nr; i++) {
		const struct lm_rec *r = g->recs[i];

		for (int j = 0; j < s->nload; j++) {
			const GElf_Phdr *l = &s->load[j];

			if (r->offset < pdown(l->p_offset) ||
			    r->offset >= pup(l->p_offset + l->p_filesz))
				continue;
			*bias = r->start - (pdown(l->p_vaddr) +
					    (r->offset - pdown(l->p_offset)));
			return true;
		}
	}
	return false;
}

static void label(struct lm_rec *r, enum lm_role_id role, char *segment,
		  char *note)
{
	free(r->segment);
	free(r->elf_note);
	r->elf_role_id = role;
	r->elf_role = lm_role_names[role];
	r->segment = segment;
	r->elf_note = note;
}

/*
 * Why a segment is aligned to more than a page: the linker's max-page-size
 * is the largest page the ABI lets a kernel map it with, and it keeps any
 * two segments (code and writable data above all) out of one such page.
 * On x86_64 that is the PMD size, a huge page: said from the running
 * kernel's page sizes.
 */
static char *why_align(unsigned long long align)
{
	static const char why[] =
		"Why: the linker aligns each segment to the largest page size the ABI allows (its max-page-size), so that no page, however large, holds two segments with different permissions, such as code and writable data";

	if (lm_pmd_size() == align)
		return xasprintf("%s; %llu KiB is this kernel's PMD size, the size of a huge page, and it maps the file with %lu KiB pages",
				 why, align / 1024, page_size / 1024);
	if (lm_pmd_size())
		return xasprintf("%s; this kernel's pages are %lu KiB and its huge pages (PMD) %llu KiB",
				 why, page_size / 1024, lm_pmd_size() / 1024);
	return xstrdup(why);
}

static void label_rec(struct lm_rec *r, const struct segs *s,
		      unsigned long long bias)
{
	unsigned long long a = r->start - bias, b = r->end - bias;
	int i;

	if (s->has_relro && r->perms[1] != 'w') {
		unsigned long long rs = pdown(s->relro.p_vaddr);
		unsigned long long re = pdown(s->relro.p_vaddr + s->relro.p_memsz);

		if (a >= rs && b <= re && rs < re) {
			for (i = 0; i < s->nload; i++)
				if (a >= pdown(s->load[i].p_vaddr) &&
				    a < pup(s->load[i].p_vaddr + s->load[i].p_memsz))
					break;
			label(r, LM_ROLE_RELRO,
			      i < s->nload ? xasprintf("LOAD[%d] RELRO", i) :
					     xasprintf("RELRO"),
			      xasprintf("inside PT_GNU_RELRO (0x%llx-0x%llx): the loader relocated these pages and then made them read-only",
					(unsigned long long)s->relro.p_vaddr,
					(unsigned long long)s->relro.p_vaddr + s->relro.p_memsz));
			return;
		}
	}
	for (i = 0; i < s->nload; i++) {
		const GElf_Phdr *l = &s->load[i];
		unsigned long long ls = pdown(l->p_vaddr);
		unsigned long long le = pup(l->p_vaddr + l->p_memsz);

		if (a < ls || a >= le)
			continue;
		if (l->p_flags & PF_X) {
			label(r, LM_ROLE_TEXT, xasprintf("LOAD[%d] %s", i, seg_perms(l)),
			      xasprintf("LOAD[%d] is executable code", i));
		} else if (l->p_flags & PF_W) {
			label(r, LM_ROLE_DATA, xasprintf("LOAD[%d] %s", i, seg_perms(l)),
			      xasprintf("LOAD[%d] is writable data, outside PT_GNU_RELRO", i));
		} else {
			label(r, LM_ROLE_RODATA, xasprintf("LOAD[%d] %s", i, seg_perms(l)),
			      xasprintf("LOAD[%d] is read-only, not executable", i));
		}
		return;
	}
	for (i = 0; i + 1 < s->nload; i++) {
		const GElf_Phdr *l = &s->load[i], *n = &s->load[i + 1];
		unsigned long long hs = pup(l->p_vaddr + l->p_memsz);
		unsigned long long he = pdown(n->p_vaddr);
		char *note;

		if (a < hs || b > he)
			continue;
		if (n->p_align > page_size) {
			char *why = why_align(n->p_align);

			note = xasprintf("LOAD[%d] ends at 0x%llx and LOAD[%d] starts at 0x%llx: the linker laid the segments out for p_align 0x%llx (%llu KiB pages), and the loader reserved the whole span and left these %llu KiB of it with no access. %s",
					 i, hs, i + 1, (unsigned long long)n->p_vaddr,
					 (unsigned long long)n->p_align,
					 (unsigned long long)n->p_align / 1024,
					 (he - hs) / 1024, why);
			free(why);
		} else {
			note = xasprintf("a hole of %llu KiB between LOAD[%d] and LOAD[%d] in the file's layout, kept reserved with no access",
					 (he - hs) / 1024, i, i + 1);
		}
		label(r, LM_ROLE_GAP, xasprintf("gap LOAD[%d]..LOAD[%d]", i, i + 1),
		      note);
		return;
	}
}

/*
 * Is @r, an anonymous record that directly follows the group's data, the
 * bss of one of its writable PT_LOADs?  The loader maps the zero-filled
 * pages of a segment past its file contents, from E_f = PAGE_ALIGN(bias +
 * p_vaddr + p_filesz) to E_m = PAGE_ALIGN(bias + p_vaddr + p_memsz), as
 * anonymous memory; if E_m == E_f there is no such mapping (the zeroes
 * past p_filesz, if any, live in the last file page).  Label @r and
 * return true if it starts at some E_f < E_m; else label it anonymous
 * memory, not the library's, and return false.
 */
static bool label_bss(struct lm_rec *r, const struct segs *s,
		      unsigned long long bias)
{
	for (int i = 0; i < s->nload; i++) {
		const GElf_Phdr *l = &s->load[i];
		unsigned long long ef = pup(bias + l->p_vaddr + l->p_filesz);
		unsigned long long em = pup(bias + l->p_vaddr + l->p_memsz);

		if (!(l->p_flags & PF_W) || r->start != ef)
			continue;
		if (em <= ef) {
			label(r, LM_ROLE_ANON, xasprintf("not bss: LOAD[%d] has none", i),
			      xasprintf("LOAD[%d] of the file before it has no bss page: p_memsz 0x%llx ends in the page p_filesz 0x%llx ends in",
					i, (unsigned long long)l->p_memsz,
					(unsigned long long)l->p_filesz));
			return false;
		}
		if (r->end <= em) {
			r->lib_end = r->end;
			label(r, LM_ROLE_BSS, xasprintf("LOAD[%d] %s bss", i, seg_perms(l)),
			      xasprintf("the zero-filled part of LOAD[%d] past its file contents (p_memsz 0x%llx > p_filesz 0x%llx)",
					i, (unsigned long long)l->p_memsz,
					(unsigned long long)l->p_filesz));
			return true;
		}
		r->lib_end = em;
		label(r, LM_ROLE_BSS,
		      xasprintf("LOAD[%d] %s bss %lluK + anon %lluK", i, seg_perms(l),
				(em - ef) >> 10, (r->end - em) >> 10),
		      xasprintf("the zero-filled part of LOAD[%d] past its file contents (p_memsz 0x%llx > p_filesz 0x%llx) is only the first %llu KiB, to %llx; the other %llu KiB are anonymous memory mapped right after it, which the kernel merged into the same VMA and which the library's totals leave out",
				i, (unsigned long long)l->p_memsz,
				(unsigned long long)l->p_filesz, (em - ef) >> 10,
				em, (r->end - em) >> 10));
		return true;
	}
	label(r, LM_ROLE_ANON, xasprintf("not bss"),
	      xasprintf("no writable PT_LOAD of the file before it ends its file contents at %lx, where this record starts, so it is none of its bss",
			r->start));
	return false;
}

/*
 * A file that is not ELF (a locale archive, a font, a database) is no
 * program or library: its records get no ELF role (text, rodata ...) but
 * "file", and nothing after it is its bss.
 */
static void label_not_elf(struct lm_group *g)
{
	for (size_t i = 0; i < g->nr; i++)
		label(g->recs[i], LM_ROLE_FILE, NULL,
		      xasprintf("The file is not ELF, so it has no segments, text or data"));
	for (size_t i = 0; i < g->nr_extra; i++) {
		g->extra[i]->lib = NULL;
		g->extra[i]->lib_end = 0;
	}
	g->nr_extra = 0;
}

void lm_elf_refine(struct lm_proc *p, bool live)
{
	static bool init;

	if (!init) {
		page_size = (unsigned long)sysconf(_SC_PAGESIZE);
		if (elf_version(EV_CURRENT) == EV_NONE)
			return;
		init = true;
	}
	for (size_t gi = 0; gi < p->ngroups; gi++) {
		struct lm_group *g = &p->groups[gi];
		unsigned long long bias;
		const char *why;
		struct segs s;
		int fd;

		if (!lm_group_is_file(g) || !g->nr)
			continue;
		fd = open_mapped(p, g, live);
		if (fd < 0) {
			g->elf_status = xasprintf("cannot open: %s", strerror(errno));
			continue;
		}
		why = read_segs(fd, &s);
		close(fd);
		if (why) {
			g->elf_status = strdup(why);
			if (why == not_elf)
				label_not_elf(g);
			continue;
		}
		if (!find_bias(g, &s, &bias)) {
			g->elf_status = strdup("its records do not map its PT_LOAD segments");
			continue;
		}
		for (size_t i = 0; i < g->nr; i++)
			if (g->recs[i]->perms[3] == 'p')
				label_rec(g->recs[i], &s, bias);
		/* What ELF refutes goes back to the anonymous memory. */
		for (size_t i = 0; i < g->nr_extra; ) {
			struct lm_rec *r = g->extra[i];

			if (label_bss(r, &s, bias)) {
				i++;
				continue;
			}
			r->lib = NULL;
			r->lib_end = 0;
			g->nr_extra--;
			memmove(&g->extra[i], &g->extra[i + 1],
				(g->nr_extra - i) * sizeof(*g->extra));
		}
	}
}
