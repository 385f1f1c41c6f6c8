// SPDX-License-Identifier: GPL-2.0
/*
 * Edges of the view: every VmFlags mnemonic a test can set from userspace,
 * the newer flags (mseal, MAP_DROPPABLE, guard regions) where the kernel
 * has them; file names that are hard to print (spaces, newlines, deleted
 * files, paths of 3000 bytes); one inode mapped through two opens and two
 * hard links; odd backings (/dev/zero, a perf ring buffer, secretmem,
 * offsets past 4 GiB, hugetlbfs); thousands of VMAs and mremap(); the
 * header's comm; threads, pid namespaces and reused pids; every process
 * of the machine; and address spaces that change, exit or exec while
 * their views are read.
 *
 * The oracle is the kernel's own /proc/<pid>/maps and smaps (lm_compare())
 * and what each test did; nothing is taken from the view to check itself.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		0x01
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK		18
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE		0x08
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102
#endif
#ifndef __NR_mseal
#define __NR_mseal		462
#endif

static struct lm_view view;
static struct lm_maps maps;
static char text[8 << 20];
static long pg;

static int compare(struct __test_metadata *_metadata, pid_t pid)
{
	int bad = lm_compare(pid, &view, &maps);

	if (bad < 0)
		TH_LOG("%s", lm_error);
	return bad;
}

static struct lm_view_rec *rec(const void *start)
{
	return lm_view_find(&view, (unsigned long)start);
}

static struct lm_maps_rec *maps_rec(const void *start)
{
	int i = lm_maps_find(&maps, (unsigned long)start);

	return i < 0 ? NULL : &maps.recs[i];
}

static bool smaps_has(const struct lm_maps_rec *m, const char *mnemonic)
{
	for (int i = 0; i < m->nr_vmflags; i++)
		if (!strcmp(m->vmflags[i], mnemonic))
			return true;
	return false;
}

static void *anon(size_t size, int prot, int flags)
{
	return mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

/* -------------------------------------------------------------- flags */

/*
 * One region per flag a process can set on itself, each a VMA of its own.
 * smaps must show the mnemonic (first principles: the test set it), and
 * then the view must decode it; lm_compare() checks every other bit.
 */
TEST(vmflags_from_userspace)
{
	struct {
		const char *what, *mnemonic;
		char *p;
	} r[12];
	int n = 0, i, ksm;

#define REGION(desc, mn, expr) do {				\
		r[n].what = desc;				\
		r[n].mnemonic = mn;				\
		r[n].p = (expr);				\
		ASSERT_NE(MAP_FAILED, r[n].p) TH_LOG("%s", desc);	\
		n++;						\
	} while (0)

	REGION("mlock", "lo", anon(2 * pg, PROT_READ | PROT_WRITE, MAP_LOCKED));
	REGION("mlock2 onfault", "lf", anon(3 * pg, PROT_READ | PROT_WRITE, 0));
	ASSERT_EQ(0, syscall(SYS_mlock2, r[n - 1].p, 3 * pg, MLOCK_ONFAULT));
	REGION("dontdump", "dd", anon(4 * pg, PROT_READ | PROT_WRITE, 0));
	ASSERT_EQ(0, madvise(r[n - 1].p, 4 * pg, MADV_DONTDUMP));
	REGION("wipeonfork", "wf", anon(5 * pg, PROT_READ | PROT_WRITE, 0));
	ASSERT_EQ(0, madvise(r[n - 1].p, 5 * pg, MADV_WIPEONFORK));
	REGION("dontfork", "dc", anon(6 * pg, PROT_READ | PROT_WRITE, 0));
	ASSERT_EQ(0, madvise(r[n - 1].p, 6 * pg, MADV_DONTFORK));
	REGION("noreserve", "nr", anon(7 * pg, PROT_READ | PROT_WRITE, MAP_NORESERVE));
	REGION("sequential", "sr", anon(8 * pg, PROT_READ, 0));
	ASSERT_EQ(0, madvise(r[n - 1].p, 8 * pg, MADV_SEQUENTIAL));
	REGION("random", "rr", anon(9 * pg, PROT_READ, 0));
	ASSERT_EQ(0, madvise(r[n - 1].p, 9 * pg, MADV_RANDOM));
	REGION("growsdown", "gd", anon(10 * pg, PROT_READ | PROT_WRITE, MAP_GROWSDOWN));
	REGION("prot_none", "mr", anon(11 * pg, PROT_NONE, 0));
	REGION("exec", "ex", anon(12 * pg, PROT_READ | PROT_EXEC, 0));
	REGION("mergeable", "mg", anon(13 * pg, PROT_READ | PROT_WRITE, 0));
	ksm = madvise(r[n - 1].p, 13 * pg, MADV_MERGEABLE);
	if (ksm)
		TH_LOG("MADV_MERGEABLE: %s: kernel without KSM, mg not checked",
		       strerror(errno));
#undef REGION

	ASSERT_EQ(0, compare(_metadata, 0));
	for (i = 0; i < n; i++) {
		struct lm_maps_rec *m = maps_rec(r[i].p);
		struct lm_view_rec *v = rec(r[i].p);

		ASSERT_NE(NULL, m) TH_LOG("%s: no maps record at %p", r[i].what, r[i].p);
		ASSERT_NE(NULL, v) TH_LOG("%s: no view record at %p", r[i].what, r[i].p);
		if (!strcmp(r[i].mnemonic, "mg") && ksm)
			continue;
		if (!strcmp(r[i].mnemonic, "lf") && !smaps_has(m, "lf")) {
			/* 6.1's smaps has no name for VM_LOCKONFAULT: bit<N> */
			EXPECT_FALSE(lm_view_has_flag(v, "lf"))
				TH_LOG("view names VM_LOCKONFAULT 'lf', smaps of this kernel does not");
			continue;
		}
		EXPECT_TRUE(smaps_has(m, r[i].mnemonic))
			TH_LOG("%s: smaps lacks %s", r[i].what, r[i].mnemonic);
		EXPECT_TRUE(lm_view_has_flag(v, r[i].mnemonic))
			TH_LOG("%s: view lacks %s", r[i].what, r[i].mnemonic);
	}
	/* PROT_NONE: no rd/wr/ex, but may-read/write/exec stay */
	EXPECT_STREQ("---p", rec(r[9].p)->perms);
	EXPECT_FALSE(lm_view_has_flag(rec(r[9].p), "rd"));
}

/* mseal(2), 6.10+: a sealed VMA shows "sl" in smaps on 64-bit. */
TEST(sealed)
{
	char *p = anon(3 * pg, PROT_READ, 0);

	ASSERT_NE(MAP_FAILED, p);
	if (syscall(__NR_mseal, p, 3 * pg, 0)) {
		if (errno == ENOSYS || errno == EINVAL || errno == EPERM)
			SKIP(return, "no mseal() on this kernel (%s)", strerror(errno));
		ASSERT_EQ(0, errno);
	}
	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(p));
	ASSERT_TRUE(smaps_has(maps_rec(p), "sl"));
	EXPECT_TRUE(lm_view_has_flag(rec(p), "sl"));
}

/* MAP_DROPPABLE, 6.11+: "dp". */
TEST(droppable)
{
	char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED && (errno == EINVAL || errno == EOPNOTSUPP))
		SKIP(return, "no MAP_DROPPABLE on this kernel (%s)", strerror(errno));
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(p));
	ASSERT_TRUE(smaps_has(maps_rec(p), "dp"));
	EXPECT_TRUE(lm_view_has_flag(rec(p), "dp"));
	munmap(p, 4 * pg);
}

/* Guard regions, 6.13+: the VMA stays one; smaps may show "gu". */
TEST(guard_region)
{
	char *p = anon(8 * pg, PROT_READ | PROT_WRITE, 0);

	ASSERT_NE(MAP_FAILED, p);
	if (madvise(p + 2 * pg, 2 * pg, MADV_GUARD_INSTALL)) {
		if (errno == EINVAL)
			SKIP(return, "no MADV_GUARD_INSTALL on this kernel");
		ASSERT_EQ(0, errno);
	}
	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(p));
	EXPECT_EQ((unsigned long)p + 8 * pg, maps_rec(p)->end);
	if (smaps_has(maps_rec(p), "gu"))
		EXPECT_TRUE(lm_view_has_flag(rec(p), "gu"));
	munmap(p, 8 * pg);
}

/* -------------------------------------------------------------- names */

FIXTURE(files)
{
	char dir[64];
	int nr;
	char *paths[64];
};

FIXTURE_SETUP(files)
{
	snprintf(self->dir, sizeof(self->dir), "/dev/shm/libmaps-edge-%d", getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0700));
	self->nr = 0;
}

FIXTURE_TEARDOWN(files)
{
	for (int i = self->nr - 1; i >= 0; i--) {
		unlink(self->paths[i]);
		rmdir(self->paths[i]);
		free(self->paths[i]);
	}
	rmdir(self->dir);
}

/* Remember @path for the teardown (removed in reverse order). */
static const char *keep(FIXTURE_DATA(files) *self, const char *path)
{
	self->paths[self->nr] = strdup(path);
	return self->paths[self->nr++];
}

/* Create @path with @pages pages and map it; the mapping or MAP_FAILED. */
static char *map_new_file(const char *path, int pages, int prot, int flags)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *p;

	if (fd < 0)
		return MAP_FAILED;
	if (ftruncate(fd, pages * pg)) {
		close(fd);
		return MAP_FAILED;
	}
	p = mmap(NULL, pages * pg, prot, flags, fd, 0);
	close(fd);
	return p;
}

/* Spaces and a newline in a name, and a file deleted while mapped. */
TEST_F(files, awkward_names)
{
	char path[256];
	char *a, *b;
	const char *pa;

	snprintf(path, sizeof(path), "%s/two words\nand a newline", self->dir);
	pa = keep(self, path);
	a = map_new_file(pa, 2, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, a);
	snprintf(path, sizeof(path), "%s/deleted", self->dir);
	b = map_new_file(path, 3, PROT_READ, MAP_PRIVATE);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, unlink(path));

	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(a));
	ASSERT_NE(NULL, maps_rec(b));
	/* what maps says, from first principles */
	EXPECT_NE(NULL, strstr(maps_rec(a)->name, "/two words\\012and a newline"));
	snprintf(path, sizeof(path), "%s/deleted (deleted)", self->dir);
	EXPECT_STREQ(path, maps_rec(b)->name);
	munmap(a, 2 * pg);
	munmap(b, 3 * pg);
}

/*
 * Paths of about 3000 bytes, a dozen of them: names longer than a parser
 * may expect, and more text than a view of this many VMAs usually needs.
 * The view's name= must be the whole path.
 */
TEST_F(files, long_paths)
{
	static char path[PATH_MAX];
	char *p[12], want[PATH_MAX + 32];
	size_t len;
	int i;

	len = snprintf(path, sizeof(path), "%s", self->dir);
	while (len < 3000) {
		len += snprintf(path + len, sizeof(path) - len, "/%0200d", (int)len);
		ASSERT_EQ(0, mkdir(path, 0700));
		keep(self, path);
	}
	for (i = 0; i < 12; i++) {
		snprintf(path + len, sizeof(path) - len, "/file-%02d", i);
		p[i] = map_new_file(keep(self, path), 1 + i % 3, PROT_READ, MAP_SHARED);
		ASSERT_NE(MAP_FAILED, p[i]);
	}
	ASSERT_EQ(0, compare(_metadata, 0));

	/* the whole name, read from the view's own text */
	ASSERT_GT(lm_read_file(LM_DEBUGFS "/self", text, sizeof(text)), 0);
	for (i = 0; i < 12; i++) {
		snprintf(path + len, sizeof(path) - len, "/file-%02d", i);
		snprintf(want, sizeof(want), " name=%s\n", path);
		EXPECT_NE(NULL, strstr(text, want)) TH_LOG("file %d: full path not in the view", i);
		munmap(p[i], (1 + i % 3) * pg);
	}
}

/*
 * One inode, opened twice and mapped in two places that cannot merge:
 * one group (Documentation/view.rst: a file group holds every VMA that
 * maps one inode, wherever it is in the address space).
 */
TEST_F(files, one_inode_two_opens)
{
	char path[128];
	const char *pa;
	char *a, *gap, *b;

	snprintf(path, sizeof(path), "%s/twice", self->dir);
	pa = keep(self, path);
	a = map_new_file(pa, 4, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, a);
	gap = anon(pg, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, gap);
	b = map_new_file(pa, 4, PROT_READ, MAP_SHARED);	/* truncates: same size */
	ASSERT_NE(MAP_FAILED, b);

	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(a));
	ASSERT_NE(NULL, maps_rec(b));
	ASSERT_EQ(maps_rec(a)->ino, maps_rec(b)->ino);
	EXPECT_EQ(rec(a)->group, rec(b)->group);
}

/*
 * Two hard links of one inode, each mapped: maps names each record by the
 * path it was opened with.  Documentation/view.rst promises both that a
 * file group holds every VMA of one inode and that names are written as
 * maps writes them; with one name= per group, the view can keep only one
 * of the promises here, and the comparison says which it broke.
 */
TEST_F(files, hard_links)
{
	char path[128], link2[128];
	const char *pa;
	char *a, *b;

	snprintf(path, sizeof(path), "%s/first-name", self->dir);
	snprintf(link2, sizeof(link2), "%s/second-name", self->dir);
	pa = keep(self, path);
	a = map_new_file(pa, 2, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_EQ(0, link(pa, keep(self, link2)));
	b = map_new_file(link2, 2, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, b);

	EXPECT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(a));
	ASSERT_NE(NULL, maps_rec(b));
	EXPECT_STREQ(path, maps_rec(a)->name);
	EXPECT_STREQ(link2, maps_rec(b)->name);
}

/* ------------------------------------------------------- odd backings */

/*
 * /dev/zero: a private mapping is anonymous memory that keeps the file
 * (maps names it /dev/zero), a shared one is shmem ("/dev/zero (deleted)").
 */
TEST(dev_zero)
{
	int fd = open("/dev/zero", O_RDWR);
	char *priv, *shared;

	ASSERT_GE(fd, 0);
	priv = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	shared = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, priv);
	ASSERT_NE(MAP_FAILED, shared);
	priv[0] = 1;
	shared[0] = 1;
	close(fd);
	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(priv));
	ASSERT_NE(NULL, maps_rec(shared));
	TH_LOG("maps: private '%s', shared '%s'", maps_rec(priv)->name, maps_rec(shared)->name);
	munmap(priv, 3 * pg);
	munmap(shared, 2 * pg);
}

/* A perf ring buffer: an anon_inode file, "anon_inode:[perf_event]". */
TEST(perf_ring_buffer)
{
	struct {
		unsigned int type, size;
		unsigned long long config, sample_period, sample_type, read_format;
		unsigned long long flags;
		unsigned long long pad[12];
	} attr;
	char *p;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = 1;			/* PERF_TYPE_SOFTWARE */
	attr.size = 112;		/* PERF_ATTR_SIZE_VER5 */
	attr.config = 9;		/* PERF_COUNT_SW_DUMMY */
	attr.flags = 1;			/* disabled */
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0)
		SKIP(return, "perf_event_open: %s", strerror(errno));
	p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap perf buffer: %s", strerror(errno));
	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(p));
	EXPECT_STREQ("anon_inode:[perf_event]", maps_rec(p)->name);
	munmap(p, 3 * pg);
	close(fd);
}

/* memfd_secret(2): "/secretmem (deleted)", locked and unmapped from the kernel. */
TEST(secretmem)
{
	int fd = syscall(447 /* __NR_memfd_secret */, 0);
	char *p;

	if (fd < 0)
		SKIP(return, "memfd_secret: %s (CONFIG_SECRETMEM off, or secretmem.enable=0)",
		     strerror(errno));
	ASSERT_EQ(0, ftruncate(fd, 2 * pg));
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(p));
	EXPECT_NE(NULL, strstr(maps_rec(p)->name, "secretmem"));
	munmap(p, 2 * pg);
	close(fd);
}

/* A file offset beyond 4 GiB: more than 8 hex digits, as maps prints it. */
TEST(offset_beyond_4g)
{
	int fd = open("/dev/shm/libmaps-big", O_RDWR | O_CREAT | O_TRUNC, 0600);
	off_t off = 5LL << 30;
	char *p;

	ASSERT_GE(fd, 0);
	unlink("/dev/shm/libmaps-big");
	ASSERT_EQ(0, ftruncate(fd, off + 4 * pg));
	p = mmap(NULL, 4 * pg, PROT_READ, MAP_SHARED, fd, off);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(p));
	EXPECT_EQ((unsigned long long)off, maps_rec(p)->offset);
	munmap(p, 4 * pg);
	close(fd);
}

/* hugetlbfs: a file of huge pages, and MAP_HUGETLB. */
TEST(hugetlb)
{
	char dir[] = "/tmp/lm-hugetlbfs", path[64];
	unsigned long hs = lm_hugetlb_size();
	int fd, nr;
	char *p, *q;

	fd = open("/proc/sys/vm/nr_hugepages", O_RDWR);
	if (fd < 0)
		SKIP(return, "no hugetlb (CONFIG_HUGETLBFS off)");
	ASSERT_EQ(2, dprintf(fd, "%d\n", 8));
	close(fd);
	ASSERT_GE(lm_read_file("/proc/sys/vm/nr_hugepages", text, 64), 0);
	nr = atoi(text);
	if (nr < 2)
		SKIP(return, "only %d huge pages could be reserved", nr);
	mkdir(dir, 0700);
	/* the default size, the one nr_hugepages reserves */
	ASSERT_EQ(0, mount("none", dir, "hugetlbfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, hs, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	q = mmap(NULL, hs, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	ASSERT_NE(MAP_FAILED, q);
	q[0] = 1;
	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(p));
	EXPECT_EQ((long)(hs >> 10), maps_rec(p)->kernel_page_kb);
	EXPECT_TRUE(smaps_has(maps_rec(p), "ht"));
	munmap(p, hs);
	munmap(q, hs);
	close(fd);
	unlink(path);
	umount(dir);
	rmdir(dir);
	fd = open("/proc/sys/vm/nr_hugepages", O_WRONLY);
	if (fd >= 0) {
		dprintf(fd, "0\n");
		close(fd);
	}
}

/*
 * An open view holds no reference to the files of the process: its text
 * is made as it is read, from names resolved at open().  A tmpfs whose
 * only file was mapped when the view was opened unmounts while the view
 * is still open, and the view then reads the file's name as it was.
 */
FIXTURE(pin) {
	char dir[32];
};

FIXTURE_SETUP(pin)
{
	strcpy(self->dir, "/tmp/lm-pin");
	mkdir(self->dir, 0700);
	ASSERT_EQ(0, mount("none", self->dir, "tmpfs", 0, "size=1m"));
}

FIXTURE_TEARDOWN(pin)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(pin, open_view_pins_no_file)
{
	char path[64], want[80];
	int fd, view_fd;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "%s/mapped", self->dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 2 * pg));
	p = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	view_fd = open(LM_DEBUGFS "/self", O_RDONLY);
	ASSERT_GE(view_fd, 0);
	munmap(p, 2 * pg);
	EXPECT_EQ(0, umount(self->dir)) TH_LOG("umount with the view open: %s", strerror(errno));
	n = read(view_fd, text, sizeof(text) - 1);
	close(view_fd);
	ASSERT_GT(n, 0);
	text[n] = '\0';
	snprintf(want, sizeof(want), " name=%s\n", path);
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("no group%s", want);
}

/* ------------------------------------------------------------ big views */

/* 3000 VMAs: a view of several hundred KiB, read in 4 KiB pieces. */
TEST(thousands_of_vmas)
{
	const int n = 3000;
	char *p = anon(n * pg, PROT_READ | PROT_WRITE, 0);
	int i;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 1; i < n; i += 2) {
		ASSERT_EQ(0, mprotect(p + i * pg, pg, PROT_READ));
	}
	ASSERT_EQ(0, compare(_metadata, 0));
	for (i = 0; i < n; i++)
		if (lm_maps_find(&maps, (unsigned long)(p + i * pg)) < 0)
			break;
	EXPECT_EQ(n, i) TH_LOG("maps lacks a record at page %d", i);
	EXPECT_GE(view.vmas, (unsigned int)n);
	munmap(p, n * pg);
}

/* mremap: a moved region, a grown one and a shrunk one. */
TEST(mremap_moves)
{
	char *a = anon(4 * pg, PROT_READ | PROT_WRITE, 0);
	char *b = anon(2 * pg, PROT_READ | PROT_WRITE, 0);
	char *c = anon(6 * pg, PROT_READ | PROT_WRITE, 0);
	char *dst = anon(16 * pg, PROT_NONE, 0);
	char *moved, *grown, *shrunk;

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_NE(MAP_FAILED, c);
	ASSERT_NE(MAP_FAILED, dst);
	memset(a, 1, 4 * pg);
	memset(b, 2, 2 * pg);
	moved = mremap(a, 4 * pg, 4 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 8 * pg);
	ASSERT_EQ(dst + 8 * pg, moved);
	grown = mremap(b, 2 * pg, 64 * pg, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, grown);
	shrunk = mremap(c, 6 * pg, 1 * pg, 0);
	ASSERT_EQ(c, shrunk);

	ASSERT_EQ(0, compare(_metadata, 0));
	ASSERT_NE(NULL, maps_rec(moved));
	EXPECT_EQ((unsigned long)moved + 4 * pg, maps_rec(moved)->end);
	ASSERT_NE(NULL, maps_rec(shrunk));
	EXPECT_EQ((unsigned long)c + pg, maps_rec(c)->end);
	EXPECT_EQ(1, moved[0]);
	EXPECT_EQ(2, grown[pg]);
}

/* ------------------------------------------------------------ processes */

/* The header's comm is /proc/self/comm, escaped as names are. */
TEST(comm_is_escaped)
{
	char buf[64];

	ASSERT_EQ(0, prctl(PR_SET_NAME, "lm sp\nnl", 0, 0, 0));
	ASSERT_GT(lm_read_file("/proc/self/comm", buf, sizeof(buf)), 0);
	ASSERT_STREQ("lm sp\nnl\n", buf);
	ASSERT_EQ(0, compare(_metadata, 0));
	EXPECT_STREQ("lm sp\\012nl", view.comm);
}

static void *thread_park(void *arg)
{
	int *tid = arg;

	__atomic_store_n(tid, (int)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	pause();
	return NULL;
}

struct self_read {
	int pid;
	int err;
};

static void *thread_reads_self(void *arg)
{
	struct self_read *r = arg;
	static char buf[64];
	int fd = open(LM_DEBUGFS "/self", O_RDONLY);

	if (fd < 0) {
		r->err = errno;
		return NULL;
	}
	if (read(fd, buf, sizeof(buf) - 1) <= 0 || sscanf(buf, "libmaps 1 pid=%d", &r->pid) != 1)
		r->err = EIO;
	close(fd);
	return NULL;
}

/*
 * A thread's id names the thread's process, as /proc/<tid> does; "self"
 * read from a thread is the process (the thread group leader).
 */
TEST(threads)
{
	struct self_read sr = { 0, 0 };
	pthread_t t, u;
	int tid = 0;

	ASSERT_EQ(0, pthread_create(&t, NULL, thread_park, &tid));
	while (!__atomic_load_n(&tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	EXPECT_EQ(0, compare(_metadata, tid));

	ASSERT_EQ(0, pthread_create(&u, NULL, thread_reads_self, &sr));
	ASSERT_EQ(0, pthread_join(u, NULL));
	EXPECT_EQ(0, sr.err);
	EXPECT_EQ(getpid(), sr.pid);
	/* the parked thread ends with the test's process */
}

/*
 * Every process the directory lists: its view against its own maps and
 * smaps (processes that have no mm: empty maps and the nomm line).
 * Processes that exit meanwhile are passed over.
 */
TEST(every_process)
{
	DIR *d = opendir(LM_DEBUGFS);
	struct dirent *e;
	int compared = 0, nomm = 0, gone = 0;
	char path[64];

	ASSERT_NE(NULL, d);
	while ((e = readdir(d))) {
		pid_t pid = atoi(e->d_name);
		ssize_t n;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		n = lm_read_file(path, text, sizeof(text));
		if (n < 0) {
			gone++;
			continue;
		}
		if (n == 0) {
			snprintf(path, sizeof(path), LM_DEBUGFS "/%d", pid);
			if (lm_read_file(path, text, sizeof(text)) < 0) {
				gone++;
				continue;
			}
			EXPECT_EQ(0, lm_parse_view(text, &view)) TH_LOG("%d: %s", pid, lm_error);
			EXPECT_TRUE(view.nomm) TH_LOG("pid %d: empty maps, but a view with mm", pid);
			nomm++;
			continue;
		}
		EXPECT_EQ(0, compare(_metadata, pid)) TH_LOG("pid %d", pid);
		compared++;
	}
	closedir(d);
	TH_LOG("compared %d processes, %d without mm, %d gone", compared, nomm, gone);
	EXPECT_GT(compared, 0);
	EXPECT_GT(nomm, 0);
}

/* The header of the view called @name: pid and comm; 0 or an errno. */
static int view_header(const char *name, int *pid, char *comm, size_t size)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), LM_DEBUGFS "/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return EIO;
	buf[n] = '\0';
	if (sscanf(buf, "libmaps 1 pid=%d", pid) != 1 || !(p = strstr(buf, " comm=")))
		return EIO;
	snprintf(comm, size, "%.*s", (int)strcspn(p + 6, "\n"), p + 6);
	return 0;
}

/*
 * A process in a new pid namespace is pid 1 there: "1" and "self" are
 * itself, not the machine's init whose "1" the parent has just looked up,
 * and the parent's pid is not visible (Documentation/view.rst: names are
 * resolved in the reader's pid namespace).  Its directory lists only it.
 */
TEST(pid_namespace)
{
	char comm[64], name[32];
	int pid = 0, status;
	pid_t child;

	ASSERT_EQ(0, view_header("1", &pid, comm, sizeof(comm)));
	ASSERT_EQ(1, pid);
	if (unshare(CLONE_NEWPID))
		SKIP(return, "unshare(CLONE_NEWPID): %s", strerror(errno));
	child = lm_fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		char own[64];
		struct dirent *e;
		int pids = 0, one = 0, n = 0;
		DIR *d;

		prctl(PR_SET_NAME, "lm-ns-child", 0, 0, 0);
		if (view_header("1", &n, own, sizeof(own)) || n != 1 ||
		    strcmp(own, "lm-ns-child"))
			_exit(10);
		if (view_header("self", &n, own, sizeof(own)) || n != 1 ||
		    strcmp(own, "lm-ns-child"))
			_exit(11);
		d = opendir(LM_DEBUGFS);
		if (!d)
			_exit(12);
		while ((e = readdir(d))) {
			if (e->d_name[0] < '0' || e->d_name[0] > '9')
				continue;
			pids++;
			one |= !strcmp(e->d_name, "1");
		}
		closedir(d);
		_exit(pids == 1 && one ? 0 : 13);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("10: '1' is not the child, 11: 'self' is not the child, 13: readdir lists other pids");

	/* and the outside still sees the machine's init as "1" */
	ASSERT_EQ(0, view_header("1", &pid, name, sizeof(name)));
	EXPECT_EQ(1, pid);
	EXPECT_STREQ(comm, name);
}

/* The parent's pid, seen from a child in a new pid namespace: absent. */
TEST(pid_namespace_hides_outside)
{
	char name[32];
	pid_t child;
	int status;

	snprintf(name, sizeof(name), "%d", getpid());
	if (unshare(CLONE_NEWPID))
		SKIP(return, "unshare(CLONE_NEWPID): %s", strerror(errno));
	child = lm_fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		char comm[64];
		int pid;

		/* getpid() > 1 outside: no process has that number inside */
		_exit(view_header(name, &pid, comm, sizeof(comm)) == ENOENT ? 0 : 1);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("%s opened from inside a new pid namespace", name);
}

/* A child that names itself @comm, says so on @fd, and waits to be killed. */
static pid_t named_child(const char *comm)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd))
		return -1;
	pid = lm_fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, comm, 0, 0, 0);
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], &c, 1) != 1)
		pid = -1;
	close(pfd[0]);
	return pid;
}

/*
 * A pid number reused by a new process (ns_last_pid chooses it): the name
 * now means the new process, never the old one's snapshot or ENOENT.
 */
TEST(pid_reuse)
{
	char name[32], comm[64];
	pid_t first, second;
	int pid, fd;

	first = named_child("lm-first");
	ASSERT_GT(first, 1);
	snprintf(name, sizeof(name), "%d", first);
	ASSERT_EQ(0, view_header(name, &pid, comm, sizeof(comm)));
	EXPECT_STREQ("lm-first", comm);
	kill(first, SIGKILL);
	waitpid(first, NULL, 0);
	EXPECT_EQ(ENOENT, view_header(name, &pid, comm, sizeof(comm)));

	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
	if (fd < 0)
		SKIP(return, "no /proc/sys/kernel/ns_last_pid (CONFIG_CHECKPOINT_RESTORE): %s",
		     strerror(errno));
	dprintf(fd, "%d", first - 1);
	close(fd);
	second = named_child("lm-second");
	ASSERT_GT(second, 1);
	if (second != first) {
		kill(second, SIGKILL);
		waitpid(second, NULL, 0);
		SKIP(return, "pid %d was not reused (got %d)", first, second);
	}
	EXPECT_EQ(0, view_header(name, &pid, comm, sizeof(comm)));
	EXPECT_EQ(first, pid);
	EXPECT_STREQ("lm-second", comm);
	EXPECT_EQ(0, compare(_metadata, second));
	kill(second, SIGKILL);
	waitpid(second, NULL, 0);
}

/* ------------------------------------------------------------ races */

static int churn_stop;

/* Map, split, merge and unmap, forever, while the view is being read. */
static void *churn(void *arg)
{
	while (!__atomic_load_n(&churn_stop, __ATOMIC_SEQ_CST)) {
		char *p = anon(16 * pg, PROT_READ | PROT_WRITE, 0);

		if (p == MAP_FAILED)
			continue;
		mprotect(p + 4 * pg, 4 * pg, PROT_READ);
		p[0] = 1;
		mprotect(p + 4 * pg, 4 * pg, PROT_READ | PROT_WRITE);
		munmap(p + 8 * pg, pg);
		munmap(p, 16 * pg);
	}
	return NULL;
}

/* Every snapshot taken while another thread changes the map is whole. */

/*
 * Children that come and go while their views are opened: each open
 * either succeeds with a whole view (its mm, or nomm once it is a zombie)
 * or fails with ENOENT/ESRCH, never anything else.
 */
TEST(open_while_processes_exit)
{
	int i, ok = 0, gone = 0;
	char path[64];

	for (i = 0; i < 200; i++) {
		pid_t pid = lm_fork();
		int fd;

		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(0);
		snprintf(path, sizeof(path), LM_DEBUGFS "/%d", pid);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			EXPECT_TRUE(errno == ENOENT || errno == ESRCH) TH_LOG("open: %s",
									     strerror(errno));
			gone++;
		} else {
			ssize_t n, len = 0;

			while ((n = read(fd, text + len, 4096)) > 0)
				len += n;
			ASSERT_EQ(0, n);
			ASSERT_GT(len, 0);
			text[len] = '\0';
			EXPECT_EQ(0, lm_parse_view(text, &view)) TH_LOG("%s", lm_error);
			EXPECT_EQ(pid, view.pid);
			ok++;
			close(fd);
		}
		waitpid(pid, NULL, 0);
	}
	TH_LOG("%d opened, %d gone", ok, gone);
}

struct reader {
	pid_t target;
	int views, errors;
	char buf[1 << 20];
	struct lm_view v;
};

/* Read and parse the view of @target until told to stop. */
static void *read_views(void *arg)
{
	struct reader *r = arg;
	char path[64];
	ssize_t n, len;
	int fd;

	snprintf(path, sizeof(path), LM_DEBUGFS "/%d", r->target);
	while (!__atomic_load_n(&churn_stop, __ATOMIC_SEQ_CST)) {
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			r->errors++;
			continue;
		}
		len = 0;
		while ((n = read(fd, r->buf + len, sizeof(r->buf) - 1 - len)) > 0)
			len += n;
		close(fd);
		r->buf[len] = '\0';
		r->views++;
		if (n < 0)
			r->errors++;
		/* lm_parse_view() keeps its error text in a global: count only */
		else if (strncmp(r->buf, "libmaps 1 pid=", 14) || r->buf[len - 1] != '\n')
			r->errors++;
	}
	return NULL;
}

/*
 * Four threads read the views of a child that maps and unmaps without
 * pause, and of the test itself, for two seconds; every read is whole.
 * Then one more view of the child, parsed with every invariant.
 */
TEST(readers_and_a_busy_child)
{
	static struct reader r[4];
	char path[64];
	pthread_t t[4];
	pid_t child;
	int i;

	churn_stop = 0;
	child = lm_fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		churn(NULL);
		_exit(0);
	}
	for (i = 0; i < 4; i++) {
		r[i].target = i % 2 ? getpid() : child;
		r[i].views = r[i].errors = 0;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, read_views, &r[i]));
	}
	sleep(2);
	__atomic_store_n(&churn_stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, r[i].errors) TH_LOG("reader %d: %d of %d views bad", i,
						  r[i].errors, r[i].views);
		EXPECT_GT(r[i].views, 0);
	}
	snprintf(path, sizeof(path), LM_DEBUGFS "/%d", child);
	ASSERT_GT(lm_read_file(path, text, sizeof(text)), 0);
	EXPECT_EQ(0, lm_parse_view(text, &view)) TH_LOG("%s", lm_error);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	TH_LOG("%d, %d, %d, %d views read", r[0].views, r[1].views, r[2].views, r[3].views);
}

/*
 * "--exec-chain N": exec this program again N times, then exit.  Runs
 * before the harness's main() sees the arguments (glibc hands a
 * constructor argc and argv).
 */
static void __attribute__((constructor)) exec_chain(int argc, char **argv)
{
	char n[16];

	if (argc != 3 || strcmp(argv[1], "--exec-chain"))
		return;
	if (atoi(argv[2]) <= 0)
		_exit(0);
	snprintf(n, sizeof(n), "%d", atoi(argv[2]) - 1);
	execl("/proc/self/exe", argv[0], "--exec-chain", n, (char *)NULL);
	_exit(1);
}

/*
 * A process that execs itself 300 times while its view is opened over and
 * over: each open sees the old or the new address space, or (between the
 * two) none, and is whole either way.
 */
FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

/*
 * Bounded by time, not by count: on the debug kernel beside other guests
 * 300 reads took longer than the harness' 30 s.  At least 20 reads, at
 * most 300 or 20 s.
 */
TEST_F_TIMEOUT(slow, snapshot_while_the_map_changes, 120)
{
	struct timespec t0, t;
	pthread_t th;
	int i;

	ASSERT_EQ(0, pthread_create(&th, NULL, churn, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 300; i++) {
		ASSERT_GT(lm_read_file(LM_DEBUGFS "/self", text, sizeof(text)), 0);
		ASSERT_EQ(0, lm_parse_view(text, &view)) TH_LOG("read %d: %s", i, lm_error);
		ASSERT_EQ(getpid(), view.pid);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (i >= 20 && t.tv_sec - t0.tv_sec >= 20)
			break;
	}
	__atomic_store_n(&churn_stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(th, NULL);
	TH_LOG("%d views read while the map changed", i);
}

/* The harness's 30 s is too short for this loop on a debug kernel. */
TEST_F_TIMEOUT(slow, open_during_exec, 180)
{
	int views = 0, nomm = 0, status;
	char path[64];
	pid_t child;

	child = lm_fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		execl("/proc/self/exe", "libmaps_edge_test", "--exec-chain", "300", (char *)NULL);
		_exit(1);
	}
	snprintf(path, sizeof(path), LM_DEBUGFS "/%d", child);
	while (waitpid(child, &status, WNOHANG) == 0) {
		if (lm_read_file(path, text, sizeof(text)) < 0) {
			EXPECT_TRUE(errno == ENOENT || errno == ESRCH) TH_LOG("open: %s",
									     strerror(errno));
			continue;
		}
		ASSERT_EQ(0, lm_parse_view(text, &view)) TH_LOG("view %d: %s", views, lm_error);
		EXPECT_EQ(child, view.pid);
		nomm += view.nomm;
		views++;
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	TH_LOG("%d views during 300 execs (%d without mm)", views, nomm);
	EXPECT_GT(views, 0);
}

/* ------------------------------------------------------------ seeking */

TEST(seek_edges)
{
	int fd = open(LM_DEBUGFS "/self", O_RDONLY);
	off_t end;
	char c;

	ASSERT_GE(fd, 0);
	end = lseek(fd, 0, SEEK_END);
	ASSERT_GT(end, 0);
	EXPECT_EQ(0, read(fd, &c, 1));
	/* past the end: refused (a fixed-size file) or allowed, then EOF */
	if (lseek(fd, 100, SEEK_CUR) < 0) {
		EXPECT_EQ(EINVAL, errno);
		TH_LOG("lseek past the end: EINVAL");
	} else {
		EXPECT_EQ(0, read(fd, &c, 1));
	}
	EXPECT_EQ(0, pread(fd, &c, 1, end));
	EXPECT_EQ(1, pread(fd, &c, 1, end - 1));
	EXPECT_EQ('\n', c);
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(8, read(fd, text, 8));
	EXPECT_EQ(0, memcmp(text, "libmaps ", 8));
	close(fd);
}

/*
 * A seek into text not made yet: the view is made as it is read, so a
 * seek must make it as far as the position and no further, and what is
 * read there must be what a read from the start finds at that offset (one
 * snapshot per open).  Whence values other than SEEK_SET, SEEK_CUR and
 * SEEK_END are refused as /proc/self/maps refuses them.
 */
TEST(seek_ahead_of_the_text)
{
	static char whole[4 << 20], part[4 * 300];
	off_t end, offs[4];
	int fd, mfd, i, nr;
	char *p;

	/* records enough for a text of many pages (of 4 KiB or more) */
	nr = 256 * (pg / 4096);
	p = mmap(NULL, nr * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < nr; i += 2)
		ASSERT_EQ(0, mprotect(p + i * pg, pg, PROT_READ));
	fd = open(LM_DEBUGFS "/self", O_RDONLY);
	ASSERT_GE(fd, 0);
	offs[0] = 5 * pg + 17;
	offs[1] = 2 * pg - 1;
	offs[2] = 9 * pg;
	offs[3] = 1;
	/* the first seek, before any read: the text is not made yet */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(offs[i], lseek(fd, offs[i], SEEK_SET));
		ASSERT_EQ(300, read(fd, part + 300 * i, 300));
		ASSERT_EQ(offs[i] + 300, lseek(fd, 0, SEEK_CUR));
	}
	ASSERT_EQ(offs[3] + 300 + 7, lseek(fd, 7, SEEK_CUR));
	end = lseek(fd, 0, SEEK_END);
	ASSERT_GT(end, 10 * pg);
	ASSERT_LT(end, (off_t)sizeof(whole));
	ASSERT_EQ(end, pread(fd, whole, sizeof(whole), 0));
	for (i = 0; i < 4; i++) {
		off_t at = offs[i];

		EXPECT_EQ(0, memcmp(part + 300 * i, whole + at, 300))
			TH_LOG("300 bytes read after a seek to %ld differ",
			       (long)at);
	}
	EXPECT_EQ(-1, lseek(fd, end + 1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(end, lseek(fd, end, SEEK_SET));

	mfd = open("/proc/self/maps", O_RDONLY);
	ASSERT_GE(mfd, 0);
	for (i = SEEK_END + 1; i <= SEEK_END + 3; i++) {
		off_t lm = lseek(fd, 0, i);
		int lm_errno = errno;
		off_t maps = lseek(mfd, 0, i);

		EXPECT_EQ(maps, lm) TH_LOG("whence %d", i);
		if (maps < 0)
			EXPECT_EQ(errno, lm_errno) TH_LOG("whence %d", i);
	}
	close(mfd);
	close(fd);
	munmap(p, nr * pg);
}

static void __attribute__((constructor)) init_page_size(void)
{
	pg = sysconf(_SC_PAGESIZE);
}


static char *marker_at[2];
static int mover_stop;

/* Move one page between marker_at[0] and marker_at[1], forever. */
static void *mover(void *arg)
{
	int here = 0;

	while (!__atomic_load_n(&mover_stop, __ATOMIC_SEQ_CST)) {
		if (mremap(marker_at[here], pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED,
			   marker_at[!here]) == MAP_FAILED)
			return (void *)1;
		here = !here;
	}
	return NULL;
}

static long module_param(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/module/libmaps/parameters/%s", name);
	if (lm_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return atol(buf);
}

/* Is there a record "\t<start>-" for @p in the view's text? */
static bool has_record_at(const char *text, const void *p)
{
	char needle[32];

	snprintf(needle, sizeof(needle), "\t%08lx-", (unsigned long)p);
	return strstr(text, needle);
}

static long module_param_bool(const char *name)
{
	char path[128], buf[8];

	snprintf(path, sizeof(path), "/sys/module/libmaps/parameters/%s", name);
	if (lm_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return buf[0] == 'Y';
}

static int set_module_param(const char *name, const char *val)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/module/libmaps/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * The map the mover changes: @fill one-page VMAs, read-only and PROT_NONE
 * by turns, from page 2 of the returned base, and one page that moves by
 * mremap(), one change under the mmap lock, between page 1 and page
 * fill + 2, the two ends.
 */
static char *mover_map(int fill)
{
	char *base = mmap(NULL, (fill + 4) * pg, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (base == MAP_FAILED)
		return NULL;
	for (i = 2; i < fill + 2; i += 2)
		if (mprotect(base + i * pg, pg, PROT_READ))
			return NULL;
	marker_at[0] = base + pg;
	marker_at[1] = base + (fill + 2) * pg;
	if (mmap(marker_at[0], pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return NULL;
	mover_stop = 0;
	return base;
}

/*
 * How a copy is made is a module parameter (vma_locks, 7.0+ with per-VMA
 * locks): each test sets the one it needs and the teardown puts back what
 * the module had.  -1: the module has no such parameter.
 */
FIXTURE(copy_mode) {
	long vma_locks;
};
FIXTURE_SETUP(copy_mode)
{
	self->vma_locks = module_param_bool("vma_locks");
}
FIXTURE_TEARDOWN(copy_mode)
{
	if (self->vma_locks >= 0)
		set_module_param("vma_locks", self->vma_locks ? "Y" : "N");
}

/*
 * A snapshot copied under the mmap lock is one state of the map even when
 * it is copied in batches (batch_vmas VMAs per hold of the mmap lock,
 * 6.12+): a page moves back and forth by mremap() between the two ends of
 * 20,000 VMAs, so every view must show it at exactly one end.  A copy
 * that went on after the map changed between two batches could see it at
 * both ends or at neither.  The copy takes longer than the rwsem's
 * handoff to a waiting writer (4 ms), so the mover gets in and copies
 * start again.
 */
TEST_F_TIMEOUT(copy_mode, batches_see_one_state, 180)
{
	const int fill = 20000;
	long batch = module_param("batch_vmas");
	long restarts = module_param("restarts");
	char *base;
	void *ret;
	pthread_t t;
	int i, seen;

	ASSERT_GE(batch, 0);
	if (self->vma_locks >= 0)
		ASSERT_EQ(0, set_module_param("vma_locks", "N"));
	base = mover_map(fill);
	ASSERT_NE(NULL, base);

	ASSERT_EQ(0, pthread_create(&t, NULL, mover, NULL));
	for (i = 0; i < 50; i++) {
		ASSERT_GT(lm_read_file(LM_DEBUGFS "/self", text, sizeof(text)), 0);
		ASSERT_NE(NULL, strstr(text, " state=one comm=")) TH_LOG("read %d: not one state", i);
		seen = has_record_at(text, marker_at[0]) + has_record_at(text, marker_at[1]);
		EXPECT_EQ(1, seen) TH_LOG("read %d: the moving page seen %d times", i, seen);
		if (seen != 1)
			break;
	}
	__atomic_store_n(&mover_stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, &ret);
	EXPECT_EQ(NULL, ret);
	munmap(base, (fill + 4) * pg);
	if (batch) {
		/* the mover changed the map between batches: copies restarted */
		EXPECT_LT(restarts, module_param("restarts"));
	} else {
		TH_LOG("batch_vmas is 0: no mm_lock_seq on this kernel (before 6.12, or without per-VMA locks), one hold per copy");
	}
}

/*
 * How many records of one page each, one after another, the text has in
 * [@lo, @hi); -1 if one of them is not where the one before it ended.
 */
static long pages_in_order(const char *text, unsigned long lo, unsigned long hi)
{
	unsigned long start, end, next = lo;
	const char *p;
	char *e;
	long n = 0;

	/* strtoul(), not sscanf(), which would measure the rest of the text */
	for (p = strstr(text, "\n\t"); p; p = strstr(p + 2, "\n\t")) {
		start = strtoul(p + 2, &e, 16);
		if (*e != '-')
			return -1;
		end = strtoul(e + 1, &e, 16);
		if (start < lo || start >= hi)
			continue;
		if (start != next || end != start + pg)
			return -1;
		next = end;
		n++;
	}
	return n;
}

/*
 * Under per-VMA locks (7.0+) a copy is what maps shows on these kernels
 * when the map changes while it is read: every VMA that stays as it is
 * throughout is there, exactly; one that changes is there in one of its
 * states, or not at all.  The header says which: state=one when no writer
 * took the mmap lock from the copy's start to its end (the same promise
 * as under the mmap lock, the moving page at exactly one end),
 * state=changed otherwise, and the module counts the copies it kept so.
 * The VMAs between the ends never change, but for the last, which the
 * page at the far end leaves and joins: each view has all the others.
 */
TEST_F_TIMEOUT(copy_mode, vma_locks_keep_what_stays, 180)
{
	const int fill = 20000;
	long changed = module_param("changed_copies");
	int i, seen, ones = 0, changes = 0;
	unsigned long lo;
	char *base;
	void *ret;
	pthread_t t;

	if (self->vma_locks < 0)
		SKIP(return, "no per-VMA reads (kernel before 7.0, or without CONFIG_PER_VMA_LOCK): copies are made under the mmap lock");
	ASSERT_EQ(0, set_module_param("vma_locks", "Y"));
	base = mover_map(fill);
	ASSERT_NE(NULL, base);
	lo = (unsigned long)base + 2 * pg;

	/* still: one state, the page at its first end */
	ASSERT_GT(lm_read_file(LM_DEBUGFS "/self", text, sizeof(text)), 0);
	ASSERT_NE(NULL, strstr(text, " state=one comm="));
	ASSERT_TRUE(has_record_at(text, marker_at[0]));
	ASSERT_EQ(fill - 1, pages_in_order(text, lo, lo + (fill - 1) * pg));

	ASSERT_EQ(0, pthread_create(&t, NULL, mover, NULL));
	for (i = 0; i < 50; i++) {
		ASSERT_GT(lm_read_file(LM_DEBUGFS "/self", text, sizeof(text)), 0);
		EXPECT_EQ(fill - 1, pages_in_order(text, lo, lo + (fill - 1) * pg))
			TH_LOG("read %d: the VMAs that never change are not all there", i);
		seen = has_record_at(text, marker_at[0]) + has_record_at(text, marker_at[1]);
		if (strstr(text, " state=one comm=")) {
			ones++;
			EXPECT_EQ(1, seen) TH_LOG("read %d: one state, the moving page seen %d times", i, seen);
		} else {
			ASSERT_NE(NULL, strstr(text, " state=changed comm=")) TH_LOG("read %d: no state", i);
			changes++;
		}
	}
	__atomic_store_n(&mover_stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, &ret);
	EXPECT_EQ(NULL, ret);
	munmap(base, (fill + 4) * pg);
	/* this test is the only reader of a view meanwhile */
	EXPECT_EQ(changed + changes, module_param("changed_copies"));
	TH_LOG("50 reads while the map changed: %d one state, %d changed", ones, changes);
}

TEST_HARNESS_MAIN
