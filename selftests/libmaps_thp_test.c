// SPDX-License-Identifier: GPL-2.0
/*
 * THP eligibility under every setting a root user can choose: the global
 * and per-size "enabled" knobs for anonymous memory, the "shmem_enabled"
 * knobs (global and, 6.11+, per size) for shared anonymous memory and for
 * every tmpfs, and the huge= option of a tmpfs mount, each crossed with
 * MADV_HUGEPAGE, MADV_NOHUGEPAGE and no advice, shared and private
 * mappings, and files that do or do not cover the whole mapping.
 *
 * libmaps computes "thp=" with its own copy of the kernel's rules; the
 * oracle is smaps' THPeligible for the same VMA, read back to back with
 * the view (lm_compare()).  Every knob is put back as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#define SZ_64K		(64UL << 10)
#define MAX_REGIONS	128

static struct lm_view view;
static struct lm_maps maps;

/* What a region is, to say which one disagrees. */
static struct region {
	char *p;
	size_t size;
	char what[96];
} regions[MAX_REGIONS];
static int nr_regions;

static const int advice[] = { -1, MADV_HUGEPAGE, MADV_NOHUGEPAGE };
static const char * const advice_name[] = { "no advice", "MADV_HUGEPAGE", "MADV_NOHUGEPAGE" };

/*
 * Map one region and advise it; a PROT_NONE page below keeps it from
 * merging with its neighbour of the same kind.
 */
static char *add_region(struct __test_metadata *_metadata, size_t size, size_t align,
			int flags, int fd, int adv, const char *fmt, const char *arg)
{
	struct region *r = &regions[nr_regions];
	char *p;

	if (nr_regions == MAX_REGIONS)
		return MAP_FAILED;
	p = lm_map_aligned(size, align, PROT_READ | PROT_WRITE, flags, fd);
	if (p == MAP_FAILED)
		return p;
	if (adv >= 0 && madvise(p, size, adv))
		return MAP_FAILED;
	/* the next region goes below this page (if it is free) */
	mmap(p - getpagesize(), getpagesize(), PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	r->p = p;
	r->size = size;
	snprintf(r->what, sizeof(r->what), fmt, arg);
	nr_regions++;
	return p;
}

/* Compare; on a mismatch, say which regions the addresses are. */
static int compare_under(struct __test_metadata *_metadata, const char *setting)
{
	int bad = lm_compare(0, &view, &maps);
	int i, j;

	if (bad < 0) {
		TH_LOG("%s: %s", setting, lm_error);
		return bad;
	}
	if (!bad)
		return 0;
	TH_LOG("under %s, %d mismatches; the regions:", setting, bad);
	for (i = 0; i < nr_regions; i++) {
		j = lm_maps_find(&maps, (unsigned long)regions[i].p);
		TH_LOG("  %p %s: smaps THPeligible %d, view thp=%d (%s)", regions[i].p,
		       regions[i].what, j < 0 ? -1 : maps.recs[j].thp_eligible,
		       lm_view_find(&view, (unsigned long)regions[i].p) ?
		       lm_view_find(&view, (unsigned long)regions[i].p)->thp : -1,
		       lm_view_find(&view, (unsigned long)regions[i].p) ?
		       lm_view_find(&view, (unsigned long)regions[i].p)->thp_reason : "-");
	}
	return bad;
}

/* smaps' THPeligible of region @i after the last compare, -1 if none. */
static int eligible(int i)
{
	int j = lm_maps_find(&maps, (unsigned long)regions[i].p);

	return j < 0 ? -1 : maps.recs[j].thp_eligible;
}

static void *map_aligned_anon_regions(struct __test_metadata *_metadata)
{
	char desc[64];
	int a;

	for (a = 0; a < 3; a++) {
		snprintf(desc, sizeof(desc), "private anon 2 PMDs, %s", advice_name[a]);
		if (add_region(_metadata, LM_2PMD, LM_PMD, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       advice[a], "%s", desc) == MAP_FAILED)
			return MAP_FAILED;
		snprintf(desc, sizeof(desc), "private anon 128K, %s", advice_name[a]);
		if (add_region(_metadata, 2 * SZ_64K, SZ_64K, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       advice[a], "%s", desc) == MAP_FAILED)
			return MAP_FAILED;
		snprintf(desc, sizeof(desc), "shared anon 2 PMDs, %s", advice_name[a]);
		if (add_region(_metadata, LM_2PMD, LM_PMD, MAP_SHARED | MAP_ANONYMOUS, -1,
			       advice[a], "%s", desc) == MAP_FAILED)
			return MAP_FAILED;
	}
	return NULL;
}

/*
 * Anonymous memory: "enabled" always/madvise/never, and on 6.8+ each of
 * the PMD size's (hugepages-2048kB with 4 KiB pages) and
 * hugepages-64kB/enabled always, inherit,
 * madvise, never.
 */
TEST(anon_knobs)
{
	static const char * const global[] = { "always", "madvise", "never" };
	static const char * const per_size[] = { "always", "inherit", "madvise", "never" };
	const char *sizes[] = { lm_pmd_knob("enabled"), "hugepages-64kB/enabled" };
	char saved[3][32], setting[160];
	bool mthp[2];
	int g, s, v, bad = 0;

	if (lm_knob_get("enabled", saved[0], sizeof(saved[0])))
		SKIP(return, "kernel without transparent huge pages");
	for (s = 0; s < 2; s++)
		mthp[s] = !lm_knob_get(sizes[s], saved[1 + s], sizeof(saved[1 + s]));
	nr_regions = 0;
	ASSERT_EQ(NULL, map_aligned_anon_regions(_metadata));

	for (g = 0; g < 3; g++) {
		lm_knob_set("enabled", global[g]);
		snprintf(setting, sizeof(setting), "enabled=%s", global[g]);
		bad += compare_under(_metadata, setting) != 0;
		/* first principles: the knob took (region 0: 2 PMDs, no advice) */
		if (!strcmp(global[g], "always"))
			EXPECT_EQ(1, eligible(0)) TH_LOG("%s", setting);
		if (!strcmp(global[g], "never") && !mthp[0])
			EXPECT_EQ(0, eligible(0)) TH_LOG("%s", setting);
		for (s = 0; s < 2; s++) {
			if (!mthp[s])
				continue;
			for (v = 0; v < 4; v++) {
				if (lm_knob_set(sizes[s], per_size[v]))
					continue;
				snprintf(setting, sizeof(setting), "enabled=%s %s=%s",
					 global[g], sizes[s], per_size[v]);
				bad += compare_under(_metadata, setting) != 0;
			}
			lm_knob_set(sizes[s], saved[1 + s]);
		}
	}
	lm_knob_set("enabled", saved[0]);
	if (!mthp[0])
		TH_LOG("no per-size knobs (6.8+): only the global one tried");
	EXPECT_EQ(0, bad);
}

/*
 * Shared anonymous memory and tmpfs files: shmem_enabled (always,
 * within_size, advise, never, deny, force) and, 6.11+, the per-size
 * hugepages-2048kB/shmem_enabled (always, inherit, within_size, advise,
 * never), over tmpfs mounts with huge=never/always/within_size/advise,
 * files of 4 MiB and of 3 MiB (within_size), mapped shared and private.
 */
TEST(shmem_knobs)
{
	static const char * const huge_opt[] = { "never", "always", "within_size", "advise" };
	static const char * const global[] = { "always", "within_size", "advise", "never",
					       "deny", "force" };
	static const char * const per_size[] = { "always", "inherit", "within_size",
						 "advise", "never" };
	const char *psize = lm_pmd_knob("shmem_enabled");
	char saved[2][32], dir[64], path[96], opt[32], desc[96], setting[160];
	int h, a, m, sz, g, v, fd, bad = 0, mounted = 0;
	bool has_psize;

	if (lm_knob_get("shmem_enabled", saved[0], sizeof(saved[0])))
		SKIP(return, "kernel without shmem transparent huge pages");
	has_psize = !lm_knob_get(psize, saved[1], sizeof(saved[1]));
	nr_regions = 0;

	for (h = 0; h < 4; h++) {
		snprintf(dir, sizeof(dir), "/tmp/lm-thp-%s", huge_opt[h]);
		mkdir(dir, 0700);
		snprintf(opt, sizeof(opt), "huge=%s,size=64m", huge_opt[h]);
		ASSERT_EQ(0, mount("tmpfs", dir, "tmpfs", 0, opt))
			TH_LOG("mount tmpfs -o %s: %s", opt, strerror(errno));
		mounted = h + 1;
		for (sz = 0; sz < 2; sz++) {
			snprintf(path, sizeof(path), "%s/f%d", dir, sz);
			fd = open(path, O_RDWR | O_CREAT, 0600);
			ASSERT_GE(fd, 0);
			ASSERT_EQ(0, ftruncate(fd, sz ? 3 * LM_PMD / 2 : LM_2PMD));
			for (m = 0; m < 2; m++) {
				for (a = 0; a < 3; a++) {
					snprintf(desc, sizeof(desc), "tmpfs huge=%s, %s file, %s, %s",
						 huge_opt[h], sz ? "1.5-PMD" : "2-PMD",
						 m ? "private" : "shared", advice_name[a]);
					ASSERT_NE(MAP_FAILED,
						  add_region(_metadata, LM_2PMD, LM_PMD,
							     m ? MAP_PRIVATE : MAP_SHARED, fd,
							     advice[a], "%s", desc));
				}
			}
			close(fd);
		}
	}
	for (a = 0; a < 3; a++) {
		snprintf(desc, sizeof(desc), "shared anon 2 PMDs, %s", advice_name[a]);
		ASSERT_NE(MAP_FAILED, add_region(_metadata, LM_2PMD, LM_PMD,
						 MAP_SHARED | MAP_ANONYMOUS, -1, advice[a],
						 "%s", desc));
	}

	for (g = 0; g < 6; g++) {
		if (!lm_knob_offers("shmem_enabled", global[g]))
			continue;
		EXPECT_EQ(0, lm_knob_set("shmem_enabled", global[g]));
		snprintf(setting, sizeof(setting), "shmem_enabled=%s", global[g]);
		bad += compare_under(_metadata, setting) != 0;
		/*
		 * First principles, with the per-size knob as it was:
		 * force makes even huge=never eligible (region 0: shared
		 * 2-PMD file, no advice), deny refuses even huge=always
		 * (region 12), never leaves huge=always alone.
		 */
		if (!has_psize || !strcmp(saved[1], "inherit")) {
			if (!strcmp(global[g], "force"))
				EXPECT_EQ(1, eligible(0)) TH_LOG("%s", setting);
			if (!strcmp(global[g], "deny"))
				EXPECT_EQ(0, eligible(12)) TH_LOG("%s", setting);
			if (!strcmp(global[g], "never"))
				EXPECT_EQ(1, eligible(12)) TH_LOG("%s", setting);
		}
		for (v = 0; has_psize && v < 5; v++) {
			if (lm_knob_set(psize, per_size[v]))
				continue;
			snprintf(setting, sizeof(setting), "shmem_enabled=%s %s=%s",
				 global[g], psize, per_size[v]);
			bad += compare_under(_metadata, setting) != 0;
		}
		if (has_psize)
			lm_knob_set(psize, saved[1]);
	}
	lm_knob_set("shmem_enabled", saved[0]);
	if (!has_psize)
		TH_LOG("no per-size shmem_enabled (6.11+): only the global one tried");
	EXPECT_EQ(0, bad);

	for (h = 0; h < nr_regions; h++)
		munmap(regions[h].p, regions[h].size);
	for (h = 0; h < mounted; h++) {
		snprintf(dir, sizeof(dir), "/tmp/lm-thp-%s", huge_opt[h]);
		umount(dir);
		rmdir(dir);
	}
}

/* PMD-mapped bytes of region @i (smaps), -1 if it has no record. */
static long pmd_kb(int i)
{
	int j = lm_maps_find(&maps, (unsigned long)regions[i].p);

	return j < 0 ? -1 : maps.recs[j].pmd_kb;
}

/*
 * Huge pages that are there: anonymous THP (one of them split to PTEs by
 * an mprotect() in its middle), 64K mTHP where the kernel has them, a
 * tmpfs huge=always file and shared anonymous memory under
 * shmem_enabled=always.  The view's pmd= (and the group's huge=) must be
 * what smaps counts: AnonHugePages + ShmemPmdMapped + FilePmdMapped.
 */
TEST(pmd_mapped)
{
	char saved[3][32], dir[] = "/tmp/lm-thp-pmd", path[64], opts[64];
	bool has64;
	char *p;
	int fd, i;

	if (lm_knob_get("enabled", saved[0], sizeof(saved[0])) ||
	    lm_knob_get("shmem_enabled", saved[1], sizeof(saved[1])))
		SKIP(return, "kernel without transparent huge pages");
	has64 = !lm_knob_get("hugepages-64kB/enabled", saved[2], sizeof(saved[2])) &&
		!lm_knob_set("hugepages-64kB/enabled", "always");
	lm_knob_set("enabled", "always");
	lm_knob_set("shmem_enabled", "always");
	nr_regions = 0;

	p = add_region(_metadata, LM_2PMD, LM_PMD, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       MADV_HUGEPAGE, "%s", "private anon 2 PMDs, MADV_HUGEPAGE, touched");
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, LM_2PMD);
	p = add_region(_metadata, LM_2PMD, LM_PMD, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       MADV_HUGEPAGE, "%s", "private anon 2 PMDs, one THP split by mprotect");
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, LM_2PMD);
	ASSERT_EQ(0, mprotect(p + LM_PMD + getpagesize(), getpagesize(), PROT_READ));
	p = add_region(_metadata, 4 * SZ_64K, SZ_64K, MAP_PRIVATE | MAP_ANONYMOUS, -1, -1,
		       "%s", "private anon 256K (64K mTHP if any), touched");
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, 4 * SZ_64K);
	p = add_region(_metadata, LM_2PMD, LM_PMD, MAP_SHARED | MAP_ANONYMOUS, -1, -1,
		       "%s", "shared anon 2 PMDs, touched");
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, LM_2PMD);

	mkdir(dir, 0700);
	snprintf(opts, sizeof(opts), "huge=always,size=%luk", 4 * LM_PMD >> 10);
	ASSERT_EQ(0, mount("tmpfs", dir, "tmpfs", 0, opts));
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, LM_2PMD));
	p = add_region(_metadata, LM_2PMD, LM_PMD, MAP_SHARED, fd, -1,
		       "%s", "tmpfs huge=always 2-PMD file, shared, touched");
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, LM_2PMD);
	close(fd);

	EXPECT_EQ(0, compare_under(_metadata, "enabled=always shmem_enabled=always"));
	for (i = 0; i < nr_regions; i++)
		TH_LOG("%s: smaps PMD-mapped %ld kB, view pmd=%ld", regions[i].what, pmd_kb(i),
		       lm_view_find(&view, (unsigned long)regions[i].p) ?
		       (long)lm_view_find(&view, (unsigned long)regions[i].p)->pmd : -1);
	/* the split: at most one PMD left in the second region */
	EXPECT_LE(pmd_kb(1), (long)(LM_PMD >> 10));

	for (i = 0; i < nr_regions; i++)
		munmap(regions[i].p, regions[i].size);
	unlink(path);
	umount(dir);
	rmdir(dir);
	lm_knob_set("enabled", saved[0]);
	lm_knob_set("shmem_enabled", saved[1]);
	if (has64)
		lm_knob_set("hugepages-64kB/enabled", saved[2]);
}

TEST_HARNESS_MAIN
