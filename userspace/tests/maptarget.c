// SPDX-License-Identifier: GPL-2.0
/*
 * maptarget FILE: map FILE privately, read-only, print "ready" and wait
 * for stdin to close: a process with a mapping of any file, for the host
 * tests.  MAPTARGET_ADDR=<address> maps it there (MAP_FIXED_NOREPLACE).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *at = getenv("MAPTARGET_ADDR");
	struct stat st;
	char c;
	void *p;
	int fd;

	if (argc != 2)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || !st.st_size)
		return 1;
	p = mmap(at ? (void *)strtoul(at, NULL, 0) : NULL, (size_t)st.st_size,
		 PROT_READ, MAP_PRIVATE | (at ? MAP_FIXED_NOREPLACE : 0), fd, 0);
	if (p == MAP_FAILED)
		return 1;
	puts("ready");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
