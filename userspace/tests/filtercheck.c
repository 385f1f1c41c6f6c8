// SPDX-License-Identifier: GPL-2.0
/*
 * tests/filtercheck: the seccomp filter of libmaps trace, run by a BPF
 * interpreter of this test's own over every system call number below
 * 1024 (and the prctl options and ioctl requests the filter looks at,
 * and others), against call_traced(), the rule the PTRACE_SYSCALL
 * fallback applies: the calls the filter stops must be exactly those.
 * It includes trace.c to reach both.  TAP, with a kselftest totals line.
 */
#include "../trace.c"

/* Classic BPF as build_filter() writes it: LD abs, JEQ/JGE k, RET k. */
static uint32_t run_filter(const struct sock_filter *f, unsigned int len,
			   const struct seccomp_data *d, int *err)
{
	uint32_t a = 0;

	for (unsigned int pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &f[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k + 4 > sizeof(*d) || i->k % 4) {
				*err = 1;
				return 0;
			}
			memcpy(&a, (const char *)d + i->k, 4);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			*err = 1;
			return 0;
		}
	}
	*err = 1;	/* ran off the end */
	return 0;
}

int main(void)
{
#ifdef LM_AUDIT_ARCH
	static const uint64_t firsts[] = {
		0, 1, PR_SET_VMA, PR_SET_THP_DISABLE, PR_GET_NAME, PR_SET_NAME,
		LM_UFFDIO_REGISTER, LM_UFFDIO_UNREGISTER, 0x5401 /* TCGETS */,
		0xffffffffULL, 0x100000000ULL | PR_SET_VMA,
	};
	struct sock_filter f[256];
	unsigned int len = build_filter(f, 256), bad = 0, traced = 0, n = 0;
	struct seccomp_data d;
	int err = 0;

	printf("TAP version 13\n1..2\n");
	printf("%s 1 the filter fits: %u instructions\n", len ? "ok" : "not ok", len);
	for (long nr = 0; nr < 1024; nr++) {
		for (size_t a = 0; a < sizeof(firsts) / sizeof(firsts[0]); a++) {
			uint64_t args[6] = { firsts[a], firsts[a], 0, 0, 0, 0 };
			bool want = call_traced(nr, args), got;

			memset(&d, 0, sizeof(d));
			d.nr = (int)nr;
			d.arch = LM_AUDIT_ARCH;
			memcpy(d.args, args, sizeof(d.args));
			got = run_filter(f, len, &d, &err) == SECCOMP_RET_TRACE;
			n++;
			traced += got;
			if (err || got != want) {
				if (bad++ < 10)
					printf("# nr %ld, args 0x%llx: filter %s, call_traced() %s%s\n",
					       nr, (unsigned long long)firsts[a],
					       got ? "traces" : "allows", want ? "traces" : "allows",
					       err ? " (the program is malformed)" : "");
				err = 0;
			}
		}
	}
	/* another architecture's calls are let through */
	d.arch = ~LM_AUDIT_ARCH;
	d.nr = __NR_mmap;
	if (run_filter(f, len, &d, &err) != SECCOMP_RET_ALLOW || err)
		bad++;
	printf("# %u cases, %u traced\n", n, traced);
	printf("%s 2 every call number: the filter stops exactly what call_traced() says\n",
	       bad || !traced ? "not ok" : "ok");
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       (len != 0) + !(bad || !traced), (len == 0) + !!(bad || !traced));
	return len && !bad && traced ? 0 : 1;
#else
	printf("1..0 # SKIP no seccomp filter for this architecture\n");
	return 4;
#endif
}
