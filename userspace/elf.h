/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LIBMAPS_ELF_H
#define LIBMAPS_ELF_H

#include "view.h"

/*
 * Label the records of every file group of @p with the ELF segment they
 * come from (PT_LOAD, PT_GNU_RELRO, the gap between two PT_LOADs), and
 * set each record's elf_role.  A group whose file cannot be read, or is
 * not ELF, or is not mapped the way a loader maps ELF, keeps the module's
 * roles and gets elf_status saying why.  @live: @p is a running process
 * (open the files through /proc/<pid>/map_files).
 */
void lm_elf_refine(struct lm_proc *p, bool live);

#endif /* LIBMAPS_ELF_H */
