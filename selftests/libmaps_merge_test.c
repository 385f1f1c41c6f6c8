// SPDX-License-Identifier: GPL-2.0
/*
 * The merge matrix: for each input of the kernel's VMA merge rules, a pair
 * of adjacent VMAs that differ in exactly that input, and the view's
 * merge= for the second one.  The expected reason is the input the test
 * changed on purpose; for pairs that differ in two inputs it is the one
 * the running kernel tests first, in the order read from its source:
 *
 *   5.10, 6.1 (mm/mmap.c vma_merge(), is_mergeable_vma()):
 *     special mempolicy flags file close uffd anon-name anon-vma offset
 *   6.12, 7.x (mm/vma.c vma_merge_existing_range(), is_mergeable_vma()):
 *     special mempolicy flags file uffd anon-name anon-vma offset close
 *
 * /proc/self/maps shows that each pair exists (two records, adjacent), a
 * pair that differs in nothing is one record, and lm_compare() checks the
 * whole view against maps and smaps first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#define LM_DEVMEM_OFF	0xa0000		/* the VGA window, as in the explain test */
#define LM_MPOL_BIND	2
#define LM_MPOL_LOCAL	4
#define LM_MPOL_F_STATIC_NODES	(1 << 15)
#define LM_MPOL_F_ADDR	(1 << 1)	/* get_mempolicy() */
#define LM_MLOCK_ONFAULT	1
#define LM_NR_MSEAL	462
#define LM_PR_SET_VMA	0x53564d41
#define LM_VM_LOCKONFAULT_BIT	19	/* 0x00080000 */

/* The inputs of the merge rules, named as in merge=. */
enum input {
	IN_SPECIAL, IN_MEMPOLICY, IN_FLAGS, IN_FILE, IN_CLOSE, IN_UFFD,
	IN_ANON_NAME, IN_ANON_VMA, IN_OFFSET, IN_NR
};

static const char * const input_names[IN_NR] = {
	"special", "mempolicy", "flags", "file", "close", "uffd",
	"anon-name", "anon-vma", "offset",
};

static const enum input order_6_1[IN_NR] = {
	IN_SPECIAL, IN_MEMPOLICY, IN_FLAGS, IN_FILE, IN_CLOSE, IN_UFFD,
	IN_ANON_NAME, IN_ANON_VMA, IN_OFFSET,
};

static const enum input order_6_12[IN_NR] = {
	IN_SPECIAL, IN_MEMPOLICY, IN_FLAGS, IN_FILE, IN_UFFD,
	IN_ANON_NAME, IN_ANON_VMA, IN_OFFSET, IN_CLOSE,
};

#define BIT_IN(i)	(1u << (i))

static struct lm_view view;
static struct lm_maps maps;
static long pg;
static unsigned long *pairs_checked;	/* shared with every test's child */

/* What the running kernel names first among @inputs. */
static const char *first_input(unsigned int inputs)
{
	const enum input *order = lm_kernel_at_least(6, 12) ? order_6_12 : order_6_1;

	for (int i = 0; i < IN_NR; i++)
		if (inputs & BIT_IN(order[i]))
			return input_names[order[i]];
	return "(none)";
}

/*
 * A pair as built: the first VMA is [a, b), the second [b, b + blen).
 * @merged: the two differ in nothing and should be one VMA.  @flags: the
 * vm_flags that differ, as the view names them ("wr", "lo+lf").
 * @first_of_group: the second VMA starts a group of its own (anon names).
 */
struct pair {
	char *a, *b;
	size_t blen;
	unsigned int inputs;
	bool merged;
	bool first_of_group;
	char flags[64];
	const char *skip;
};

/* Two anonymous private pages between PROT_NONE guards. */
static int anon2(struct pair *p, int prot)
{
	p->a = lm_map_aligned(2 * pg, pg, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	if (p->a == MAP_FAILED)
		return -1;
	p->b = p->a + pg;
	p->blen = pg;
	return 0;
}

static int build_none(struct pair *p)
{
	if (anon2(p, PROT_READ | PROT_WRITE))
		return -1;
	/* split, then join again: the kernel merges the two back */
	if (mprotect(p->b, pg, PROT_READ) || mprotect(p->b, pg, PROT_READ | PROT_WRITE))
		return -1;
	p->merged = true;
	return 0;
}

/*
 * Make the second page read-only.  It is faulted first: from 6.12 on (at
 * least), mprotect() also drops VM_ACCOUNT from anonymous memory that has
 * no anon_vma yet, and the pair would differ in two flags.
 */
static int prot_ro(struct pair *p)
{
	p->b[0] = 1;
	return mprotect(p->b, pg, PROT_READ);
}

static int build_prot(struct pair *p)
{
	if (anon2(p, PROT_READ | PROT_WRITE) || prot_ro(p))
		return -1;
	p->inputs = BIT_IN(IN_FLAGS);
	strcpy(p->flags, "wr");
	return 0;
}

static int madv(struct pair *p, int advice, const char *flags, const char *skip)
{
	if (anon2(p, PROT_READ | PROT_WRITE))
		return -1;
	if (madvise(p->b, pg, advice)) {
		if (errno == EINVAL && skip) {
			p->skip = skip;
			return 0;
		}
		return -1;
	}
	p->inputs = BIT_IN(IN_FLAGS);
	strcpy(p->flags, flags);
	return 0;
}

static int build_dontfork(struct pair *p)
{
	return madv(p, MADV_DONTFORK, "dc", NULL);
}

static int build_wipeonfork(struct pair *p)
{
	return madv(p, MADV_WIPEONFORK, "wf", NULL);
}

static int build_dontdump(struct pair *p)
{
	return madv(p, MADV_DONTDUMP, "dd", NULL);
}

static int build_hugepage(struct pair *p)
{
	return madv(p, MADV_HUGEPAGE, "hg", "kernel without CONFIG_TRANSPARENT_HUGEPAGE");
}

static int build_nohugepage(struct pair *p)
{
	return madv(p, MADV_NOHUGEPAGE, "nh", "kernel without CONFIG_TRANSPARENT_HUGEPAGE");
}

static int build_mergeable(struct pair *p)
{
	return madv(p, MADV_MERGEABLE, "mg", "kernel without CONFIG_KSM");
}

static int build_sequential(struct pair *p)
{
	return madv(p, MADV_SEQUENTIAL, "sr", NULL);
}

static int build_random(struct pair *p)
{
	return madv(p, MADV_RANDOM, "rr", NULL);
}

static int build_mlock(struct pair *p)
{
	if (anon2(p, PROT_READ | PROT_WRITE) || mlock(p->b, pg))
		return -1;
	p->inputs = BIT_IN(IN_FLAGS);
	strcpy(p->flags, "lo");
	return 0;
}

static int build_mlock_onfault(struct pair *p)
{
	if (anon2(p, PROT_READ | PROT_WRITE))
		return -1;
	if (syscall(SYS_mlock2, p->b, pg, LM_MLOCK_ONFAULT))
		return -1;
	p->inputs = BIT_IN(IN_FLAGS);
	/* smaps names VM_LOCKONFAULT "lf" from 6.12 on, earlier not at all */
	snprintf(p->flags, sizeof(p->flags), "lo+%s",
		 lm_kernel_at_least(6, 12) ? "lf" : "bit19");
	return 0;
}

static int build_mseal(struct pair *p)
{
	if (anon2(p, PROT_READ | PROT_WRITE))
		return -1;
	if (syscall(LM_NR_MSEAL, p->b, pg, 0)) {
		if (errno == ENOSYS || errno == EPERM) {
			p->skip = "no mseal() (before 6.10, or not 64-bit)";
			return 0;
		}
		return -1;
	}
	p->inputs = BIT_IN(IN_FLAGS);
	strcpy(p->flags, "sl");
	return 0;
}

/* [a: @fd1 at 0][b: @fd2 at @off], both read-only private. */
static int file2(struct pair *p, int fd1, int fd2, off_t off)
{
	p->a = lm_map_aligned(2 * pg, pg, PROT_READ, MAP_PRIVATE, fd1);
	if (p->a == MAP_FAILED)
		return -1;
	p->b = p->a + pg;
	p->blen = pg;
	if (mmap(p->b, pg, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd2, off) != p->b)
		return -1;
	return 0;
}

static int build_file(struct pair *p)
{
	int fd1 = open("/proc/self/exe", O_RDONLY), fd2 = open("/proc/self/exe", O_RDONLY);

	if (fd1 < 0 || fd2 < 0 || file2(p, fd1, fd2, pg))
		return -1;
	p->inputs = BIT_IN(IN_FILE);
	return 0;
}

static int build_offset(struct pair *p)
{
	int fd = open("/proc/self/exe", O_RDONLY);

	if (fd < 0 || file2(p, fd, fd, 3 * pg))
		return -1;
	p->inputs = BIT_IN(IN_OFFSET);
	return 0;
}

#define NO_UFFD "no userfaultfd (CONFIG_USERFAULTFD off, or not allowed)"

static int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int u = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (u >= 0 && ioctl(u, UFFDIO_API, &api)) {
		close(u);
		return -1;
	}
	return u;
}

static int uffd_register(int u, void *addr)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	reg.range.start = (unsigned long)addr;
	reg.range.len = pg;
	return ioctl(u, UFFDIO_REGISTER, &reg);
}

/* Each half registered (same flags) with a userfaultfd of its own. */
static int uffd2(struct pair *p)
{
	int u1 = uffd_open(), u2;

	if (u1 < 0 && (errno == ENOSYS || errno == EPERM)) {
		p->skip = NO_UFFD;
		return 0;
	}
	u2 = uffd_open();
	if (u1 < 0 || u2 < 0 || uffd_register(u1, p->a) || uffd_register(u2, p->b))
		return -1;
	p->inputs |= BIT_IN(IN_UFFD);
	return 0;
}

static int build_uffd(struct pair *p)
{
	if (anon2(p, PROT_READ | PROT_WRITE))
		return -1;
	return uffd2(p);
}

/*
 * Two anonymous pages faulted while a hole separates them (a fault next
 * to a VMA with an anon_vma would share it), then moved together.
 * @before_fault runs on each page before it is faulted.
 */
static int anon_vma2(struct pair *p, int (*before_fault)(char *page))
{
	char *x = lm_map_aligned(3 * pg, pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1);

	if (x == MAP_FAILED || munmap(x + pg, pg))
		return -1;
	p->a = x;
	p->b = x + pg;
	p->blen = pg;
	if (before_fault && (before_fault(x) || before_fault(x + 2 * pg)))
		return -1;
	x[0] = 1;
	x[2 * pg] = 2;
	if (mremap(x + 2 * pg, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, p->b) != p->b)
		return -1;
	p->inputs = BIT_IN(IN_ANON_VMA);
	return 0;
}

static int build_anon_vma(struct pair *p)
{
	return anon_vma2(p, NULL);
}

/* SysV shared memory has a close operation: split it and join it again. */
/*
 * Attach @pages of new SysV shared memory at p->a, removed at once (it
 * lives while attached).  0 with p->skip set where there is no SysV IPC.
 */
static int sysv_attach(struct pair *p, int pages)
{
	int id = shmget(IPC_PRIVATE, pages * pg, IPC_CREAT | 0600);

	if (id < 0 && errno == ENOSYS) {
		p->skip = "kernel without CONFIG_SYSVIPC";
		return 0;
	}
	if (id < 0)
		return -1;
	p->a = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	return p->a == (void *)-1 ? -1 : 0;
}

static int build_close(struct pair *p)
{
	if (sysv_attach(p, 2) || p->skip)
		return p->skip ? 0 : -1;
	p->b = p->a + pg;
	p->blen = pg;
	if (mprotect(p->b, pg, PROT_READ) || mprotect(p->b, pg, PROT_READ | PROT_WRITE))
		return -1;
	p->inputs = BIT_IN(IN_CLOSE);
	return 0;
}

/* Device memory: two adjacent mappings of /dev/mem at adjacent offsets. */
static int build_special(struct pair *p)
{
	int fd = open("/dev/mem", O_RDONLY);

	if (fd < 0 && errno == ENOENT) {
		p->skip = "no /dev/mem (CONFIG_DEVMEM off)";
		return 0;
	}
	if (fd < 0)
		return -1;
	p->a = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, LM_DEVMEM_OFF);
	if (p->a == MAP_FAILED)
		return -1;
	p->b = p->a + pg;
	p->blen = pg;
	if (munmap(p->b, pg) ||
	    mmap(p->b, pg, PROT_READ, MAP_SHARED | MAP_FIXED, fd, LM_DEVMEM_OFF + pg) != p->b)
		return -1;
	p->inputs = BIT_IN(IN_SPECIAL);
	return 0;
}

/*
 * A name on the second half.  The view shows each anon name as a group
 * of its own, so the kernel's anon-name rule shows as the second VMA
 * starting a group.
 */
static int build_anon_name(struct pair *p)
{
	if (anon2(p, PROT_READ | PROT_WRITE))
		return -1;
	if (prctl(LM_PR_SET_VMA, 0, (unsigned long)p->b, pg, "libmaps-merge")) {
		if (errno == EINVAL) {
			p->skip = "kernel without CONFIG_ANON_VMA_NAME";
			return 0;
		}
		return -1;
	}
	p->inputs = BIT_IN(IN_ANON_NAME);
	p->first_of_group = true;
	return 0;
}

static long mbind_(void *addr, unsigned long len, int mode, unsigned long mask)
{
	return syscall(SYS_mbind, addr, len, mode, mask ? &mask : NULL,
		       mask ? 8 * sizeof(mask) : 0, 0);
}

/* The nodemask get_mempolicy() reads back for the policy at @addr. */
static long mpol_mask(void *addr, int *mode)
{
	unsigned long mask[16] = { 0 };

	if (syscall(SYS_get_mempolicy, mode, mask, 8 * sizeof(mask), addr, LM_MPOL_F_ADDR))
		return -1;
	return (long)mask[0];
}

#define NO_NUMA "kernel without CONFIG_NUMA (no mbind)"

static int build_mpol_bind(struct pair *p)
{
	if (anon2(p, PROT_READ | PROT_WRITE))
		return -1;
	if (mbind_(p->b, pg, LM_MPOL_BIND, 1)) {
		if (errno == ENOSYS) {
			p->skip = NO_NUMA;
			return 0;
		}
		return -1;
	}
	p->inputs = BIT_IN(IN_MEMPOLICY);
	return 0;
}

/* The numa_maps policy of the VMA at @addr ("bind=static:0"), or "". */
static void numa_policy(void *addr, char *out, size_t size)
{
	char *text = malloc(1 << 20), *line, key[32];

	snprintf(key, sizeof(key), "%lx ", (unsigned long)addr);
	*out = '\0';
	if (!text || lm_read_file("/proc/self/numa_maps", text, 1 << 20) < 0) {
		free(text);
		return;
	}
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, key, strlen(key)))
			sscanf(line + strlen(key), "%31s", out);
	(void)size;
	free(text);
}

/*
 * MPOL_BIND | MPOL_F_STATIC_NODES with user nodemasks {0} and {0,1}: node
 * 1 need not exist, so both bind to node 0.  __mpol_equal() compares the
 * user nodemask of such policies (mpol_store_user_nodemask()).
 */
static int build_mpol_static(struct pair *p)
{
	char pa[32], pb[32];
	int ma, mb;

	if (anon2(p, PROT_READ | PROT_WRITE))
		return -1;
	if (mbind_(p->a, pg, LM_MPOL_BIND | LM_MPOL_F_STATIC_NODES, 1)) {
		if (errno == ENOSYS) {
			p->skip = NO_NUMA;
			return 0;
		}
		return -1;
	}
	if (mbind_(p->b, pg, LM_MPOL_BIND | LM_MPOL_F_STATIC_NODES, 3))
		return -1;
	/* the kernel keeps both user nodemasks, and binds both to the same nodes */
	if (mpol_mask(p->a, &ma) != 1 || mpol_mask(p->b, &mb) != 3 || ma != mb)
		return -1;
	numa_policy(p->a, pa, sizeof(pa));
	numa_policy(p->b, pb, sizeof(pb));
	if (!*pa || strcmp(pa, pb)) {
		fprintf(stderr, "# numa_maps: '%s' vs '%s'\n", pa, pb);
		return -1;
	}
	p->inputs = BIT_IN(IN_MEMPOLICY);
	return 0;
}

static int set_local(char *page)
{
	return mbind_(page, pg, LM_MPOL_LOCAL, 0) ? -1 : 0;
}

/* MPOL_LOCAL set on each half separately: equal, the kernel merges them. */
static int build_mpol_local(struct pair *p)
{
	if (anon2(p, PROT_READ | PROT_WRITE))
		return -1;
	if (set_local(p->a)) {
		if (errno == ENOSYS) {
			p->skip = NO_NUMA;
			return 0;
		}
		return -1;
	}
	if (set_local(p->b))
		return -1;
	p->merged = true;
	return 0;
}

/* MPOL_LOCAL on both, kept apart only by their anon_vmas. */
static int build_mpol_local_anon_vma(struct pair *p)
{
	if (mbind_(&pg, 0, LM_MPOL_LOCAL, 0) && errno == ENOSYS) {
		p->skip = NO_NUMA;
		return 0;
	}
	return anon_vma2(p, set_local);
}

/* Two inputs at once. */

/* flags and mempolicy: mempolicy first everywhere. */
static int build_mpol_flags(struct pair *p)
{
	if (build_mpol_bind(p) || p->skip)
		return p->skip ? 0 : -1;
	if (prot_ro(p))
		return -1;
	p->inputs |= BIT_IN(IN_FLAGS);
	strcpy(p->flags, "wr");
	return 0;
}

/* flags and file: flags first everywhere. */
static int build_flags_file(struct pair *p)
{
	if (build_file(p) || mprotect(p->b, pg, PROT_READ | PROT_EXEC))
		return -1;
	p->inputs |= BIT_IN(IN_FLAGS);
	strcpy(p->flags, "ex");
	return 0;
}

/* uffd and anon_vma: uffd first everywhere. */
static int build_uffd_anon_vma(struct pair *p)
{
	if (build_anon_vma(p))
		return -1;
	return uffd2(p);
}

/*
 * close and offset: pages 0 and 2 of one SysV shm attach side by side
 * (page 2 moved over page 1).  6.1 tests vm_ops->close in
 * is_mergeable_vma(), before the offsets; 6.12+ only when a merge would
 * remove a VMA, after every other rule.
 */
static int build_close_offset(struct pair *p)
{
	if (sysv_attach(p, 3) || p->skip)
		return p->skip ? 0 : -1;
	p->b = p->a + pg;
	p->blen = pg;
	if (mremap(p->a + 2 * pg, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, p->b) != p->b)
		return -1;
	p->inputs = BIT_IN(IN_CLOSE) | BIT_IN(IN_OFFSET);
	return 0;
}

/* close and mempolicy: mempolicy first everywhere. */
static int build_close_mpol(struct pair *p)
{
	if (build_close(p) || p->skip)
		return p->skip ? 0 : -1;
	if (mbind_(p->b, pg, LM_MPOL_BIND, 1)) {
		if (errno == ENOSYS) {
			p->skip = NO_NUMA;
			return 0;
		}
		return -1;
	}
	p->inputs |= BIT_IN(IN_MEMPOLICY);
	return 0;
}

FIXTURE(pair) {
	struct pair p;
};

FIXTURE_VARIANT(pair) {
	int (*build)(struct pair *p);
};

#define PAIR(name_, fn)				\
	FIXTURE_VARIANT_ADD(pair, name_) {	\
		.build = fn,			\
	}

PAIR(none, build_none);
PAIR(flags_mprotect, build_prot);
PAIR(flags_dontfork, build_dontfork);
PAIR(flags_wipeonfork, build_wipeonfork);
PAIR(flags_dontdump, build_dontdump);
PAIR(flags_hugepage, build_hugepage);
PAIR(flags_nohugepage, build_nohugepage);
PAIR(flags_mergeable, build_mergeable);
PAIR(flags_sequential, build_sequential);
PAIR(flags_random, build_random);
PAIR(flags_mlock, build_mlock);
PAIR(flags_mlock_onfault, build_mlock_onfault);
PAIR(flags_mseal, build_mseal);
PAIR(file, build_file);
PAIR(offset, build_offset);
PAIR(uffd, build_uffd);
PAIR(anon_vma, build_anon_vma);
PAIR(close, build_close);
PAIR(special, build_special);
PAIR(anon_name, build_anon_name);
PAIR(mempolicy_bind, build_mpol_bind);
PAIR(mempolicy_static_user_nodes, build_mpol_static);
PAIR(mempolicy_local_merged, build_mpol_local);
PAIR(mempolicy_local_anon_vma, build_mpol_local_anon_vma);
PAIR(two_mempolicy_flags, build_mpol_flags);
PAIR(two_flags_file, build_flags_file);
PAIR(two_uffd_anon_vma, build_uffd_anon_vma);
PAIR(two_close_offset, build_close_offset);
PAIR(two_close_mempolicy, build_close_mpol);

FIXTURE_SETUP(pair)
{
	memset(&self->p, 0, sizeof(self->p));
}

FIXTURE_TEARDOWN(pair)
{
}

/* Is @name one of the '+'-separated names in @list? */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; *s; s = strchr(s, '+') ? strchr(s, '+') + 1 : s + strlen(s))
		if (!strncmp(s, name, n) && (s[n] == '+' || s[n] == '\0'))
			return true;
	return false;
}

/* Is every name in the '+'-separated list @x also in @y? */
static bool names_in(const char *x, const char *y)
{
	char buf[64], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", x);
	for (tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save))
		if (!in_list(y, tok))
			return false;
	return true;
}

/*
 * Is smaps' VmFlags name @name one of the flags the pair was built to
 * differ in?  smaps writes "??" for a bit it has no name for (5.10 and
 * 6.1: VM_LOCKONFAULT), where the view writes bit<N>.
 */
static bool built_flag(const struct pair *p, const char *name)
{
	return in_list(p->flags, name) || (!strcmp(name, "??") && strstr(p->flags, "bit"));
}

static bool has_vmflag(const struct lm_maps_rec *m, const char *name)
{
	for (int i = 0; i < m->nr_vmflags; i++)
		if (!strcmp(m->vmflags[i], name))
			return true;
	return false;
}

TEST_F(pair, merge)
{
	struct pair *p = &self->p;
	const struct lm_maps_rec *ma, *mb;
	struct lm_view_rec *ra, *rb;
	char want[80];
	int ia, ib;

	ASSERT_EQ(0, variant->build(p)) TH_LOG("building the pair: %s", strerror(errno));
	if (p->skip)
		SKIP(return, "%s", p->skip);
	ASSERT_EQ(0, lm_compare(0, &view, &maps)) TH_LOG("%s", lm_error);
	ia = lm_maps_find(&maps, (unsigned long)p->a);
	ASSERT_LE(0, ia);
	ma = &maps.recs[ia];
	ra = lm_view_find(&view, (unsigned long)p->a);
	ASSERT_NE(NULL, ra);
	if (p->merged) {
		/* the kernel merged the two: one record, and the view agrees */
		EXPECT_EQ((unsigned long)p->b + p->blen, ma->end);
		EXPECT_EQ(-1, lm_maps_find(&maps, (unsigned long)p->b));
		EXPECT_EQ((unsigned long)p->b + p->blen, ra->end);
		EXPECT_EQ(NULL, lm_view_find(&view, (unsigned long)p->b));
		goto done;
	}
	/* both records exist in maps, adjacent */
	ib = lm_maps_find(&maps, (unsigned long)p->b);
	ASSERT_LE(0, ib) TH_LOG("no VMA at the second half: the kernel merged the pair");
	mb = &maps.recs[ib];
	ASSERT_EQ((unsigned long)p->b, ma->end);
	ASSERT_EQ((unsigned long)p->b + p->blen, mb->end);
	rb = lm_view_find(&view, (unsigned long)p->b);
	ASSERT_NE(NULL, rb);
	if (p->first_of_group) {
		EXPECT_NE(ra->group, rb->group);
		EXPECT_STREQ("first", rb->merge);
		goto done;
	}
	snprintf(want, sizeof(want), "%s", first_input(p->inputs));
	if (!strcmp(want, "flags")) {
		/* smaps shows the flags that differ (those it names) */
		for (int i = 0; i < mb->nr_vmflags; i++) {
			EXPECT_TRUE(has_vmflag(ma, mb->vmflags[i]) ||
				    built_flag(p, mb->vmflags[i]))
				TH_LOG("smaps: %s differs", mb->vmflags[i]);
		}
		for (int i = 0; i < ma->nr_vmflags; i++) {
			EXPECT_TRUE(has_vmflag(mb, ma->vmflags[i]) ||
				    built_flag(p, ma->vmflags[i]))
				TH_LOG("smaps: %s differs", ma->vmflags[i]);
		}
		ASSERT_EQ(0, strncmp(rb->merge, "flags:", 6)) TH_LOG("merge=%s, want flags:%s",
								    rb->merge, p->flags);
		EXPECT_TRUE(names_in(rb->merge + 6, p->flags) && names_in(p->flags, rb->merge + 6))
			TH_LOG("merge=%s, want flags:%s", rb->merge, p->flags);
	} else {
		EXPECT_STREQ(want, rb->merge);
	}
done:
	if (!_metadata->passed)
		return;
	__atomic_add_fetch(pairs_checked, 1, __ATOMIC_SEQ_CST);
}

static void __attribute__((constructor)) merge_init(void)
{
	pg = sysconf(_SC_PAGESIZE);
	pairs_checked = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pairs_checked == MAP_FAILED)
		abort();
}

static void __attribute__((destructor)) merge_fini(void)
{
	printf("# merge matrix: %lu pairs checked (kernel order: %s)\n", *pairs_checked,
	       lm_kernel_at_least(6, 12) ? "6.12+" : "5.10/6.1");
}

TEST_HARNESS_MAIN
