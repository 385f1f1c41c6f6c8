// SPDX-License-Identifier: GPL-2.0
/*
 * Names that are not pids, processes that are gone or have no address
 * space, readers without the capability, writers, partial reads, seeks,
 * and a target that exits while its view is open.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lm_view.h"

static char buf1[1 << 20], buf2[1 << 20];
static struct lm_view view;

static int open_view(const char *name, int flags)
{
	char path[256];

	snprintf(path, sizeof(path), LM_DEBUGFS "/%s", name);
	return open(path, flags);
}

/* errno of open(), or 0 if it succeeded. */
static int open_errno(const char *name, int flags)
{
	int fd = open_view(name, flags);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

static ssize_t read_all(int fd, char *buf, size_t size, size_t chunk)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1) {
		n = read(fd, buf + len, chunk < size - 1 - len ? chunk : size - 1 - len);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	return len;
}

static bool proc_exists(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return access(path, F_OK) == 0;
}

/* A pid that no process has: a reaped child's. */
static pid_t dead_pid(void)
{
	pid_t pid = lm_fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (lm_read_file(path, buf, sizeof(buf)) < 0)
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

TEST(names_that_are_not_pids)
{
	static const char * const bad[] = {
		"abc", "-1", "+1", "01", "0", "00", " 1", "1 ", "1\n", "1x",
		"99999999999999999999", "4294967296", "4194305", "",
	};
	char name[32];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!bad[i][0])
			continue;
		EXPECT_EQ(ENOENT, open_errno(bad[i], O_RDONLY))
			TH_LOG("name '%s'", bad[i]);
	}
	snprintf(name, sizeof(name), "%d", dead_pid());
	ASSERT_FALSE(proc_exists(atoi(name)));
	EXPECT_EQ(ENOENT, open_errno(name, O_RDONLY)) TH_LOG("dead pid %s", name);
}

TEST(self_and_pid)
{
	char name[32];
	int fd;

	fd = open_view("self", O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_GT(read_all(fd, buf1, sizeof(buf1), 4096), 0);
	close(fd);
	ASSERT_EQ(0, lm_parse_view(buf1, &view)) TH_LOG("%s", lm_error);
	EXPECT_EQ(getpid(), view.pid);
	EXPECT_GT(view.vmas, 0U);

	snprintf(name, sizeof(name), "%d", getpid());
	EXPECT_EQ(0, open_errno(name, O_RDONLY));
	EXPECT_EQ(0, open_errno("1", O_RDONLY));
}

TEST(readdir_lists_live_pids)
{
	bool self = false, me = false, init = false;
	DIR *d = opendir(LM_DEBUGFS);
	struct dirent *e;
	int pids = 0;

	ASSERT_NE(NULL, d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!strcmp(e->d_name, "self")) {
			self = true;
			continue;
		}
		pid_t pid = atoi(e->d_name);
		char back[32];

		snprintf(back, sizeof(back), "%d", pid);
		EXPECT_STREQ(back, e->d_name);
		EXPECT_TRUE(proc_exists(pid)) TH_LOG("listed %s, not in /proc", e->d_name);
		me |= pid == getpid();
		init |= pid == 1;
		pids++;
	}
	closedir(d);
	EXPECT_TRUE(self);
	EXPECT_TRUE(me);
	EXPECT_TRUE(init);
	EXPECT_GT(pids, 2);
}

TEST(writes_are_refused)
{
	int fd;

	EXPECT_EQ(EACCES, open_errno("self", O_WRONLY));
	EXPECT_EQ(EACCES, open_errno("self", O_RDWR));
	fd = open_view("self", O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, write(fd, "x", 1));
	close(fd);
}

/* Clear CAP_SYS_ADMIN from the effective set, staying uid 0. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &hdr, data);
}

TEST(needs_cap_sys_admin)
{
	int status;
	pid_t pid = lm_fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (drop_sys_admin())
			_exit(10);
		/* debugfs lets uid 0 in; libmaps itself must refuse. */
		_exit(open_errno("1", O_RDONLY) == EPERM ? 0 : 11);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));

	pid = lm_fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int err;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		err = open_errno("1", O_RDONLY);
		_exit(err == EPERM ? 0 : err == EACCES ? 1 : 11);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* debugfs's own 0700 may answer first (EACCES); either refuses */
	EXPECT_TRUE(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1);
	TH_LOG("uid 65534 without capabilities: %s",
	       WEXITSTATUS(status) == 0 ? "EPERM (libmaps)" :
	       WEXITSTATUS(status) == 1 ? "EACCES (debugfs mode)" : "not refused");
}

/*
 * debugfs's own mode is not the gate: even with /sys/kernel/debug
 * remounted 0777, root without CAP_SYS_ADMIN gets EPERM from libmaps
 * itself, and any other user is stopped by the libmaps directory (0500,
 * root's: EACCES) or, were that opened up too, by libmaps (EPERM).
 */
TEST(refused_on_a_permissive_debugfs)
{
	int status, i;
	pid_t pid;

	ASSERT_EQ(0, mount(NULL, "/sys/kernel/debug", NULL, MS_REMOUNT, "mode=0777"));
	for (i = 0; i < 2; i++) {
		pid = lm_fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			if (i == 0 && drop_sys_admin())
				_exit(10);
			if (i == 1 && (setresgid(65534, 65534, 65534) ||
				       setresuid(65534, 65534, 65534)))
				_exit(10);
			_exit(open_errno("1", O_RDONLY));
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (i == 0) {
			EXPECT_EQ(EPERM, WEXITSTATUS(status));
		} else {
			EXPECT_TRUE(WEXITSTATUS(status) == EACCES ||
				    WEXITSTATUS(status) == EPERM)
				TH_LOG("uid 65534: %s", strerror(WEXITSTATUS(status)));
		}
	}
	EXPECT_EQ(0, mount(NULL, "/sys/kernel/debug", NULL, MS_REMOUNT, "mode=0700"));
}

static void expect_nomm(struct __test_metadata *_metadata, pid_t pid)
{
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "%d", pid);
	fd = open_view(name, O_RDONLY);
	ASSERT_GE(fd, 0) TH_LOG("open %s: %s", name, strerror(errno));
	ASSERT_GT(read_all(fd, buf1, sizeof(buf1), 4096), 0);
	close(fd);
	ASSERT_EQ(0, lm_parse_view(buf1, &view)) TH_LOG("%s", lm_error);
	EXPECT_TRUE(view.nomm);
	EXPECT_EQ(0U, view.vmas);
	EXPECT_EQ(pid, view.pid);
}

TEST(kernel_thread_has_no_mm)
{
	char buf[256];

	/* pid 2 is kthreadd: its maps is empty, as it has no mm */
	ASSERT_GE(lm_read_file("/proc/2/stat", buf, sizeof(buf)), 0);
	ASSERT_NE(NULL, strstr(buf, "(kthreadd)"));
	ASSERT_EQ(0, lm_read_file("/proc/2/maps", buf, sizeof(buf)));
	expect_nomm(_metadata, 2);
}

TEST(zombie_has_no_mm)
{
	pid_t pid = lm_fork();
	int i;

	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(0);
	for (i = 0; i < 1000 && proc_state(pid) != 'Z'; i++)
		usleep(1000);
	ASSERT_EQ('Z', proc_state(pid));
	expect_nomm(_metadata, pid);
	waitpid(pid, NULL, 0);
}

TEST(reads_seeks_and_small_buffers)
{
	ssize_t n1, n2;
	char *p;
	int fd;

	fd = open_view("self", O_RDONLY);
	ASSERT_GE(fd, 0);
	n1 = read_all(fd, buf1, sizeof(buf1), 1 << 16);
	ASSERT_GT(n1, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	n2 = read_all(fd, buf2, sizeof(buf2), 7);
	ASSERT_EQ(n1, n2);
	EXPECT_EQ(0, memcmp(buf1, buf2, n1));

	/* the end is where the text ends; pread reads from the middle */
	EXPECT_EQ(n1, lseek(fd, 0, SEEK_END));
	p = strchr(buf1, '\n');
	ASSERT_NE(NULL, p);
	EXPECT_EQ(10, pread(fd, buf2, 10, p + 1 - buf1));
	EXPECT_EQ(0, memcmp(buf2, p + 1, 10));
	close(fd);
}

/*
 * A view opened before its process exits reads whole afterwards, from the
 * snapshot taken at open(): the first bytes read before the exit, the
 * rest after it, and the whole again by pread() from 0, are one text, the
 * view of a live process.  (Two opens are two snapshots: the memory
 * fields of a process whose pages its parent shares change between them.)
 */
TEST(target_exits_while_open)
{
	char name[32], *rest;
	ssize_t head, n2, n3;
	pid_t pid = lm_fork();
	int fd;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	snprintf(name, sizeof(name), "%d", pid);
	fd = open_view(name, O_RDONLY);
	ASSERT_GE(fd, 0);
	head = read(fd, buf2, 100);
	ASSERT_EQ(100, head);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ASSERT_FALSE(proc_exists(pid));

	/* the rest still comes from the snapshot taken at open() */
	rest = buf2 + head;
	n2 = read_all(fd, rest, sizeof(buf2) - head - 1, 4096);
	ASSERT_GT(n2, 0);
	buf2[head + n2] = '\0';
	n3 = pread(fd, buf1, sizeof(buf1), 0);
	EXPECT_EQ(head + n2, n3);
	EXPECT_EQ(0, memcmp(buf1, buf2, head + n2));
	ASSERT_EQ(0, lm_parse_view(buf2, &view)) TH_LOG("%s", lm_error);
	EXPECT_EQ(pid, view.pid);
	EXPECT_FALSE(view.nomm);
	EXPECT_LT(0, view.nr);
	close(fd);

	/* and a new open finds no such process */
	EXPECT_EQ(ENOENT, open_errno(name, O_RDONLY));
}

/* An open view pins the module: unmount and rmmod fail, nothing breaks. */
TEST(unload_while_open)
{
	int fd, status;
	pid_t pid;

	fd = open_view("self", O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, umount2(LM_DEBUGFS, 0));
	EXPECT_EQ(EBUSY, errno);

	pid = lm_fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		execlp("rmmod", "rmmod", "libmaps", (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_NE(0, WEXITSTATUS(status));
	EXPECT_NE(127, WEXITSTATUS(status));

	EXPECT_GT(read_all(fd, buf1, sizeof(buf1), 4096), 0);
	EXPECT_EQ(0, strncmp(buf1, "libmaps ", 8));
	close(fd);
}

TEST_HARNESS_MAIN
