// SPDX-License-Identifier: GPL-2.0
/*
 * A shared library linked with -z max-page-size=0x200000 and -z
 * separate-code: its code, read-only data and data segments start 2 MiB
 * apart in its address space, so the loader leaves ---p records between
 * them.
 */
static const char gap_rodata[] = "libmaps alignment gap";
int gap_data = 40;

int gap_value(void)
{
	return gap_data + (gap_rodata[0] == 'l' ? 2 : 0);
}
