// SPDX-License-Identifier: GPL-2.0
/*
 * libmaps_bench [-q] [-m MIB] [-r REPS] [-w USEC] [VMAS...]
 *
 * For each size (default 1000 16000 65530 VMAs, the last one
 * vm.max_map_count's default), start a target process with that many
 * VMAs, alternating one-page file mappings and anonymous pages, and a
 * writer thread that mmap()s and munmap()s a page in a loop, timing each
 * pair.  Then, in this one boot, read the whole of /proc/<pid>/maps,
 * /proc/<pid>/smaps, every VMA through PROCMAP_QUERY (6.11+) and
 * /sys/kernel/debug/libmaps/<pid>, REPS times each, and print per method
 * the median and spread of the read time, the cost per VMA, the writer's
 * p99 and worst mmap+munmap time while that method was read (its stall),
 * and for libmaps the module's peak allocation for one snapshot against
 * the view's size.  Ratios are printed at the end.
 *
 * libmaps is read twice: as loaded (batch_vmas VMAs per hold of the mmap
 * lock where the kernel can tell whether the map changed in between,
 * 6.12+), and with batch_vmas set to 0, one hold for the whole copy
 * ("libmaps 1hold").  For each, the module's counts of batched copies
 * started again and of copies made under one hold are printed.  -w USEC:
 * the writer pauses USEC between two mmap+munmap pairs (default 0: it
 * changes the map all the time, so no batched copy of a large map can
 * finish and every one ends under one hold).
 *
 * -m MIB: then a target with MIB resident (default 4096; -q 256) in four
 * VMAs of anonymous memory mapped by 4 KiB pages (a million PTEs for
 * 4 GiB), the case where the cost is the page-table walk: smaps_rollup,
 * smaps and the view (with its memory fields) are read, and the writer's
 * stall while each is read is the one that matters, since the view's walk
 * lets a waiting writer in between PMD tables and smaps only between VMAs.
 * -m 0: no such target.
 *
 * It prints figures only: no target fails it.  -q: 1000 VMAs, 3 reps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* include/uapi/linux/fs.h of 6.11+, which the build host may not have */
struct lm_procmap_query {
	uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags;
	uint64_t vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define LM_PROCMAP_QUERY	_IOWR('f', 17, struct lm_procmap_query)
#define LM_QUERY_NEXT		0x10	/* PROCMAP_QUERY_COVERING_OR_NEXT_VMA */

#define VIEW		"/sys/kernel/debug/libmaps"
#define PARAMS		"/sys/module/libmaps/parameters/"
#define PEAK		PARAMS "last_snapshot_bytes"
#define BUCKETS		200000	/* writer latencies, 1 us each, up to 200 ms */

enum { M_IDLE, M_MAPS, M_SMAPS, M_ROLLUP, M_QUERY, M_LIBMAPS, M_LIBMAPS_ONE, NR_METHODS };
static const char *const method_names[NR_METHODS] = {
	"idle", "maps", "smaps", "smaps_rollup", "PROCMAP_QUERY", "libmaps", "libmaps 1hold",
};

/* Shared with the target's writer thread. */
struct shared {
	atomic_bool stop, ready;
	atomic_int phase;		/* writer records into hist[phase] */
	atomic_ulong count[NR_METHODS];
	atomic_ulong over[NR_METHODS];	/* beyond the histogram */
	atomic_ulong max_ns[NR_METHODS];
	atomic_uint hist[NR_METHODS][BUCKETS];
};

static struct shared *sh;
static long pg;
static long pause_us;

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void *writer(void *arg)
{
	(void)arg;
	while (!atomic_load(&sh->stop)) {
		int ph = atomic_load(&sh->phase);
		uint64_t t0 = now_ns(), d;
		void *p = mmap(NULL, pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			munmap(p, pg);
		d = now_ns() - t0;
		if (d / 1000 < BUCKETS)
			sh->hist[ph][d / 1000]++;
		else
			sh->over[ph]++;
		sh->count[ph]++;
		if (d > atomic_load(&sh->max_ns[ph]))
			atomic_store(&sh->max_ns[ph], d);
		if (pause_us)
			usleep(pause_us);
	}
	return NULL;
}

#define RESIDENT_VMAS	4

/*
 * The resident target: @mib MiB of anonymous memory in RESIDENT_VMAS VMAs
 * (a page apart, so that they do not merge), every page touched and
 * mapped by a PTE of its own, then the writer.
 */
static void resident_target(long mib)
{
	size_t each = ((size_t)mib << 20) / RESIDENT_VMAS;
	char *base = mmap(NULL, RESIDENT_VMAS * (each + pg), PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	pthread_t w;

	if (base == MAP_FAILED)
		_exit(1);
	for (int i = 0; i < RESIDENT_VMAS; i++) {
		char *at = base + i * (each + pg);

		if (mmap(at, each, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
		    madvise(at, each, MADV_NOHUGEPAGE))
			_exit(2);
		for (size_t off = 0; off < each; off += pg)
			at[off] = 1;
	}
	if (pthread_create(&w, NULL, writer, NULL))
		_exit(4);
	atomic_store(&sh->ready, true);
	pthread_join(w, NULL);
	_exit(0);
}

/* The target: @n VMAs in all, then the writer until told to stop. */
static void target(long n, const char *file)
{
	int fd = open(file, O_RDONLY);
	long have = 0, i;
	char line[512];
	pthread_t w;
	FILE *f;
	char *base;

	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		have++;
	if (f)
		fclose(f);
	n -= have + 4;		/* the reservation's rest, the writer's stack... */
	base = mmap(NULL, (n + 2) * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || base == MAP_FAILED)
		_exit(1);
	/* file and anonymous pages alternate: neighbours never merge */
	for (i = 0; i < n; i++) {
		char *at = base + (i + 1) * pg;

		if (i % 2) {
			if (mmap(at, pg, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED)
				_exit(2);
		} else {
			if (mmap(at, pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
				_exit(3);
			at[0] = 1;
		}
	}
	if (pthread_create(&w, NULL, writer, NULL))
		_exit(4);
	atomic_store(&sh->ready, true);
	pthread_join(w, NULL);
	_exit(0);
}

/* Read all of @path; returns the bytes read, or -1. */
static ssize_t read_whole(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, size)) > 0)
		total += n;
	close(fd);
	return n < 0 ? -1 : total;
}

/* Every VMA through PROCMAP_QUERY, with its name; the count, or -1. */
static long query_all(pid_t pid)
{
	struct lm_procmap_query q;
	char path[64], name[4096];
	uint64_t addr = 0;
	long n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (;;) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.query_flags = LM_QUERY_NEXT;
		q.query_addr = addr;
		q.vma_name_addr = (uintptr_t)name;
		q.vma_name_size = sizeof(name);
		if (ioctl(fd, LM_PROCMAP_QUERY, &q)) {
			if (errno != ENOENT)
				n = -1;
			break;
		}
		n++;
		addr = q.vma_end;
	}
	close(fd);
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

/* The parts of an open, as the module's last_open_ns tells them. */
#define NR_PHASES	5
static const char *const phase_names[NR_PHASES] = {
	"THP settings", "copy", "page-table walk", "grouping", "text",
};

/* Add the module's last_open_ns to @ms. */
static void add_phases(double *ms)
{
	char buf[256], *p = buf;
	ssize_t n = read_whole(PARAMS "last_open_ns", buf, sizeof(buf) - 1);

	if (n <= 0)
		return;
	buf[n] = '\0';
	for (int i = 0; i < NR_PHASES && *p; i++) {
		ms[i] += strtod(p, &p) / 1e6;
		if (*p == ',')
			p++;
	}
}

struct result {
	bool valid;
	uint64_t median, min, max;	/* ns */
	uint64_t p99_us, worst_us;	/* the writer, while this ran */
	ssize_t bytes;
	long peak;			/* libmaps: module's peak allocation */
	long restarts, single;		/* libmaps: the module's counts */
	double phase_ms[NR_PHASES];	/* libmaps: mean time of each part of an open */
};

static uint64_t writer_p99(int m)
{
	unsigned long total = sh->count[m], seen = 0;

	for (int b = 0; b < BUCKETS; b++) {
		seen += sh->hist[m][b];
		if (seen * 100 >= total * 99)
			return b + 1;
	}
	return BUCKETS;
}

static long read_param(const char *name)
{
	char path[128], buf[64];
	ssize_t n;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	n = read_whole(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atol(buf);
}

static void write_param(const char *name, long value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%ld\n", value);
		fclose(f);
	}
}

/* Methods read for a target of many VMAs, and for a resident one. */
static bool method_for(int m, bool resident)
{
	if (m == M_ROLLUP)
		return resident;
	if (m == M_QUERY)
		return !resident;
	return true;
}

/* @want VMAs, or (with @mib) @mib MiB resident in a few. */
static void run(long want, long mib, int reps, const char *self)
{
	static char buf[1 << 20];
	struct result res[NR_METHODS] = { 0 };
	uint64_t *t = calloc(reps, sizeof(*t));
	char paths[NR_METHODS][64];
	long vmas = 0;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	pid = fork();
	if (pid == 0) {
		if (mib)
			resident_target(mib);
		target(want, self);
	}
	while (!atomic_load(&sh->ready)) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			if (mib)
				printf("# %ld MiB resident: the target could not map it\n", mib);
			else
				printf("# %ld VMAs: the target could not map them\n", want);
			return;
		}
		usleep(10000);
	}
	snprintf(paths[M_MAPS], 64, "/proc/%d/maps", pid);
	snprintf(paths[M_SMAPS], 64, "/proc/%d/smaps", pid);
	snprintf(paths[M_ROLLUP], 64, "/proc/%d/smaps_rollup", pid);
	snprintf(paths[M_LIBMAPS], 64, VIEW "/%d", pid);
	snprintf(paths[M_LIBMAPS_ONE], 64, VIEW "/%d", pid);
	read_whole(paths[M_MAPS], buf, sizeof(buf));
	{
		FILE *f = fopen(paths[M_MAPS], "r");
		char line[512];

		while (f && fgets(line, sizeof(line), f))
			vmas++;
		if (f)
			fclose(f);
	}

	for (int m = 0; m < NR_METHODS; m++) {
		long batch = read_param("batch_vmas");
		long restarts = read_param("restarts");
		long single = read_param("single_holds");

		if (!method_for(m, mib))
			continue;
		if (m == M_LIBMAPS_ONE)
			write_param("batch_vmas", 0);
		atomic_store(&sh->phase, m);
		for (int r = 0; r < reps; r++) {
			uint64_t t0 = now_ns();
			ssize_t got;

			if (m == M_IDLE) {
				usleep(200000);
				got = 0;
			} else if (m == M_QUERY) {
				got = query_all(pid);
			} else {
				got = read_whole(paths[m], buf, sizeof(buf));
			}
			t[r] = now_ns() - t0;
			if (got < 0)
				goto next;
			res[m].bytes = got;
			if (m == M_LIBMAPS || m == M_LIBMAPS_ONE) {
				long p = read_param("last_snapshot_bytes");

				add_phases(res[m].phase_ms);
				if (p > res[m].peak)
					res[m].peak = p;
			}
		}
		res[m].restarts = read_param("restarts") - restarts;
		res[m].single = read_param("single_holds") - single;
		if (m == M_LIBMAPS_ONE)
			write_param("batch_vmas", batch);
		qsort(t, reps, sizeof(*t), cmp_u64);
		res[m].valid = true;
		res[m].median = t[reps / 2];
		res[m].min = t[0];
		res[m].max = t[reps - 1];
next:
		/* let the writer settle into the next phase's histogram */
		res[m].p99_us = writer_p99(m);
		res[m].worst_us = atomic_load(&sh->max_ns[m]) / 1000;
	}
	atomic_store(&sh->stop, true);
	waitpid(pid, NULL, 0);

	if (mib)
		printf("\n%ld MiB resident in %d VMAs of 4 KiB pages (%ld VMAs in all, target pid %d), %d runs each\n",
		       mib, RESIDENT_VMAS, vmas, pid, reps);
	else
		printf("\n%ld VMAs (target pid %d), %d runs each\n", vmas, pid, reps);
	printf("%-14s %10s %10s %10s %9s %11s %11s %10s\n", "method", "median ms",
	       "min ms", "max ms", "ns/VMA", "writer p99", "writer max", "bytes");
	for (int m = 0; m < NR_METHODS; m++) {
		if (!method_for(m, mib))
			continue;
		if (!res[m].valid && m != M_IDLE) {
			printf("%-14s %10s\n", method_names[m], "n/a");
			continue;
		}
		if (m == M_IDLE)
			printf("%-14s %10s %10s %10s %9s", "idle", "-", "-", "-", "-");
		else
			printf("%-14s %10.2f %10.2f %10.2f %9.0f", method_names[m],
			       ms(res[m].median), ms(res[m].min), ms(res[m].max),
			       (double)res[m].median / vmas);
		printf(" %8lu us %8lu us %10zd", (unsigned long)res[m].p99_us,
		       (unsigned long)res[m].worst_us, res[m].bytes);
		if (m == M_LIBMAPS || m == M_LIBMAPS_ONE)
			printf("  restarts %ld, one-hold copies %ld",
			       res[m].restarts, res[m].single);
		printf("\n");
	}
	if (mib && res[M_LIBMAPS].valid && res[M_ROLLUP].valid && res[M_SMAPS].valid) {
		printf("ratios: libmaps/smaps_rollup %.2f, libmaps/smaps %.2f; writer while read: p99 libmaps %lu us, smaps %lu us, smaps_rollup %lu us, idle %lu us; worst libmaps %lu us, smaps %lu us, smaps_rollup %lu us, idle %lu us\n",
		       (double)res[M_LIBMAPS].median / res[M_ROLLUP].median,
		       (double)res[M_LIBMAPS].median / res[M_SMAPS].median,
		       (unsigned long)res[M_LIBMAPS].p99_us, (unsigned long)res[M_SMAPS].p99_us,
		       (unsigned long)res[M_ROLLUP].p99_us, (unsigned long)res[M_IDLE].p99_us,
		       (unsigned long)res[M_LIBMAPS].worst_us, (unsigned long)res[M_SMAPS].worst_us,
		       (unsigned long)res[M_ROLLUP].worst_us, (unsigned long)res[M_IDLE].worst_us);
	} else if (res[M_LIBMAPS].valid && res[M_MAPS].valid && res[M_SMAPS].valid) {
		printf("ratios: libmaps/maps %.2f, libmaps/smaps %.3f",
		       (double)res[M_LIBMAPS].median / res[M_MAPS].median,
		       (double)res[M_LIBMAPS].median / res[M_SMAPS].median);
		if (res[M_QUERY].valid)
			printf(", libmaps/PROCMAP_QUERY %.2f",
			       (double)res[M_LIBMAPS].median / res[M_QUERY].median);
		printf("; writer p99 while read: libmaps %lu us, 1hold %lu us, maps %lu us, idle %lu us\n",
		       (unsigned long)res[M_LIBMAPS].p99_us,
		       (unsigned long)res[M_LIBMAPS_ONE].p99_us,
		       (unsigned long)res[M_MAPS].p99_us,
		       (unsigned long)res[M_IDLE].p99_us);
	}
	if (res[M_LIBMAPS].valid) {
		printf("libmaps open, mean ms:");
		for (int i = 0; i < NR_PHASES; i++)
			printf("%s %s %.2f", i ? "," : "", phase_names[i],
			       res[M_LIBMAPS].phase_ms[i] / reps);
		printf("\n");
	}
	if (res[M_LIBMAPS].peak > 0)
		printf("module peak allocation for one snapshot: %ld bytes, %.2fx the view's %zd bytes\n",
		       res[M_LIBMAPS].peak,
		       (double)res[M_LIBMAPS].peak / res[M_LIBMAPS].bytes,
		       res[M_LIBMAPS].bytes);
	free(t);
}

int main(int argc, char **argv)
{
	long sizes[16] = { 1000, 16000, 65530 };
	int nsizes = 3, reps = 7, opt;
	long mib = -1;
	struct utsname u;

	while ((opt = getopt(argc, argv, "qm:r:w:")) != -1) {
		switch (opt) {
		case 'q':
			sizes[0] = 1000;
			nsizes = 1;
			reps = 3;
			if (mib < 0)
				mib = 256;
			break;
		case 'm':
			mib = atol(optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'w':
			pause_us = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-q] [-m MIB] [-r REPS] [-w USEC] [VMAS...]\n",
				argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		nsizes = 0;
		for (int i = optind; i < argc && nsizes < 16; i++)
			sizes[nsizes++] = atol(argv[i]);
	}
	if (reps < 1)
		reps = 1;
	pg = sysconf(_SC_PAGESIZE);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	uname(&u);
	printf("libmaps benchmark, kernel %s; under emulation only the ratios carry over\n",
	       u.release);
	printf("writer: mmap+munmap of a page%s; module batch_vmas %ld\n",
	       pause_us ? ", then a pause" : " in a loop", read_param("batch_vmas"));
	for (int i = 0; i < nsizes; i++)
		run(sizes[i], 0, reps, "/proc/self/exe");
	if (mib < 0)
		mib = 4096;
	if (mib)
		run(0, mib, reps, "/proc/self/exe");
	return 0;
}
