/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LIBMAPS_EXPLAIN_H
#define LIBMAPS_EXPLAIN_H

#include <stdio.h>

#include "view.h"

/*
 * Plain-language paragraphs on why each file group of @p that matches
 * @pattern (every file group if NULL) has the records it has.  Returns
 * the number of groups explained.
 */
int lm_explain(FILE *out, const struct lm_proc *p, const char *pattern);

/* @text wrapped at 76 columns, as one paragraph, and an empty line. */
void lm_para(FILE *out, const char *text);

/* One line saying what a THP reason or a merge reason means. */
const char *lm_thp_reason_text(enum lm_thp_id reason);
const char *lm_flag_text(const char *mnemonic);

#endif /* LIBMAPS_EXPLAIN_H */
