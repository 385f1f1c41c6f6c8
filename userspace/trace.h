/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmaps trace: run a command and show what each of its memory-map
 * system calls did to its map (trace.c).
 */
#ifndef LIBMAPS_TRACE_H
#define LIBMAPS_TRACE_H

/* argv[0] is "trace"; returns the exit status for the tool. */
int lm_trace_main(int argc, char **argv);

#endif /* LIBMAPS_TRACE_H */
