/* orphans: make orphans for the init above us to reap (see orphan.h).
 *
 *   orphans N [GO_FD] [paced]
 *
 * With GO_FD, start only after reading one byte (or EOF) from it. Without
 * "paced", as fast as we can; "paced": the next orphan only once the last is
 * reaped and the init sleeps again in the call it sleeps in when idle (its
 * state and /proc/PID/syscall as before the first orphan), so each orphan
 * costs the init one wake-up of its own, the common case. Then wait (bounded:
 * 120 s) until every orphan is gone, i.e. reaped by the init, and print
 * "made N failed F create_ms X reaped_all 0|1 wait_ms Y idle 'S NR' not_asleep K".
 * Exit status 0 only if all were made and all were reaped. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "orphan.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0, failed = 0, not_asleep = 0;
	int paced = argc > 3 && !strcmp(argv[3], "paced"), all = 1;
	char idle[64] = "";
	pid_t *kids;
	double t0, t1, t2;

	if (argc > 2) {
		char c;
		int fd = atoi(argv[2]);

		while (read(fd, &c, 1) < 0 && errno == EINTR)
			;
		close(fd);
	}
	kids = calloc(n ? n : 1, sizeof *kids);
	if (!kids)
		return 1;
	if (paced)
		init_idle_state(idle);
	t0 = ms_now();
	if (paced) {
		long made = paced_orphans(n, idle, &not_asleep);

		failed = n - made;
		all = failed == 0;
		n = made;
	} else {
		for (long i = 0; i < n; i++) {
			kids[i] = make_orphan();
			if (kids[i] < 0)
				failed++;
		}
	}
	t1 = ms_now();
	if (!paced)
		for (long i = 0; i < n && all; i++)
			if (kids[i] > 0 && !gone(kids[i], t1 + 120000))
				all = 0;
	t2 = ms_now();
	printf("made %ld failed %ld create_ms %.1f reaped_all %d wait_ms %.1f idle '%s' not_asleep %ld\n",
	       n - (paced ? 0 : failed), failed, t1 - t0, all, t2 - t1, idle, not_asleep);
	fflush(stdout);
	return failed || !all;
}
