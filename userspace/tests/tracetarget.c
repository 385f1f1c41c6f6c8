// SPDX-License-Identifier: GPL-2.0
/*
 * tests/tracetarget [-w] EXPECT [exec]: the program the libmaps trace tests
 * run under `libmaps trace`.  With -w it says "ready" on stdout and waits
 * for a line on stdin before its first step, for `libmaps trace -p`.
 *
 * Each step makes one call whose effect on the map follows from the call
 * alone, checks that effect against /proc/self/maps (so that what it
 * expects is what the kernel did), and writes to EXPECT the call as
 * strace would decode it and the operations the trace must show for it:
 *
 *	step <pid> <tid> <call>
 *	op <kind>		(each operation, in address order)
 *	old <start>-<end> <perms>
 *	new <start>-<end> <perms>
 *
 * "quiet <pid> <tid> <call>": the call changes nothing and must not be
 * shown; "flags <pid> <tid> <call>", with op lines: the call changes only
 * vm_flags, which the view shows and maps does not (quiet from maps); "heap <pid> <tid> <end> <call>": the heap must end at <end> after
 * it; "exec <pid> <tid> <path> <realpath>": the child execs <path>.  A thread and a forked child (which then
 * execs "exec", if given) make calls of their own.  Exits 1 if the kernel
 * did not do what a step expects.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static FILE *expect;
static unsigned long pg;

static void __attribute__((noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "tracetarget: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static char *rec(unsigned long start, unsigned long end, const char *perms)
{
	char *s;

	if (asprintf(&s, "%08lx-%08lx %s", start, end, perms) < 0)
		die("out of memory");
	return s;
}

/*
 * /proc/self/maps' records inside [@lo, @hi) must be exactly @want
 * (NULL-terminated, "start-end perms"), in order.
 */
static void maps_are(unsigned long lo, unsigned long hi, char **want)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	size_t i = 0;

	if (!f)
		die("/proc/self/maps: %m");
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char perms[5];

		if (sscanf(line, "%lx-%lx %4s", &s, &e, perms) != 3 || e <= lo || s >= hi)
			continue;
		if (!want[i] || strcmp(want[i], rec(s, e, perms)))
			die("maps has %08lx-%08lx %s where %s was expected", s, e,
			    perms, want[i] ? want[i] : "nothing");
		i++;
	}
	fclose(f);
	if (want[i])
		die("maps lacks %s", want[i]);
}

static void put_recs(const char *side, char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		fprintf(expect, "%s %s\n", side, v[i]);
}

/* One step's expectation: @call, then kind, old list, new list ... NULL. */
static void expect_step(const char *call, ...)
{
	const char *kind;
	va_list ap;

	fprintf(expect, "step %d %d %s\n", getpid(), gettid(), call);
	va_start(ap, call);
	while ((kind = va_arg(ap, const char *))) {
		char **o = va_arg(ap, char **), **nw = va_arg(ap, char **);

		fprintf(expect, "op %s\n", kind);
		put_recs("old", o);
		put_recs("new", nw);
	}
	va_end(ap);
	fflush(expect);
}

/*
 * A change of vm_flags alone: the view's to show, not maps'.  The trace
 * shows a changed record once, with what changed.
 */
static void expect_flags(const char *call, char **old)
{
	fprintf(expect, "flags %d %d %s\nop changed\n", getpid(), gettid(), call);
	put_recs("old", old);
	fflush(expect);
}

/* Does smaps give the record at @start the VmFlags mnemonic @mn? */
static int smaps_flag(unsigned long start, const char *mn)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	int mine = 0, found = 0;

	if (!f)
		die("/proc/self/smaps: %m");
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' '))
			mine = s == start;
		else if (mine && !strncmp(line, "VmFlags:", 8)) {
			char *t;

			for (t = strtok(line + 8, " \n"); t; t = strtok(NULL, " \n"))
				found |= !strcmp(t, mn);
		}
	}
	fclose(f);
	return found;
}

static void expect_quiet(const char *call)
{
	fprintf(expect, "quiet %d %d %s\n", getpid(), gettid(), call);
	fflush(expect);
}

#define L(...)	((char *[]){ __VA_ARGS__, NULL })
#define NONE	((char **)NULL)

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

/* @pages of PROT_NONE with unmapped pages around it: no neighbour merges. */
static unsigned long reserve(unsigned long pages)
{
	char *big = mmap(NULL, (pages + 4) * pg, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (big == MAP_FAILED)
		die("mmap: %m");
	munmap(big, 2 * pg);
	munmap(big + (pages + 2) * pg, 2 * pg);
	return (unsigned long)big + 2 * pg;
}

/* A page of a kind nothing near it has (--xp), mapped and unmapped. */
static void exec_page(void)
{
	unsigned long a = (unsigned long)mmap(NULL, pg, PROT_EXEC,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (a == (unsigned long)MAP_FAILED)
		die("mmap: %m");
	expect_step(fmt("mmap(NULL, %lu, PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx",
			pg, a),
		    "created", NONE, L(rec(a, a + pg, "--xp")), NULL);
	if (munmap((void *)a, pg))
		die("munmap: %m");
	expect_step(fmt("munmap(%#lx, %lu) = 0", a, pg),
		    "removed", L(rec(a, a + pg, "--xp")), NONE, NULL);
}

static void *thread(void *arg)
{
	(void)arg;
	exec_page();
	return NULL;
}

/*
 * The map the process ends with, from /proc/self/maps, in EXPECT.final:
 * what trace --summary must list.  Only open, read and write after it, and
 * _exit(): no call that could change the map.
 */
static void final_maps(const char *expect_path)
{
	static char buf[1 << 16], path[PATH_MAX];
	ssize_t n, len = 0;
	int in, out;

	fflush(expect);
	snprintf(path, sizeof(path), "%s.final", expect_path);
	in = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || out < 0)
		die("%s: %m", in < 0 ? "/proc/self/maps" : path);
	while ((n = read(in, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	if (len == sizeof(buf))
		die("/proc/self/maps: more than %zu bytes", sizeof(buf));
	if (n < 0 || write(out, buf, len) != len)
		die("%s: %m", path);
	close(in);
	close(out);
}

int main(int argc, char **argv)
{
	unsigned long r, free2, brk0, brk1;
	const char *rw = "PROT_READ|PROT_WRITE";
	pthread_t th;
	pid_t pid;
	int status;

	if (argc > 1 && !strcmp(argv[1], "-w")) {
		char go[16];

		printf("ready\n");
		fflush(stdout);
		if (!fgets(go, sizeof(go), stdin))
			die("no line on stdin");
		argv++;
		argc--;
	}
	if (argc < 2)
		die("usage: tracetarget [-w] EXPECT [exec]");
	expect = fopen(argv[1], "we");
	if (!expect)
		die("%s: %m", argv[1]);
	pg = (unsigned long)sysconf(_SC_PAGESIZE);
	r = reserve(16);

	/* MAP_FIXED over a reservation: it splits in three */
	if (mmap((void *)(r + 4 * pg), 3 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		die("mmap: %m");
	maps_are(r, r + 16 * pg, L(rec(r, r + 4 * pg, "---p"),
				    rec(r + 4 * pg, r + 7 * pg, "rw-p"),
				    rec(r + 7 * pg, r + 16 * pg, "---p")));
	expect_step(fmt("mmap(%#lx, %lu, %s, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = %#lx",
			r + 4 * pg, 3 * pg, rw, r + 4 * pg),
		    "split", L(rec(r, r + 16 * pg, "---p")),
		    L(rec(r, r + 4 * pg, "---p"), rec(r + 4 * pg, r + 7 * pg, "rw-p"),
		      rec(r + 7 * pg, r + 16 * pg, "---p")), NULL);

	/* mprotect of the middle page: split in three, and back: one */
	if (mprotect((void *)(r + 5 * pg), pg, PROT_READ))
		die("mprotect: %m");
	maps_are(r + 4 * pg, r + 7 * pg, L(rec(r + 4 * pg, r + 5 * pg, "rw-p"),
					    rec(r + 5 * pg, r + 6 * pg, "r--p"),
					    rec(r + 6 * pg, r + 7 * pg, "rw-p")));
	expect_step(fmt("mprotect(%#lx, %lu, PROT_READ) = 0", r + 5 * pg, pg),
		    "split", L(rec(r + 4 * pg, r + 7 * pg, "rw-p")),
		    L(rec(r + 4 * pg, r + 5 * pg, "rw-p"), rec(r + 5 * pg, r + 6 * pg, "r--p"),
		      rec(r + 6 * pg, r + 7 * pg, "rw-p")), NULL);
	if (mprotect((void *)(r + 5 * pg), pg, PROT_READ | PROT_WRITE))
		die("mprotect: %m");
	maps_are(r + 4 * pg, r + 7 * pg, L(rec(r + 4 * pg, r + 7 * pg, "rw-p")));
	expect_step(fmt("mprotect(%#lx, %lu, %s) = 0", r + 5 * pg, pg, rw),
		    "merged", L(rec(r + 4 * pg, r + 5 * pg, "rw-p"),
				rec(r + 5 * pg, r + 6 * pg, "r--p"),
				rec(r + 6 * pg, r + 7 * pg, "rw-p")),
		    L(rec(r + 4 * pg, r + 7 * pg, "rw-p")), NULL);

	/* a call that changes nothing is not shown */
	if (mprotect((void *)(r + 5 * pg), pg, PROT_READ | PROT_WRITE))
		die("mprotect: %m");
	expect_quiet(fmt("mprotect(%#lx, %lu, %s) = 0", r + 5 * pg, pg, rw));

	/* munmap of a hole; of the front of a record */
	if (munmap((void *)(r + 5 * pg), pg))
		die("munmap: %m");
	expect_step(fmt("munmap(%#lx, %lu) = 0", r + 5 * pg, pg),
		    "split", L(rec(r + 4 * pg, r + 7 * pg, "rw-p")),
		    L(rec(r + 4 * pg, r + 5 * pg, "rw-p"), rec(r + 6 * pg, r + 7 * pg, "rw-p")),
		    NULL);
	if (munmap((void *)(r + 7 * pg), 3 * pg))
		die("munmap: %m");
	expect_step(fmt("munmap(%#lx, %lu) = 0", r + 7 * pg, 3 * pg),
		    "shrunk", L(rec(r + 7 * pg, r + 16 * pg, "---p")),
		    L(rec(r + 10 * pg, r + 16 * pg, "---p")), NULL);

	/* mremap: expand in place, then move */
	if (mremap((void *)(r + 6 * pg), pg, 3 * pg, 0) != (void *)(r + 6 * pg))
		die("mremap: %m");
	maps_are(r + 4 * pg, r + 16 * pg, L(rec(r + 4 * pg, r + 5 * pg, "rw-p"),
					     rec(r + 6 * pg, r + 9 * pg, "rw-p"),
					     rec(r + 10 * pg, r + 16 * pg, "---p")));
	expect_step(fmt("mremap(%#lx, %lu, %lu, 0) = %#lx", r + 6 * pg, pg, 3 * pg,
			r + 6 * pg),
		    "grown", L(rec(r + 6 * pg, r + 7 * pg, "rw-p")),
		    L(rec(r + 6 * pg, r + 9 * pg, "rw-p")), NULL);
	free2 = reserve(8);
	if (munmap((void *)free2, 8 * pg))
		die("munmap: %m");
	if (mremap((void *)(r + 6 * pg), 3 * pg, 3 * pg, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)(free2 + 2 * pg)) != (void *)(free2 + 2 * pg))
		die("mremap: %m");
	maps_are(free2 - 2 * pg, free2 + 10 * pg,
		 L(rec(free2 + 2 * pg, free2 + 5 * pg, "rw-p")));
	expect_step(fmt("mremap(%#lx, %lu, %lu, MREMAP_MAYMOVE|MREMAP_FIXED, %#lx) = %#lx",
			r + 6 * pg, 3 * pg, 3 * pg, free2 + 2 * pg, free2 + 2 * pg),
		    "moved", L(rec(r + 6 * pg, r + 9 * pg, "rw-p")),
		    L(rec(free2 + 2 * pg, free2 + 5 * pg, "rw-p")), NULL);

	/*
	 * mseal (6.10+) of the middle page: split in three, as maps shows it
	 * too.  Where the kernel has no mseal, nothing changes (and nothing
	 * is expected: a failed call is not shown).
	 */
	{
		unsigned long m = reserve(3);

		if (!syscall(462 /* __NR_mseal */, m + pg, pg, 0)) {
			maps_are(m, m + 3 * pg, L(rec(m, m + pg, "---p"),
						  rec(m + pg, m + 2 * pg, "---p"),
						  rec(m + 2 * pg, m + 3 * pg, "---p")));
			expect_step(fmt("mseal(%#lx, %lu, 0) = 0", m + pg, pg),
				    "split", L(rec(m, m + 3 * pg, "---p")),
				    L(rec(m, m + pg, "---p"), rec(m + pg, m + 2 * pg, "---p"),
				      rec(m + 2 * pg, m + 3 * pg, "---p")), NULL);
		}
	}

	/*
	 * A guard region (MADV_GUARD_INSTALL, 6.13+) in the middle page: its
	 * markers live in the page tables, so the record is not split.  Where
	 * the kernel marks the VMA VM_MAYBE_GUARD (smaps "gu"), the view
	 * shows the flag change; maps shows nothing either way.
	 */
	{
		unsigned long g = reserve(3);
		const char *call;

		if (!madvise((void *)(g + pg), pg, 102 /* MADV_GUARD_INSTALL */)) {
			maps_are(g, g + 3 * pg, L(rec(g, g + 3 * pg, "---p")));
			call = fmt("madvise(%#lx, %lu, MADV_GUARD_INSTALL) = 0", g + pg, pg);
			if (smaps_flag(g, "gu"))
				expect_flags(call, L(rec(g, g + 3 * pg, "---p")));
			else
				expect_quiet(call);
		}
	}

	/* brk growth: the heap ends at the new break */
	brk0 = (unsigned long)sbrk(0);
	brk1 = (brk0 + 4 * pg) & ~(pg - 1);
	if (brk((void *)brk1))
		die("brk: %m");
	fprintf(expect, "heap %d %d %08lx brk(%#lx) = %#lx\n", getpid(), gettid(),
		brk1, brk1, brk1);
	fflush(expect);

	/* a thread's call, and a child's, then the child's exec */
	if (pthread_create(&th, NULL, thread, NULL) || pthread_join(th, NULL))
		die("pthread: %m");
	pid = fork();
	if (pid < 0)
		die("fork: %m");
	if (!pid) {
		exec_page();
		if (argc > 2) {
			char *real = realpath(argv[2], NULL);

			fprintf(expect, "exec %d %d %s %s\n", getpid(), gettid(),
				argv[2], real ? real : argv[2]);
			fflush(expect);
			execl(argv[2], argv[2], (char *)NULL);
			die("%s: %m", argv[2]);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("the child failed");
	final_maps(argv[1]);
	_exit(0);
}
