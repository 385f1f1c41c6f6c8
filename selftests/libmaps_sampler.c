// SPDX-License-Identifier: GPL-2.0
/*
 * Differential sampler: real programs nobody here wrote (the kernel's own
 * mm and proc selftests, sqlite3 running a database workload) run as
 * children; each is stopped at random moments and its libmaps view is
 * compared with /proc/<pid>/maps and smaps by lm_compare(), record by
 * record.  The kernel's files are the oracle.
 *
 * Bounded by time, not by count: libmaps_sampler [SECONDS], or
 * LM_SAMPLER_SECONDS (default 60), over every program, round robin.  One TAP result per program; a program
 * fails if any sample of it disagreed.  A disagreement that a re-read of
 * the still stopped process no longer shows (khugepaged, KSM or reclaim
 * working on a stopped task) is reported as transient, not as a failure.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "lm_view.h"

#define WORKDIR		"/tmp/libmaps_sampler"
#define MAX_ARGS	8
#define MAX_MEMBERS	64
#define RETRIES		2

struct program {
	const char *name;
	const char *path;		/* relative to the sampler's directory, or absolute */
	const char *args[MAX_ARGS];
	int hugepages;			/* hugetlb pages it needs */
	const char *stdin_file;		/* relative to WORKDIR */
	const char *db_dir;		/* sqlite3: where its database lives */
	const char *x86_only;		/* why it is not built for other machines */
	/* results */
	bool runnable;
	char why[128];
	int runs, samples, members, disagreements, transient, errors, unstoppable;
	int exit_ok, exit_skip, exit_other, last_exit, cut;
	char last_words[160];		/* of the last run that failed */
	long records;
	/* what the compared records held: PMD-mapped, hugetlb, its database */
	long pmd_recs, hugetlb_recs, db_recs;
};

#define VM(n, ...)	{ .name = n, .path = "ksft/vm/" n, .args = { __VA_ARGS__ } }
#define PROC(n)		{ .name = n, .path = "ksft/proc/" n }
#define SQLITE(n, dir)	{ .name = "sqlite3:" n, .path = "/usr/bin/sqlite3", \
			  .args = { "-batch", "lm.db" }, .stdin_file = "workload.sql", \
			  .db_dir = dir }

static struct program programs[] = {
	VM("mremap_test"),
	VM("mremap_dontunmap"),
	VM("map_fixed_noreplace"),
	VM("map_populate"),
	VM("mlock2-tests"),
	VM("madv_populate"),
	VM("soft-dirty"),
	VM("khugepaged"),
	VM("transhuge-stress", "64"),
	VM("split_huge_page_test"),
	{ .name = "userfaultfd:anon", .path = "ksft/vm/userfaultfd", .args = { "anon", "16", "8" } },
	{ .name = "userfaultfd:shmem", .path = "ksft/vm/userfaultfd", .args = { "shmem", "16", "8" } },
	VM("mrelease_test"),
	VM("on-fault-limit"),
	VM("va_128TBswitch"),
	VM("virtual_address_range"),
	{ .name = "map_hugetlb", .path = "ksft/vm/map_hugetlb", .args = { "8" },
	  .hugepages = 8 },
	{ .name = "hugepage-mremap", .path = "ksft/vm/hugepage-mremap",
	  .args = { "8", "huge/mremap" }, .hugepages = 16 },
	{ .name = "hugetlb-madvise", .path = "ksft/vm/hugetlb-madvise",
	  .args = { "huge/madvise" }, .hugepages = 24 },
	PROC("proc-pid-vm"),
	PROC("proc-self-map-files-001"),
	PROC("proc-self-map-files-002"),
	{ .name = "proc-empty-vm", .path = "ksft/proc/proc-empty-vm",
	  .x86_only = "6.1's proc-empty-vm unmaps everything on x86_64 only (selftests/Makefile)" },
	PROC("thread-self"),
	PROC("self"),
	PROC("proc-tid0"),
	PROC("fd-003-kthread"),
	SQLITE("tmp", WORKDIR),
	SQLITE("shm", "/dev/shm"),
	SQLITE("dax", NULL),		/* $LIBMAPS_DAX_DIR */
};

#define NR_PROGRAMS	(sizeof(programs) / sizeof(programs[0]))

static struct lm_view view;
static struct lm_maps maps;
static char selfdir[PATH_MAX];
static char kernel[128];
static unsigned int seed;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(double ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms * 1e6) % 1000000000 };

	nanosleep(&ts, NULL);
}

/* Process-wide knobs the workloads change; restored after every run. */
static const char * const knobs[] = {
	"/sys/kernel/mm/transparent_hugepage/enabled",
	"/sys/kernel/mm/transparent_hugepage/defrag",
	"/sys/kernel/mm/transparent_hugepage/shmem_enabled",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/defrag",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_swap",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_shared",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/alloc_sleep_millisecs",
	"/proc/sys/vm/nr_hugepages",
};

#define NR_KNOBS	(sizeof(knobs) / sizeof(knobs[0]))
#define NR_HUGEPAGES	(NR_KNOBS - 1)

static char saved[NR_KNOBS][128];

static int read_knob(const char *path, char *buf, size_t size)
{
	ssize_t n = lm_read_file(path, buf, size);
	char *l, *r;

	if (n <= 0)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	/* "always [madvise] never": the bracketed word is the setting */
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r) {
		memmove(buf, l + 1, r - l - 1);
		buf[r - l - 1] = 0;
	}
	return 0;
}

static void write_knob(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, value, strlen(value)) < 0)
		ksft_print_msg("cannot restore %s to %s: %s\n", path, value, strerror(errno));
	close(fd);
}

static void save_knobs(void)
{
	for (size_t i = 0; i < NR_KNOBS; i++)
		if (read_knob(knobs[i], saved[i], sizeof(saved[i])))
			saved[i][0] = 0;
}

static void restore_knobs(void)
{
	char cur[128];

	for (size_t i = 0; i < NR_KNOBS; i++)
		if (saved[i][0] && !read_knob(knobs[i], cur, sizeof(cur)) &&
		    strcmp(cur, saved[i]))
			write_knob(knobs[i], saved[i]);
}

static void set_hugepages(int nr)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", nr);
	write_knob(knobs[NR_HUGEPAGES], buf);
}

/* The workload sqlite3 reads on stdin: a WAL database it mmap()s. */
static int write_sql(void)
{
	FILE *f = fopen(WORKDIR "/workload.sql", "w");

	if (!f)
		return -1;
	fprintf(f, "PRAGMA journal_mode=WAL;\n"
		   "PRAGMA mmap_size=268435456;\n"
		   "PRAGMA cache_size=-32768;\n"
		   "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, k INTEGER, "
		   "v BLOB, s TEXT);\n"
		   "CREATE INDEX IF NOT EXISTS t_k ON t(k);\n");
	for (int round = 0; round < 40; round++) {
		fprintf(f, "BEGIN;\n"
			   "WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x + 1 "
			   "FROM c WHERE x < 2500) INSERT INTO t(k, v, s) SELECT "
			   "abs(random()) %% 100000, randomblob(200), hex(randomblob(16)) "
			   "FROM c;\n"
			   "UPDATE t SET s = hex(randomblob(8)) WHERE id %% 7 = %d;\n"
			   "DELETE FROM t WHERE id %% 13 = %d;\n"
			   "COMMIT;\n"
			   "SELECT count(*), sum(length(v)) FROM t WHERE k BETWEEN %d AND %d;\n"
			   "SELECT s FROM t ORDER BY k LIMIT 5 OFFSET %d;\n",
			round % 7, round % 13, round * 1000, round * 1000 + 40000, round * 50);
		if (round % 10 == 9)
			fprintf(f, "PRAGMA wal_checkpoint(TRUNCATE);\n");
	}
	fprintf(f, "SELECT k, count(*) FROM t GROUP BY k %% 100 ORDER BY 2 DESC LIMIT 3;\n"
		   "VACUUM;\n");
	return fclose(f);
}

static void remove_db(const char *dir)
{
	static const char * const suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s/lm.db%s", dir, suffix[i]);
		unlink(path);
	}
}

static void resolve(struct program *p, char *path, size_t size)
{
	int n;

	if (p->path[0] == '/')
		n = snprintf(path, size, "%s", p->path);
	else
		n = snprintf(path, size, "%s/%s", selfdir, p->path);
	if (n < 0 || (size_t)n >= size)
		path[0] = 0;	/* fails access() */
}

static void check_runnable(struct program *p)
{
	char path[PATH_MAX];

	resolve(p, path, sizeof(path));
	p->runnable = false;
	if (access(path, X_OK)) {
#ifndef __x86_64__
		if (p->x86_only) {
			snprintf(p->why, sizeof(p->why), "%s", p->x86_only);
			return;
		}
#endif
		snprintf(p->why, sizeof(p->why), "%s: %s", p->path, strerror(errno));
		return;
	}
	if (p->stdin_file && !p->db_dir)
		p->db_dir = getenv("LIBMAPS_DAX_DIR");
	if (p->stdin_file && !p->db_dir) {
		snprintf(p->why, sizeof(p->why), "no DAX filesystem (LIBMAPS_DAX_DIR)");
		return;
	}
	p->runnable = true;
}

static pid_t spawn(struct program *p)
{
	char path[PATH_MAX], in[PATH_MAX];
	const char *argv[MAX_ARGS + 2] = { p->name };
	pid_t pid;
	int i;

	resolve(p, path, sizeof(path));
	for (i = 0; i < MAX_ARGS && p->args[i]; i++)
		argv[i + 1] = p->args[i];
	snprintf(in, sizeof(in), WORKDIR "/%s", p->stdin_file ? p->stdin_file : "");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid)
		return pid;

	/* own process group: SIGSTOP reaches its children too */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (chdir(p->db_dir ? p->db_dir : WORKDIR))
		_exit(126);
	i = open(p->stdin_file ? in : "/dev/null", O_RDONLY);
	if (i >= 0)
		dup2(i, 0);
	i = open(WORKDIR "/output", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (i >= 0) {
		dup2(i, 1);
		dup2(i, 2);
	}
	execv(path, (char **)argv);
	_exit(127);
}

/* Field 3 (state) and 5 (pgrp) of /proc/<pid>[/task/<tid>]/stat. */
static int stat_of(const char *path, char *state, int *pgrp)
{
	char buf[1024], *p;

	if (lm_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %d", state, pgrp) != 2)
		return -1;
	return 0;
}

/* Is every thread of @pid stopped (or dead)? */
static bool all_stopped(pid_t pid)
{
	char path[64], state;
	struct dirent *d;
	bool ok = true;
	DIR *dir;
	int pgrp;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return true;
	while (ok && (d = readdir(dir))) {
		if (!isdigit(d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, atoi(d->d_name));
		if (!stat_of(path, &state, &pgrp) && !strchr("TtZX", state))
			ok = false;
	}
	closedir(dir);
	return ok;
}

/*
 * The live members of process group @pgid once every thread of each has
 * stopped; -1 if they did not stop within a second.
 */
static int stopped_members(pid_t pgid, pid_t *members)
{
	double deadline = now() + 1.0;
	char path[64], state;
	struct dirent *d;
	int n, pgrp;
	bool ok;
	DIR *dir;

	do {
		n = 0;
		ok = true;
		dir = opendir("/proc");
		if (!dir)
			return -1;
		while ((d = readdir(dir))) {
			if (!isdigit(d->d_name[0]))
				continue;
			snprintf(path, sizeof(path), "/proc/%d/stat", atoi(d->d_name));
			if (stat_of(path, &state, &pgrp) || pgrp != pgid || strchr("ZX", state))
				continue;
			if (!all_stopped(atoi(d->d_name)))
				ok = false;
			else if (n < MAX_MEMBERS)
				members[n++] = atoi(d->d_name);
		}
		closedir(dir);
		if (ok)
			return n;
		sleep_ms(2);
	} while (now() < deadline);
	return -1;
}

/*
 * lm_compare() with what it writes to stderr captured in @log, so that
 * a disagreement is printed after the line that says where it happened.
 */
static int compare_captured(pid_t pid, FILE *log, struct program *p)
{
	int saved_fd, rc;

	fflush(stderr);
	rewind(log);
	if (ftruncate(fileno(log), 0))
		return -1;
	saved_fd = dup(2);
	dup2(fileno(log), 2);
	rc = lm_compare(pid, &view, &maps);
	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	if (rc < 0 || !p)
		return rc;
	p->records += maps.nr;
	for (int i = 0; i < maps.nr; i++) {
		p->pmd_recs += maps.recs[i].pmd_kb > 0;
		p->hugetlb_recs += maps.recs[i].kernel_page_kb > 4;
		p->db_recs += !!strstr(maps.recs[i].name, "/lm.db");
	}
	return rc;
}

static void print_log(FILE *log)
{
	char line[4096];

	fflush(log);
	rewind(log);
	while (fgets(line, sizeof(line), log))
		printf("#   %s%s", line[0] == '#' ? line + 2 : line,
		       strchr(line, '\n') ? "" : "\n");
}

static bool pid_alive(pid_t pid)
{
	char path[64], state;
	int pgrp;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	return !stat_of(path, &state, &pgrp) && !strchr("ZX", state);
}

static void sample(struct program *p, pid_t pgid, FILE *log, FILE *relog)
{
	pid_t members[MAX_MEMBERS];
	int n, i, rc, again;
	char comm[64];

	kill(-pgid, SIGSTOP);
	n = stopped_members(pgid, members);
	if (n < 0) {
		p->unstoppable++;
		goto cont;
	}
	if (n > 0)
		p->samples++;
	for (i = 0; i < n; i++) {
		p->members++;
		rc = compare_captured(members[i], log, p);
		if (rc == 0)
			continue;
		snprintf(comm, sizeof(comm), "%s", rc > 0 ? view.comm : "?");
		if (rc < 0) {
			/* a member killed meanwhile (OOM, its parent) has no files */
			if (!pid_alive(members[i]))
				continue;
			p->errors++;
			ksft_print_msg("error: kernel %s program %s pid %d: %s\n", kernel,
				       p->name, members[i], lm_error);
			continue;
		}
		/* @log keeps the first reading's mismatches */
		for (again = 0; again < RETRIES; again++)
			if (compare_captured(members[i], relog, NULL) == 0)
				break;
		if (again < RETRIES) {
			p->transient++;
			ksft_print_msg("transient: kernel %s program %s pid %d (%s): %d "
				       "mismatches, gone on re-read %d of the stopped task:\n",
				       kernel, p->name, members[i], comm, rc, again + 1);
		} else {
			p->disagreements++;
			ksft_print_msg("DISAGREEMENT: kernel %s program %s pid %d (%s): "
				       "%d mismatches, on every re-read:\n", kernel, p->name,
				       members[i], comm, rc);
		}
		print_log(log);
	}
cont:
	kill(-pgid, SIGCONT);
}

/* The last line the program printed, to say why it failed. */
static void last_words(struct program *p)
{
	static char buf[1 << 20];
	ssize_t n = lm_read_file(WORKDIR "/output", buf, sizeof(buf));
	char *end, *line;
	size_t len;

	if (n <= 0)
		return;
	end = buf + n;
	while (end > buf && isspace(end[-1]))
		*--end = 0;
	line = end;
	while (line > buf && line[-1] != '\n')
		line--;
	len = strlen(line);
	if (len >= sizeof(p->last_words))
		len = sizeof(p->last_words) - 1;
	memcpy(p->last_words, line, len);
	p->last_words[len] = 0;
}

/* Ends a run: SIGTERM first (khugepaged restores its settings on it). */
static void finish(pid_t pid, pid_t pgid)
{
	double deadline = now() + 1.0;
	int status;

	if (!pid)
		goto reaped;
	kill(-pgid, SIGCONT);
	kill(-pgid, SIGTERM);
	while (now() < deadline) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			goto reaped;
		sleep_ms(10);
	}
	kill(-pgid, SIGKILL);
	waitpid(pid, &status, 0);
reaped:
	/* what the leader left behind in its group */
	kill(-pgid, SIGKILL);
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}

static void run_once(struct program *p, double budget, FILE *log, FILE *relog)
{
	double end = now() + budget;
	pid_t pid, pgid;
	int status;

	if (p->hugepages)
		set_hugepages(p->hugepages);
	if (p->db_dir)
		remove_db(p->db_dir);
	pid = spawn(p);
	if (pid < 0) {
		ksft_print_msg("%s: fork: %s\n", p->name, strerror(errno));
		return;
	}
	p->runs++;
	pgid = pid;
	setpgid(pid, pgid);	/* before the first SIGSTOP, whoever runs first */
	while (now() < end) {
		sleep_ms(rand_r(&seed) % 20000 / 1000.0);
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				p->exit_ok++;
			else if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_SKIP)
				p->exit_skip++;
			else
				p->exit_other++;
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				last_words(p);
			p->last_exit = WIFEXITED(status) ? WEXITSTATUS(status) :
				       128 + WTERMSIG(status);
			break;
		}
		sample(p, pgid, log, relog);
	}
	p->cut += pid != 0;
	finish(pid, pgid);
	if (p->db_dir)
		remove_db(p->db_dir);
	restore_knobs();
}

static void setup_workdir(void)
{
	mkdir(WORKDIR, 0755);
	mkdir(WORKDIR "/huge", 0755);
	if (mount("none", WORKDIR "/huge", "hugetlbfs", 0, NULL))
		ksft_print_msg("no hugetlbfs at " WORKDIR "/huge: %s\n", strerror(errno));
	if (write_sql())
		ksft_print_msg("cannot write the sqlite3 workload: %s\n", strerror(errno));
}

static void cleanup_workdir(void)
{
	umount(WORKDIR "/huge");
	rmdir(WORKDIR "/huge");
	unlink(WORKDIR "/workload.sql");
	unlink(WORKDIR "/output");
	rmdir(WORKDIR);
}

int main(int argc, char **argv)
{
	double seconds = 60, end, share;
	int nr_run = 0, samples = 0, disagreements = 0, transient = 0, errors = 0, round;
	long records = 0;
	const char *env = getenv("LM_SAMPLER_SECONDS");
	struct utsname u;
	FILE *log, *relog;
	size_t i;
	ssize_t n;

	/* the targets are stopped: their memory fields are compared too */
	lm_compare_memory = true;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (access(LM_DEBUGFS, F_OK))
		ksft_exit_skip("no %s: libmaps.ko is not loaded\n", LM_DEBUGFS);
	ksft_set_plan(NR_PROGRAMS);
	if (argc > 1)
		env = argv[1];
	if (env && atof(env) > 0)
		seconds = atof(env);
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s", u.release);
	n = readlink("/proc/self/exe", selfdir, sizeof(selfdir) - 1);
	if (n < 0)
		ksft_exit_fail_msg("/proc/self/exe: %s\n", strerror(errno));
	selfdir[n] = 0;
	*strrchr(selfdir, '/') = 0;
	seed = getenv("LM_SAMPLER_SEED") ? atoi(getenv("LM_SAMPLER_SEED")) : time(NULL);
	ksft_print_msg("kernel %s, %.0f s, seed %u (LM_SAMPLER_SECONDS, LM_SAMPLER_SEED)\n",
		       kernel, seconds, seed);
	log = tmpfile();
	relog = tmpfile();
	if (!log || !relog)
		ksft_exit_fail_msg("tmpfile: %s\n", strerror(errno));

	save_knobs();
	setup_workdir();
	for (i = 0; i < NR_PROGRAMS; i++) {
		check_runnable(&programs[i]);
		nr_run += programs[i].runnable;
	}
	if (!nr_run)
		ksft_exit_skip("none of the programs is here\n");

	/*
	 * Round robin; each run gets an equal share of the time.  The first
	 * round runs every program whatever the time: on a loaded host the
	 * comparisons outlast the shares, and the programs at the end of the
	 * list would not run at all.
	 */
	end = now() + seconds;
	share = seconds / nr_run;
	if (share < 1)
		share = 1;
	for (round = 0; round == 0 || now() < end; round++) {
		for (i = 0; i < NR_PROGRAMS && (round == 0 || now() < end); i++) {
			if (!programs[i].runnable)
				continue;
			run_once(&programs[i], round == 0 || share < end - now() ? share :
					       end - now(), log, relog);
		}
	}
	restore_knobs();
	cleanup_workdir();

	nr_run = 0;
	for (i = 0; i < NR_PROGRAMS; i++) {
		struct program *p = &programs[i];

		if (!p->runnable) {
			ksft_test_result_skip("%s: %s\n", p->name, p->why);
			continue;
		}
		nr_run++;
		samples += p->samples;
		records += p->records;
		disagreements += p->disagreements;
		transient += p->transient;
		errors += p->errors;
		ksft_print_msg("%s: %d runs (exit 0: %d, skip: %d, other: %d (last %d), "
			       "cut short: %d)\n", p->name, p->runs, p->exit_ok, p->exit_skip,
			       p->exit_other, p->last_exit, p->cut);
		if (p->exit_other)
			ksft_print_msg("%s: its last failing run said: %s\n", p->name,
				       p->last_words);
		ksft_print_msg("%s: %d samples (%d processes), %ld records (%ld PMD-mapped, "
			       "%ld hugetlb, %ld of its database), %d disagreements, "
			       "%d transient, %d errors, %d not stopped\n", p->name,
			       p->samples, p->members, p->records, p->pmd_recs,
			       p->hugetlb_recs, p->db_recs, p->disagreements, p->transient,
			       p->errors, p->unstoppable);
		if (p->disagreements || p->errors)
			ksft_test_result_fail("%s\n", p->name);
		else if (!p->samples)
			ksft_test_result_skip("%s: exited before any sample\n", p->name);
		else
			ksft_test_result_pass("%s\n", p->name);
	}
	ksft_print_msg("closing counts: kernel %s: %d programs, %d samples, %ld records "
		       "compared, %d disagreements, %d transient, %d errors\n", kernel,
		       nr_run, samples, records, disagreements, transient, errors);
	ksft_finished();
}
