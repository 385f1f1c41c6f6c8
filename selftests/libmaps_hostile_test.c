// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input: crafted names, pids that vanish, are reused or belong
 * to another pid namespace, odd offsets and sizes, and every operation a
 * read-only view does not offer.  Each gets the error
 * Documentation/view.rst gives, and afterwards the directory, the module
 * and a fresh view are as they were.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"
#include "uapi/libmaps.h"

static char buf[1 << 20];
static struct lm_view view;

/* errno of open(LM_DEBUGFS/@name), or 0 if it opened. */
static int open_errno(const char *name, int flags)
{
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), LM_DEBUGFS "/%s", name);
	fd = open(path, flags);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* The names in the directory, sorted, as one string. */
static void listing(char *out, size_t size)
{
	DIR *d = opendir(LM_DEBUGFS);
	struct dirent *e;
	size_t len = 0;

	out[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d)) && len + 64 < size) {
		/* pids come and go; the fixed entries must stay */
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			len += snprintf(out + len, size - len, "%s ", e->d_name);
	}
	closedir(d);
}

static int read_view(const char *name, struct lm_view *v)
{
	char path[128];

	snprintf(path, sizeof(path), LM_DEBUGFS "/%s", name);
	if (lm_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return lm_parse_view(buf, v);
}

/*
 * A child that exec()s sleep, and its view opened (an fd, or -1); the
 * caller kills and reaps it.
 */
static int sleeper_view(pid_t *pid)
{
	char name[64];

	*pid = lm_fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		execlp("sleep", "sleep", "100", (char *)NULL);
		_exit(1);
	}
	usleep(200000);
	snprintf(name, sizeof(name), LM_DEBUGFS "/%d", *pid);
	return open(name, O_RDONLY);
}

FIXTURE(hostile) {
	char before[4096];
};

FIXTURE_SETUP(hostile)
{
	listing(self->before, sizeof(self->before));
	ASSERT_NE(0, self->before[0]);
}

/* Nothing changed: same fixed entries, the module answers as before. */
FIXTURE_TEARDOWN(hostile)
{
	char after[4096];

	listing(after, sizeof(after));
	EXPECT_STREQ(self->before, after);
	EXPECT_EQ(0, read_view("self", &view)) TH_LOG("%s", lm_error);
	EXPECT_EQ(getpid(), view.pid);
	EXPECT_EQ(0, access("/sys/module/libmaps", F_OK));
}

struct bad_name {
	const char *name;
	int err;		/* 0: it opens, but not as a view */
};

TEST_F(hostile, names)
{
	char longname[300], pidnum[32];
	static const struct bad_name names[] = {
		/* not a pid as /proc writes one: ENOENT */
		{ "abc", ENOENT }, { "-1", ENOENT }, { "+1", ENOENT },
		{ "-0", ENOENT }, { "+0", ENOENT }, { "0", ENOENT },
		{ "00", ENOENT }, { "01", ENOENT }, { "0x10", ENOENT },
		{ "1e3", ENOENT }, { "1.0", ENOENT }, { " 1", ENOENT },
		{ "1 ", ENOENT }, { "1 2", ENOENT }, { "\t1", ENOENT },
		{ "1\n", ENOENT }, { "1x", ENOENT }, { "1;", ENOENT },
		{ "1\\", ENOENT }, { "%d", ENOENT }, { "*", ENOENT },
		{ "?", ENOENT }, { "SELF", ENOENT }, { "selfx", ENOENT },
		{ " self", ENOENT }, { "init", ENOENT },
		{ "\xd9\xa1", ENOENT },		/* Arabic-Indic digit one */
		{ "\xef\xbc\x91", ENOENT },	/* fullwidth digit one */
		{ "1\xc3\xa9", ENOENT }, { "\xff", ENOENT },
		{ "4194305", ENOENT }, { "2147483647", ENOENT },
		{ "2147483648", ENOENT }, { "-2147483648", ENOENT },
		{ "4294967296", ENOENT }, { "18446744073709551615", ENOENT },
		{ "99999999999999999999", ENOENT },
		{ "00000000000000000001", ENOENT },
		/* path syntax: the VFS answers before libmaps sees a name */
		{ "1/", ENOTDIR }, { "self/", ENOTDIR }, { "1/..", ENOTDIR },
		{ "1/x", ENOTDIR }, { "../libmaps/abc", ENOENT },
		{ "nosuch/1", ENOENT },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++, n++) {
		EXPECT_EQ(names[i].err, open_errno(names[i].name, O_RDONLY))
			TH_LOG("name '%s'", names[i].name);
	}

	/* empty components and dots resolve to real entries */
	EXPECT_EQ(0, open_errno("/1", O_RDONLY));
	EXPECT_EQ(0, open_errno("./1", O_RDONLY));
	EXPECT_EQ(0, open_errno("../libmaps/1", O_RDONLY));
	EXPECT_EQ(0, open_errno(".", O_RDONLY | O_DIRECTORY));
	n += 4;

	/* longer than NAME_MAX: not a pid either (as in /proc) */
	memset(longname, '1', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_EQ(ENOENT, open_errno(longname, O_RDONLY));
	memset(longname, '1', 255);
	longname[255] = '\0';
	EXPECT_EQ(ENOENT, open_errno(longname, O_RDONLY));
	n += 2;

	/* a directory's own name, opened as a file */
	snprintf(pidnum, sizeof(pidnum), "%d", getpid());
	EXPECT_EQ(0, open_errno(pidnum, O_RDONLY));
	EXPECT_EQ(ENOTDIR, open_errno(pidnum, O_RDONLY | O_DIRECTORY));
	n += 2;
	TH_LOG("%d names tried", n);
}

/* A pid that exits, is reaped, and is given to a new process. */
TEST_F(hostile, reused_pid)
{
	char name[64], old[1 << 16];
	pid_t a, b;
	ssize_t n;
	int fd, lp;

	fd = sleeper_view(&a);
	ASSERT_GE(fd, 0);
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);

	/* the pid's next user: ns_last_pid (CONFIG_CHECKPOINT_RESTORE) */
	lp = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
	if (lp < 0) {
		close(fd);
		SKIP(return, "no /proc/sys/kernel/ns_last_pid (CONFIG_CHECKPOINT_RESTORE off)");
	}
	dprintf(lp, "%d", a - 1);
	close(lp);
	b = lm_fork();
	ASSERT_GE(b, 0);
	if (b == 0) {
		pause();
		_exit(0);
	}
	if (b != a) {
		kill(b, SIGKILL);
		waitpid(b, NULL, 0);
		close(fd);
		SKIP(return, "another process took pid %d first", a);
	}
	/* the old open still reads the old process's snapshot */
	n = read(fd, old, sizeof(old) - 1);
	ASSERT_GT(n, 0);
	old[n] = '\0';
	close(fd);
	EXPECT_NE(NULL, strstr(old, "comm=sleep"));
	/* a new open sees the new process */
	snprintf(name, sizeof(name), "%d", b);
	ASSERT_EQ(0, read_view(name, &view)) TH_LOG("%s", lm_error);
	EXPECT_EQ(b, view.pid);
	EXPECT_STRNE("sleep", view.comm);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
}

/*
 * Names are pids of the reader's pid namespace: inside a new one, "1" is
 * the reader itself and the parent's pids do not exist.
 */
TEST_F(hostile, other_pid_namespace)
{
	int status, pfd[2];
	char res[64] = "";
	pid_t child;

	ASSERT_EQ(0, pipe(pfd));
	if (unshare(CLONE_NEWPID))
		SKIP(return, "unshare(CLONE_NEWPID): %s (CONFIG_PID_NS off?)", strerror(errno));
	child = lm_fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		int e1, e2;

		/* the test process is outside: getppid() is 0 here */
		e1 = read_view("1", &view) ? -1 : view.pid;
		e2 = open_errno("2", O_RDONLY);
		dprintf(pfd[1], "%d %d %d", e1, e2, getpid());
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	close(pfd[1]);
	ASSERT_GT(read(pfd[0], res, sizeof(res) - 1), 0);
	/* pid 1 of the new namespace is the child; it has no pid 2 */
	EXPECT_STREQ("1 2 1", res);
}

TEST_F(hostile, offsets_sizes_and_operations)
{
	char small[16];
	struct stat st;
	void *p;
	int fd;

	fd = open(LM_DEBUGFS "/self", O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, read(fd, small, 0));
	/* a buffer the reader may not write: the kernel's user copy fails */
	EXPECT_EQ(-1, read(fd, (void *)(uintptr_t)4096, 16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pread(fd, small, sizeof(small), -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, pread(fd, small, sizeof(small), (off_t)1 << 40));
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 1, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, (off_t)1 << 40, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EBADF, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);
	/* the VFS answers FIONREAD for any file; nothing else is offered */
	EXPECT_EQ(-1, ioctl(fd, 0x12345678, small));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	close(fd);

	/* the directory offers nothing but lookups and listing */
	EXPECT_EQ(-1, mkdir(LM_DEBUGFS "/x", 0700));
	EXPECT_EQ(-1, unlink(LM_DEBUGFS "/self"));
	EXPECT_EQ(-1, rename(LM_DEBUGFS "/self", LM_DEBUGFS "/x"));
	EXPECT_EQ(-1, symlink("1", LM_DEBUGFS "/x"));
	EXPECT_EQ(-1, chmod(LM_DEBUGFS "/1", 0666));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, chmod(LM_DEBUGFS, 0777));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, chown(LM_DEBUGFS "/1", 65534, 65534));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, setxattr(LM_DEBUGFS "/1", "user.x", "1", 1, 0));
	EXPECT_EQ(-1, creat(LM_DEBUGFS "/12345", 0600));
	EXPECT_EQ(-1, truncate(LM_DEBUGFS "/1", 0));
	EXPECT_EQ(EPERM, errno);
	TH_LOG("open(O_RDONLY | O_TRUNC): %s", strerror(open_errno("1", O_RDONLY | O_TRUNC)));
	EXPECT_EQ(0, read_view("1", &view)) TH_LOG("%s", lm_error);
}

/*
 * LIBMAPS_IOC_RANGE refuses what it does not understand and leaves the
 * file as it was; a process that exited gives ESRCH, and its file still
 * reads its last text.
 */
TEST_F(hostile, range_ioctl)
{
	struct libmaps_range r = { 0, ~0ULL, 0 };
	char text[1 << 16];
	ssize_t n;
	pid_t a;
	int fd;

	fd = open(LM_DEBUGFS "/self", O_RDONLY);
	ASSERT_GE(fd, 0);
	r.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, LIBMAPS_IOC_RANGE, &r));
	EXPECT_EQ(EINVAL, errno);
	r.flags = 0;
	r.start = 2;
	r.end = 1;
	EXPECT_EQ(-1, ioctl(fd, LIBMAPS_IOC_RANGE, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, LIBMAPS_IOC_RANGE, (void *)(uintptr_t)4096));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOW('L', 2, struct libmaps_range), &r));
	EXPECT_EQ(ENOTTY, errno);
	/* none of them changed the file: the whole view, from where it was */
	n = read(fd, text, sizeof(text) - 1);
	ASSERT_GT(n, 0);
	text[n] = '\0';
	EXPECT_EQ(NULL, strstr(text, " range="));
	/* an empty range below every record: a header and no record */
	r.start = 0;
	r.end = 0;
	ASSERT_EQ(0, ioctl(fd, LIBMAPS_IOC_RANGE, &r));
	n = read(fd, text, sizeof(text) - 1);
	ASSERT_GT(n, 0);
	text[n] = '\0';
	ASSERT_EQ(0, lm_parse_view(text, &view)) TH_LOG("%s", lm_error);
	EXPECT_TRUE(view.ranged);
	EXPECT_EQ(0, view.nr);
	EXPECT_GT(view.map_vmas, 0U);
	close(fd);

	fd = sleeper_view(&a);
	ASSERT_GE(fd, 0);
	r.end = ~0ULL;
	ASSERT_EQ(0, ioctl(fd, LIBMAPS_IOC_RANGE, &r));
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	EXPECT_EQ(-1, ioctl(fd, LIBMAPS_IOC_RANGE, &r));
	EXPECT_EQ(ESRCH, errno);
	n = read(fd, text, sizeof(text) - 1);
	ASSERT_GT(n, 0);
	text[n] = '\0';
	ASSERT_EQ(0, lm_parse_view(text, &view)) TH_LOG("%s", lm_error);
	EXPECT_TRUE(view.ranged);
	EXPECT_STREQ("sleep", view.comm);
	EXPECT_GT(view.nr, 0);
	close(fd);
}

TEST_HARNESS_MAIN
