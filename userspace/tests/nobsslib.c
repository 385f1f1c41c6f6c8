// SPDX-License-Identifier: GPL-2.0
/*
 * libnobss.so: a library whose data segment has no bss page (its few
 * zero bytes past p_filesz, if any, fit in the last file page), for the
 * host tests: anonymous memory mapped right after its data must not be
 * called its bss.  tests/elf-bss checks that the build really has none.
 * The read-only padding makes it too big for the small holes between the
 * libraries already mapped, so that the loader puts it right below the
 * spacer tests/bsstarget.c reserves.
 */
int nobss_data[4] = { 1, 2, 3, 4 };
const char nobss_pad[1 << 20] = { 1 };

int nobss_get(int i)
{
	return nobss_data[i & 3] + nobss_pad[i & 1];
}
