// SPDX-License-Identifier: GPL-2.0
/*
 * Churn stress: target processes change their address spaces as fast as
 * they can (mmap, munmap, mprotect, mremap, madvise HUGEPAGE/NOHUGEPAGE,
 * fork, exec, exit) while 8 reader threads open, read and close their
 * libmaps views: whole, in small chunks, and by pread() at random offsets.
 * Every snapshot must be well formed (lm_parse_view() checks the view's
 * own invariants: header counts, group totals, record sizes and flags),
 * its records sorted within each group and non-overlapping overall, and
 * every way of reading one open file must give the same bytes.
 *
 * LM_STRESS_SECONDS (default 15) bounds the run.  The figures are printed
 * as "#" lines; there is no timing-based verdict.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#define NR_READERS	8
#define NR_TARGETS	3
#define SLOTS		256
#define VIEW_MAX	(4 << 20)

/* A child exec'd by a target exits at once: pids come and go. */
__attribute__((constructor)) static void exec_child(void)
{
	if (getenv("LM_STRESS_EXEC"))
		_exit(0);
}

/* Shared with the targets: pids the readers pick from. */
struct shared {
	_Atomic int pids[NR_TARGETS * 2];
	atomic_bool stop;
};

static struct shared *sh;
static long pg;

static atomic_ulong snapshots, records, bytes, vanished, chunked, preads;
static atomic_int failures;
static char first_failure[512];
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void report(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fail_lock);
	if (!failures) {
		va_start(ap, fmt);
		vsnprintf(first_failure, sizeof(first_failure), fmt, ap);
		va_end(ap);
	}
	failures++;
	pthread_mutex_unlock(&fail_lock);
}

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return (unsigned int)rand_r(seed) % n;
}

/* One target: churn its own address space until told to stop. */
static void target(int idx)
{
	unsigned int seed = getpid();
	char *base, *slot[SLOTS] = { NULL };
	int fd = open("/proc/self/exe", O_RDONLY);
	size_t len = (size_t)SLOTS * 4 * pg;

	base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || fd < 0)
		_exit(1);
	while (!atomic_load(&sh->stop)) {
		unsigned int i = rnd(&seed, SLOTS);
		char *at = base + (size_t)i * 4 * pg;

		switch (rnd(&seed, 8)) {
		case 0:	/* anonymous, touched */
			slot[i] = mmap(at, 2 * pg, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			if (slot[i] != MAP_FAILED)
				slot[i][0] = 1;
			break;
		case 1:	/* a file */
			slot[i] = mmap(at, pg, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
			break;
		case 2:
			munmap(at, 4 * pg);
			mmap(at, 4 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 3:
			mprotect(at, pg, rnd(&seed, 2) ? PROT_READ : PROT_READ | PROT_WRITE);
			break;
		case 4:	/* grow or move */
			mremap(at, pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED,
			       base + (size_t)rnd(&seed, SLOTS) * 4 * pg);
			break;
		case 5:
			madvise(at, 2 * pg, rnd(&seed, 2) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
			break;
		case 6:	/* fork a child that execs and exits */
			if (idx == 0) {
				pid_t c = lm_fork();

				if (c == 0) {
					char *argv[] = { "lm-stress-exec", NULL };
					char *envp[] = { "LM_STRESS_EXEC=1", NULL };

					atomic_store(&sh->pids[NR_TARGETS + idx], getpid());
					execve("/proc/self/exe", argv, envp);
					_exit(1);
				}
				if (c > 0)
					waitpid(c, NULL, 0);
			}
			break;
		case 7:	/* fork a child that changes its copy and exits */
			if (idx == 1) {
				pid_t c = lm_fork();

				if (c == 0) {
					atomic_store(&sh->pids[NR_TARGETS + idx], getpid());
					munmap(base, len / 2);
					_exit(0);
				}
				if (c > 0)
					waitpid(c, NULL, 0);
			}
			break;
		}
	}
	_exit(0);
}

struct rec_span {
	unsigned long start, end;
};

static int by_start(const void *a, const void *b)
{
	const struct rec_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The checks lm_parse_view() does not make: order and overlap. */
static int check_order(const struct lm_view *v, char *why, size_t len)
{
	static __thread struct rec_span spans[LM_MAX_RECS];

	for (int i = 0; i < v->nr; i++) {
		const struct lm_view_rec *r = &v->recs[i];

		if (i && r->group == v->recs[i - 1].group &&
		    r->start < v->recs[i - 1].end) {
			snprintf(why, len, "group %d: %lx-%lx after %lx-%lx", r->group,
				 r->start, r->end, v->recs[i - 1].start, v->recs[i - 1].end);
			return -1;
		}
		spans[i].start = r->start;
		spans[i].end = r->end;
	}
	qsort(spans, v->nr, sizeof(*spans), by_start);
	for (int i = 1; i < v->nr; i++) {
		if (spans[i].start < spans[i - 1].end) {
			snprintf(why, len, "%lx-%lx overlaps %lx-%lx", spans[i].start,
				 spans[i].end, spans[i - 1].start, spans[i - 1].end);
			return -1;
		}
	}
	return 0;
}

/* Read all of @fd from offset 0, in chunks of at most @chunk bytes. */
static ssize_t read_all(int fd, char *buf, size_t size, size_t chunk)
{
	size_t used = 0;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	for (;;) {
		size_t want = size - used < chunk ? size - used : chunk;
		ssize_t n;

		if (!want)
			return -1;
		n = read(fd, buf + used, want);
		if (n < 0)
			return -1;
		if (n == 0)
			return (ssize_t)used;
		used += n;
	}
}

static void *reader(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg * 7919 + 1;
	char *whole = malloc(VIEW_MAX), *other = malloc(VIEW_MAX);
	struct lm_view *v = malloc(sizeof(*v));
	char path[64], why[256];

	if (!whole || !other || !v) {
		report("out of memory");
		return NULL;
	}
	while (!atomic_load(&sh->stop)) {
		int pid = atomic_load(&sh->pids[rnd(&seed, NR_TARGETS * 2)]);
		ssize_t n, m;
		int fd;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), LM_DEBUGFS "/%d", pid);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			if (errno == ENOENT || errno == ESRCH)
				vanished++;
			else
				report("open %s: %s", path, strerror(errno));
			continue;
		}
		n = read_all(fd, whole, VIEW_MAX, VIEW_MAX);
		if (n <= 0) {
			report("read %s: %zd (%s)", path, n, strerror(errno));
			close(fd);
			continue;
		}
		whole[n] = '\0';
		switch (rnd(&seed, 3)) {
		case 0:	/* again, in small chunks */
			m = read_all(fd, other, VIEW_MAX, 1 + rnd(&seed, 64));
			if (m != n || memcmp(whole, other, n))
				report("%s: chunked read differs (%zd vs %zd bytes)", path, m, n);
			chunked++;
			break;
		case 1:	/* pread at random offsets, past the end too */
			for (int k = 0; k < 32; k++) {
				size_t off = rnd(&seed, (unsigned int)n + 64);
				size_t len = 1 + rnd(&seed, 256);

				m = pread(fd, other, len, (off_t)off);
				if (off >= (size_t)n ? m != 0 :
				    m != (ssize_t)(off + len > (size_t)n ? n - off : len) ||
				    memcmp(other, whole + off, m)) {
					report("%s: pread(%zu, %zu) = %zd of %zd", path, len, off, m, n);
					break;
				}
			}
			preads++;
			break;
		}
		close(fd);
		if (lm_parse_view(whole, v)) {
			report("%s: %s", path, lm_error);
			continue;
		}
		if (v->pid != pid) {
			report("%s: header says pid=%d", path, v->pid);
			continue;
		}
		if (check_order(v, why, sizeof(why))) {
			report("%s: %s", path, why);
			continue;
		}
		snapshots++;
		records += v->nr;
		bytes += n;
	}
	free(whole);
	free(other);
	free(v);
	return NULL;
}

FIXTURE(stress) {};
FIXTURE_SETUP(stress) {}
FIXTURE_TEARDOWN(stress) {}

/* The harness's default 30 s is too short for a slow (debug) kernel. */
TEST_F_TIMEOUT(stress, churn, 300)
{
	const char *env = getenv("LM_STRESS_SECONDS");
	int seconds = env ? atoi(env) : 15;
	pthread_t threads[NR_READERS];
	pid_t targets[NR_TARGETS];
	int status;

	pg = sysconf(_SC_PAGESIZE);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	for (int i = 0; i < NR_TARGETS; i++) {
		targets[i] = lm_fork();
		ASSERT_GE(targets[i], 0);
		if (targets[i] == 0)
			target(i);
		atomic_store(&sh->pids[i], targets[i]);
	}
	for (int i = 0; i < NR_READERS; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, reader,
					    (void *)(unsigned long)i));
	sleep(seconds);
	atomic_store(&sh->stop, true);
	for (int i = 0; i < NR_READERS; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < NR_TARGETS; i++) {
		ASSERT_EQ(targets[i], waitpid(targets[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	TH_LOG("%d s, %d readers, %d targets: %lu snapshots checked, %lu records, %lu bytes; %lu chunked re-reads, %lu pread rounds; %lu opens of vanished pids",
	       seconds, NR_READERS, NR_TARGETS, atomic_load(&snapshots),
	       atomic_load(&records), atomic_load(&bytes), atomic_load(&chunked),
	       atomic_load(&preads), atomic_load(&vanished));
	if (failures)
		TH_LOG("%d failures, the first: %s", failures, first_failure);
	EXPECT_EQ(0, failures);
	EXPECT_NE(0UL, atomic_load(&snapshots));
}

TEST_HARNESS_MAIN
