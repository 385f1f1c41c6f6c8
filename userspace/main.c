// SPDX-License-Identifier: GPL-2.0
/*
 * libmaps - show why a process's memory map has the records it has
 *
 * Reads the view of the libmaps kernel module,
 * /sys/kernel/debug/libmaps/<pid>, refines its roles with the ELF headers
 * of the mapped files, and prints it as a tree, a table or JSON with
 * libsmartcols, in the conventions of util-linux's lsblk and lsfd.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "columns.h"
#include "elf.h"
#include "explain.h"
#include "model.h"
#include "picture.h"
#include "story.h"
#include "trace.h"
#include "view.h"
#include "xalloc.h"

#ifndef LIBMAPS_VERSION
#define LIBMAPS_VERSION "0.1"
#endif

struct ctl {
	struct lm_table out;
	bool explain, force_proc, no_elf, fallback_warned;
	const char *input;
	const char *picture;		/* --svg or --html FILE */
	bool html;
	const char *outarg;		/* -o */
	bool list_columns;
};

static const char *prog = "libmaps";

/*
 * LIBMAPS_DEBUG=times: where a run's time went, written to standard error
 * once the output is out (what bench/libmaps_bench reads to name the
 * tool's floor).  Phases: the reads of the view (or smaps), parsing, the
 * ELF headers, laying out the table and printing it; "main" is the whole
 * of main(), so that what the process spent before main() is the
 * difference to its wall time.
 */
enum { PH_READ, PH_PARSE, PH_ELF, PH_TABLE, PH_PRINT, NR_PHASES };

static struct {
	bool on;
	unsigned long long t0, last, ns[NR_PHASES];
} times;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The time since the last mark goes to phase @ph. */
static void mark(int ph)
{
	unsigned long long t;

	if (!times.on)
		return;
	t = now_ns();
	times.ns[ph] += t - times.last;
	times.last = t;
}

static void times_start(void)
{
	const char *d = getenv("LIBMAPS_DEBUG");

	times.on = d && strstr(d, "times");
	times.t0 = times.last = times.on ? now_ns() : 0;
}

static void times_report(void)
{
	if (!times.on)
		return;
	fprintf(stderr, "%s: times (us): main %llu read %llu parse %llu elf %llu table %llu print %llu\n",
		prog, (now_ns() - times.t0) / 1000, times.ns[PH_READ] / 1000,
		times.ns[PH_PARSE] / 1000, times.ns[PH_ELF] / 1000,
		times.ns[PH_TABLE] / 1000, times.ns[PH_PRINT] / 1000);
}

/*
 * At exit, as util-linux's close_stdout(): output that could not be
 * written (a full disk, /dev/full) is an error, not a silent success.  A
 * reader that went away (EPIPE) is not.
 */
static void close_stdout(void)
{
	bool failed = ferror(stdout) != 0;
	int err = errno;

	if (fclose(stdout)) {
		failed = true;
		err = errno;
	}
	if (failed && err != EPIPE) {
		fprintf(stderr, "%s: write error: %s\n", prog, err ? strerror(err) : "unknown");
		_exit(1);
	}
}

static void __attribute__((noreturn)) usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	exit(2);
}

static void usage(void)
{
	printf("Usage:\n"
	       " %1$s [options] <pid>|self...\n"
	       " %1$s --explain <pid> [<library>]\n"
	       " %1$s --explain <trace file> [<library>]\n"
	       " %1$s --svg|--html <file> <pid>\n"
	       " %1$s --lib <pattern> [<pid>...]\n"
	       " %1$s --summary [<pid>...]\n"
	       " %1$s trace [options] [--] <command> [<argument>...]\n\n"
	       "Show why a process's memory map has the records it has: each library's\n"
	       "records grouped, each record's role, why it is not merged with its\n"
	       "neighbour and whether transparent huge pages may back it.\n\n"
	       "Options:\n"
	       " -l, --list             a flat table, one record a line\n"
	       " -J, --json             JSON output\n"
	       " -r, --raw              raw output: --list (or --summary) without alignment\n"
	       " -u, --notruncate       do not truncate text in columns\n"
	       " -o, --output <list>    columns to print (+<list> adds to the default)\n"
	       " -n, --noheadings       no headings\n"
	       " -b, --bytes            sizes in bytes, not in human-readable form\n"
	       " -e, --explain          explain, in words, why each library has its records\n"
	       " -L, --lib <pattern>    every process that maps a matching library, and a\n"
	       "                          total line: its PSS is what they cost the machine\n"
	       " -s, --summary          one line per library, with RSS and PSS summed\n"
	       "     --svg <file>       draw the address space to <file> as SVG\n"
	       "     --html <file>      the same, as a self-contained HTML page\n"
	       "     --color[=<when>]   colours: auto, always or never\n"
	       "     --proc             read /proc/<pid>/smaps even if the module is loaded\n"
	       "     --no-elf           keep the module's roles; do not read ELF headers\n"
	       "     --input <file>     read a saved view from <file> ('-': stdin)\n"
	       " -H, --list-columns     list the available columns\n"
	       " -h, --help             display this help\n"
	       " -V, --version          display version\n\n"
	       "Needs the libmaps module and CAP_SYS_ADMIN; without the module it falls\n"
	       "back to /proc/<pid>/smaps and leaves out what it cannot tell.\n\n", prog);
	lm_default_columns_help(stdout);
	printf("\nAvailable output columns:\n");
	lm_columns_help(stdout, " ");
	printf("\nFor more details see libmaps(8).\n");
	exit(0);
}

#define LM_SYSMODULE	"/sys/module/libmaps"
#define LM_DEBUGFS_ROOT	"/sys/kernel/debug"
#define DEBUGFS_MAGIC	0x64626720

/*
 * Is the view there?  If not, @why is one line (under 80 columns with
 * the program's name) that says which of the two things is missing, the
 * module or debugfs, and what to do about it.
 */
static bool module_present(const char **why)
{
	struct statfs sfs;
	struct stat st;

	if (!stat(LM_DEBUGFS, &st))
		return true;
	if (errno == EACCES)
		*why = LM_DEBUGFS_ROOT ": permission denied; using smaps (run as root)";
	else if (stat(LM_SYSMODULE, &st))
		*why = "the libmaps module is not loaded; using smaps (modprobe libmaps)";
	else if (statfs(LM_DEBUGFS_ROOT, &sfs) || sfs.f_type != DEBUGFS_MAGIC)
		*why = "no debugfs; using smaps (mount -t debugfs none " LM_DEBUGFS_ROOT ")";
	else
		*why = "the module is loaded, no " LM_DEBUGFS "; using smaps";
	return false;
}

static const char *open_error(int err)
{
	switch (err) {
	case ENOENT:
		return "no such process";
	case ESRCH:
		return "the process exited";
	case EINTR:
		return "interrupted while waiting for the process's mmap lock";
	default:
		return strerror(err);
	}
}

/*
 * A process that is gone is named by its pid; a file that could not be
 * read, by its path and what to do (@fix) when it is a permission.
 */
static void open_failed(pid_t pid, const char *path, int err, const char *fix)
{
	if (err == EACCES || err == EPERM)
		fprintf(stderr, "%s: %s: permission denied (%s)\n", prog, path, fix);
	else if (err == ENOENT || err == ESRCH)
		fprintf(stderr, "%s: pid %d: %s\n", prog, (int)pid, open_error(err));
	else
		fprintf(stderr, "%s: pid %d: %s: %s\n", prog, (int)pid, path, open_error(err));
}

static char *read_comm(pid_t pid)
{
	char path[64], *s;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	s = lm_slurp(path, NULL);
	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

/* 0, or -1 with a message on stderr (quiet: for --lib scans, say nothing). */
static int load(struct ctl *ctl, pid_t pid, struct lm_proc *p, bool quiet)
{
	char path[64], err[256];
	const char *why = NULL;
	char *text;

	if (!ctl->force_proc && module_present(&why)) {
		snprintf(path, sizeof(path), LM_DEBUGFS "/%d", (int)pid);
		mark(PH_TABLE);
		text = lm_slurp(path, NULL);
		mark(PH_READ);
		if (!text) {
			if (!quiet)
				open_failed(pid, path, errno, "the view needs root: CAP_SYS_ADMIN");
			return -1;
		}
		if (lm_parse_view(text, p, err, sizeof(err))) {
			fprintf(stderr, "%s: pid %d: %s: %s\n", prog, (int)pid, path, err);
			free(text);
			return -1;
		}
		free(text);
	} else {
		if (why && !ctl->fallback_warned) {
			fprintf(stderr, "%s: %s\n", prog, why);
			ctl->fallback_warned = true;
		}
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
		mark(PH_TABLE);
		text = lm_slurp(path, NULL);
		mark(PH_READ);
		if (!text) {
			if (!quiet)
				open_failed(pid, path, errno, "run as root or as its owner");
			return -1;
		}
		if (lm_parse_smaps(text, pid, p, err, sizeof(err))) {
			fprintf(stderr, "%s: pid %d: %s: %s\n", prog, (int)pid, path, err);
			free(text);
			return -1;
		}
		free(text);
		p->comm = read_comm(pid);
	}
	mark(PH_PARSE);
	if (!ctl->no_elf)
		lm_elf_refine(p, true);
	mark(PH_ELF);
	return 0;
}

static int load_input(struct ctl *ctl, struct lm_proc *p)
{
	char err[256];
	char *text;

	mark(PH_TABLE);
	text = lm_slurp(strcmp(ctl->input, "-") ? ctl->input : "/dev/stdin", NULL);
	mark(PH_READ);
	if (!text) {
		fprintf(stderr, "%s: %s: %s\n", prog, ctl->input, strerror(errno));
		return -1;
	}
	if (lm_parse_view(text, p, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", prog, ctl->input, err);
		free(text);
		return -1;
	}
	free(text);
	mark(PH_PARSE);
	if (!ctl->no_elf)
		lm_elf_refine(p, false);
	mark(PH_ELF);
	return 0;
}

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	if (!strcmp(s, "self")) {
		*pid = getpid();
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 4194304)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/* Every pid in /proc, sorted. */
static pid_t *all_pids(size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t *pids = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		pid_t pid;

		if (parse_pid(de->d_name, &pid) || !strcmp(de->d_name, "self"))
			continue;
		if (*n == cap) {
			pid_t *np = realloc(pids, (cap = cap ? cap * 2 : 256) * sizeof(*np));

			if (!np)
				lm_die_nomem();
			pids = np;
		}
		pids[(*n)++] = pid;
	}
	closedir(d);
	if (pids)
		qsort(pids, *n, sizeof(*pids), cmp_pid);
	return pids;
}

/* --svg, --html: one process (or --input) drawn to a file. */
static int draw(struct ctl *ctl, int argc, char **argv)
{
	struct lm_proc p;
	FILE *f;
	pid_t pid;
	int rc;

	if (ctl->input ? argc != 0 : argc != 1)
		usage_error("%s", "--svg and --html take one pid (or --input)");
	if (!ctl->input && parse_pid(argv[0], &pid))
		usage_error("not a pid: %s", argv[0]);
	if (ctl->input ? load_input(ctl, &p) : load(ctl, pid, &p, false))
		return 1;
	f = strcmp(ctl->picture, "-") ? fopen(ctl->picture, "we") : stdout;
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, ctl->picture, strerror(errno));
		lm_proc_free(&p);
		return 1;
	}
	rc = lm_picture(f, &p, ctl->html);
	if (f != stdout && fclose(f))
		rc = -1;
	if (rc)
		fprintf(stderr, "%s: %s: write error\n", prog, ctl->picture);
	lm_proc_free(&p);
	return rc ? 1 : 0;
}

/*
 * The options into @ctl, and the checks between them (usage errors exit
 * 2 from here); returns the index of the first operand.
 */
static int parse_options(struct ctl *ctl, int argc, char **argv)
{
	enum { OPT_COLOR = 256, OPT_PROC, OPT_NOELF, OPT_INPUT, OPT_SVG, OPT_HTML };
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "notruncate", no_argument, NULL, 'u' },
		{ "output", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "explain", no_argument, NULL, 'e' },
		{ "lib", required_argument, NULL, 'L' },
		{ "summary", no_argument, NULL, 's' },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "proc", no_argument, NULL, OPT_PROC },
		{ "no-elf", no_argument, NULL, OPT_NOELF },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "list-columns", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *color = "auto";
	bool opt_list = false, opt_summary = false;
	int c;

	while ((c = getopt_long(argc, argv, "lJro:nbeL:suHhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			ctl->out.mode = LM_MODE_LIST;
			opt_list = true;
			break;
		case 'J':
			ctl->out.json = true;
			break;
		case 'r':
			ctl->out.raw = true;
			break;
		case 'u':
			ctl->out.notruncate = true;
			break;
		case 'o':
			ctl->outarg = optarg;
			break;
		case 'n':
			ctl->out.noheadings = true;
			break;
		case 'b':
			ctl->out.bytes = true;
			break;
		case 'e':
			ctl->explain = true;
			break;
		case 'L':
			ctl->out.lib = optarg;
			break;
		case 's':
			ctl->out.mode = LM_MODE_SUMMARY;
			opt_summary = true;
			break;
		case OPT_COLOR:
			color = optarg ? optarg : "always";
			if (strcmp(color, "auto") && strcmp(color, "always") &&
			    strcmp(color, "never"))
				usage_error("unsupported color mode: %s", color);
			break;
		case OPT_PROC:
			ctl->force_proc = true;
			break;
		case OPT_NOELF:
			ctl->no_elf = true;
			break;
		case OPT_INPUT:
			ctl->input = optarg;
			break;
		case OPT_SVG:
		case OPT_HTML:
			if (ctl->picture)
				usage_error("%s", "mutually exclusive arguments: --svg --html");
			ctl->picture = optarg;
			ctl->html = c == OPT_HTML;
			break;
		case 'H':
			ctl->list_columns = true;
			break;
		case 'h':
			usage();
			break;
		case 'V':
			printf("%s %s\n", prog, LIBMAPS_VERSION);
			exit(0);
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", prog);
			exit(2);
		}
	}
	if (ctl->list_columns)
		return optind;
	/* as util-linux's err_exclusive_options(): say which, never pick one */
	if (opt_list && opt_summary)
		usage_error("%s", "mutually exclusive arguments: --list --summary");
	if (ctl->explain && (opt_list || opt_summary || ctl->out.json || ctl->out.raw ||
			    ctl->outarg || ctl->out.lib))
		usage_error("%s", "--explain writes paragraphs: --list, --summary, --json, --raw, --output and --lib do not apply");
	if (ctl->picture && (ctl->explain || opt_list || opt_summary || ctl->out.json ||
			    ctl->out.raw || ctl->outarg || ctl->out.lib))
		usage_error("%s", "--svg and --html draw one process: --explain, --list, --summary, --json, --raw, --output and --lib do not apply");
	if (ctl->outarg && !*ctl->outarg)
		usage_error("%s", "--output: no column given (--list-columns names them)");
	/* as lsblk -r: no tree drawing; a record a line, or a library a line */
	if (ctl->out.raw && ctl->out.mode == LM_MODE_TREE)
		ctl->out.mode = LM_MODE_LIST;
	ctl->out.colors = !strcmp(color, "always") ||
		     (!strcmp(color, "auto") && isatty(STDOUT_FILENO) && !ctl->out.json && !ctl->out.raw);
	return optind;
}

/* --explain PID [LIB], or a trace file: paragraphs, not a table. */
static int explain_main(struct ctl *ctl, int argc, char **argv)
{
	const char *pattern;
	struct lm_proc p;
	pid_t pid;
	int rc = 0;

	if (ctl->input ? argc > 1 : argc < 1 || argc > 2)
		usage_error("%s", "--explain takes a pid (or a trace file) and an optional library");
	if (!ctl->input && parse_pid(argv[0], &pid) && access(argv[0], F_OK) == 0) {
		/* a trace written by libmaps trace -s */
		pattern = argc > 1 ? argv[1] : NULL;
		rc = lm_explain_trace(stdout, argv[0], pattern);
		if (rc == 0)
			fprintf(stderr, "%s: %s: no mapped file%s%s in its summary\n", prog,
				argv[0], pattern ? " matching " : "", pattern ? pattern : "");
		return rc > 0 ? 0 : 1;
	}
	if (ctl->input) {
		pattern = argc ? argv[0] : NULL;
		if (load_input(ctl, &p))
			return 1;
	} else {
		if (parse_pid(argv[0], &pid))
			usage_error("not a pid: %s", argv[0]);
		pattern = argc > 1 ? argv[1] : NULL;
		if (load(ctl, pid, &p, false))
			return 1;
	}
	if (!lm_explain(stdout, &p, pattern)) {
		fprintf(stderr, "%s: pid %d maps no file%s%s\n", prog, (int)p.pid,
			pattern ? " matching " : "", pattern ? pattern : "");
		rc = 1;
	}
	lm_proc_free(&p);
	return rc;
}

/* The table: the given pids (or every process, for --lib and --summary). */
static int show(struct ctl *ctl, int argc, char **argv)
{
	const char *why = NULL;
	pid_t *pids = NULL;
	size_t npids = 0, matched = 0;
	bool scan = argc == 0;		/* skip what vanished */
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		pid_t pid;

		if (parse_pid(argv[i], &pid))
			usage_error("not a pid: %s", argv[i]);
		pids = xrealloc(pids, (npids + 1) * sizeof(*pids));
		pids[npids++] = pid;
	}
	if (ctl->input && npids)
		usage_error("%s", "--input takes no pids");
	if (!npids && !ctl->input) {
		if (!ctl->out.lib && ctl->out.mode != LM_MODE_SUMMARY)
			usage_error("%s", "no pid given");
		pids = all_pids(&npids);
	}

	ctl->out.fallback = !ctl->input && (ctl->force_proc || !module_present(&why));
	lm_table_default_columns(&ctl->out);
	if (ctl->outarg) {
		char bad[64];

		if (lm_table_parse_columns(&ctl->out, ctl->outarg, bad, sizeof(bad)))
			usage_error("unknown column: %s", bad);
	}
	lm_table_init(&ctl->out);

	if (ctl->input) {
		struct lm_proc p;

		if (load_input(ctl, &p)) {
			free(pids);
			return 1;
		}
		lm_table_add_proc(&ctl->out, &p);
		lm_proc_free(&p);
	}
	for (size_t i = 0; i < npids; i++) {
		struct lm_proc p;

		if (load(ctl, pids[i], &p, scan)) {
			if (!scan)
				rc = 1;
			continue;
		}
		if (lm_proc_selected(&p, ctl->out.lib)) {
			lm_table_add_proc(&ctl->out, &p);
			matched++;
		}
		lm_proc_free(&p);
	}
	/* an empty answer to a search is a failure, as grep's and pgrep's */
	if (ctl->out.lib && !matched && !ctl->input) {
		fprintf(stderr, "%s: no process%s maps a library matching %s\n", prog,
			argc ? " of those given" : "", ctl->out.lib);
		free(pids);
		return 1;
	}
	mark(PH_TABLE);
	lm_table_print(&ctl->out);
	fflush(stdout);
	mark(PH_PRINT);
	times_report();
	free(pids);
	return rc;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { .out.mode = LM_MODE_TREE };
	int first;

	times_start();
	/*
	 * The view's text, tens of MiB at 65,000 VMAs, is freed before the
	 * table is laid out.  Taken from the heap rather than by an mmap()
	 * of its own, its pages are then reused by the table's many small
	 * allocations instead of being faulted in anew (a third of the
	 * table's time).
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	setlocale(LC_ALL, "");
	if (argc > 1 && !strcmp(argv[1], "trace"))
		return lm_trace_main(argc - 1, argv + 1);
	atexit(close_stdout);
	first = parse_options(&ctl, argc, argv);
	if (ctl.list_columns) {
		lm_columns_list(ctl.out.json, ctl.out.raw);
		return 0;
	}
	if (ctl.explain)
		return explain_main(&ctl, argc - first, argv + first);
	if (ctl.picture)
		return draw(&ctl, argc - first, argv + first);
	return show(&ctl, argc - first, argv + first);
}
