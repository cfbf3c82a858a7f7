// SPDX-License-Identifier: MIT
/*
 * kbdcount: what reaches the screen console's keyboard input (tools/e2e_kbd.py,
 * docs/ps2-user.md). Opens /dev/tty0 in raw mode (cfmakeraw(3): every key
 * press is a byte at once, nothing echoed or interpreted), counts the bytes
 * and keeps the last ones in a record of fixed size it rewrites in place
 * in REPORT (default /tmp/kbdcount) at most ten times a second:
 *   "COUNT TAIL\n" (COUNT right-aligned in 20 columns, TAIL the last 64
 *   printable bytes, non-printable ones as '?', padded with spaces).
 * The file never grows after its first write, so a memory check taken
 * after that sees none of it. usage: kbdcount [TTY [REPORT]]
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TAIL 64

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Rewrite the record at offset 0: same size every time. */
static void report(int out, unsigned long long n, const char *tail)
{
	char rec[20 + 1 + TAIL + 2];

	snprintf(rec, sizeof(rec), "%20llu %-64s\n", n, tail);
	if (pwrite(out, rec, sizeof(rec) - 1, 0) < 0)
		perror("kbdcount: report");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/tty0";
	const char *rep = argc > 2 ? argv[2] : "/tmp/kbdcount";
	struct sigaction sa = { .sa_handler = on_term };
	char tail[TAIL + 1] = "", buf[256];
	unsigned long long n = 0, shown = 0;
	long long last = now_ms();
	struct termios t;
	struct pollfd p;
	size_t have = 0;
	ssize_t got;
	int fd = open(dev, O_RDONLY | O_NOCTTY);
	int out = open(rep, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (out < 0) {
		perror(rep);
		return 1;
	}
	if (fd < 0 || tcgetattr(fd, &t)) {
		perror(dev);
		return 1;
	}
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t)) {
		perror("tcsetattr");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	report(out, 0, "");
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (!stop) {
		if (poll(&p, 1, 200) > 0 && (got = read(fd, buf, sizeof(buf))) > 0) {
			n += (unsigned long long)got;
			for (ssize_t i = 0; i < got; i++) {
				if (have == TAIL) {
					memmove(tail, tail + 1, TAIL - 1);
					have--;
				}
				tail[have++] = buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '?';
			}
			tail[have] = 0;
		}
		if (now_ms() - last >= 100 && n != shown) {
			report(out, n, tail);
			shown = n;
			last = now_ms();
		}
	}
	report(out, n, tail);
	return 0;
}
