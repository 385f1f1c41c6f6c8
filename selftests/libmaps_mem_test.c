// SPDX-License-Identifier: GPL-2.0
/*
 * What each record costs: rss=, pss=, anon=, shared_clean=, shared_dirty=,
 * private_clean=, private_dirty= and locked= of every record, group and
 * the header, against smaps and smaps_rollup (x1024), on a stopped process
 * whose memory is shared with its stopped child in every way smaps tells
 * apart:
 * private pages of its own, pages copy-on-write shared after fork(),
 * shared anonymous memory both touch, a file mapped once and twice, an
 * mlock()ed range, the zero page, PMD-mapped huge pages of its own and
 * shared with the parent, pages swapped out (its own, and before fork()
 * so that both hold the swap entry), a tmpfs file swapped out under a
 * shared and a private writable mapping of it, pages KSM merged, and a
 * hugetlb page.  The expected values are smaps'; a few are also checked
 * from first principles, so that the target really is in the state the
 * test means.  Swap is a RAM disk the rig makes ready (LIBMAPS_SWAP_DEV),
 * on only while the fixture runs; KSM and the hugetlb pool are set and
 * put back the same way.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/swap.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#define NR_PAGES	64

static struct lm_view view;
static struct lm_maps maps;

enum { PRIVATE, COW, SHARED, FILE_ONCE, FILE_TWICE_A, FILE_TWICE_B, LOCKED, ZERO,
       SWAPPED, SWAP_COW, SHM_SHARED, SHM_PRIVATE, KSM, HUGETLB, HUGE_OWN, HUGE_COW,
       NR_REGIONS };
static const char * const what[NR_REGIONS] = {
	"private, written by the target", "written before fork (copy-on-write)",
	"shared anonymous, written by both", "a file, mapped once", "a file, first of two",
	"a file, second of two", "mlock()ed", "read only: the zero page",
	"swapped out by the target", "swapped out before fork",
	"tmpfs, shared, swapped out", "tmpfs, private, half copied",
	"KSM merged", "hugetlb", "a huge page of the target's own",
	"a huge page written before fork",
};

#define KSM_DIR		"/sys/kernel/mm/ksm/"
#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

/* Page @p out to swap; MADV_PAGEOUT skips pages it cannot isolate now. */
static void page_out(char *p, size_t len)
{
	for (int i = 0; i < 3; i++)
		madvise(p, len, MADV_PAGEOUT);
}

/* Wait (30 s at most) until ksmd has merged @n pages into others. */
static int ksm_wait(long n)
{
	char buf[32];

	for (int i = 0; i < 300; i++) {
		if (lm_read_file(KSM_DIR "pages_sharing", buf, sizeof(buf)) > 0 &&
		    atol(buf) >= n)
			return 0;
		usleep(100000);
	}
	return -1;
}

/*
 * The target: a process of its own (this program run again with
 * --target, so that it shares no page with the test, which keeps running
 * and writing), and a child it forks to share memory with; both stop.
 * It writes the addresses of its regions and the child's pid to fd 3.
 */
static int target(bool swap)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = NR_PAGES * pg, size[NR_REGIONS];
	char path[64], *p[NR_REGIONS];
	volatile char sink = 0;
	int i, fd, shm, status;
	pid_t child;
	size_t j;
	FILE *out = fdopen(3, "w");

	snprintf(path, sizeof(path), "/tmp/lm-mem-%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!out || fd < 0 || ftruncate(fd, len))
		return 1;
	unlink(path);
	snprintf(path, sizeof(path), "/dev/shm/lm-mem-%d", getpid());
	shm = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (shm < 0 || ftruncate(shm, len))
		return 1;
	unlink(path);
	for (i = 0; i < NR_REGIONS; i++) {
		int flags = MAP_PRIVATE | MAP_ANONYMOUS, mfd = -1;

		size[i] = i >= HUGE_OWN || i == HUGETLB ? LM_2PMD : len;
		if (i == SHARED)
			flags = MAP_SHARED | MAP_ANONYMOUS;
		if (i == FILE_ONCE || i == FILE_TWICE_A || i == FILE_TWICE_B) {
			flags = MAP_SHARED;
			mfd = fd;
		}
		if (i == SHM_SHARED || i == SHM_PRIVATE) {
			flags = i == SHM_SHARED ? MAP_SHARED : MAP_PRIVATE;
			mfd = shm;
		}
		if (i == HUGETLB) {
			/* one huge page, if the pool the fixture grew has it */
			size[i] = lm_hugetlb_size();
			p[i] = mmap(NULL, size[i], PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
			if (p[i] == MAP_FAILED)
				p[i] = NULL;
			continue;
		}
		p[i] = lm_map_aligned(size[i], i >= HUGE_OWN ? LM_PMD : (size_t)pg,
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
	memset(p[SWAP_COW], 10, len);
	memset(p[SHM_SHARED], 11, len);
	memset(p[SHM_PRIVATE], 12, len / 2);	/* copies of the first half */
	if (swap) {
		/* the child inherits the swap entries: two users each */
		page_out(p[SWAP_COW], len);
		page_out(p[SHM_SHARED], len);
	}

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
	memset(p[SWAPPED], 13, len);
	if (swap)
		page_out(p[SWAPPED], len);
	if (p[HUGETLB])
		memset(p[HUGETLB], 14, lm_hugetlb_size());
	memset(p[KSM], 15, len);
	if (madvise(p[KSM], len, MADV_MERGEABLE) || ksm_wait(NR_PAGES - 1)) {
		fprintf(stderr, "KSM did not merge %d equal pages in 30 s\n", NR_PAGES);
		return 1;
	}
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

/*
 * Run this program again as a target of its own (its first arguments
 * @mode and @arg, which may be NULL), with a pipe back to the test as its
 * fd 3: a process that shares no page with the test, which keeps running
 * and writing.  Returns the pipe's read end, or NULL; the pid in @pid.
 */
static FILE *start_target(pid_t *pid, const char *mode, const char *arg)
{
	char self_exe[256];
	int pfd[2];
	ssize_t n;

	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0 || pipe(pfd))
		return NULL;
	self_exe[n] = '\0';
	*pid = lm_fork();
	if (*pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	}
	if (!*pid) {
		close(pfd[0]);
		if (dup2(pfd[1], 3) < 0)
			_exit(1);
		execl(self_exe, self_exe, mode, arg, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	return fdopen(pfd[0], "r");
}

/* The @n addresses the target writes, one a line. */
static int read_addrs(FILE *in, char **p, int n)
{
	char line[64];

	for (int i = 0; i < n; i++) {
		if (!fgets(line, sizeof(line), in))
			return -1;
		p[i] = (char *)strtoul(line, NULL, 16);
	}
	return 0;
}

FIXTURE(mem)
{
	char *p[NR_REGIONS];
	pid_t target, child;
	const char *swap_dev;	/* swapped on by the fixture, or NULL */
	char ksm_run[16], ksm_scan[16], ksm_sleep[16], hugepages[32];
};

static int write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), ret = -1;

	if (fd >= 0) {
		ret = write(fd, value, strlen(value)) == (ssize_t)strlen(value) ? 0 : -1;
		close(fd);
	}
	return ret;
}

/* A knob's value, for putting it back: "" if there is none. */
static void save(const char *path, char *out, size_t size)
{
	ssize_t n = lm_read_file(path, out, size);

	out[n > 0 ? n : 0] = '\0';
}

static void restore(const char *path, const char *saved)
{
	if (saved[0])
		write_str(path, saved);
}

FIXTURE_SETUP(mem)
{
	char line[64];
	int status;
	FILE *in;

	self->target = self->child = 0;
	self->swap_dev = getenv("LIBMAPS_SWAP_DEV");
	if (self->swap_dev && swapon(self->swap_dev, 0)) {
		TH_LOG("swapon %s: %s", self->swap_dev, strerror(errno));
		self->swap_dev = NULL;
	}
	save(KSM_DIR "run", self->ksm_run, sizeof(self->ksm_run));
	save(KSM_DIR "pages_to_scan", self->ksm_scan, sizeof(self->ksm_scan));
	save(KSM_DIR "sleep_millisecs", self->ksm_sleep, sizeof(self->ksm_sleep));
	save(NR_HUGEPAGES, self->hugepages, sizeof(self->hugepages));
	ASSERT_EQ(0, write_str(KSM_DIR "pages_to_scan", "1000"));
	ASSERT_EQ(0, write_str(KSM_DIR "sleep_millisecs", "10"));
	ASSERT_EQ(0, write_str(KSM_DIR "run", "1"));
	if (atol(self->hugepages) < 1)
		write_str(NR_HUGEPAGES, "1");	/* may not be had: then no hugetlb region */
	in = start_target(&self->target, "--target", self->swap_dev ? "swap" : "");
	ASSERT_NE(NULL, in);
	ASSERT_EQ(0, read_addrs(in, self->p, NR_REGIONS)) TH_LOG("the target failed");
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
	if (self->swap_dev && swapoff(self->swap_dev))
		TH_LOG("swapoff %s: %s", self->swap_dev, strerror(errno));
	restore(KSM_DIR "run", self->ksm_run);
	restore(KSM_DIR "pages_to_scan", self->ksm_scan);
	restore(KSM_DIR "sleep_millisecs", self->ksm_sleep);
	restore(NR_HUGEPAGES, self->hugepages);
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

		if (i == HUGETLB && !self->p[i]) {
			TH_LOG("%-36s none: the pool has no free huge page", what[i]);
			continue;
		}
		r = smaps_of(self->p[i]);
		ASSERT_NE(NULL, r);
		ASSERT_NE(NULL, v);
		TH_LOG("%-36s rss=%llu pss=%llu anon=%llu sc=%llu sd=%llu pc=%llu pd=%llu swap=%llu swap_pss=%llu locked=%llu mthp=%s",
		       what[i], v->mem[LM_MEM_RSS], v->mem[LM_MEM_PSS], v->mem[LM_MEM_ANON],
		       v->mem[LM_MEM_SHARED_CLEAN], v->mem[LM_MEM_SHARED_DIRTY],
		       v->mem[LM_MEM_PRIVATE_CLEAN], v->mem[LM_MEM_PRIVATE_DIRTY],
		       v->mem[LM_MEM_SWAP], v->mem[LM_MEM_SWAP_PSS], v->mem[LM_MEM_LOCKED],
		       v->mthp);
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
	r = smaps_of(self->p[KSM]);	/* one page, mapped NR_PAGES times */
	EXPECT_EQ(NR_PAGES * sysconf(_SC_PAGESIZE) / 1024, r->mem_kb[LM_MEM_RSS]);
	EXPECT_EQ(sysconf(_SC_PAGESIZE) / 1024, r->mem_kb[LM_MEM_PSS]);
	if (self->p[HUGETLB]) {
		r = smaps_of(self->p[HUGETLB]);
		EXPECT_EQ(0, r->mem_kb[LM_MEM_RSS]);	/* smaps: Private_Hugetlb */
	}
	/* and the child it shares with, stopped too */
	bad = lm_compare(self->child, &view, &maps);
	EXPECT_EQ(0, bad) TH_LOG("the target's child, %d records", view.nr);

	lm_compare_memory = false;
}

/* The swapped regions are in the state the first test means. */
TEST_F(mem, swapped_as_meant)
{
	long kb = NR_PAGES * sysconf(_SC_PAGESIZE) / 1024;
	struct lm_maps_rec *r;
	int bad;

	if (!self->swap_dev)
		SKIP(return, "no swap device: the rig makes one ready as LIBMAPS_SWAP_DEV");
	lm_compare_memory = true;
	bad = lm_compare(self->target, &view, &maps);
	lm_compare_memory = false;
	ASSERT_LE(0, bad) TH_LOG("%s", lm_error);
	r = smaps_of(self->p[SWAPPED]);
	EXPECT_EQ(kb, r->mem_kb[LM_MEM_SWAP]);
	EXPECT_EQ(kb, r->mem_kb[LM_MEM_SWAP_PSS]);
	r = smaps_of(self->p[SWAP_COW]);	/* the child holds the entries too */
	EXPECT_EQ(kb, r->mem_kb[LM_MEM_SWAP]);
	EXPECT_EQ(kb / 2, r->mem_kb[LM_MEM_SWAP_PSS]);
	r = smaps_of(self->p[SHM_SHARED]);
	EXPECT_EQ(kb, r->mem_kb[LM_MEM_SWAP]);
	r = smaps_of(self->p[SHM_PRIVATE]);	/* only where it has no copy */
	EXPECT_EQ(kb / 2, r->mem_kb[LM_MEM_SWAP]);
	EXPECT_EQ(0, bad);
}

/*
 * Large folios mapped by PTEs (multi-size THP, 6.8+): the view's mthp=
 * against what pagemap and kpageflags say, on a target of its own with
 * folios of 16 and 4 pages enabled ("always"; 64K and 16K with 4 KiB
 * pages) and those of 8 pages and PMD-sized ones not: whole 16-page
 * folios, a region too small for one (4-page folios), a 16-page folio
 * whose middle page was mprotect()ed (one folio, three records) and one
 * half unmapped.  Sizes are in pages of the running kernel.
 */
enum { M_WHOLE, M_SMALL, M_SPLIT, M_HALF, M_NR };
enum { K_SMALL, K_MID, K_BIG, K_PMD, NR_KNOBS };
static const char * const mthp_values[NR_KNOBS] = { "always", "never", "always", "never" };
#define M_PAGE		((unsigned long)sysconf(_SC_PAGESIZE))
#define M_FOLIO		(16 * M_PAGE)	/* the big folio: 64K with 4 KiB pages */

/* The per-size knob of @k ("hugepages-<size>kB/enabled") into @buf. */
static const char *mthp_knob(int k, char *buf, size_t size)
{
	unsigned long kb[NR_KNOBS] = { 4 * M_PAGE >> 10, 8 * M_PAGE >> 10,
				       M_FOLIO >> 10, lm_pmd_size() >> 10 };

	snprintf(buf, size, "hugepages-%lukB/enabled", kb[k]);
	return buf;
}

static int mthp_target(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t size[M_NR] = { 16 * M_FOLIO, 12 * pg, M_FOLIO, M_FOLIO };
	FILE *out = fdopen(3, "w");
	char *p[M_NR];
	int i;

	for (i = 0; i < M_NR; i++) {
		p[i] = lm_map_aligned(size[i], M_FOLIO, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1);
		if (!out || p[i] == MAP_FAILED)
			return 1;
		memset(p[i], i + 1, size[i]);
	}
	if (mprotect(p[M_SPLIT] + M_FOLIO / 2, pg, PROT_READ) ||
	    munmap(p[M_HALF] + M_FOLIO / 2, M_FOLIO / 2))
		return 1;
	for (i = 0; i < M_NR; i++)
		fprintf(out, "%p\n", (void *)p[i]);
	fclose(out);
	raise(SIGSTOP);
	return 0;
}

FIXTURE(mthp)
{
	char saved[NR_KNOBS][32];
	char *p[M_NR];
	pid_t target;
	bool ready;	/* has mTHP: the 6.1 harness runs the body after a SKIP */
};

FIXTURE_SETUP(mthp)
{
	char knob[64], path[128];
	unsigned int i;

	self->target = 0;
	for (i = 0; i < NR_KNOBS; i++)
		self->saved[i][0] = '\0';
	snprintf(path, sizeof(path), LM_THP_DIR "%s", mthp_knob(K_BIG, knob, sizeof(knob)));
	self->ready = !access(path, F_OK);	/* else the body says why */
}

/*
 * The sizes' settings, and the target started under them.  In the test's
 * body, not the setup: the harness tears down after a failed body, but
 * not after a failed setup, which would leave the knobs changed.
 */
static void mthp_start(struct __test_metadata *_metadata, FIXTURE_DATA(mthp) *self)
{
	char knob[64];
	unsigned int i;
	int status;
	FILE *in;

	for (i = 0; i < NR_KNOBS; i++) {
		mthp_knob(i, knob, sizeof(knob));
		ASSERT_EQ(0, lm_knob_get(knob, self->saved[i], sizeof(self->saved[i])))
			TH_LOG("%s", knob);
		ASSERT_EQ(0, lm_knob_set(knob, mthp_values[i])) TH_LOG("%s", knob);
	}
	in = start_target(&self->target, "--mthp-target", NULL);
	ASSERT_NE(NULL, in);
	ASSERT_EQ(0, read_addrs(in, self->p, M_NR)) TH_LOG("the target failed");
	fclose(in);
	ASSERT_EQ(self->target, waitpid(self->target, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
}

FIXTURE_TEARDOWN(mthp)
{
	char knob[64];
	unsigned int i;

	if (self->target > 0) {
		kill(self->target, SIGKILL);
		waitpid(self->target, NULL, 0);
	}
	for (i = 0; i < NR_KNOBS; i++)
		if (self->saved[i][0])
			lm_knob_set(mthp_knob(i, knob, sizeof(knob)), self->saved[i]);
}

TEST_F(mthp, against_pagemap)
{
	unsigned long big = M_FOLIO >> 10, small = 4 * M_PAGE >> 10;
	long pg = sysconf(_SC_PAGESIZE);
	char want[256], meant[M_NR][32], one[32];
	int bad, i;

	if (!self->ready)
		SKIP(return, "no multi-size THP: the kernel has no hugepages-%lukB/enabled (6.8+)",
		     big);
	mthp_start(_metadata, self);
	snprintf(meant[M_WHOLE], sizeof(meant[0]), "%luK:16", big);
	snprintf(meant[M_SMALL], sizeof(meant[0]), "%luK:3", small);
	snprintf(meant[M_SPLIT], sizeof(meant[0]), "%luK:1", big);
	snprintf(meant[M_HALF], sizeof(meant[0]), "%luK:1", big);
	snprintf(one, sizeof(one), "%luK:1", big);
	lm_compare_memory = true;
	bad = lm_compare(self->target, &view, &maps);
	lm_compare_memory = false;
	ASSERT_LE(0, bad) TH_LOG("%s", lm_error);
	EXPECT_EQ(0, bad);
	/* the target is in the state the test means, as pagemap says */
	for (i = 0; i < M_NR; i++) {
		struct lm_view_rec *v = lm_view_find(&view, (unsigned long)self->p[i]);

		ASSERT_NE(NULL, v);
		ASSERT_EQ(0, lm_mthp_expected(self->target, v->start, v->end, want,
					      sizeof(want)));
		TH_LOG("%lx-%lx mthp=%s, pagemap: %s", v->start, v->end, v->mthp, want);
		EXPECT_STREQ(meant[i], want);
	}
	/* the mprotect()ed page and the rest of its folio: one folio, each record */
	for (i = 1; i <= 2; i++) {
		struct lm_view_rec *v = lm_view_find(&view, (unsigned long)self->p[M_SPLIT] +
						      M_FOLIO / 2 + (i == 1 ? 0 : pg));

		ASSERT_NE(NULL, v);
		EXPECT_STREQ(one, v->mthp);
	}
}

/*
 * arm64's contiguous PTEs (contpte, 6.9+): with large folios of exactly
 * lm_cont_size() (64 KiB with 4 KiB pages, 2 MiB with 16 KiB pages) the
 * only size enabled, a target faults in CONT_BLOCKS whole aligned blocks,
 * each mapped by one set_ptes() of its folio, which marks them; and one
 * more block whose middle page it mprotect()s, which the kernel must
 * unfold (the architecture wants every PTE of a block alike).  cont= must
 * count the first region whole, as pagemap and kpageflags show it, and
 * nothing in the three records of the other.  Every other record's cont=
 * is checked by lm_compare() against what pagemap allows.
 */
enum { C_WHOLE, C_SPLIT, C_NR };
#define CONT_BLOCKS	8

static int cont_target(void)
{
	unsigned long cont = lm_cont_size();
	size_t size[C_NR] = { CONT_BLOCKS * cont, cont };
	FILE *out = fdopen(3, "w");
	char *p[C_NR];
	int i;

	for (i = 0; i < C_NR; i++) {
		p[i] = lm_map_aligned(size[i], cont, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1);
		if (!out || p[i] == MAP_FAILED)
			return 1;
		memset(p[i], i + 1, size[i]);
	}
	if (mprotect(p[C_SPLIT] + cont / 2, sysconf(_SC_PAGESIZE), PROT_READ))
		return 1;
	for (i = 0; i < C_NR; i++)
		fprintf(out, "%p\n", (void *)p[i]);
	fclose(out);
	raise(SIGSTOP);
	return 0;
}

#define CONT_KNOBS	16

FIXTURE(contpte)
{
	char knob[CONT_KNOBS][48], saved[CONT_KNOBS][32];
	int nr;
	char *p[C_NR];
	pid_t target;
	char why[256];	/* the 6.1 harness runs the body after a SKIP */
};

FIXTURE_SETUP(contpte)
{
	unsigned long kb = lm_cont_size() >> 10;
	char path[96];
	struct utsname u;
	int major = 0, minor = 0;

	self->target = 0;
	self->nr = 0;
	self->why[0] = '\0';
	uname(&u);
	sscanf(u.release, "%d.%d", &major, &minor);
	if (!kb) {
		snprintf(self->why, sizeof(self->why),
			 "%s has no contiguous-PTE bit (arm64's)", u.machine);
		return;
	}
	snprintf(path, sizeof(path), LM_THP_DIR "hugepages-%lukB/enabled", kb);
	if (access(path, F_OK)) {
		snprintf(self->why, sizeof(self->why),
			 "no multi-size THP of %lu KiB (%s: 6.8+)", kb, path);
		return;
	}
	if (major < 6 || (major == 6 && minor < 9))
		snprintf(self->why, sizeof(self->why), "%s: contpte came in 6.9", u.release);
}

/*
 * The lm_cont_size() folios always, every other size never, and the
 * target started under that.  In the test's body, not the setup: the
 * harness tears down after a failed body, but not after a failed setup.
 */
static void cont_start(struct __test_metadata *_metadata, FIXTURE_DATA(contpte) *self)
{
	const char *bad = NULL;
	char want[48];
	struct dirent *e;
	int status;
	DIR *d;
	FILE *in;

	snprintf(want, sizeof(want), "hugepages-%lukB", lm_cont_size() >> 10);
	d = opendir(LM_THP_DIR);
	ASSERT_NE(NULL, d);
	while (!bad && (e = readdir(d))) {
		if (strncmp(e->d_name, "hugepages-", 10))
			continue;
		if (self->nr == CONT_KNOBS) {
			bad = "more per-size knobs than CONT_KNOBS";
			break;
		}
		snprintf(self->knob[self->nr], sizeof(self->knob[0]), "%.30s/enabled", e->d_name);
		if (lm_knob_get(self->knob[self->nr], self->saved[self->nr],
				sizeof(self->saved[0])))
			continue;
		self->nr++;
		if (lm_knob_set(self->knob[self->nr - 1],
				strcmp(e->d_name, want) ? "never" : "always"))
			bad = self->knob[self->nr - 1];
	}
	closedir(d);
	ASSERT_EQ(NULL, bad) TH_LOG("%s: %s", bad, strerror(errno));
	in = start_target(&self->target, "--cont-target", NULL);
	ASSERT_NE(NULL, in);
	ASSERT_EQ(0, read_addrs(in, self->p, C_NR)) TH_LOG("the target failed");
	fclose(in);
	ASSERT_EQ(self->target, waitpid(self->target, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
}

FIXTURE_TEARDOWN(contpte)
{
	int i;

	if (self->target > 0) {
		kill(self->target, SIGKILL);
		waitpid(self->target, NULL, 0);
	}
	for (i = 0; i < self->nr; i++)
		lm_knob_set(self->knob[i], self->saved[i]);
}

TEST_F_TIMEOUT(contpte, against_pagemap, 180)
{
	unsigned long cont = lm_cont_size(), pg = sysconf(_SC_PAGESIZE), most;
	struct lm_view_rec *v;
	int bad, i;

	if (self->why[0])
		SKIP(return, "%s", self->why);
	cont_start(_metadata, self);
	lm_compare_memory = true;
	bad = lm_compare(self->target, &view, &maps);
	lm_compare_memory = false;
	ASSERT_LE(0, bad) TH_LOG("%s", lm_error);
	EXPECT_EQ(0, bad);

	/* the target is as meant: whole blocks of one folio each */
	v = lm_view_find(&view, (unsigned long)self->p[C_WHOLE]);
	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, lm_cont_bound(self->target, v->start, v->end, &most)) TH_LOG("%s", lm_error);
	TH_LOG("%lx-%lx cont=%lu, pagemap allows %lu (%d blocks of %lu KiB)", v->start, v->end,
	       v->cont, most, CONT_BLOCKS, cont >> 10);
	ASSERT_EQ(CONT_BLOCKS * cont, most) TH_LOG("the folios are not whole blocks");
	EXPECT_EQ(most, v->cont);

	/* the block with a read-only page in its middle: none, in each record */
	for (i = 0; i < 3; i++) {
		unsigned long at = (unsigned long)self->p[C_SPLIT] +
				   (i == 0 ? 0 : i == 1 ? cont / 2 : cont / 2 + pg);

		v = lm_view_find(&view, at);
		ASSERT_NE(NULL, v) TH_LOG("no record at %lx", at);
		TH_LOG("%lx-%lx %s cont=%lu", v->start, v->end, v->perms, v->cont);
		EXPECT_EQ(0UL, v->cont);
	}
}

/*
 * The walk lets a writer in, between PMD tables, and goes on where it
 * stopped: a target with 512 MiB of its own pages, mapped by PTEs, and a
 * thread of it that changes its map all the time.  Every view read
 * meanwhile must count the big range exactly, however often its walk was
 * cut and into however many records the copy found it split.
 *
 * Under the mmap lock (vma_locks N, or a kernel before 7.0) the walk lets
 * in a writer waiting for that lock (module parameter walk_yields counts
 * it), whatever it changes: a thread that maps and unmaps a page
 * elsewhere.  Under per-VMA locks (vma_locks Y, 7.0+) the walk holds only
 * the read lock of the VMA it walks, so that writer never waits for it and
 * is never let in (walk_yields stays), while one that changes the VMA
 * being walked, mprotect() of one of its pages back and forth, is let in
 * at the next PMD table (vma_walk_yields counts it).  The teardown puts
 * back what the module had.
 */
#define YIELDS	"/sys/module/libmaps/parameters/walk_yields"
#define VMA_YIELDS "/sys/module/libmaps/parameters/vma_walk_yields"
#define VMA_LOCKS "/sys/module/libmaps/parameters/vma_locks"
#define SZ_BIG	(512UL << 20)

/* Map and unmap a page elsewhere, for ever. */
static void *churn(void *arg)
{
	long pg = sysconf(_SC_PAGESIZE);

	(void)arg;
	for (;;) {
		void *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p != MAP_FAILED)
			munmap(p, pg);
	}
	return NULL;
}

/* Split the big mapping at its middle page and merge it again, for ever. */
static void *churn_big(void *arg)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *mid = (char *)arg + SZ_BIG / 2;

	for (;;) {
		mprotect(mid, pg, PROT_READ);
		mprotect(mid, pg, PROT_READ | PROT_WRITE);
	}
	return NULL;
}

static void write_param(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			perror(path);
		close(fd);
	}
}

static long read_counter(const char *path)
{
	char buf[64];

	return lm_read_file(path, buf, sizeof(buf)) > 0 ? atol(buf) : -1;
}

/*
 * Read the view of a target whose thread runs @fn on its big mapping, up
 * to @max_reads times or until @counter grew by more than 5; each read
 * must count the big range whole.  Returns how much @counter grew, or -1 if a read
 * was wrong (logged).
 */
static long walk_while(struct __test_metadata *_metadata, void *(*fn)(void *),
		       const char *counter, int max_reads)
{
	long pg = sysconf(_SC_PAGESIZE), before, after;
	char path[64];
	static char text[1 << 20];
	int pfd[2], reads, bad = 0;
	pthread_t t;
	char *big;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = lm_fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		big = lm_map_aligned(SZ_BIG, LM_PMD, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1);
		if (big == MAP_FAILED || madvise(big, SZ_BIG, MADV_NOHUGEPAGE))
			_exit(1);
		for (size_t off = 0; off < SZ_BIG; off += pg)
			big[off] = 1;
		if (pthread_create(&t, NULL, fn, big))
			_exit(1);
		if (write(pfd[1], &big, sizeof(big)) != sizeof(big))
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &big, sizeof(big)) != sizeof(big)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pfd[0]);
		TH_LOG("the target could not map %lu MiB", SZ_BIG >> 20);
		return -1;
	}
	close(pfd[0]);
	before = after = read_counter(counter);
	snprintf(path, sizeof(path), LM_DEBUGFS "/%d", pid);
	for (reads = 0; reads < max_reads && !bad && after <= before + 5; reads++) {
		unsigned long long sum[LM_MEM_NR] = { 0 };
		unsigned long size = 0;
		int i, m;

		if (lm_read_file(path, text, sizeof(text)) < 0 || lm_parse_view(text, &view)) {
			bad = 1;
			TH_LOG("%s: %s", path, lm_error);
			break;
		}
		for (i = 0; i < view.nr; i++) {
			const struct lm_view_rec *r = &view.recs[i];

			if (r->start < (unsigned long)big || r->end > (unsigned long)big + SZ_BIG)
				continue;
			size += r->end - r->start;
			for (m = 0; m < LM_MEM_NR; m++)
				sum[m] += r->mem[m];
		}
		if (size != SZ_BIG || sum[LM_MEM_RSS] != SZ_BIG || sum[LM_MEM_ANON] != SZ_BIG ||
		    sum[LM_MEM_PRIVATE_DIRTY] != SZ_BIG || sum[LM_MEM_PSS] != SZ_BIG) {
			bad = 1;
			TH_LOG("read %d: records of %lu bytes, rss=%llu anon=%llu private_dirty=%llu pss=%llu, all %lu meant",
			       reads, size, sum[LM_MEM_RSS], sum[LM_MEM_ANON],
			       sum[LM_MEM_PRIVATE_DIRTY], sum[LM_MEM_PSS], SZ_BIG);
		}
		after = read_counter(counter);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	TH_LOG("%d reads, %s grew by %ld", reads, strrchr(counter, '/') + 1, after - before);
	return bad || before < 0 ? -1 : after - before;
}

FIXTURE(walk) {
	char vma_locks[8];	/* as the module had it; "" if it has none */
};
FIXTURE_VARIANT(walk) {
	const char *vma_locks;
};
FIXTURE_VARIANT_ADD(walk, mmap_lock) {
	.vma_locks = "N",
};
FIXTURE_VARIANT_ADD(walk, vma_locks) {
	.vma_locks = "Y",
};
FIXTURE_SETUP(walk)
{
	if (lm_read_file(VMA_LOCKS, self->vma_locks, sizeof(self->vma_locks)) <= 0)
		self->vma_locks[0] = '\0';
	if (!self->vma_locks[0] && !strcmp(variant->vma_locks, "Y"))
		SKIP(return, "no per-VMA reads (kernel before 7.0, or without CONFIG_PER_VMA_LOCK): the walk is made under the mmap lock");
	if (self->vma_locks[0])
		write_param(VMA_LOCKS, variant->vma_locks);
}
FIXTURE_TEARDOWN(walk)
{
	if (self->vma_locks[0])
		write_param(VMA_LOCKS, self->vma_locks);
}

/* A writer elsewhere: let in under the mmap lock, never waits under VMA locks. */
TEST_F(walk, lets_a_writer_in)
{
	bool vma_locked = !strcmp(variant->vma_locks, "Y");
	long grew;

	/* the setup's SKIP does not end the test on every harness */
	if (vma_locked && !self->vma_locks[0])
		return;
	grew = walk_while(_metadata, churn, YIELDS, vma_locked ? 10 : 50);

	ASSERT_LE(0, grew);
	if (vma_locked) {
		EXPECT_EQ(0, grew);
	} else {
		EXPECT_LT(0, grew);
	}
}

/* A writer of the VMA being walked: let in either way. */
TEST_F(walk, lets_the_vmas_writer_in)
{
	bool vma_locked = !strcmp(variant->vma_locks, "Y");
	long grew;

	/* the setup's SKIP does not end the test on every harness */
	if (vma_locked && !self->vma_locks[0])
		return;
	grew = walk_while(_metadata, churn_big, vma_locked ? VMA_YIELDS : YIELDS, 50);

	ASSERT_LE(0, grew);
	EXPECT_LT(0, grew);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--target"))
		return target(argc > 2 && !strcmp(argv[2], "swap"));
	if (argc > 1 && !strcmp(argv[1], "--mthp-target"))
		return mthp_target();
	if (argc > 1 && !strcmp(argv[1], "--cont-target"))
		return cont_target();
	return test_harness_run(argc, argv);
}
