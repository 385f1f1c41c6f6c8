// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle: unloading and reloading the module in a loop while readers
 * hold views open and keep reading; the view's mount expiring by itself so
 * that rmmod needs no umount; a target that execs between open and read.
 *
 * The rig's guest loads the module from /libmaps.ko; these tests reload it
 * from there and leave it loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#define MODULE_FILE	"/libmaps.ko"
#define NR_READERS	4
#define RELOADS		5

static int unload(void)
{
	return syscall(SYS_delete_module, "libmaps", O_NONBLOCK);
}

static int load(void)
{
	int fd = open(MODULE_FILE, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

static bool loaded(void)
{
	return access("/sys/module/libmaps", F_OK) == 0;
}

struct reader {
	pthread_t thread;
	int fd;
	char *first;		/* the whole view, read right after open */
	ssize_t len;
	atomic_bool stop;
	atomic_ulong reads;
	atomic_int bad;
};

/* Keep reading the open view at random offsets; it must never change. */
static void *reread(void *arg)
{
	struct reader *r = arg;
	unsigned int seed = (unsigned int)r->fd;
	char buf[512];

	while (!atomic_load(&r->stop)) {
		off_t off = rand_r(&seed) % r->len;
		ssize_t n = pread(r->fd, buf, sizeof(buf), off);
		ssize_t want = r->len - off < (ssize_t)sizeof(buf) ?
			       r->len - off : (ssize_t)sizeof(buf);

		if (n != want || memcmp(buf, r->first + off, n))
			r->bad++;
		r->reads++;
	}
	return NULL;
}

static int start_reader(struct reader *r, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), LM_DEBUGFS "/%s", name);
	memset(r, 0, sizeof(*r));
	r->fd = open(path, O_RDONLY);
	if (r->fd < 0)
		return -1;
	r->first = malloc(1 << 20);
	r->len = r->first ? pread(r->fd, r->first, 1 << 20, 0) : -1;
	if (r->len <= 0)
		return -1;
	return pthread_create(&r->thread, NULL, reread, r);
}

static void stop_reader(struct reader *r)
{
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	close(r->fd);
	free(r->first);
}

FIXTURE(lifecycle) {};

FIXTURE_SETUP(lifecycle)
{
	if (access(MODULE_FILE, R_OK))
		SKIP(return, "no " MODULE_FILE ": not in a rig guest");
	ASSERT_TRUE(loaded());
}

/* Whatever happened, leave the module loaded for the tests after us. */
FIXTURE_TEARDOWN(lifecycle)
{
	if (!loaded())
		load();
}

TEST_F_TIMEOUT(lifecycle, reload_while_reading, 120)
{
	struct reader readers[NR_READERS];
	unsigned long reads = 0;
	int survived = 0;

	for (int round = 0; round < RELOADS; round++) {
		for (int i = 0; i < NR_READERS; i++)
			ASSERT_EQ(0, start_reader(&readers[i], i % 2 ? "self" : "1"));
		usleep(100000);

		/* open views pin the module: refused, and reading goes on */
		EXPECT_EQ(-1, unload());
		EXPECT_TRUE(errno == EBUSY || errno == EAGAIN) TH_LOG("%s", strerror(errno));
		EXPECT_TRUE(loaded());
		EXPECT_EQ(-1, umount2(LM_DEBUGFS, 0));
		EXPECT_EQ(EBUSY, errno);
		usleep(100000);

		for (int i = 0; i < NR_READERS; i++) {
			stop_reader(&readers[i]);
			EXPECT_EQ(0, readers[i].bad);
			EXPECT_NE(0UL, readers[i].reads);
			reads += readers[i].reads;
		}

		/* closed: unmount (or it expired already) and unload */
		if (umount2(LM_DEBUGFS, 0))
			EXPECT_EQ(EINVAL, errno);
		ASSERT_EQ(0, unload()) TH_LOG("rmmod: %s", strerror(errno));
		EXPECT_FALSE(loaded());
		EXPECT_EQ(-1, access(LM_DEBUGFS "/self", F_OK));

		ASSERT_EQ(0, load()) TH_LOG("insmod: %s", strerror(errno));
		ASSERT_EQ(0, access(LM_DEBUGFS "/self", R_OK));
		survived++;
	}
	TH_LOG("%d reloads survived with %d readers each, %lu reads of open views",
	       survived, NR_READERS, reads);
}

/*
 * Unload racing the first walk into the directory: walkers keep stepping
 * into it, each step that finds it unmounted mounts the view again
 * (->d_automount()), while the main thread detaches the mount and unloads
 * and loads the module as fast as it can.  An automount that ran after
 * rmmod began would leave a mount or a scheduled expiry pass behind the
 * module; the rig fails the run on any report.  Bounded by time.
 */
struct walker {
	pthread_t thread;
	atomic_bool *stop;
	unsigned long walks;
};

/* Paced at random (0-2 ms), or no unload would ever find it unmounted. */
static void *walk(void *arg)
{
	struct walker *w = arg;
	unsigned int seed = (unsigned int)(uintptr_t)w;

	while (!atomic_load(w->stop)) {
		access(LM_DEBUGFS "/self", F_OK);
		w->walks++;
		usleep(rand_r(&seed) % 2000);
	}
	return NULL;
}

TEST_F_TIMEOUT(lifecycle, unload_racing_automount, 120)
{
	struct walker walkers[NR_READERS];
	unsigned long tries = 0, unloads = 0, walks = 0;
	struct timespec t0, t;
	atomic_bool stop = false;
	int i;

	for (i = 0; i < NR_READERS; i++) {
		walkers[i].stop = &stop;
		walkers[i].walks = 0;
		ASSERT_EQ(0, pthread_create(&walkers[i].thread, NULL, walk, &walkers[i]));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		umount2(LM_DEBUGFS, MNT_DETACH);
		tries++;
		if (!unload()) {
			unloads++;
			if (load()) {
				TH_LOG("insmod: %s", strerror(errno));
				break;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 10);
	atomic_store(&stop, true);
	for (i = 0; i < NR_READERS; i++) {
		pthread_join(walkers[i].thread, NULL);
		walks += walkers[i].walks;
	}
	TH_LOG("%lu unload attempts, %lu unloads and loads, %lu walks by %d walkers",
	       tries, unloads, walks, NR_READERS);
	ASSERT_TRUE(loaded());
	EXPECT_NE(0UL, unloads) TH_LOG("no unload got past the walkers: the race was not run");
	/* and the view still works */
	EXPECT_EQ(0, access(LM_DEBUGFS "/self", R_OK));
}

/* With nothing open, the mount expires and rmmod works without umount. */
TEST_F_TIMEOUT(lifecycle, unload_without_umount, 120)
{
	struct timespec t0, t1;
	int fd, tries;

	fd = open(LM_DEBUGFS "/self", O_RDONLY);
	ASSERT_GE(fd, 0);
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* two expiry passes of 5 s each; allow many more */
	for (tries = 0; tries < 60 && unload(); tries++)
		sleep(1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_FALSE(loaded()) TH_LOG("still pinned after %d s: %s", tries, strerror(errno));
	TH_LOG("the idle mount expired and rmmod succeeded after %ld s",
	       (long)(t1.tv_sec - t0.tv_sec));
	ASSERT_EQ(0, load());
	ASSERT_EQ(0, access(LM_DEBUGFS "/self", R_OK));
}

/*
 * A reader killed while it waits for the mmap lock dies at once.  The
 * target has tens of thousands of VMAs and forks in a loop, without
 * waiting for its children (they are reaped by the kernel): dup_mmap()
 * holds its mmap lock for writing through each long copy, nearly all the
 * time.  Once the reader is seen asleep on the lock (in state D with the
 * lock's wrapper or the copy on top of its stack; where the stack cannot
 * be read, its wchan is the snapshot or its state is D), it is killed; it
 * must be reaped before that fork returns, which a wait that cannot be
 * killed would not allow.
 */
struct fork_count {
	atomic_ulong done;
	atomic_bool stop;
};

TEST_F_TIMEOUT(lifecycle, killed_while_waiting_for_the_lock, 300)
{
	struct fork_count *fc = mmap(NULL, sizeof(*fc), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long pg = sysconf(_SC_PAGESIZE), n = 30000, tries;
	char path[64], wchan[64];
	pid_t target, reader;
	unsigned long before;
	int status;

	ASSERT_NE(MAP_FAILED, fc);
	target = lm_fork();
	ASSERT_GE(target, 0);
	if (target == 0) {
		char *base = mmap(NULL, 2 * n * pg, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		for (long i = 0; i < n; i++)
			mprotect(base + 2 * i * pg, pg, PROT_READ);
		signal(SIGCHLD, SIG_IGN);
		while (!atomic_load(&fc->stop)) {
			if (lm_fork() == 0)
				_exit(0);
			fc->done++;
		}
		_exit(0);
	}
	while (atomic_load(&fc->done) < 2)
		usleep(10000);

	snprintf(path, sizeof(path), LM_DEBUGFS "/%d", target);
	for (tries = 0; tries < 50; tries++) {
		char wpath[64], spath[64], kpath[64];
		bool waiting = false;

		reader = lm_fork();
		ASSERT_GE(reader, 0);
		if (reader == 0) {
			for (;;) {
				int fd = open(path, O_RDONLY);

				if (fd >= 0)
					close(fd);
			}
		}
		snprintf(wpath, sizeof(wpath), "/proc/%d/wchan", reader);
		snprintf(spath, sizeof(spath), "/proc/%d/stat", reader);
		snprintf(kpath, sizeof(kpath), "/proc/%d/stack", reader);
		for (int i = 0; i < 2000 && !waiting; i++) {
			char stat[512] = "", stack[4096] = "", *st;

			memset(wchan, 0, sizeof(wchan));
			lm_read_file(wpath, wchan, sizeof(wchan));
			lm_read_file(spath, stat, sizeof(stat));
			st = strrchr(stat, ')');
			if (lm_read_file(kpath, stack, sizeof(stack)) > 0) {
				/*
				 * The rwsem's own frames are scheduler code,
				 * which the stack leaves out: asleep (D) with
				 * the lock's wrapper or the copy on top (under
				 * per-VMA locks, 7.0+, the reader waits for the
				 * mmap lock only for a VMA being changed, in
				 * lm_vma_copy_locked() or lm_vma_read_next()).
				 */
				char *nl = strchr(stack, '\n');

				if (nl)
					*nl = '\0';
				waiting = st && st[1] == ' ' && st[2] == 'D' &&
					  (strstr(stack, "mmap_read_lock") ||
					   strstr(stack, "lm_snapshot") ||
					   strstr(stack, "lm_vma_"));
				if (waiting)
					snprintf(wchan, sizeof(wchan), "%s", stack);
			} else {
				/*
				 * The rwsem's sleep is scheduler code: wchan
				 * names us.  Where wchan says nothing (5.10
				 * with the ORC unwinder: "0"), the killable
				 * wait shows as state D.
				 */
				waiting = strstr(wchan, "rwsem") ||
					  strstr(wchan, "lm_snapshot") ||
					  strstr(wchan, "lm_vma_") ||
					  ((!wchan[0] || !strcmp(wchan, "0")) &&
					   st && st[1] == ' ' && st[2] == 'D');
			}
			if (!waiting)
				usleep(500);
		}
		before = atomic_load(&fc->done);
		kill(reader, SIGKILL);
		ASSERT_EQ(reader, waitpid(reader, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
		if (waiting && atomic_load(&fc->done) == before)
			break;
	}
	atomic_store(&fc->stop, true);
	waitpid(target, NULL, 0);
	ASSERT_LT(tries, 50) TH_LOG("never saw the reader die asleep on the lock while a fork held it (wchan: '%s')", wchan);
	TH_LOG("reader killed while asleep on the mmap lock (%s), reaped before the fork holding it returned (attempt %ld)",
	       wchan, tries + 1);
	munmap(fc, sizeof(*fc));
}

/* A target that execs between open and read: the open keeps the old image. */
TEST_F(lifecycle, target_execs_while_open)
{
	char path[64], *old, *newer;
	int fd, pfd[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(pfd));
	pid = lm_fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			_exit(1);
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(1);
	}
	close(pfd[0]);
	snprintf(path, sizeof(path), LM_DEBUGFS "/%d", pid);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);

	ASSERT_EQ(1, write(pfd[1], "x", 1));
	close(pfd[1]);
	/* wait until the exec is done: comm changes */
	for (int i = 0; i < 500; i++) {
		char comm[32] = "", cpath[64];

		snprintf(cpath, sizeof(cpath), "/proc/%d/comm", pid);
		lm_read_file(cpath, comm, sizeof(comm));
		if (!strncmp(comm, "sleep", 5))
			break;
		usleep(10000);
	}
	old = malloc(1 << 20);
	newer = malloc(1 << 20);
	ASSERT_NE(NULL, old);
	ASSERT_NE(NULL, newer);
	ASSERT_GT(read(fd, old, (1 << 20) - 1), 0);
	close(fd);
	ASSERT_GT(lm_read_file(path, newer, 1 << 20), 0);
	/* the old snapshot is of the test binary, the new one of sleep */
	EXPECT_NE(NULL, strstr(old, "libmaps_lifecycle_test"));
	EXPECT_EQ(NULL, strstr(newer, "libmaps_lifecycle_test"));
	EXPECT_NE(NULL, strstr(newer, "comm=sleep"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	free(old);
	free(newer);
}

TEST_HARNESS_MAIN
