// SPDX-License-Identifier: GPL-2.0
/*
 * What each record costs: rss=, pss=, anon=, shared_clean=, shared_dirty=,
 * private_clean=, private_dirty= and locked= of every record, group and
 * the header, against smaps and smaps_rollup (x1024), on a stopped process
 * whose memory is shared with its stopped child in every way smaps tells
 * apart:
 * private pages of its own, pages copy-on-write shared after fork(),
 * shared anonymous memory both touch, a file mapped once and twice, an
 * mlock()ed range, the zero page, and PMD-mapped huge pages of its own
 * and shared with the parent.  The expected values are smaps'; a few are
 * also checked from first principles, so that the child really is in the
 * state the test means.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#define SZ_2M		(2UL << 20)
#define NR_PAGES	64

static struct lm_view view;
static struct lm_maps maps;

enum { PRIVATE, COW, SHARED, FILE_ONCE, FILE_TWICE_A, FILE_TWICE_B, LOCKED, ZERO,
       HUGE_OWN, HUGE_COW, NR_REGIONS };
static const char * const what[NR_REGIONS] = {
	"private, written by the target", "written before fork (copy-on-write)",
	"shared anonymous, written by both", "a file, mapped once", "a file, first of two",
	"a file, second of two", "mlock()ed", "read only: the zero page",
	"a huge page of the target's own", "a huge page written before fork",
};

/*
 * The target: a process of its own (this program run again with
 * --target, so that it shares no page with the test, which keeps running
 * and writing), and a child it forks to share memory with; both stop.
 * It writes the addresses of its regions and the child's pid to fd 3.
 */
static int target(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = NR_PAGES * pg, size[NR_REGIONS];
	char path[64], *p[NR_REGIONS];
	volatile char sink = 0;
	int i, fd, status;
	pid_t child;
	size_t j;
	FILE *out = fdopen(3, "w");

	snprintf(path, sizeof(path), "/tmp/lm-mem-%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!out || fd < 0 || ftruncate(fd, len))
		return 1;
	unlink(path);
	for (i = 0; i < NR_REGIONS; i++) {
		int flags = MAP_PRIVATE | MAP_ANONYMOUS, mfd = -1;

		size[i] = i >= HUGE_OWN ? 2 * SZ_2M : len;
		if (i == SHARED)
			flags = MAP_SHARED | MAP_ANONYMOUS;
		if (i == FILE_ONCE || i == FILE_TWICE_A || i == FILE_TWICE_B) {
			flags = MAP_SHARED;
			mfd = fd;
		}
		p[i] = lm_map_aligned(size[i], i >= HUGE_OWN ? SZ_2M : (size_t)pg,
				      PROT_READ | PROT_WRITE, flags, mfd);
		if (p[i] == MAP_FAILED)
			return 1;
		if (i >= HUGE_OWN)
			madvise(p[i], size[i], MADV_HUGEPAGE);
	}
	/* before fork: what the two share */
	memset(p[COW], 1, len);
	memset(p[SHARED], 2, len);
	memset(p[HUGE_COW], 3, size[HUGE_COW]);
	memset(p[FILE_TWICE_A], 4, len);	/* the page cache, dirty */

	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		memset(p[SHARED] + len / 2, 5, len / 2);
		raise(SIGSTOP);
		_exit(0);
	}
	memset(p[PRIVATE], 6, len);
	memset(p[SHARED], 7, len / 2);
	for (j = 0; j < len; j += pg) {
		sink += p[FILE_ONCE][j];
		sink += p[FILE_TWICE_B][j];
		sink += p[ZERO][j];
	}
	if (mlock(p[LOCKED], len))
		return 1;
	memset(p[LOCKED], 8, len);
	memset(p[HUGE_OWN], 9, size[HUGE_OWN]);
	(void)sink;
	if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status))
		return 1;
	for (i = 0; i < NR_REGIONS; i++)
		fprintf(out, "%p\n", (void *)p[i]);
	fprintf(out, "%d\n", child);
	fclose(out);
	raise(SIGSTOP);
	return 0;
}

FIXTURE(mem)
{
	char *p[NR_REGIONS];
	pid_t target, child;
};

FIXTURE_SETUP(mem)
{
	char self_exe[256], line[64];
	int pfd[2], status, i;
	ssize_t n;
	FILE *in;

	self->target = self->child = 0;
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	ASSERT_GT(n, 0);
	self_exe[n] = '\0';
	ASSERT_EQ(0, pipe(pfd));
	self->target = lm_fork();
	ASSERT_GE(self->target, 0);
	if (!self->target) {
		close(pfd[0]);
		if (dup2(pfd[1], 3) < 0)
			_exit(1);
		execl(self_exe, self_exe, "--target", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	in = fdopen(pfd[0], "r");
	ASSERT_NE(NULL, in);
	for (i = 0; i < NR_REGIONS; i++) {
		ASSERT_NE(NULL, fgets(line, sizeof(line), in)) TH_LOG("the target failed");
		self->p[i] = (char *)strtoul(line, NULL, 16);
	}
	ASSERT_NE(NULL, fgets(line, sizeof(line), in));
	self->child = atoi(line);
	fclose(in);
	ASSERT_EQ(self->target, waitpid(self->target, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status)) TH_LOG("the target did not stop: %#x", status);
}

FIXTURE_TEARDOWN(mem)
{
	if (self->target > 0) {
		kill(self->target, SIGKILL);	/* its child dies with it */
		waitpid(self->target, NULL, 0);
	}
}

static struct lm_maps_rec *smaps_of(const char *p)
{
	int i = lm_maps_find(&maps, (unsigned long)p);

	return i < 0 ? NULL : &maps.recs[i];
}

TEST_F(mem, every_field_against_smaps)
{
	struct lm_maps_rec *r;
	int bad, i;

	lm_compare_memory = true;
	lm_compare_rollup = true;
	bad = lm_compare(self->target, &view, &maps);
	ASSERT_LE(0, bad) TH_LOG("%s", lm_error);
	for (i = 0; i < NR_REGIONS; i++) {
		struct lm_view_rec *v = lm_view_find(&view, (unsigned long)self->p[i]);

		r = smaps_of(self->p[i]);
		ASSERT_NE(NULL, r);
		ASSERT_NE(NULL, v);
		TH_LOG("%-40s rss=%llu pss=%llu anon=%llu sc=%llu sd=%llu pc=%llu pd=%llu locked=%llu",
		       what[i], v->mem[LM_MEM_RSS], v->mem[LM_MEM_PSS], v->mem[LM_MEM_ANON],
		       v->mem[LM_MEM_SHARED_CLEAN], v->mem[LM_MEM_SHARED_DIRTY],
		       v->mem[LM_MEM_PRIVATE_CLEAN], v->mem[LM_MEM_PRIVATE_DIRTY],
		       v->mem[LM_MEM_LOCKED]);
	}
	TH_LOG("%d records compared with smaps, the header with smaps_rollup", view.nr);
	EXPECT_EQ(0, bad);
	/* the target is in the state the test means: smaps, from first principles */
	r = smaps_of(self->p[PRIVATE]);
	EXPECT_EQ(NR_PAGES * sysconf(_SC_PAGESIZE) / 1024, r->mem_kb[LM_MEM_PRIVATE_DIRTY]);
	r = smaps_of(self->p[COW]);
	EXPECT_EQ(r->mem_kb[LM_MEM_RSS] / 2, r->mem_kb[LM_MEM_PSS]);
	EXPECT_EQ(r->mem_kb[LM_MEM_RSS], r->mem_kb[LM_MEM_SHARED_DIRTY]);
	r = smaps_of(self->p[FILE_TWICE_A]);
	EXPECT_LT(r->mem_kb[LM_MEM_PSS], r->mem_kb[LM_MEM_RSS]);	/* mapped 4 times */
	r = smaps_of(self->p[LOCKED]);
	EXPECT_EQ(r->mem_kb[LM_MEM_PSS], r->mem_kb[LM_MEM_LOCKED]);
	EXPECT_NE(0, r->mem_kb[LM_MEM_LOCKED]);
	r = smaps_of(self->p[ZERO]);
	EXPECT_EQ(0, r->mem_kb[LM_MEM_RSS]);
	/* and the child it shares with, stopped too */
	bad = lm_compare(self->child, &view, &maps);
	EXPECT_EQ(0, bad) TH_LOG("the target's child, %d records", view.nr);

	lm_compare_memory = false;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--target"))
		return target();
	return test_harness_run(argc, argv);
}
