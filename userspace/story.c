// SPDX-License-Identifier: GPL-2.0
/*
 * story.c: libmaps --explain TRACEFILE [LIBRARY]
 *
 * Tells how each record of a library came to be, from the summary that
 * `libmaps trace -s` writes at the end of a trace: every record of the
 * last map with the numbered calls that created it and changed it since.
 * A record that no call changed was made by the call that created it; one
 * that calls split or shrank is what is left of that call's mapping after
 * them: the loader's PROT_NONE reservation after the segments were mapped
 * over it, or the whole file, mapped first, after mprotect() made its
 * span PROT_NONE and the segments were mapped over that.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "model.h"
#include "story.h"
#include "view.h"
#include "xalloc.h"

/* One step of a record's history, as the summary lists it. */
struct step {
	unsigned long call;	/* 0: between calls, or before the trace */
	char *op;		/* created, split, ... */
	char *text;		/* the call, as strace writes it */
};

struct srec {
	unsigned long start, end;
	char perms[5];
	char *name;		/* "" for none */
	struct step *steps;
	size_t nsteps;
	bool before;		/* mapped before the trace began */
};

struct summary {
	int pid;
	struct srec *recs;
	size_t nr;
};

static char *dup_str(const char *s)
{
	return xstrdup(s);
}

/*
 * The summaries of @text, a trace written by `libmaps trace -s`: "=== pid
 * N: ..." then each record, "START-END PERMS [NAME]", and its history,
 * "    #N  OP  TEXT" a step.  Returns how many.
 */
static size_t parse_summaries(char *text, struct summary **out)
{
	struct summary *s = NULL, *cur = NULL;
	size_t n = 0;
	char *line, *next;

	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "=== pid ", 8)) {
			s = xrealloc(s, (n + 1) * sizeof(*s));
			cur = &s[n++];
			memset(cur, 0, sizeof(*cur));
			cur->pid = atoi(line + 8);
			continue;
		}
		if (!cur)
			continue;
		if (line[0] != ' ') {
			struct srec *r;
			int at = 0;

			cur->recs = xrealloc(cur->recs, (cur->nr + 1) * sizeof(*cur->recs));
			r = &cur->recs[cur->nr];
			memset(r, 0, sizeof(*r));
			if (sscanf(line, "%lx-%lx %4s %n", &r->start, &r->end, r->perms, &at) < 3) {
				/* the end of the summary: the trace goes on */
				cur = NULL;
				continue;
			}
			r->name = dup_str(at ? line + at : "");
			cur->nr++;
		} else if (cur->nr) {
			struct srec *r = &cur->recs[cur->nr - 1];
			char *p = line + strspn(line, " "), *op, *rest;
			struct step *st;

			if (!strncmp(p, "(mapped before", 14)) {
				r->before = true;
				continue;
			}
			r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
			st = &r->steps[r->nsteps++];
			st->call = *p == '#' ? strtoul(p + 1, &p, 10) : 0;
			p += strspn(p, " ");
			op = p;
			p += strcspn(p, " ");
			rest = *p ? p + 1 : p;
			*p = '\0';
			st->op = dup_str(op);
			st->text = dup_str(rest + strspn(rest, " "));
		}
	}
	*out = s;
	return n;
}

static void free_summaries(struct summary *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < s[i].nr; j++) {
			for (size_t k = 0; k < s[i].recs[j].nsteps; k++) {
				free(s[i].recs[j].steps[k].op);
				free(s[i].recs[j].steps[k].text);
			}
			free(s[i].recs[j].steps);
			free(s[i].recs[j].name);
		}
		free(s[i].recs);
	}
	free(s);
}

/* The system call's name in @text: "mmap" of "mmap(NULL, ...) = ...". */
static void call_name(const char *text, char *name, size_t size)
{
	size_t n = strcspn(text, "(");

	if (n >= size)
		n = size - 1;
	memcpy(name, text, n);
	name[n] = '\0';
}

static bool is_call(const struct step *st, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(st->text, name, n) && st->text[n] == '(';
}

/* "mmap #12", "mmap #16 (MAP_FIXED)", "a change between calls". */
static void ref(FILE *f, const struct step *st)
{
	char name[32];

	if (!st->call) {
		fputs("a change between calls (page faults, or another process)", f);
		return;
	}
	call_name(st->text, name, sizeof(name));
	fprintf(f, "%s #%lu", name, st->call);
	if (!strcmp(name, "mmap") && strstr(st->text, "MAP_FIXED"))
		fputs(" (MAP_FIXED)", f);
}

/* What step @st did to the record, after "after ". */
static void step_phrase(FILE *f, const struct step *st)
{
	ref(f, st);
	if (!strcmp(st->op, "split") || !strcmp(st->op, "shrunk")) {
		if (is_call(st, "mmap") || is_call(st, "mremap"))
			fputs(" was placed over part of it", f);
		else if (is_call(st, "mprotect") || is_call(st, "pkey_mprotect"))
			fputs(strstr(st->text, "PROT_NONE") ? " made part of it PROT_NONE" :
			      " changed the protection of part of it", f);
		else if (is_call(st, "munmap"))
			fputs(" unmapped part of it", f);
		else
			fputs(" split it", f);
	} else if (!strcmp(st->op, "changed")) {
		fputs(" changed it", f);
	} else if (!strcmp(st->op, "grown")) {
		fputs(" grew it", f);
	} else if (!strcmp(st->op, "merged")) {
		fputs(" merged it with its neighbour", f);
	} else if (!strcmp(st->op, "moved")) {
		fputs(" moved it", f);
	} else if (!strcmp(st->op, "replaced")) {
		fputs(" mapped something else there", f);
	} else {
		fprintf(f, " (%s)", st->op);
	}
}

/* Did a step after the first take part of the first call's mapping away? */
static bool cut(const struct srec *r)
{
	for (size_t k = 1; k < r->nsteps; k++)
		if (!strcmp(r->steps[k].op, "split") || !strcmp(r->steps[k].op, "shrunk"))
			return true;
	return false;
}

/* An anonymous PROT_NONE mmap() at an address of the kernel's choosing. */
static bool reservation(const struct step *st)
{
	return is_call(st, "mmap") && !strncmp(st->text, "mmap(NULL,", 10) &&
	       strstr(st->text, "PROT_NONE") && strstr(st->text, "MAP_ANONYMOUS");
}

/*
 * Is @r, a record with no file, the bss of the library whose record @prev
 * ends where it starts: anonymous memory mapped there with MAP_FIXED?
 */
static bool bss_of(const struct srec *r, const struct srec *prev, const char *path)
{
	const struct step *first = r->nsteps ? &r->steps[0] : NULL;

	return prev && !strcmp(prev->name, path) && prev->end == r->start && first &&
	       is_call(first, "mmap") && strstr(first->text, "MAP_FIXED") &&
	       strstr(first->text, "MAP_ANONYMOUS") && strchr(r->perms, 'w');
}

static void explain_rec(FILE *out, const struct srec *r, const struct srec *prev,
			const char *lib)
{
	const struct step *first = r->nsteps ? &r->steps[0] : NULL;
	char *s = NULL;
	size_t len = 0;
	FILE *f = lm_must(open_memstream(&s, &len));

	fprintf(out, "%lx-%lx %s %s\n", r->start, r->end, r->perms,
		*r->name ? r->name : "(no file)");
	if (!first || r->before) {
		fputs("It was mapped before the trace began.", f);
	} else if (!cut(r)) {
		fputs("It was made by ", f);
		ref(f, first);
		if (r->nsteps > 1)
			fputs(", then", f);
		for (size_t k = 1; k < r->nsteps; k++) {
			fputs(k > 1 ? (k + 1 == r->nsteps ? " and " : ", ") : " ", f);
			step_phrase(f, &r->steps[k]);
		}
		fputc('.', f);
	} else {
		fputs("It is what is left of ", f);
		if (reservation(first))
			fputs("the reservation ", f);
		ref(f, first);
		fputs(" after ", f);
		for (size_t k = 1; k < r->nsteps; k++) {
			if (k > 1)
				fputs(k + 1 == r->nsteps ? " and " : ", ", f);
			step_phrase(f, &r->steps[k]);
		}
		fputc('.', f);
	}
	if (!*r->name && bss_of(r, prev, lib))
		fputs(" It lies right after the library's data, where the data segment is longer in memory than in the file (p_memsz over p_filesz): the loader maps that rest, the bss, as zero-filled anonymous memory.",
		      f);
	if (first && !strcmp(r->perms, "---p") && cut(r)) {
		if (reservation(first))
			fprintf(f, " The dynamic loader reserves a library's whole span, and more for alignment, with one PROT_NONE mapping, then maps its segments over it with MAP_FIXED at the alignment its PT_LOAD headers ask for (p_align); what no segment covers stays reserved, so that nothing else is mapped between %s's segments.",
				lib);
		else
			fputs(" The dynamic loader mapped the whole file first, made the span past its first page PROT_NONE, then mapped each segment over it with MAP_FIXED at the alignment its PT_LOAD header asks for (p_align): what lies between two segments stays PROT_NONE, an alignment gap that keeps code and data off each other's pages and keeps anything else from being mapped there.",
			      f);
	}
	fclose(f);
	lm_para(out, s);
	free(s);
	for (size_t k = 0; k < r->nsteps; k++)
		if (r->steps[k].call)
			fprintf(out, "    #%lu %s\n", r->steps[k].call, r->steps[k].text);
	fputc('\n', out);
}

/*
 * Does record @i of @s belong to the story of the library at @path: a
 * record of that file, one with no file that a call mapping the file cut
 * (the rest of the loader's reservation), or its bss?
 */
static bool in_story(const struct summary *s, size_t i, const char *path)
{
	const struct srec *r = &s->recs[i];

	if (*r->name)
		return !strcmp(r->name, path);
	if (bss_of(r, i ? &s->recs[i - 1] : NULL, path))
		return true;
	for (size_t k = 0; k < r->nsteps; k++)
		if (r->steps[k].call && strstr(r->steps[k].text, path))
			return true;
	return false;
}

static bool name_matches(const char *name, const char *pattern)
{
	struct lm_group g = { .name = name };

	return *name == '/' && (!pattern || lm_group_matches(&g, pattern));
}

int lm_explain_trace(FILE *out, const char *path, const char *pattern)
{
	struct summary *s;
	size_t ns, told = 0;
	char *text = lm_slurp(path, NULL);

	if (!text) {
		fprintf(stderr, "libmaps: %s: cannot read it\n", path);
		return -1;
	}
	ns = parse_summaries(text, &s);
	free(text);
	if (!ns) {
		fprintf(stderr, "libmaps: %s: no summary in it; write the trace with libmaps trace -s\n",
			path);
		free_summaries(s, ns);
		return -1;
	}
	for (size_t i = 0; i < ns; i++) {
		for (size_t j = 0; j < s[i].nr; j++) {
			const char *lib = s[i].recs[j].name;
			bool seen = false;

			if (!name_matches(lib, pattern))
				continue;
			/* each library once: at its lowest record */
			for (size_t k = 0; k < j && !seen; k++)
				seen = !strcmp(s[i].recs[k].name, lib);
			if (seen)
				continue;
			fprintf(out, "%s in process %d, from the trace in %s\n\n", lib, s[i].pid,
				path);
			for (size_t k = 0; k < s[i].nr; k++)
				if (in_story(&s[i], k, lib))
					explain_rec(out, &s[i].recs[k], k ? &s[i].recs[k - 1] : NULL,
						    lib);
			told++;
		}
	}
	free_summaries(s, ns);
	return (int)told;
}
