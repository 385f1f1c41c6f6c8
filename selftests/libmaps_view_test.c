// SPDX-License-Identifier: GPL-2.0
/*
 * Build address spaces that make /proc/<pid>/maps show several records,
 * and check that the libmaps view lists exactly the kernel's records, with
 * the kernel's ranges, permissions, offsets, devices, inodes and names
 * (/proc/<pid>/maps), flags (smaps VmFlags) and THP eligibility (smaps
 * THPeligible).  The harness runs each test in a child of its own, so a
 * test may change its address space freely.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif


/* From libgap.so, linked with -z max-page-size=0x200000. */
extern int gap_value(void);

static struct lm_view view;
static struct lm_maps maps;

/* Compare the view of @pid (0: self) with maps and smaps; 0 if identical. */
static int compare(struct __test_metadata *_metadata, pid_t pid)
{
	int bad = lm_compare(pid, &view, &maps);

	if (bad < 0)
		TH_LOG("%s", lm_error);
	return bad;
}

/* The view record that starts at @start, or NULL. */
static struct lm_view_rec *view_rec(unsigned long start)
{
	for (int i = 0; i < view.nr; i++)
		if (view.recs[i].start == start)
			return &view.recs[i];
	return NULL;
}

/* A 2 MiB-aligned anonymous region of @size, or MAP_FAILED. */
static void *map_aligned(size_t size)
{
	return lm_map_aligned(size, LM_PMD, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1);
}

static int thp_mode(char *mode, size_t size)
{
	char buf[256], *open, *close;

	if (lm_read_file("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) < 0)
		return -1;
	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close)
		return -1;
	snprintf(mode, size, "%.*s", (int)(close - open - 1), open + 1);
	return 0;
}

/* The process as it starts: every record of every mapping. */
TEST(plain_process)
{
	ASSERT_EQ(0, compare(_metadata, 0));
	EXPECT_EQ(getpid(), view.pid);
}

/* libstdc++: the library libmaps was written to explain. */
TEST(libstdcxx_records)
{
	int i, n = 0, first = -1;
	char perms[8][5];
	bool distinct = false;
	void *h = dlopen("libstdc++.so.6", RTLD_NOW);

	ASSERT_NE(NULL, h) TH_LOG("dlopen libstdc++.so.6: %s", dlerror());
	ASSERT_EQ(0, compare(_metadata, 0));

	/* The oracle: maps shows several records of it with different modes. */
	for (i = 0; i < maps.nr && n < 8; i++) {
		if (!strstr(maps.recs[i].name, "libstdc++.so"))
			continue;
		if (first < 0)
			first = i;
		memcpy(perms[n], maps.recs[i].perms, 5);
		if (n && strcmp(perms[n], perms[0]))
			distinct = true;
		n++;
	}
	ASSERT_GE(n, 3) TH_LOG("maps shows %d libstdc++ records", n);
	ASSERT_TRUE(distinct);

	/* ... and libmaps puts all of them in one file group. */
	for (i = 0; i < view.nr; i++) {
		if (!strstr(view.recs[i].name, "libstdc++.so"))
			continue;
		EXPECT_STREQ("file", view.recs[i].kind);
		EXPECT_EQ(view.recs[i].group, view_rec(maps.recs[first].start)->group);
	}
	dlclose(h);
}

/* A library whose segments are 2 MiB apart in the file's address space. */
TEST(alignment_gap)
{
	int i, lib, gaps = 0, group = -1;

	ASSERT_EQ(42, gap_value());
	ASSERT_EQ(0, compare(_metadata, 0));

	lib = lm_maps_find_name(&maps, "/libgap.so", 0);
	ASSERT_GE(lib, 0);
	for (i = lib; i >= 0; i = lm_maps_find_name(&maps, "/libgap.so", i + 1)) {
		struct lm_view_rec *r = view_rec(maps.recs[i].start);

		ASSERT_NE(NULL, r);
		if (group < 0)
			group = r->group;
		EXPECT_EQ(group, r->group);
		if (!strcmp(maps.recs[i].perms, "---p"))
			gaps++;
	}
	ASSERT_GE(gaps, 1) TH_LOG("maps shows no ---p record of libgap.so");
}

/* One anonymous mapping split into three VMAs by mprotect(). */
TEST(mprotect_split)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = lm_map_aligned(3 * pg, pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ));
	ASSERT_EQ(0, compare(_metadata, 0));

	ASSERT_GE(lm_maps_find(&maps, (unsigned long)p), 0);
	ASSERT_GE(lm_maps_find(&maps, (unsigned long)p + pg), 0);
	ASSERT_GE(lm_maps_find(&maps, (unsigned long)p + 2 * pg), 0);
	EXPECT_STREQ("r--p", view_rec((unsigned long)p + pg)->perms);
	munmap(p, 3 * pg);
}

/* A file mapping with another file's pages laid over its middle. */
TEST(map_fixed_overlay)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/exe", O_RDONLY);
	char *p, *q;

	ASSERT_GE(fd, 0);
	p = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mmap(p + pg, 2 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(p + pg, q);
	ASSERT_EQ(0, compare(_metadata, 0));

	ASSERT_GE(lm_maps_find(&maps, (unsigned long)p), 0);
	ASSERT_GE(lm_maps_find(&maps, (unsigned long)q), 0);
	ASSERT_GE(lm_maps_find(&maps, (unsigned long)p + 3 * pg), 0);
	/* both file pieces belong to the executable's group */
	EXPECT_EQ(view_rec((unsigned long)p)->group,
		  view_rec((unsigned long)p + 3 * pg)->group);
	EXPECT_STREQ("anon", view_rec((unsigned long)q)->kind);
	munmap(p, 4 * pg);
	close(fd);
}

static void thp_case(struct __test_metadata *_metadata, int advice,
		     const char *mnemonic)
{
	char mode[32];
	char *p;
	int i;

	if (thp_mode(mode, sizeof(mode)))
		SKIP(return, "kernel without transparent huge pages (no sysfs knob)");
	p = map_aligned(LM_2PMD);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, LM_2PMD, advice));
	p[0] = 1;
	ASSERT_EQ(0, compare(_metadata, 0));

	i = lm_maps_find(&maps, (unsigned long)p);
	ASSERT_GE(i, 0);
	ASSERT_EQ(LM_2PMD, maps.recs[i].end - maps.recs[i].start);
	EXPECT_TRUE(lm_view_has_flag(view_rec((unsigned long)p), mnemonic));
	/* first principles, under THP "always" or "madvise" */
	if (strcmp(mode, "never"))
		EXPECT_EQ(advice == MADV_HUGEPAGE, maps.recs[i].thp_eligible);
	munmap(p, LM_2PMD);
}

TEST(thp_madv_hugepage)
{
	thp_case(_metadata, MADV_HUGEPAGE, "hg");
}

TEST(thp_madv_nohugepage)
{
	thp_case(_metadata, MADV_NOHUGEPAGE, "nh");
}

/* After PR_SET_THP_DISABLE nothing of the process is eligible. */
TEST(thp_prctl_disable)
{
	char *p = map_aligned(LM_2PMD);
	int i;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	ASSERT_EQ(0, compare(_metadata, 0));
	for (i = 0; i < maps.nr; i++)
		EXPECT_EQ(0, maps.recs[i].thp_eligible);
	munmap(p, LM_2PMD);
}

/* memfd and shmem: files that live in shared memory. */
TEST(memfd_and_shmem)
{
	long pg = sysconf(_SC_PAGESIZE);
	int mfd = memfd_create("libmaps-test", 0);
	int sfd = open("/dev/shm/libmaps-test", O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *m, *s, *a;

	ASSERT_GE(mfd, 0);
	ASSERT_GE(sfd, 0);
	ASSERT_EQ(0, ftruncate(mfd, 2 * pg));
	ASSERT_EQ(0, ftruncate(sfd, 2 * pg));
	m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	s = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, sfd, 0);
	a = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_NE(MAP_FAILED, s);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_EQ(0, compare(_metadata, 0));

	ASSERT_GE(lm_maps_find(&maps, (unsigned long)m), 0);
	EXPECT_NE(NULL, strstr(maps.recs[lm_maps_find(&maps, (unsigned long)m)].name,
			       "memfd:libmaps-test"));
	EXPECT_STREQ("file", view_rec((unsigned long)m)->kind);
	EXPECT_STREQ("file", view_rec((unsigned long)s)->kind);
	EXPECT_STREQ("file", view_rec((unsigned long)a)->kind);
	munmap(m, 2 * pg);
	munmap(s, 2 * pg);
	munmap(a, 2 * pg);
	close(mfd);
	close(sfd);
	unlink("/dev/shm/libmaps-test");
}

/* prctl(PR_SET_VMA_ANON_NAME) names anonymous memory [anon:<name>]. */
TEST(anon_name)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = lm_map_aligned(2 * pg, pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1);
	struct lm_view_rec *r;

	ASSERT_NE(MAP_FAILED, p);
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, 2 * pg,
		  "libmaps-name") && errno == EINVAL)
		SKIP(return, "kernel built without CONFIG_ANON_VMA_NAME");
	ASSERT_EQ(0, compare(_metadata, 0));
	r = view_rec((unsigned long)p);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("anon-named", r->kind);
	EXPECT_STREQ("[anon:libmaps-name]",
		     maps.recs[lm_maps_find(&maps, (unsigned long)p)].name);
	munmap(p, 2 * pg);
}

/* A file mapped shared and writable: rw-s. */
TEST(shared_writable_file)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = open("/dev/shm/libmaps-rw", O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *p;
	int i;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 3 * pg));
	p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, compare(_metadata, 0));
	i = lm_maps_find(&maps, (unsigned long)p);
	ASSERT_GE(i, 0);
	EXPECT_STREQ("rw-s", maps.recs[i].perms);
	EXPECT_EQ((unsigned long long)pg, maps.recs[i].offset);
	munmap(p, 3 * pg);
	close(fd);
	unlink("/dev/shm/libmaps-rw");
}

/* Another process: its view against its own maps and smaps. */
TEST(other_process)
{
	int pfd[2];
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(pfd));
	child = lm_fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		long pg = sysconf(_SC_PAGESIZE);
		char *p = mmap(NULL, 5 * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || mprotect(p + 2 * pg, pg, PROT_NONE))
			_exit(1);
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	EXPECT_EQ(0, compare(_metadata, child));
	EXPECT_EQ(child, view.pid);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

TEST_HARNESS_MAIN
