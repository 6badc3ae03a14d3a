/* SPDX-License-Identifier: ISC */
/*
 * Networking: name resolution and non-blocking connect.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"

int
net_resolve(const char *host, const char *port, int family,
    struct addrinfo **res, char *err, size_t errlen)
{
	struct addrinfo	 hints;
	struct in6_addr	 a;
	const char	*want, *opt;
	int		 rc;

	want = family == AF_INET ? "IPv4" : "IPv6";
	opt = family == AF_INET ? "-4" : "-6";
	/* getaddrinfo's "Address family for hostname not supported" is
	 * obscure: say which address and which option disagree. */
	if (family != AF_UNSPEC && inet_pton(family == AF_INET ? AF_INET6 :
	    AF_INET, host, &a) == 1) {
		snprintf(err, errlen, "%s is an %s address, but %s asks for "
		    "%s only", host, family == AF_INET ? "IPv6" : "IPv4",
		    opt, want);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	if ((rc = getaddrinfo(host, port, &hints, res)) != 0) {
		snprintf(err, errlen, "cannot resolve %s%s%s%s: %s", host,
		    family != AF_UNSPEC ? " (" : "",
		    family != AF_UNSPEC ? want : "",
		    family != AF_UNSPEC ? " only)" : "", gai_strerror(rc));
		return -1;
	}
	return 0;
}

/* Start connecting; the caller waits for POLLOUT then net_connect_done. */
int
net_connect_start(const struct sockaddr *sa, socklen_t salen, char *err,
    size_t errlen)
{
	int	fd, one = 1;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, sa->sa_family == AF_UNIX ? 0 : IPPROTO_TCP);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Commands are small and interactive: never wait for Nagle. */
	if (sa->sa_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* A unix socket's backlog full is EAGAIN: no wait for it. */
	if (connect(fd, sa, salen) == -1 &&
	    errno != EINPROGRESS) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
net_connect_done(int fd, char *err, size_t errlen)
{
	int		soerr = 0;
	socklen_t	len = sizeof soerr;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr != 0) {
		snprintf(err, errlen, "%s", strerror(soerr));
		return -1;
	}
	return 0;
}

void
net_addr_string(const struct sockaddr *sa, char *out, size_t outlen)
{
	char	host[INET6_ADDRSTRLEN] = "?";
	int	port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		port = ntohs(sin->sin_port);
		snprintf(out, outlen, "%s port %d", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		port = ntohs(sin6->sin6_port);
		snprintf(out, outlen, "%s port %d", host, port);
	} else if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *sun = (const void *)sa;

		snprintf(out, outlen, "unix socket %s", sun->sun_path[0] !=
		    '\0' ? sun->sun_path : "(unnamed)");
	} else
		snprintf(out, outlen, "(unknown address family)");
}

void
net_local_string(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;

	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		snprintf(out, outlen, "?");
	else
		net_addr_string((struct sockaddr *)&ss, out, outlen);
}

/* A unix socket's address; its path must fit sun_path. */
int
net_unix_addr(const char *path, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errlen)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;

	memset(ss, 0, sizeof *ss);
	if (strlen(path) >= sizeof sun->sun_path) {
		snprintf(err, errlen, "unix socket path too long (at most %zu "
		    "bytes): %s", sizeof sun->sun_path - 1, path);
		return -1;
	}
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	*len = (socklen_t)sizeof *sun;
	return 0;
}
