// SPDX-License-Identifier: GPL-2.0
/*
 * A shared library linked with -z max-page-size=0x200000 and -z
 * separate-code: its code, read-only data and data segments start 2 MiB
 * apart in its address space, so the loader leaves ---p records between
 * them.  It has every kind of segment a role names: text, rodata, RELRO
 * (a pointer table the loader must relocate), data and bss.
 */
static const char gap_rodata[] = "libmaps alignment gap";
static const char *const gap_relro[] = { gap_rodata, gap_rodata + 8 };
int gap_data = 40;
int gap_bss[1 << 14];	/* 64 KiB of zeroes past the end of the file */

int gap_value(void)
{
	return gap_data + (gap_relro[1][0] == 'a' ? 2 : 0) + gap_bss[gap_data];
}
