// SPDX-License-Identifier: GPL-2.0
/*
 * bsstarget data|bss LIB: dlopen() LIB, map two pages of private
 * anonymous memory, read-write like a data segment, at the first address
 * past the last record of LIB in /proc/self/maps ("data") or past the
 * anonymous record right after it ("bss"), with MAP_FIXED_NOREPLACE (fail
 * rather than replace anything); touch it, print "ready ADDR" and wait
 * for stdin to close.  After a library's bss the kernel merges the new
 * memory into the bss VMA; right after a library without bss it is a
 * record of its own that only looks like bss.  Exit 1 if that address is
 * taken.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int main(int argc, char **argv)
{
	unsigned long s, e, last = 0, lib_end = 0;
	size_t len = 2 * (size_t)sysconf(_SC_PAGESIZE);
	char line[4096], c;
	FILE *maps;
	void *p, *spacer;

	bool after_bss;
	const char *lib;

	if (argc != 3 || (strcmp(argv[1], "data") && strcmp(argv[1], "bss")))
		return 2;
	after_bss = !strcmp(argv[1], "bss");
	lib = argv[2];
	/*
	 * Libraries are mapped top-down, each right below the one before:
	 * keep a few pages free above this one for the new mapping.
	 */
	spacer = mmap(NULL, 64 * len, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (spacer == MAP_FAILED)
		return 1;
	if (!dlopen(lib, RTLD_NOW)) {
		fprintf(stderr, "bsstarget: %s\n", dlerror());
		return 2;
	}
	munmap(spacer, 64 * len);
	maps = fopen("/proc/self/maps", "r");
	if (!maps)
		return 1;
	/* The library's last record, and the bss after it, if any. */
	while (fgets(line, sizeof(line), maps)) {
		char *path = strchr(line, '/');

		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		if (path && !strncmp(path, lib, strlen(lib)) &&
		    path[strlen(lib)] == '\n')
			last = lib_end = e;
		else if (after_bss && lib_end && s == lib_end && !path)
			last = e;
	}
	fclose(maps);
	if (!last || (after_bss && last == lib_end)) {
		fprintf(stderr, "bsstarget: %s: no %s record found\n", lib,
			after_bss ? "bss" : "file");
		return 1;
	}
	p = mmap((void *)last, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || p != (void *)last) {
		fprintf(stderr, "bsstarget: cannot map at %lx: %m\n", last);
		return 1;
	}
	memset(p, 1, len);
	printf("ready %lx\n", last);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
