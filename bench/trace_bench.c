// SPDX-License-Identifier: GPL-2.0
/*
 * trace_bench: what `libmaps trace` costs, for issue #17's three figures.
 *
 *   trace_bench -t LIBMAPS [-s STRACE] [-q]
 *
 * 1. One traced call: a program builds a map of N VMAs (every other page
 *    of an anonymous mapping mprotect()ed), untraced, then says so; the
 *    driver starts `libmaps trace -p`, and once a call is seen to stop,
 *    the program times, with the vDSO's clock and so
 *    without a system call of its own, a loop of mprotect() of one page
 *    there and back, each call two stops of the tracer.  Run untraced,
 *    traced reading the call's range (the default) and traced reading the
 *    whole view at every stop (--whole-map), at 100 and at 10,000 VMAs:
 *    the goal is the same cost at both.  (-p stops at every call, not
 *    only at those a seccomp filter picks; the loop makes no other.)
 * 2. A program making 10,000 mm calls (mmap, mprotect, munmap), timed as
 *    a whole process untraced, under libmaps trace and under
 *    `strace -f -e trace=%memory`: the goal is libmaps at most 1.5 times
 *    strace.
 * 3. A program making a million calls that are not traced (write() to
 *    /dev/null), untraced and under libmaps trace, whose seccomp filter
 *    lets them through: the goal is at most 1.1 times.
 *
 * -q: smaller sizes and counts, for CI (make check), so that it cannot rot.
 * Each figure is the median of a few runs.  It prints figures and fails only
 * if a program could not run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS	3

static const char *tool, *strace_path, *self;

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "trace_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* --- the traced programs --- */

/* Wait until a tracer has attached (TracerPid in /proc/self/status). */
static void wait_tracer(void)
{
	char buf[4096], *t;
	ssize_t n;
	int i, fd;

	for (i = 0; i < 6000; i++) {
		fd = open("/proc/self/status", O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		if (n < 0)
			die("/proc/self/status");
		buf[n] = '\0';
		t = strstr(buf, "TracerPid:");
		if (t && atoi(t + 10))
			return;
		usleep(10000);
	}
	errno = ETIMEDOUT;
	die("no tracer attached");
}

/*
 * A map of about @vmas VMAs, then (@traced: once a tracer attached) @calls
 * mprotect()s of one page, there and back; prints the ns of one call, as
 * this program saw it.
 */
static int prog_calls(long vmas, long calls, bool traced)
{
	long pg = sysconf(_SC_PAGESIZE), i;
	size_t len = (size_t)vmas * pg;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;
	uint64_t t0;

	if (p == MAP_FAILED)
		die("mmap");
	for (i = 1; i < vmas; i += 2)
		if (mprotect(p + i * pg, pg, PROT_READ))
			die("mprotect");
	/* one page of its own, between two guard pages */
	q = mmap(NULL, 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED || mprotect(q + pg, pg, PROT_READ))
		die("mmap");
	if (traced) {
		uint64_t fast = UINT64_MAX, t;
		int slow;

		/* what an untraced call costs here, at best */
		for (i = 0; i < 50; i++) {
			t0 = now_ns();
			if (mprotect(q + pg, pg, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE))
				die("mprotect");
			t = now_ns() - t0;
			fast = t < fast ? t : fast;
		}
		/* the driver starts the tracer now: not while the map is built */
		printf("ready\n");
		fflush(stdout);
		wait_tracer();
		/*
		 * TracerPid is set when the tracer seizes this process, before
		 * it stops at a call: wait until calls are seen to stop, so that
		 * no timed call runs before the trace does.  Three slow calls in
		 * a row: under TCG one call can be slow on its own (new code to
		 * translate, a timer), and the timed calls then ran untraced
		 * before the tracer's first stop.  The driver checks the trace.
		 */
		for (i = 0, slow = 0; slow < 3; i++) {
			t0 = now_ns();
			if (mprotect(q + pg, pg, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE))
				die("mprotect");
			slow = now_ns() - t0 > 20 * fast + 20000 ? slow + 1 : 0;
			if (i == 60000) {
				errno = ETIMEDOUT;
				die("the tracer never stopped a call");
			}
			usleep(1000);
		}
	}
	/* the first calls after the attach: not timed */
	for (i = 0; i < 4; i++)
		if (mprotect(q + pg, pg, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE))
			die("mprotect");
	t0 = now_ns();
	for (i = 0; i < calls; i++)
		if (mprotect(q + pg, pg, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE))
			die("mprotect");
	printf("%llu\n", (unsigned long long)((now_ns() - t0) / calls));
	return 0;
}

/* @calls mm calls: mmap, mprotect, munmap of one page, in turn. */
static int prog_mm(long calls)
{
	long pg = sysconf(_SC_PAGESIZE), i;

	for (i = 0; i + 3 <= calls; i += 3) {
		char *p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || mprotect(p, pg, PROT_NONE) || munmap(p, pg))
			die("mm calls");
	}
	return 0;
}

/* @calls write()s of one byte to /dev/null: calls that are not traced. */
static int prog_rw(long calls)
{
	int fd = open("/dev/null", O_WRONLY);
	long i;

	if (fd < 0)
		die("/dev/null");
	for (i = 0; i < calls; i++)
		if (write(fd, "", 1) != 1)
			die("write");
	return 0;
}

/* --- the driver --- */

/*
 * Run @argv (NULL-terminated); its standard output into @out (of @size),
 * if @out; returns its wall time in ns, or exits if it failed.
 */
static uint64_t run(char *const argv[], char *out, size_t size)
{
	int pfd[2], status;
	uint64_t t0 = now_ns(), t;
	ssize_t n, len = 0;
	pid_t pid;

	if (pipe(pfd))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(out ? pfd[1] : null, 1);
		dup2(null, 2);
		close(pfd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	while (out && (n = read(pfd[0], out + len, size - 1 - len)) > 0)
		len += n;
	if (out)
		out[len] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	t = now_ns() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "trace_bench: %s ... failed (status 0x%x)\n", argv[0], status);
		exit(1);
	}
	return t;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

enum how { UNTRACED, TRACED, WHOLE, STRACE, NR_HOW };

/* argv for running `self @mode @a @b` as @how. */
static void argv_for(enum how how, char *mode, char *a, char *b, char **argv)
{
	int n = 0;

	if (how == TRACED || how == WHOLE) {
		argv[n++] = (char *)tool;
		argv[n++] = "trace";
		if (how == WHOLE)
			argv[n++] = "--whole-map";
		argv[n++] = "-o";
		argv[n++] = "/dev/null";
		argv[n++] = "--";
	} else if (how == STRACE) {
		argv[n++] = (char *)strace_path;
		argv[n++] = "-f";
		argv[n++] = "-e";
		argv[n++] = "trace=%memory";
		argv[n++] = "-o";
		argv[n++] = "/dev/null";
	}
	argv[n++] = (char *)self;
	argv[n++] = mode;
	argv[n++] = a;
	argv[n++] = b;
	argv[n] = NULL;
}

/* The mprotect() calls a trace file shows. */
static long traced_calls(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	long n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "mprotect(", 9);
	fclose(f);
	return n;
}

/*
 * The ns of one call, as the program saw it, run untraced or (TRACED,
 * WHOLE) under `libmaps trace -p` once its map is built; median of RUNS.
 */
static double one_call(enum how how, long vmas, long calls)
{
	char a[32], b[32], pidstr[32], out[64];
	char *prog[] = { (char *)self, "calls", a, b, how == UNTRACED ? "0" : "1", NULL };
	char tfile[] = "/tmp/trace_bench.XXXXXX";
	char *tracer[] = { (char *)tool, "trace", "-o", tfile, "-p", pidstr,
			   how == WHOLE ? "--whole-map" : NULL, NULL };
	int tfd = mkstemp(tfile), retries = 0;

	if (tfd < 0)
		die(tfile);
	uint64_t v[RUNS];
	int pfd[2], status;
	pid_t pid, tpid;
	ssize_t n, len;

	snprintf(a, sizeof(a), "%ld", vmas);
	snprintf(b, sizeof(b), "%ld", calls);
	for (int r = 0; r < RUNS; r++) {
		if (pipe(pfd))
			die("pipe");
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			dup2(pfd[1], 1);
			close(pfd[0]);
			execv(prog[0], prog);
			_exit(127);
		}
		close(pfd[1]);
		tpid = -1;
		len = 0;
		if (how != UNTRACED) {
			/* "ready": the map is built, the tracer may come */
			while (!memchr(out, '\n', len) &&
			       (n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
				len += n;
			if (len < 6 || memcmp(out, "ready\n", 6)) {
				fprintf(stderr, "trace_bench: calls %s %s: not ready\n", a, b);
				exit(1);
			}
			len -= 6;
			memmove(out, out + 6, len);
			snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
			tpid = fork();
			if (tpid < 0)
				die("fork");
			if (tpid == 0) {
				int null = open("/dev/null", O_WRONLY);

				dup2(null, 1);
				dup2(null, 2);
				execv(tracer[0], tracer);
				_exit(127);
			}
		}
		while ((n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
			len += n;
		out[len] = '\0';
		close(pfd[0]);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "trace_bench: calls %s %s failed (0x%x)\n", a, b, status);
			exit(1);
		}
		if (tpid > 0 && (waitpid(tpid, &status, 0) != tpid || !WIFEXITED(status) ||
				 WEXITSTATUS(status))) {
			fprintf(stderr, "trace_bench: libmaps trace -p failed (0x%x)\n", status);
			exit(1);
		}
		/* every timed call must be in the trace, or the run is void */
		if (tpid > 0 && traced_calls(tfile) < calls) {
			fprintf(stderr, "trace_bench: %s VMAs: the trace missed calls; again\n", a);
			if (++retries > 5)
				die("libmaps trace -p never saw the timed calls");
			r--;
			continue;
		}
		v[r] = strtoull(out, NULL, 10);
	}
	if (tfd >= 0) {
		close(tfd);
		unlink(tfile);
	}
	return median(v, RUNS) / 1e3;
}

/* The seconds of a whole run of `self @mode @count`, median of RUNS. */
static double whole(enum how how, const char *mode, long count)
{
	char a[32], *argv[16];
	uint64_t v[RUNS];

	snprintf(a, sizeof(a), "%ld", count);
	argv_for(how, (char *)mode, a, "0", argv);
	for (int r = 0; r < RUNS; r++)
		v[r] = run(argv, NULL, 0);
	return median(v, RUNS) / 1e9;
}

static const char *verdict(double ratio, double goal)
{
	return ratio <= goal ? "ok" : "NO";
}

int main(int argc, char **argv)
{
	long sizes[2] = { 100, 10000 }, calls = 400, mm = 10000, rw = 1000000;
	double us[2][NR_HOW], t[NR_HOW];
	int opt;

	if (argc == 5 && !strcmp(argv[1], "calls"))
		return prog_calls(atol(argv[2]), atol(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "mm"))
		return prog_mm(atol(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "rw"))
		return prog_rw(atol(argv[2]));

	while ((opt = getopt(argc, argv, "t:s:q")) != -1) {
		switch (opt) {
		case 't':
			tool = optarg;
			break;
		case 's':
			strace_path = optarg;
			break;
		case 'q':
			sizes[1] = 1000;
			calls = 100;
			mm = 1000;
			rw = 100000;
			break;
		default:
			fprintf(stderr, "usage: trace_bench -t LIBMAPS [-s STRACE] [-q]\n");
			return 2;
		}
	}
	if (!tool) {
		fprintf(stderr, "usage: trace_bench -t LIBMAPS [-s STRACE] [-q]\n");
		return 2;
	}
	/* a line as soon as it is measured: the whole run takes minutes */
	setvbuf(stdout, NULL, _IOLBF, 0);
	self = "/proc/self/exe";
	{
		static char path[4096];
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

		if (n < 0)
			die("/proc/self/exe");
		path[n] = '\0';
		self = path;
	}

	printf("libmaps trace -p, one traced call (mprotect of a page, %ld times; whole-map %ld), as the program timed it, us\n",
	       calls, calls / 20);
	printf("%-8s %10s %10s %12s\n", "VMAs", "untraced", "range", "whole-map");
	for (int i = 0; i < 2; i++) {
		us[i][UNTRACED] = one_call(UNTRACED, sizes[i], calls);
		us[i][TRACED] = one_call(TRACED, sizes[i], calls);
		/*
		 * A twentieth of the calls: each reads the whole view, twice.
		 * Not above 1,000 VMAs: at 10,000 a call costs about 0.3 s
		 * under TCG, and the range form is what this table is for.
		 */
		us[i][WHOLE] = sizes[i] <= 1000 ? one_call(WHOLE, sizes[i], calls / 20) : 0;
		printf("%-8ld %10.1f %10.1f ", sizes[i], us[i][UNTRACED], us[i][TRACED]);
		if (us[i][WHOLE])
			printf("%12.1f\n", us[i][WHOLE]);
		else
			printf("%12s\n", "-");
	}
	printf("one traced call at %ld VMAs against %ld (goal: the same, <=1.2): range %.2f %s",
	       sizes[1], sizes[0], us[1][TRACED] / us[0][TRACED],
	       verdict(us[1][TRACED] / us[0][TRACED], 1.2));
	if (us[1][WHOLE])
		printf(", whole-map %.2f", us[1][WHOLE] / us[0][WHOLE]);
	printf("\n\n");

	t[UNTRACED] = whole(UNTRACED, "mm", mm);
	t[TRACED] = whole(TRACED, "mm", mm);
	printf("%ld mm calls, whole process, s: untraced %.3f, libmaps trace %.3f", mm,
	       t[UNTRACED], t[TRACED]);
	if (strace_path) {
		t[STRACE] = whole(STRACE, "mm", mm);
		printf(", strace -f -e trace=%%memory %.3f; libmaps/strace %.2f (goal <=1.5) %s\n",
		       t[STRACE], t[TRACED] / t[STRACE], verdict(t[TRACED] / t[STRACE], 1.5));
	} else {
		printf("; no strace to compare with\n");
	}

	t[UNTRACED] = whole(UNTRACED, "rw", rw);
	t[TRACED] = whole(TRACED, "rw", rw);
	printf("%ld calls not traced (write), whole process, s: untraced %.3f, libmaps trace %.3f; traced/untraced %.2f (goal <=1.1) %s\n",
	       rw, t[UNTRACED], t[TRACED], t[TRACED] / t[UNTRACED],
	       verdict(t[TRACED] / t[UNTRACED], 1.1));
	return 0;
}
