// SPDX-License-Identifier: MIT
/*
 * A tiny TCP echo server for the network benchmarks (tools/netbench.py):
 * `tcpecho PORT` accepts connections one after another and sends every
 * byte back at once (TCP_NODELAY), so the host can time 1-byte round trips
 * through the guest's stack. The same static binary runs on Cairn and on
 * the Linux baseline.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Echo everything on @fd until the peer closes; 0, or -1 on an error. */
static int echo(int fd)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf)), off = 0;

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (off < n) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			off += w;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, ls;

	if (argc != 2) {
		fprintf(stderr, "usage: tcpecho PORT\n");
		return 2;
	}
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 8)) {
		perror("tcpecho");
		return 1;
	}
	for (;;) {
		int fd = accept(ls, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("tcpecho: accept");
			return 1;
		}
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
			perror("tcpecho: TCP_NODELAY");
		if (echo(fd))
			perror("tcpecho: echo");
		close(fd);
	}
}
