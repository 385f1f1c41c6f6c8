/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LIBMAPS_PICTURE_H
#define LIBMAPS_PICTURE_H

#include <stdbool.h>
#include <stdio.h>

#include "view.h"

/*
 * Draw @p's address space as SVG (or, @html, a self-contained HTML page
 * holding the SVG and its key) to @f: a row per group, a box per record
 * (class "rec"), holes collapsed to bands labelled with their size.
 * Returns 0, or -1 if it could not be written.
 */
int lm_picture(FILE *f, const struct lm_proc *p, bool html);

#endif /* LIBMAPS_PICTURE_H */
