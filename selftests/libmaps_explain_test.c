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
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#define SZ_2M	(2UL << 20)
#define SZ_4M	(4UL << 20)
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

static int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &ma, &mi);
	return ma > major || (ma == major && mi >= minor);
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
		huge = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	ASSERT_NE(MAP_FAILED, huge) TH_LOG("MAP_HUGETLB: %s", strerror(errno));
	huge[0] = 1;
	ASSERT_EQ(0, compare(_metadata));

	EXPECT_STREQ("anon", rec((unsigned long)anon)->role);
	EXPECT_STREQ("shmem", rec((unsigned long)shm)->role);
	EXPECT_STREQ("memfd", rec((unsigned long)mfdmap)->role);
	EXPECT_STREQ("device", rec((unsigned long)dev)->role);
	EXPECT_STREQ("hugetlb", rec((unsigned long)huge)->role);
	EXPECT_EQ(2048UL, rec((unsigned long)huge)->pagesize_kb);
	for (i = 0; i < maps.nr; i++) {
		const char *n = maps.recs[i].name, *role = rec(maps.recs[i].start)->role;

		if (!strcmp(n, "[heap]") || !strcmp(n, "[stack]") || !strcmp(n, "[vdso]") ||
		    !strcmp(n, "[vvar]"))
			EXPECT_EQ(0, strncmp(role, n + 1, strlen(n) - 2)) TH_LOG("%s: %s", n, role);
	}
	munmap(huge, SZ_2M);
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
	child = fork();
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
	char *small, *nohuge, *huge_ok, *memfd_map, *ramfs_map;
	int mfd = memfd_create("libmaps-thp", 0), rfd;

	if (access(THP_DIR "enabled", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, ftruncate(mfd, SZ_4M));
	mkdir("/tmp/lm-thp", 0700);
	ASSERT_EQ(0, mount("ramfs", "/tmp/lm-thp", "ramfs", 0, NULL));
	rfd = open("/tmp/lm-thp/f", O_RDWR | O_CREAT, 0600);
	ASSERT_GE(rfd, 0);
	ASSERT_EQ(0, ftruncate(rfd, SZ_4M));

	small = lm_map_aligned(16 * pg, SZ_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	nohuge = lm_map_aligned(SZ_4M, SZ_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	huge_ok = lm_map_aligned(SZ_4M, SZ_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	memfd_map = lm_map_aligned(SZ_4M, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED, mfd);
	ramfs_map = lm_map_aligned(SZ_4M, SZ_2M, PROT_READ, MAP_PRIVATE, rfd);
	ASSERT_NE(MAP_FAILED, small);
	ASSERT_NE(MAP_FAILED, nohuge);
	ASSERT_NE(MAP_FAILED, huge_ok);
	ASSERT_NE(MAP_FAILED, memfd_map);
	ASSERT_NE(MAP_FAILED, ramfs_map);
	ASSERT_EQ(0, madvise(nohuge, SZ_4M, MADV_NOHUGEPAGE));

	save_enabled();
	thp_set("enabled", "always");
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_STREQ("eligible", thp_reason(huge_ok));
	EXPECT_NE(NULL, strstr(rec((unsigned long)huge_ok)->thp_sizes, "2048K"));
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
	munmap(ramfs_map, SZ_4M);
	umount("/tmp/lm-thp");
}

/* vvar is a VM_PFNMAP/VM_IO mapping: 6.1 refuses it as special. */
TEST(thp_special)
{
	int i;

	if (kernel_at_least(6, 8))
		SKIP(return, "6.8+ smaps no longer refuses VM_NO_KHUGEPAGED mappings first");
	ASSERT_EQ(0, compare(_metadata));
	i = lm_maps_find_name(&maps, "[vvar]", 0);
	ASSERT_GE(i, 0);
	EXPECT_STREQ("special", rec(maps.recs[i].start)->thp_reason);
}

/* Multi-size THP: the sizes sysfs allows are the ones given. */
TEST(thp_sizes_and_no_size)
{
	char *small, *big;

	if (!kernel_at_least(6, 8) || access(THP_DIR "hugepages-64kB/enabled", F_OK))
		SKIP(return, "no multi-size THP (6.8+) on this kernel");
	save_enabled();
	thp_set("enabled", "always");
	small = lm_map_aligned(128 << 10, 64 << 10, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1);
	big = lm_map_aligned(SZ_4M, SZ_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	ASSERT_NE(MAP_FAILED, small);
	ASSERT_NE(MAP_FAILED, big);

	thp_set("hugepages-64kB/enabled", "always");
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("eligible", thp_reason(small));
	EXPECT_STREQ("64K", rec((unsigned long)small)->thp_sizes);
	EXPECT_STREQ("2048K,64K", rec((unsigned long)big)->thp_sizes);
	thp_set("hugepages-64kB/enabled", "never");

	thp_set("hugepages-2048kB/enabled", "never");
	EXPECT_EQ(0, compare(_metadata));
	EXPECT_STREQ("no-size-enabled", thp_reason(big));
	thp_set("hugepages-2048kB/enabled", "inherit");
	thp_set("enabled", saved_enabled);
}

/* ------------------------------------------------------------ what backs it */

TEST(pmd_mapped_huge_pages)
{
	char *p = lm_map_aligned(SZ_4M, SZ_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	struct lm_view_rec *r;

	if (access(THP_DIR "enabled", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, SZ_4M, MADV_HUGEPAGE));
	ASSERT_EQ(0, compare(_metadata));
	EXPECT_EQ(0UL, rec((unsigned long)p)->pmd);

	memset(p, 1, SZ_4M);
	ASSERT_EQ(0, compare(_metadata));	/* pmd= against AnonHugePages */
	r = rec((unsigned long)p);
	ASSERT_NE(NULL, r);
	EXPECT_GE(r->pmd, 1UL);
	EXPECT_GE(r->group_huge, r->pmd * SZ_2M);
	munmap(p, SZ_4M);
}

int main(int argc, char **argv)
{
	pg = sysconf(_SC_PAGESIZE);
	return test_harness_run(argc, argv);
}
