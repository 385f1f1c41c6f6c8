// SPDX-License-Identifier: GPL-2.0
/*
 * The explanations in the view: each record's role, why it is not merged
 * with the record before it, why THP may or may not back it, and how many
 * PMD-mapped huge pages back it now.  Each case builds the situation on
 * purpose; the oracle is the ELF headers of the library, what the test
 * did, and smaps (lm_compare() checks every record against it first).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#define THP_DIR	"/sys/kernel/mm/transparent_hugepage/"
/* The legacy VGA window: not RAM, so STRICT_DEVMEM lets /dev/mem map it. */
#define LM_DEVMEM_OFF	0xa0000

extern int gap_value(void);

static struct lm_view view;
static struct lm_maps maps;
static long pg;

static int compare(struct __test_metadata *_metadata)
{
	int bad = lm_compare(0, &view, &maps);

	if (bad < 0)
		TH_LOG("%s", lm_error);
	return bad;
}

static struct lm_view_rec *rec(unsigned long start)
{
	return lm_view_find(&view, start);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* ------------------------------------------------------------------ roles */

/* What the ELF headers of @path say a mapping at file offset @off is. */
static const char *elf_role(const char *path, unsigned long off, unsigned long vaddr_rel)
{
	static char buf[1 << 16];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph;
	const char *role = NULL;
	bool relro = false;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < (ssize_t)sizeof(*eh))
		return NULL;
	ph = (Elf64_Phdr *)(buf + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		unsigned long start = ph[i].p_offset & ~(pg - 1);
		unsigned long end = ph[i].p_offset + ph[i].p_filesz;

		if (ph[i].p_type == PT_GNU_RELRO && vaddr_rel >= (ph[i].p_vaddr & ~(pg - 1)) &&
		    vaddr_rel < ph[i].p_vaddr + ph[i].p_memsz)
			relro = true;
		if (ph[i].p_type != PT_LOAD || off < start || off >= end)
			continue;
		if (ph[i].p_flags & PF_X)
			role = "text";
		else if (ph[i].p_flags & PF_W)
			role = "data";
		else
			role = "rodata";
	}
	if (role && relro)
		role = "relro";
	return role;
}

TEST(roles_of_a_library)
{
	unsigned long base = 0, data_end = 0;
	int i, lib, seen = 0;
	char path[LM_NAME_MAX];
	struct lm_view_rec *r;

	ASSERT_EQ(42, gap_value());
	ASSERT_EQ(0, compare(_metadata));
	lib = lm_maps_find_name(&maps, "/libgap.so", 0);
	ASSERT_GE(lib, 0);
	snprintf(path, sizeof(path), "%s", maps.recs[lib].name);
	base = maps.recs[lib].start - maps.recs[lib].offset;

	for (i = lib; i >= 0; i = lm_maps_find_name(&maps, "/libgap.so", i + 1)) {
		const char *expect;

		r = rec(maps.recs[i].start);
		ASSERT_NE(NULL, r);
		if (!strcmp(maps.recs[i].perms, "---p"))
			expect = "gap";
		else
			expect = elf_role(path, maps.recs[i].offset, maps.recs[i].start - base);
		ASSERT_NE(NULL, expect);
		EXPECT_STREQ(expect, r->role) TH_LOG("%lx %s", r->start, r->perms);
		if (!strcmp(expect, "data"))
			data_end = maps.recs[i].end;
		seen++;
	}
	EXPECT_GE(seen, 5);
	/* the data segment's zero-filled rest follows it */
	ASSERT_NE(0UL, data_end);
	r = rec(data_end);
	ASSERT_NE(NULL, r) TH_LOG("no record after libgap's data");
	EXPECT_STREQ("bss", r->role);
}

/*
 * A memfd is told the way the kernel makes one (a shmem file of the
 * kernel's own mount, not S_PRIVATE), not by its name: a tmpfs file named
 * like a memfd is shared memory of a mount of the user's, and SysV shm,
 * on the kernel's mount, is no memfd either.
 */
TEST(memfd_told_by_kernel)
{
	const char *impostor = "/dev/shm/memfd:libmaps-impostor";
	int mfd = memfd_create("libmaps-real", 0), fd, id;
	char *real, *fake, *sysv;

	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, ftruncate(mfd, pg));
	fd = open(impostor, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0) TH_LOG("%s: %s", impostor, strerror(errno));
	unlink(impostor);
	ASSERT_EQ(0, ftruncate(fd, pg));
	real = lm_map_aligned(pg, pg, PROT_READ, MAP_SHARED, mfd);
	fake = lm_map_aligned(pg, pg, PROT_READ, MAP_SHARED, fd);
	id = shmget(IPC_PRIVATE, pg, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	sysv = shmat(id, NULL, SHM_RDONLY);
	shmctl(id, IPC_RMID, NULL);
	ASSERT_NE(MAP_FAILED, real);
	ASSERT_NE(MAP_FAILED, fake);
	ASSERT_NE((void *)-1, sysv);
	ASSERT_EQ(0, compare(_metadata));

	EXPECT_STREQ("memfd", rec((unsigned long)real)->role);
	EXPECT_STREQ("shmem", rec((unsigned long)fake)->role);
	EXPECT_STREQ("shmem", rec((unsigned long)sysv)->role);
	shmdt(sysv);
	close(fd);
	close(mfd);
}

TEST(roles_of_memory)
{
	int mfd = memfd_create("libmaps-role", 0);
	int devmem = open("/dev/mem", O_RDONLY);
	char *anon, *shm, *mfdmap, *dev, *huge = MAP_FAILED;
	int i;

	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, ftruncate(mfd, pg));
	anon = lm_map_aligned(pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	shm = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mfdmap = mmap(NULL, pg, PROT_READ, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, anon);
	ASSERT_NE(MAP_FAILED, shm);
	ASSERT_NE(MAP_FAILED, mfdmap);
	ASSERT_GE(devmem, 0) TH_LOG("/dev/mem: %s", strerror(errno));
	dev = mmap(NULL, pg, PROT_READ, MAP_SHARED, devmem, LM_DEVMEM_OFF);
	ASSERT_NE(MAP_FAILED, dev) TH_LOG("mmap /dev/mem: %s", strerror(errno));
	if (!write_file("/proc/sys/vm/nr_hugepages", "4"))
		huge = mmap(NULL, lm_hugetlb_size(), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	ASSERT_NE(MAP_FAILED, huge) TH_LOG("MAP_HUGETLB: %s", strerror(errno));
	huge[0] = 1;
	ASSERT_EQ(0, compare(_metadata));

	EXPECT_STREQ("anon", rec((unsigned long)anon)->role);
	EXPECT_STREQ("shmem", rec((unsigned long)shm)->role);
	EXPECT_STREQ("memfd", rec((unsigned long)mfdmap)->role);
	EXPECT_STREQ("device", rec((unsigned long)dev)->role);
	EXPECT_STREQ("hugetlb", rec((unsigned long)huge)->role);
	EXPECT_EQ(lm_hugetlb_size() >> 10, rec((unsigned long)huge)->pagesize_kb);
	for (i = 0; i < maps.nr; i++) {
		const char *n = maps.recs[i].name, *role = rec(maps.recs[i].start)->role;

		if (!strcmp(n, "[heap]") || !strcmp(n, "[stack]") || !strcmp(n, "[vdso]") ||
		    !strcmp(n, "[vvar]"))
			EXPECT_EQ(0, strncmp(role, n + 1, strlen(n) - 2)) TH_LOG("%s: %s", n, role);
	}
	munmap(huge, lm_hugetlb_size());
	write_file("/proc/sys/vm/nr_hugepages", "0");
}

/* A shared mapping of a file that is not tmpfs: ramfs. */
TEST(role_of_a_shared_file)
{
	char *p;
	int fd;

	mkdir("/tmp/lm-ramfs", 0700);
	ASSERT_EQ(0, mount("ramfs", "/tmp/lm-ramfs", "ramfs", 0, NULL));
	fd = open("/tmp/lm-ramfs/f", O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, pg));
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_STREQ("file", rec((unsigned long)p)->role);
	munmap(p, pg);
	close(fd);
	umount("/tmp/lm-ramfs");
}

/* ----------------------------------------------------------------- merges */

static const char *merge_of(unsigned long start)
{
	struct lm_view_rec *r = rec(start);

	return r ? r->merge : "(none)";
}

TEST(merge_hole_flags_offset_file)
{
	int fd = open("/proc/self/exe", O_RDONLY), fd2 = open("/proc/self/exe", O_RDONLY);
	char *p;

	ASSERT_GE(fd, 0);
	ASSERT_GE(fd2, 0);
	/* four pages of the file: [0 1 2 3], then rearranged */
	p = mmap(NULL, 8 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* page 1: the same file, its offset 3: offsets not contiguous */
	ASSERT_EQ(p + pg, mmap(p + pg, pg, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 3 * pg));
	/* page 2: another open of the same file at the right offset */
	ASSERT_EQ(p + 2 * pg, mmap(p + 2 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd2,
				   2 * pg));
	/* page 3: the same mapping made executable */
	ASSERT_EQ(0, mprotect(p + 3 * pg, pg, PROT_READ | PROT_EXEC));
	/* page 5: a hole before it */
	ASSERT_EQ(0, munmap(p + 4 * pg, pg));
	ASSERT_EQ(0, compare(_metadata));

	EXPECT_STREQ("offset", merge_of((unsigned long)p + pg));
	EXPECT_STREQ("file", merge_of((unsigned long)p + 2 * pg));
	EXPECT_STREQ("flags:ex", merge_of((unsigned long)p + 3 * pg));
	EXPECT_STREQ("hole", merge_of((unsigned long)p + 5 * pg));
	munmap(p, 8 * pg);
}

/*
 * Two anonymous VMAs with pages of different anon_vmas, moved together.
 * They are faulted while a hole separates them: a fault next to a VMA
 * that has an anon_vma would share it (find_mergeable_anon_vma()).
 */
TEST(merge_anon_vma)
{
	char *x = mmap(NULL, 5 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a = x, *b = x + 3 * pg;

	ASSERT_NE(MAP_FAILED, x);
	ASSERT_EQ(0, munmap(x + 2 * pg, pg));
	a[0] = 1;
	b[0] = 2;
	ASSERT_EQ(0, munmap(a + pg, pg));
	ASSERT_EQ(a + pg, mremap(b, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, a + pg));
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_STREQ("anon-vma", merge_of((unsigned long)a + pg));
	munmap(x, 5 * pg);
}

/*
 * Two VMAs no merge rule keeps apart, left apart: 5.10's in-place
 * mremap() expansion grows a VMA with vma_adjust() up to its neighbour and
 * never tries to merge the two.  Both are untouched anonymous memory
 * (no anon_vma), with the same flags, whose page offsets meet.  From 6.1
 * on, mremap() expands with vma_merge() and the two become one VMA; no
 * other way to leave mergeable neighbours is known there.
 */
TEST(merge_mergeable)
{
	/* PROT_NONE guards around [a, a + 3 pages) and [b, b + 2 pages). */
	char *x = mmap(NULL, 8 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a = x + pg, *b = x + 4 * pg;
	struct lm_view_rec *r;

	ASSERT_NE(MAP_FAILED, x);
	ASSERT_EQ(a, mmap(a, 2 * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	ASSERT_EQ(b, mmap(b, 2 * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	ASSERT_EQ(0, munmap(a + 2 * pg, pg));
	ASSERT_EQ(a, mremap(a, 2 * pg, 3 * pg, 0));
	ASSERT_EQ(0, compare(_metadata));
	r = rec((unsigned long)b);
	if (!r) {
		/* compare() checked the view against maps: one VMA now. */
		munmap(x, 8 * pg);
		SKIP(return, "mremap() expansion merges with the next VMA on this kernel (6.1+: vma_merge); no known way to leave mergeable neighbours");
	}
	EXPECT_EQ((unsigned long)b - (unsigned long)a, rec((unsigned long)a)->size);
	EXPECT_STREQ("mergeable", r->merge);
	munmap(x, 8 * pg);
}

/*
 * After fork, anonymous memory the child inherited shares its parent's
 * anon_vma: the kernel does not merge new memory next to it.
 */
TEST(merge_anon_vma_fork_child)
{
	char *a = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char result[64] = "";
	int pfd[2], status;
	pid_t child;

	ASSERT_NE(MAP_FAILED, a);
	a[0] = 1;
	ASSERT_EQ(0, munmap(a + pg, pg));
	ASSERT_EQ(0, pipe(pfd));
	child = lm_fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		struct lm_view_rec *r;
		int bad;

		if (mmap(a + pg, pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != a + pg)
			_exit(1);
		bad = lm_compare(0, &view, &maps);
		r = rec((unsigned long)a + pg);
		dprintf(pfd[1], "%d %s", bad, r ? r->merge : "merged");
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_GT(read(pfd[0], result, sizeof(result) - 1), 0);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_STREQ("0 anon-vma", result);
	munmap(a, pg);
}

/* SysV shared memory has a close operation: split it and join it again. */
TEST(merge_close)
{
	int id = shmget(IPC_PRIVATE, 2 * pg, IPC_CREAT | 0600);
	char *p;

	if (id < 0 && errno == ENOSYS)
		SKIP(return, "kernel without CONFIG_SYSVIPC");
	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	shmctl(id, IPC_RMID, NULL);
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ));
	ASSERT_EQ(0, mprotect(p + pg, pg, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_STREQ("close", merge_of((unsigned long)p + pg));
	shmdt(p);
}

/* Device memory never merges: two adjacent mappings of /dev/mem. */
TEST(merge_special)
{
	int fd = open("/dev/mem", O_RDONLY);
	char *p;

	ASSERT_GE(fd, 0);
	p = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, LM_DEVMEM_OFF);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + pg, pg));
	ASSERT_EQ(p + pg, mmap(p + pg, pg, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
			       LM_DEVMEM_OFF + pg));
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_STREQ("special", merge_of((unsigned long)p + pg));
	munmap(p, 2 * pg);
	close(fd);
}

/* Two halves of one region registered with two userfaultfds. */
TEST(merge_uffd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int u1 = syscall(SYS_userfaultfd, O_CLOEXEC), u2 = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (u1 < 0 && (errno == ENOSYS || errno == EPERM))
		SKIP(return, "no userfaultfd (CONFIG_USERFAULTFD off, or not allowed)");
	ASSERT_GE(u1, 0);
	ASSERT_GE(u2, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, ioctl(u1, UFFDIO_API, &api));
	api.api = UFFD_API;
	api.features = 0;
	ASSERT_EQ(0, ioctl(u2, UFFDIO_API, &api));
	reg.range.start = (unsigned long)p;
	reg.range.len = pg;
	ASSERT_EQ(0, ioctl(u1, UFFDIO_REGISTER, &reg));
	reg.range.start = (unsigned long)p + pg;
	ASSERT_EQ(0, ioctl(u2, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_STREQ("uffd", merge_of((unsigned long)p + pg));
	close(u1);
	close(u2);
	munmap(p, 2 * pg);
}

/* One half of a region bound to node 0. */
TEST(merge_mempolicy)
{
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long node0 = 1;

	ASSERT_NE(MAP_FAILED, p);
	/* mbind(p + pg, pg, MPOL_BIND, &node0, 2, 0) */
	if (syscall(SYS_mbind, p + pg, pg, 2, &node0, 2, 0) && errno == ENOSYS)
		SKIP(return, "kernel without CONFIG_NUMA (no mbind)");
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_STREQ("mempolicy", merge_of((unsigned long)p + pg));
	munmap(p, 2 * pg);
}

/*
 * Naming half of a region splits it; the view puts each anon name in a
 * group of its own, so the named half starts a group ("first") and the
 * unnamed half stays in the anon group: the different name shows as the
 * grouping.  The same name given twice merges the two halves again.
 */
TEST(merge_anon_name)
{
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct lm_view_rec *a, *b;

	ASSERT_NE(MAP_FAILED, p);
	if (prctl(0x53564d41, 0, (unsigned long)p + pg, pg, "libmaps") && errno == EINVAL)
		SKIP(return, "kernel built without CONFIG_ANON_VMA_NAME");
	ASSERT_EQ(0, compare(_metadata));
	a = rec((unsigned long)p);
	b = rec((unsigned long)p + pg);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_STREQ("anon", a->kind);
	EXPECT_STREQ("anon-named", b->kind);
	EXPECT_STREQ("[anon:libmaps]", b->name);
	EXPECT_STREQ("first", b->merge);
	ASSERT_EQ(0, prctl(0x53564d41, 0, (unsigned long)p, pg, "libmaps"));
	ASSERT_EQ(0, compare(_metadata));
	a = rec((unsigned long)p);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(2 * pg, (long)a->size);
	munmap(p, 2 * pg);
}

/* -------------------------------------------------------------------- THP */

static const char *thp_reason(void *p)
{
	struct lm_view_rec *r = rec((unsigned long)p);

	return r ? r->thp_reason : "(none)";
}

static char saved_enabled[32];

static void thp_set(const char *knob, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), THP_DIR "%s", knob);
	write_file(path, value);
}

static void save_enabled(void)
{
	char buf[128], *o, *c;

	lm_read_file(THP_DIR "enabled", buf, sizeof(buf));
	o = strchr(buf, '[');
	c = o ? strchr(o, ']') : NULL;
	snprintf(saved_enabled, sizeof(saved_enabled), "%.*s", c ? (int)(c - o - 1) : 6,
		 c ? o + 1 : "always");
}

TEST(thp_reasons)
{
	char *small, *nohuge, *huge_ok, *memfd_map, *ramfs_map, pmdk[32];
	int mfd = memfd_create("libmaps-thp", 0), rfd;

	if (access(THP_DIR "enabled", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, ftruncate(mfd, LM_2PMD));
	mkdir("/tmp/lm-thp", 0700);
	ASSERT_EQ(0, mount("ramfs", "/tmp/lm-thp", "ramfs", 0, NULL));
	rfd = open("/tmp/lm-thp/f", O_RDWR | O_CREAT, 0600);
	ASSERT_GE(rfd, 0);
	ASSERT_EQ(0, ftruncate(rfd, LM_2PMD));

	small = lm_map_aligned(16 * pg, LM_PMD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	nohuge = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	huge_ok = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	memfd_map = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ | PROT_WRITE, MAP_SHARED, mfd);
	ramfs_map = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ, MAP_PRIVATE, rfd);
	ASSERT_NE(MAP_FAILED, small);
	ASSERT_NE(MAP_FAILED, nohuge);
	ASSERT_NE(MAP_FAILED, huge_ok);
	ASSERT_NE(MAP_FAILED, memfd_map);
	ASSERT_NE(MAP_FAILED, ramfs_map);
	ASSERT_EQ(0, madvise(nohuge, LM_2PMD, MADV_NOHUGEPAGE));

	save_enabled();
	thp_set("enabled", "always");
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_STREQ("eligible", thp_reason(huge_ok));
	snprintf(pmdk, sizeof(pmdk), "%luK", LM_PMD >> 10);
	EXPECT_NE(NULL, strstr(rec((unsigned long)huge_ok)->thp_sizes, pmdk));
	EXPECT_STREQ("too-small", thp_reason(small));
	EXPECT_STREQ("nohugepage", thp_reason(nohuge));
	EXPECT_STREQ("shmem-never", thp_reason(memfd_map));
	EXPECT_STREQ("file", thp_reason(ramfs_map));

	/* EXPECT, not ASSERT: the knob must be put back whatever happens */
	thp_set("enabled", "madvise");
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("sysfs-madvise", thp_reason(huge_ok));

	thp_set("enabled", "never");
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("sysfs-never", thp_reason(huge_ok));
	thp_set("enabled", saved_enabled);

	ASSERT_EQ(0, prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_STREQ("prctl", thp_reason(huge_ok));

	close(rfd);
	munmap(ramfs_map, LM_2PMD);
	umount("/tmp/lm-thp");
}

/* The file @path of @size, mapped shared from @off at a 2 MiB boundary. */
static char *map_shmem_file(const char *path, off_t size, off_t off)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	char *p;

	if (fd < 0 || ftruncate(fd, size))
		return MAP_FAILED;
	p = mmap(NULL, 3 * LM_PMD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return p;
	p = (char *)(((unsigned long)p + LM_PMD - 1) & ~(LM_PMD - 1));
	p = mmap(p, LM_2PMD, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, off);
	close(fd);
	return p;
}

/*
 * shmem's own policy decides for tmpfs files: the mount's huge= (advise,
 * within_size), shmem_enabled=deny over every mount, and, before any of
 * them, the file offset that cannot line up with a huge page.
 */
TEST(thp_shmem_reasons)
{
	static const char * const dirs[] = { "/tmp/lm-shm-advise", "/tmp/lm-shm-within",
					     "/tmp/lm-shm-always" };
	static const char * const opts[] = { "huge=advise", "huge=within_size", "huge=always" };
	char saved_shmem[32], buf[128], *o, *c, path[64];
	char *advise, *within, *always, *misaligned;
	int i;

	if (access(THP_DIR "shmem_enabled", F_OK))
		SKIP(return, "kernel without transparent huge pages for shmem");
	lm_read_file(THP_DIR "shmem_enabled", buf, sizeof(buf));
	o = strchr(buf, '[');
	c = o ? strchr(o, ']') : NULL;
	ASSERT_NE(NULL, c);
	snprintf(saved_shmem, sizeof(saved_shmem), "%.*s", (int)(c - o - 1), o + 1);
	for (i = 0; i < 3; i++) {
		mkdir(dirs[i], 0700);
		ASSERT_EQ(0, mount("tmpfs", dirs[i], "tmpfs", 0, opts[i]))
			TH_LOG("mount -o %s: %s", opts[i], strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/f", dirs[0]);
	advise = map_shmem_file(path, LM_2PMD, 0);
	/* an empty file: no huge page at offset 0 lies within its size */
	snprintf(path, sizeof(path), "%s/f", dirs[1]);
	within = map_shmem_file(path, 0, 0);
	snprintf(path, sizeof(path), "%s/f", dirs[2]);
	always = map_shmem_file(path, 4 * LM_PMD, 0);
	misaligned = map_shmem_file(path, 4 * LM_PMD, pg);
	ASSERT_NE(MAP_FAILED, advise);
	ASSERT_NE(MAP_FAILED, within);
	ASSERT_NE(MAP_FAILED, always);
	ASSERT_NE(MAP_FAILED, misaligned);

	save_enabled();
	thp_set("enabled", "always");
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("shmem-advise", thp_reason(advise));
	EXPECT_STREQ("shmem-within-size", thp_reason(within));
	EXPECT_STREQ("eligible", thp_reason(always));
	EXPECT_STREQ("misaligned", thp_reason(misaligned));

	/* the same files, now advised: shmem says yes */
	EXPECT_EQ(0, madvise(advise, LM_2PMD, MADV_HUGEPAGE));
	EXPECT_EQ(0, madvise(within, LM_2PMD, MADV_HUGEPAGE));
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("eligible", thp_reason(advise));
	EXPECT_STREQ("eligible", thp_reason(within));

	EXPECT_EQ(0, write_file(THP_DIR "shmem_enabled", "deny"));
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("shmem-deny", thp_reason(always));
	EXPECT_STREQ("shmem-deny", thp_reason(advise));
	EXPECT_EQ(0, write_file(THP_DIR "shmem_enabled", saved_shmem));
	thp_set("enabled", saved_enabled);

	munmap(advise, LM_2PMD);
	munmap(within, LM_2PMD);
	munmap(always, LM_2PMD);
	munmap(misaligned, LM_2PMD);
	for (i = 0; i < 3; i++)
		umount(dirs[i]);
}

#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED	(1 << 1)
#endif

/* 6.18+: prctl(PR_SET_THP_DISABLE) may spare the VMAs with MADV_HUGEPAGE. */
TEST(thp_prctl_except_advised)
{
	char *plain = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1);
	char *advised = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1);

	if (access(THP_DIR "enabled", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_NE(MAP_FAILED, plain);
	ASSERT_NE(MAP_FAILED, advised);
	ASSERT_EQ(0, madvise(advised, LM_2PMD, MADV_HUGEPAGE));
	if (prctl(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED, 0, 0)) {
		ASSERT_EQ(EINVAL, errno);
		SKIP(return, "no PR_THP_DISABLE_EXCEPT_ADVISED (6.18+) on this kernel");
	}
	save_enabled();
	thp_set("enabled", "always");
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("prctl-except-advised", thp_reason(plain));
	EXPECT_STREQ("eligible", thp_reason(advised));
	thp_set("enabled", saved_enabled);
}

/*
 * exec's stack.  From exec_mmap() until setup_arg_pages() the task's mm is
 * the new one, whose only VMA is the stack the arguments were copied to,
 * flagged VM_STACK_INCOMPLETE_SETUP (VM_RAND_READ | VM_SEQ_READ).
 * exec_mmap() switches task->mm before it drops the old mm, so a large old
 * mm keeps the task there while exit_mmap() frees it, and 5 MiB of
 * arguments make the stack hold an aligned huge page.  smaps cannot be read
 * then (exec holds exec_update_lock), so the oracle is the flags.
 */
#define LM_EXEC_CHILD		"--libmaps-exec-child"
#define LM_STACK_INCOMPLETE	0x18000ULL
#define LM_OLD_MM		(256UL << 20)
#define LM_ARG_LEN		(100 << 10)
#define LM_NR_ARGS		50

static void exec_with_big_args(int ready)
{
	struct rlimit rl = { 64 << 20, 64 << 20 };
	static char arg[LM_ARG_LEN];
	char *argv[LM_NR_ARGS + 3];
	char *old;
	int i;

	old = mmap(NULL, LM_OLD_MM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (old == MAP_FAILED || madvise(old, LM_OLD_MM, MADV_NOHUGEPAGE) ||
	    setrlimit(RLIMIT_STACK, &rl))
		_exit(126);
	memset(old, 1, LM_OLD_MM);
	memset(arg, 'a', sizeof(arg) - 1);
	argv[0] = "libmaps_explain_test";
	argv[1] = LM_EXEC_CHILD;
	for (i = 0; i < LM_NR_ARGS; i++)
		argv[i + 2] = arg;
	argv[LM_NR_ARGS + 2] = NULL;
	if (write(ready, "", 1) != 1)
		_exit(126);
	execv("/proc/self/exe", argv);
	_exit(127);
}

/*
 * Each attempt maps and fills 256 MiB before it execs, and every read of
 * its view walks them: longer than the harness's 30 s on the debug kernel
 * (KASAN, lockdep) of a loaded host.
 */
FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

TEST_F_TIMEOUT(slow, thp_exec_stack, 180)
{
	char path[64], *text = malloc(1 << 20);
	struct lm_view_rec *r = NULL;
	int attempt, fds[2], status, i;
	unsigned long reads = 0;
	pid_t pid;
	ssize_t n;

	if (access(THP_DIR "enabled", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_NE(NULL, text);
	save_enabled();
	thp_set("enabled", "always");
	for (attempt = 0; attempt < 10 && !r; attempt++) {
		ASSERT_EQ(0, pipe(fds));
		pid = lm_fork();
		ASSERT_GE(pid, 0);
		if (!pid) {
			close(fds[0]);
			exec_with_big_args(fds[1]);
		}
		close(fds[1]);
		ASSERT_EQ(1, read(fds[0], path, 1));
		close(fds[0]);
		snprintf(path, sizeof(path), LM_DEBUGFS "/%d", pid);
		while (!r && waitpid(pid, &status, WNOHANG) == 0) {
			n = lm_read_file(path, text, 1 << 20);
			reads++;
			if (n <= 0 || lm_parse_view(text, &view))
				continue;
			for (i = 0; i < view.nr; i++)
				if ((view.recs[i].flags & LM_STACK_INCOMPLETE) ==
				    LM_STACK_INCOMPLETE)
					r = &view.recs[i];
		}
		if (r)
			waitpid(pid, &status, 0);
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("the exec'ing child: status %#x", status);
	}
	thp_set("enabled", saved_enabled);
	ASSERT_NE(NULL, r)
		TH_LOG("no view during exec in %d attempts, %lu reads", attempt, reads);
	TH_LOG("caught on attempt %d: %lx-%lx, %lu bytes", attempt, r->start, r->end, r->size);
	EXPECT_EQ(1, view.nr);
	/* the arguments' pages are there (exec_with_big_args()) */
	EXPECT_GE(r->size, 4UL << 20);
	EXPECT_EQ(0, r->thp);
	/*
	 * The kernel checks that a huge page fits before it looks at the
	 * stack: where no PMD-aligned PMD fits in the stack exec builds (32
	 * MiB with 16 KiB pages), the first rule that says no is the size.
	 */
	if (((r->start + LM_PMD - 1) & ~(LM_PMD - 1)) + LM_PMD <= r->end) {
		EXPECT_STREQ("exec-stack", r->thp_reason);
	} else {
		EXPECT_STREQ("too-small", r->thp_reason);
	}
	free(text);
}

/*
 * DAX: a file of a filesystem mounted -o dax is the device's memory, mapped
 * without the page cache.  khugepaged never collapses it and smaps says
 * no, though a fault may map it huge.  qemu/run makes such a filesystem on
 * legacy pmem where the kernel has nd_pmem, and names it in LIBMAPS_DAX_DIR.
 */
TEST(thp_dax)
{
	const char *dir = getenv("LIBMAPS_DAX_DIR");
	static char chunk[1 << 16];
	struct lm_view_rec *r;
	char path[256], *p;
	size_t done;
	int fd;

	if (!dir && getenv("LIBMAPS_DAX_WHY"))
		SKIP(return, "no DAX filesystem in LIBMAPS_DAX_DIR: %s", getenv("LIBMAPS_DAX_WHY"));
	if (!dir)
		SKIP(return, "no DAX filesystem in LIBMAPS_DAX_DIR (qemu/run makes one with nd_pmem; the debug kernel is built without LIBNVDIMM)");
	snprintf(path, sizeof(path), "%s/libmaps-dax", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	for (done = 0; done < LM_2PMD; done += sizeof(chunk))
		ASSERT_EQ((ssize_t)sizeof(chunk), write(fd, chunk, sizeof(chunk)));
	p = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	ASSERT_NE(MAP_FAILED, p);

	save_enabled();
	thp_set("enabled", "always");
	EXPECT_EQ(0, compare(_metadata));
	r = rec((unsigned long)p);
	ASSERT_NE(NULL, r);
	/* 5.10 gives files other than shmem no THP rule but "no" */
	EXPECT_STREQ(lm_kernel_at_least(6, 0) ? "dax" : "file", r->thp_reason);
	EXPECT_EQ(0, r->thp);
	/* ext4 asks for huge faults on every DAX mapping: the kernel's own mark */
	EXPECT_TRUE(lm_view_has_flag(r, "hg"));

	/* faults map the device's memory; pmd= must still agree with smaps */
	memset(p, 1, LM_2PMD);
	EXPECT_EQ(0, compare(_metadata));
	r = rec((unsigned long)p);
	ASSERT_NE(NULL, r);
	TH_LOG("DAX mapping after a write: pmd=%lu", r->pmd);
	thp_set("enabled", saved_enabled);
	munmap(p, LM_2PMD);
	close(fd);
	unlink(path);
}

/* vvar is a VM_PFNMAP/VM_IO mapping: 6.1 refuses it as special. */
TEST(thp_special)
{
	int i;

	if (lm_kernel_at_least(6, 8))
		SKIP(return, "6.8+ smaps no longer refuses VM_NO_KHUGEPAGED mappings first");
	ASSERT_EQ(0, compare(_metadata));
	i = lm_maps_find_name(&maps, "[vvar]", 0);
	ASSERT_GE(i, 0);
	/* 5.10's transparent_hugepage_active() asks for the size first */
	EXPECT_STREQ(lm_kernel_at_least(6, 0) ? "special" : "too-small",
		     rec(maps.recs[i].start)->thp_reason);
}

/*
 * [vdso] is neither anonymous nor a file.  On 6.8 to 6.x the 8 KiB folios
 * of THP_ORDERS_ALL_FILE_DEFAULT are tried, so where one fits (the vdso
 * starts 8 KiB aligned) the first rule that refuses is
 * vma_can_map_huge_file()'s missing file, and where none fits it is the
 * size.  Before 6.8 it is special (VM_DONTEXPAND); on 7.x only huge sizes
 * are tried for it.  The vdso lands where ASLR puts it, so new processes
 * are started until one has it 8 KiB aligned.
 */
#define LM_PAUSE_CHILD		"--libmaps-pause"

TEST(thp_no_file)
{
	bool seen_fit = false;
	unsigned long start;
	int try, fds[2], i;
	char fd_arg[16];
	pid_t pid;

	if (!lm_kernel_at_least(6, 8) || lm_kernel_at_least(7, 0))
		SKIP(return, "[vdso] reaches the file rule only on 6.8 to 6.x");
	for (try = 0; try < 30 && !seen_fit; try++) {
		ASSERT_EQ(0, pipe(fds));
		pid = lm_fork();
		ASSERT_GE(pid, 0);
		if (!pid) {
			close(fds[0]);
			snprintf(fd_arg, sizeof(fd_arg), "%d", fds[1]);
			execl("/proc/self/exe", "libmaps_explain_test", LM_PAUSE_CHILD, fd_arg,
			      (char *)NULL);
			_exit(127);
		}
		close(fds[1]);
		ASSERT_EQ(1, read(fds[0], fd_arg, 1));
		close(fds[0]);
		EXPECT_EQ(0, lm_compare(pid, &view, &maps));
		i = lm_maps_find_name(&maps, "[vdso]", 0);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ASSERT_GE(i, 0);
		start = maps.recs[i].start;
		EXPECT_STREQ(maps.recs[i].end - start >= 2 * (unsigned long)pg &&
			     !(start & (2 * pg - 1)) ? "no-file" : "too-small",
			     rec(start)->thp_reason) TH_LOG("[vdso] at %lx", start);
		/* arm64's with 16 KiB pages is one page: no 2-page folio fits ever */
		if (maps.recs[i].end - start < 2 * (unsigned long)pg)
			SKIP(return, "[vdso] is %lu KiB, one page: the file rule is never reached",
			     (maps.recs[i].end - start) >> 10);
		seen_fit = !(start & (2 * pg - 1));
	}
	EXPECT_TRUE(seen_fit);
}

/*
 * Map 4 MiB of @fd shared at a 2 MiB boundary and, with "enabled" at
 * always, check the view against smaps and its reason against @want.
 */
static void expect_file_reason(struct __test_metadata *_metadata, int fd, int prot,
			       const char *want)
{
	char *p = lm_map_aligned(LM_2PMD, LM_PMD, prot, MAP_SHARED, fd);

	ASSERT_NE(MAP_FAILED, p);
	save_enabled();
	thp_set("enabled", "always");
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ(want, thp_reason(p));
	thp_set("enabled", saved_enabled);
	munmap(p, LM_2PMD);
}

/*
 * secretmem is a file, but of an anonymous inode: 6.12 refuses it by its
 * superblock, 7.x every anonymous inode.  Before 6.12 the config test
 * (CONFIG_READ_ONLY_THP_FOR_FS, off in Debian) refuses first.
 */
TEST(thp_file_anon_inode)
{
	int fd = syscall(447 /* __NR_memfd_secret */, 0);

	if (!lm_kernel_at_least(6, 12))
		SKIP(return, "before 6.12 secretmem is refused as any other file");
	if (fd < 0)
		SKIP(return, "memfd_secret: %s (CONFIG_SECRETMEM off, or secretmem.enable=0)",
		     strerror(errno));
	ASSERT_EQ(0, ftruncate(fd, LM_2PMD));
	expect_file_reason(_metadata, fd, PROT_READ | PROT_WRITE, "file-anon-inode");
	close(fd);
}

/*
 * 7.x: a block device's page cache takes PMD-sized folios, so a mapping
 * of one passes every rule up to the last: it is not a regular file.
 * Before 7.x the config test (CONFIG_READ_ONLY_THP_FOR_FS) refuses first.
 */
TEST(thp_file_not_regular)
{
	const char *dev = "/dev/pmem0";
	int fd;

	if (!lm_kernel_at_least(7, 0))
		SKIP(return, "before 7.x a block device is refused as any other file");
	fd = open(dev, O_RDONLY);
	if (fd < 0)
		SKIP(return, "no block device to map (%s: %s)", dev, strerror(errno));
	expect_file_reason(_metadata, fd, PROT_READ, "file-not-regular");
	close(fd);
}

/* Multi-size THP: the sizes sysfs allows are the ones given. */
TEST(thp_sizes_and_no_size)
{
	char *small, *big, sizes[48];

	if (!lm_kernel_at_least(6, 8) || access(THP_DIR "hugepages-64kB/enabled", F_OK))
		SKIP(return, "no multi-size THP (6.8+) on this kernel");
	save_enabled();
	thp_set("enabled", "always");
	small = lm_map_aligned(128 << 10, 64 << 10, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1);
	big = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	ASSERT_NE(MAP_FAILED, small);
	ASSERT_NE(MAP_FAILED, big);

	thp_set("hugepages-64kB/enabled", "always");
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("eligible", thp_reason(small));
	EXPECT_STREQ("64K", rec((unsigned long)small)->thp_sizes);
	snprintf(sizes, sizeof(sizes), "%luK,64K", LM_PMD >> 10);
	EXPECT_STREQ(sizes, rec((unsigned long)big)->thp_sizes);
	thp_set("hugepages-64kB/enabled", "never");

	thp_set(lm_pmd_knob("enabled"), "never");
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("no-size-enabled", thp_reason(big));
	thp_set(lm_pmd_knob("enabled"), "inherit");
	thp_set("enabled", saved_enabled);
}

/* 6.11+: shared anonymous memory has per-size shmem_enabled knobs. */
TEST(thp_shmem_no_size)
{
	char saved[16][32], buf[128], *o, *c, *p;
	glob_t knobs;
	size_t i;

	if (glob(THP_DIR "hugepages-*kB/shmem_enabled", 0, NULL, &knobs))
		SKIP(return, "no per-size shmem_enabled (6.11+) on this kernel");
	ASSERT_GE(16UL, knobs.gl_pathc);
	for (i = 0; i < knobs.gl_pathc; i++) {
		ASSERT_LT(0, lm_read_file(knobs.gl_pathv[i], buf, sizeof(buf)));
		o = strchr(buf, '[');
		c = o ? strchr(o, ']') : NULL;
		ASSERT_NE(NULL, c);
		snprintf(saved[i], sizeof(saved[i]), "%.*s", (int)(c - o - 1), o + 1);
	}
	p = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < knobs.gl_pathc; i++)
		EXPECT_EQ(0, write_file(knobs.gl_pathv[i], "never"));
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("shmem-no-size", thp_reason(p));
	for (i = 0; i < knobs.gl_pathc; i++)
		EXPECT_EQ(0, write_file(knobs.gl_pathv[i], saved[i]));
	EXPECT_EQ(0, compare(_metadata));
	globfree(&knobs);
	munmap(p, LM_2PMD);
}

/* ------------------------------------------------------------ what backs it */

TEST(pmd_mapped_huge_pages)
{
	char *p = lm_map_aligned(LM_2PMD, LM_PMD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	struct lm_view_rec *r;

	if (access(THP_DIR "enabled", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, LM_2PMD, MADV_HUGEPAGE));
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_EQ(0UL, rec((unsigned long)p)->pmd);

	memset(p, 1, LM_2PMD);
	ASSERT_EQ(0, compare(_metadata));	/* pmd= against AnonHugePages */
	r = rec((unsigned long)p);
	ASSERT_NE(NULL, r);
	EXPECT_GE(r->pmd, 1UL);
	EXPECT_GE(r->group_huge, r->pmd * LM_PMD);
	munmap(p, LM_2PMD);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], LM_EXEC_CHILD))
		return 0;
	if (argc > 2 && !strcmp(argv[1], LM_PAUSE_CHILD)) {
		if (write(atoi(argv[2]), "", 1) == 1)
			pause();
		return 1;
	}
	pg = sysconf(_SC_PAGESIZE);
	return test_harness_run(argc, argv);
}
