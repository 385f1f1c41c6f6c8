// SPDX-License-Identifier: GPL-2.0
/*
 * The THP matrix.  Every kind of mapping the kernel's THP rules tell apart
 * (6.1: hugepage_vma_check() and shmem_is_huge(); 6.12 and 7.x:
 * __thp_vma_allowable_orders(), shmem_allowable_huge_orders() and
 * shmem_huge_global_enabled(), which decide by vma_is_anonymous(),
 * shmem_file(), vma_is_anon_shmem() -- set at mmap() time for shared
 * anonymous memory and for every shmem file without links then -- and the
 * mount's huge=, vma_is_dax(), VM_PFNMAP; the process's own ELF mappings
 * are private files), each with no advice, MADV_HUGEPAGE and MADV_NOHUGEPAGE,
 * under the global "enabled" knob and the prctl (the fixture variants:
 * every value of each, the prctl modes with "always" and "madvise"), every
 * value of "shmem_enabled", and with each: the per-size knobs of the PMD
 * size (anonymous crossed with shmem) and of 64K (each alone), 6.8+ and
 * (shmem) 6.11+.
 *
 * Each region is touched once under its variant's setting, so that huge
 * pages are allocated where the kernel allocates them.  For every VMA of
 * the process, at every setting: thp= is smaps' THPeligible and pmd= is
 * smaps' PMD-mapped size (lm_compare()).  Every knob is put back in the
 * fixture's teardown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED	(1 << 1)
#endif

#define MAX_REGIONS	96
#define MNT_FMT		"/tmp/lm-thpm-%s"

/*
 * Every knob the matrix writes, saved in setup and put back in teardown;
 * the PMD size's are named at run time (set_knob_names()).
 */
#define NR_KNOBS	7
static const char *knobs[NR_KNOBS] = {
	"enabled", "shmem_enabled", NULL, NULL,
	"hugepages-64kB/enabled", "hugepages-64kB/shmem_enabled",
	"khugepaged/max_ptes_none",
};

static void set_knob_names(void)
{
	static char pmd_enabled[64], pmd_shmem[64];

	snprintf(pmd_enabled, sizeof(pmd_enabled), "%s", lm_pmd_knob("enabled"));
	snprintf(pmd_shmem, sizeof(pmd_shmem), "%s", lm_pmd_knob("shmem_enabled"));
	knobs[2] = pmd_enabled;
	knobs[3] = pmd_shmem;
}

static const char * const huge_opts[] = { "never", "always", "within_size", "advise" };
#define NR_MOUNTS	4

static const int advice[] = { -1, MADV_HUGEPAGE, MADV_NOHUGEPAGE };
static const char * const advice_name[] = { "-", "MADV_HUGEPAGE", "MADV_NOHUGEPAGE" };

/* Too big for the harness' stack-allocated fixture data. */
static struct lm_view view;
static struct lm_maps maps;

struct region {
	char *p;
	size_t size;
	bool untouched;		/* device memory: nothing to fault in */
	char what[96];
};

FIXTURE(thp)
{
	char saved[NR_KNOBS][64];
	bool have[NR_KNOBS];
	int mounted;
	bool ready;		/* set up: the 6.1 harness runs the body after a SKIP */
	struct region regions[MAX_REGIONS];
	int nr;
	unsigned long settings, records, refused, transient;
};

/* The global "enabled" knob and the prctl: one TAP line each. */
FIXTURE_VARIANT(thp)
{
	const char *enabled;
	int prctl;		/* 0, 1: PR_SET_THP_DISABLE, 2: ... EXCEPT_ADVISED */
};

#define THP_VARIANT(name, e, p)				\
	FIXTURE_VARIANT_ADD(thp, name)			\
	{						\
		.enabled = e,				\
		.prctl = p,				\
	}

THP_VARIANT(always, "always", 0);
THP_VARIANT(madvise, "madvise", 0);
THP_VARIANT(never, "never", 0);
THP_VARIANT(always_prctl_disable, "always", 1);
THP_VARIANT(always_prctl_except_advised, "always", 2);
THP_VARIANT(madvise_prctl_except_advised, "madvise", 2);

/* Touch the first page of @r: a write, or a read for the huge zero page. */
static void touch(struct region *r, bool write)
{
	if (write)
		*(volatile char *)r->p = 1;
	else
		(void)*(volatile char *)r->p;
}

static char *add(FIXTURE_DATA(thp) *self, size_t size, int flags, int fd, int adv, const char *fmt, const char *a, const char *b)
{
	struct region *r;
	char *p;

	if (self->nr == MAX_REGIONS)
		return MAP_FAILED;
	r = &self->regions[self->nr];
	p = lm_map_aligned(size, LM_PMD, PROT_READ | PROT_WRITE, flags, fd);
	if (p == MAP_FAILED)
		return p;
	if (adv >= 0 && madvise(p, size, adv))
		return MAP_FAILED;
	r->p = p;
	r->size = size;
	snprintf(r->what, sizeof(r->what), fmt, a, b);
	self->nr++;
	return p;
}

/* A tmpfs file of @size under @dir; unlinked now if @unlink. */
static int tmpfs_file(const char *dir, int n, size_t size, bool unlink_now)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "%s/f%d", dir, n);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, size) || (unlink_now && unlink(path))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Every kind of mapping, each with every advice.  Returns NULL, or what
 * could not be set up.
 */
static const char *map_kinds(FIXTURE_DATA(thp) *self)
{
	char dir[64], path[96];
	int a, m, fd, n = 0, id;
	char *p;

	for (a = 0; a < 3; a++) {
		const char *adv = advice_name[a];

		if (add(self, LM_2PMD, MAP_PRIVATE | MAP_ANONYMOUS, -1, advice[a],
			"private anonymous, %s%s", adv, "") == MAP_FAILED ||
		    add(self, LM_2PMD, MAP_SHARED | MAP_ANONYMOUS, -1, advice[a],
			"shared anonymous, %s%s", adv, "") == MAP_FAILED)
			return "anonymous mappings";

		fd = open("/dev/zero", O_RDWR);
		if (fd < 0)
			return "/dev/zero";
		if (add(self, LM_2PMD, MAP_PRIVATE, fd, advice[a],
			"private /dev/zero, %s%s", adv, "") == MAP_FAILED ||
		    add(self, LM_2PMD, MAP_SHARED, fd, advice[a],
			"shared /dev/zero, %s%s", adv, "") == MAP_FAILED)
			return "/dev/zero mappings";
		close(fd);

		fd = memfd_create("lm-thpm", 0);
		if (fd < 0 || ftruncate(fd, LM_2PMD))
			return "memfd_create";
		if (add(self, LM_2PMD, MAP_SHARED, fd, advice[a],
			"memfd shared, %s%s", adv, "") == MAP_FAILED ||
		    add(self, LM_2PMD, MAP_PRIVATE, fd, advice[a],
			"memfd private, %s%s", adv, "") == MAP_FAILED)
			return "memfd mappings";
		close(fd);

		/* SysV shm, attached over an aligned reservation */
		p = lm_map_aligned(LM_2PMD, LM_PMD, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);
		if (p == MAP_FAILED)
			return "room for SysV shm";
		id = shmget(IPC_PRIVATE, LM_2PMD, IPC_CREAT | 0600);
		if (id < 0)
			return "shmget";
		if (shmat(id, p, SHM_REMAP) != p) {
			shmctl(id, IPC_RMID, NULL);
			return "shmat";
		}
		shmctl(id, IPC_RMID, NULL);
		if (advice[a] >= 0 && madvise(p, LM_2PMD, advice[a]))
			return "madvise SysV shm";
		self->regions[self->nr].p = p;
		self->regions[self->nr].size = LM_2PMD;
		snprintf(self->regions[self->nr].what, sizeof(self->regions[0].what),
			 "SysV shm, %s", adv);
		self->nr++;

		for (m = 0; m < NR_MOUNTS; m++) {
			const char *h = huge_opts[m];

			snprintf(dir, sizeof(dir), MNT_FMT, h);
			fd = tmpfs_file(dir, n++, LM_2PMD, false);
			if (fd < 0)
				return "tmpfs file";
			if (add(self, LM_2PMD, MAP_SHARED, fd, advice[a],
				"tmpfs huge=%s linked, shared, %s", h, adv) == MAP_FAILED ||
			    add(self, LM_2PMD, MAP_PRIVATE, fd, advice[a],
				"tmpfs huge=%s linked, private, %s", h, adv) == MAP_FAILED)
				return "tmpfs mappings";
			/* unlinked after mmap: shmem_vm_ops, no links now */
			if (add(self, LM_2PMD, MAP_SHARED, fd, advice[a],
				"tmpfs huge=%s unlinked after mmap, %s", h, adv) == MAP_FAILED)
				return "tmpfs mappings";
			snprintf(path, sizeof(path), "%s/f%d", dir, n - 1);
			unlink(path);
			close(fd);

			/* unlinked before mmap: 6.12+ maps it as anonymous shmem */
			fd = tmpfs_file(dir, n++, LM_2PMD, true);
			if (fd < 0)
				return "unlinked tmpfs file";
			if (add(self, LM_2PMD, MAP_SHARED, fd, advice[a],
				"tmpfs huge=%s unlinked before mmap, %s", h, adv) == MAP_FAILED)
				return "tmpfs mappings";
			close(fd);
		}

		/* within_size: the mapping reaches past EOF */
		snprintf(dir, sizeof(dir), MNT_FMT, "within_size");
		fd = tmpfs_file(dir, n++, (3 * LM_PMD / 2), false);
		if (fd < 0)
			return "short tmpfs file";
		if (add(self, LM_2PMD, MAP_SHARED, fd, advice[a],
			"tmpfs huge=within_size 1.5-PMD file in 2 PMDs, %s%s", adv, "") == MAP_FAILED)
			return "tmpfs mappings";
		close(fd);

		/* a regular file that is not shmem: DAX, where the rig has it */
		if (getenv("LIBMAPS_DAX_DIR")) {
			snprintf(path, sizeof(path), "%s/lm-thpm-%d", getenv("LIBMAPS_DAX_DIR"), a);
			fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
			if (fd < 0 || ftruncate(fd, LM_2PMD))
				return "DAX file";
			unlink(path);
			if (add(self, LM_2PMD, MAP_SHARED, fd, advice[a],
				"DAX file shared, %s%s", adv, "") == MAP_FAILED ||
			    add(self, LM_2PMD, MAP_PRIVATE, fd, advice[a],
				"DAX file private, %s%s", adv, "") == MAP_FAILED)
				return "DAX mappings";
			close(fd);
		}
	}

	/* a PFN map (VM_PFNMAP | VM_IO): the legacy VGA hole of /dev/mem */
	fd = open("/dev/mem", O_RDWR);
	if (fd >= 0) {
		p = mmap(NULL, 32 << 12, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0xa0000);
		close(fd);
		if (p != MAP_FAILED && self->nr < MAX_REGIONS) {
			self->regions[self->nr].p = p;
			self->regions[self->nr].size = 32 << 12;
			self->regions[self->nr].untouched = true;
			snprintf(self->regions[self->nr].what, sizeof(self->regions[0].what),
				 "/dev/mem PFN map");
			self->nr++;
		}
	}
	return NULL;
}

FIXTURE_SETUP(thp)
{
	char dir[64], opt[48];
	const char *what;
	unsigned int k;
	int i;

	set_knob_names();
	for (k = 0; k < NR_KNOBS; k++)
		self->have[k] = !lm_knob_get(knobs[k], self->saved[k], sizeof(self->saved[k]));
	if (!self->have[0] || !self->have[1])
		SKIP(return, "kernel without transparent huge pages (no %s)", LM_THP_DIR);

	/*
	 * khugepaged must not collapse a region between the view and smaps:
	 * with max_ptes_none 0 it collapses only fully populated ranges, and
	 * each region has one page touched.
	 */
	ASSERT_EQ(0, lm_knob_set("khugepaged/max_ptes_none", "0"));
	ASSERT_EQ(0, lm_knob_set("enabled", variant->enabled));
	if (variant->prctl == 1)
		ASSERT_EQ(0, prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	if (variant->prctl == 2 &&
	    prctl(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED, 0, 0))
		SKIP(return, "no PR_THP_DISABLE_EXCEPT_ADVISED (7.x/6.18+): %s",
		     strerror(errno));

	for (i = 0; i < NR_MOUNTS; i++) {
		snprintf(dir, sizeof(dir), MNT_FMT, huge_opts[i]);
		mkdir(dir, 0700);
		snprintf(opt, sizeof(opt), "huge=%s,size=256m", huge_opts[i]);
		ASSERT_EQ(0, mount("tmpfs", dir, "tmpfs", 0, opt))
			TH_LOG("mount tmpfs -o %s: %s", opt, strerror(errno));
		self->mounted = i + 1;
	}
	what = map_kinds(self);
	ASSERT_EQ(NULL, what) TH_LOG("setting up %s: %s", what, strerror(errno));

	/* allocate under this variant's setting; the read gets the huge zero page */
	for (i = 0; i < self->nr; i++)
		if (!self->regions[i].untouched)
			touch(&self->regions[i], i != 0);
	self->ready = true;
}

FIXTURE_TEARDOWN(thp)
{
	char dir[64];
	unsigned int k;
	int i;

	for (i = 0; i < self->nr; i++)
		munmap(self->regions[i].p, self->regions[i].size);
	for (i = 0; i < self->mounted; i++) {
		snprintf(dir, sizeof(dir), MNT_FMT, huge_opts[i]);
		umount(dir);
		rmdir(dir);
	}
	/* "enabled" last: the others may be refused under some values of it */
	for (k = NR_KNOBS; k-- > 0;)
		if (self->have[k])
			lm_knob_set(knobs[k], self->saved[k]);
	if (self->have[0])
		lm_knob_set(knobs[0], self->saved[0]);
}

/* Compare under the setting now in force; on a mismatch, name the regions. */
static int compare(struct __test_metadata *_metadata, FIXTURE_DATA(thp) *self,
		   const char *setting)
{
	struct lm_view_rec *v;
	int bad, i, j;

	bad = lm_compare(0, &view, &maps);
	/*
	 * khugepaged may collapse this process's own buffers (written
	 * whole, so max_ptes_none 0 does not stop it) between the view and
	 * smaps: a disagreement that a second look does not show was that.
	 * A wrong rule disagrees every time.
	 */
	if (bad > 0 && lm_compare(0, &view, &maps) == 0) {
		self->transient++;
		bad = 0;
	}
	self->settings++;
	if (bad < 0) {
		TH_LOG("%s: %s", setting, lm_error);
		return 1;
	}
	self->records += view.nr;
	if (!bad)
		return 0;
	TH_LOG("%s: %d mismatches; the regions:", setting, bad);
	for (i = 0; i < self->nr; i++) {
		j = lm_maps_find(&maps, (unsigned long)self->regions[i].p);
		v = lm_view_find(&view, (unsigned long)self->regions[i].p);
		TH_LOG("  %p %s: smaps THPeligible %d PMD %ld kB; view thp=%d (%s) pmd=%ld",
		       self->regions[i].p, self->regions[i].what,
		       j < 0 ? -1 : maps.recs[j].thp_eligible,
		       j < 0 ? -1 : maps.recs[j].pmd_kb,
		       v ? v->thp : -1, v ? v->thp_reason : "-", v ? (long)v->pmd : -1);
	}
	return 1;
}

/* Set @knob to each of @values in turn and compare; put it back after. */
static int sweep(struct __test_metadata *_metadata, FIXTURE_DATA(thp) *self,
		 const char *knob, const char * const *values, int nr_values,
		 const char *outer)
{
	char was[64], setting[512];
	int i, bad = 0;

	if (lm_knob_get(knob, was, sizeof(was)))
		return 0;
	for (i = 0; i < nr_values; i++) {
		if (lm_knob_set(knob, values[i])) {
			self->refused++;
			continue;
		}
		snprintf(setting, sizeof(setting), "%s %s=%s", outer, knob, values[i]);
		bad += compare(_metadata, self, setting);
	}
	lm_knob_set(knob, was);
	return bad;
}

TEST_F_TIMEOUT(thp, matrix, 600)
{
	static const char * const shmem[] = { "always", "within_size", "advise", "never",
					      "deny", "force" };
	static const char * const anon_size[] = { "always", "inherit", "madvise", "never" };
	static const char * const shmem_size[] = { "always", "inherit", "within_size",
						   "advise", "never" };
	const char *sizes[] = { knobs[2], "hugepages-64kB/enabled" };
	const char *shmem_sizes[] = { knobs[3], "hugepages-64kB/shmem_enabled" };
	char outer[192];
	int g, v, bad = 0;

	if (!self->ready)
		return;

	for (g = 0; g < 6; g++) {
		if (!lm_knob_offers("shmem_enabled", shmem[g]))
			continue;
		if (lm_knob_set("shmem_enabled", shmem[g])) {
			self->refused++;
			continue;
		}
		snprintf(outer, sizeof(outer), "enabled=%s prctl=%d shmem_enabled=%s",
			 variant->enabled, variant->prctl, shmem[g]);
		bad += compare(_metadata, self, outer);
		/*
		 * The PMD size: its anonymous knob crossed with its shmem
		 * knob; 64K: each of the two on its own.
		 */
		for (v = 0; v < 4; v++) {
			char was[64], o2[384];

			if (lm_knob_get(sizes[0], was, sizeof(was)))
				break;
			if (lm_knob_set(sizes[0], anon_size[v])) {
				self->refused++;
				continue;
			}
			snprintf(o2, sizeof(o2), "%s %s=%s", outer, sizes[0], anon_size[v]);
			bad += compare(_metadata, self, o2);
			bad += sweep(_metadata, self, shmem_sizes[0], shmem_size, 5, o2);
			lm_knob_set(sizes[0], was);
		}
		bad += sweep(_metadata, self, sizes[1], anon_size, 4, outer);
		bad += sweep(_metadata, self, shmem_sizes[1], shmem_size, 5, outer);
	}
	TH_LOG("%lu settings, %lu records compared with smaps, %lu settings the kernel refused, %d disagreed, %lu only once (khugepaged)",
	       self->settings, self->records, self->refused, bad, self->transient);
	EXPECT_EQ(0, bad);
}

TEST_HARNESS_MAIN
