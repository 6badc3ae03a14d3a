/* SPDX-License-Identifier: ISC */
/*
 * Credentials: when one may leave, where batch and probe read the
 * secret, and a process that keeps it to itself (sasl.c builds the
 * exchange).
 *
 * One rule for every mode (the screen, batch, probe): a secret goes only
 * inside TLS whose certificate verified, unless the user said otherwise
 * for this session: --allow-plaintext-auth, --allow-unverified-auth, or
 * a yes on the screen to a line typed by hand.  --require-tls overrides
 * every consent: nothing secret leaves without TLS.
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/core.h"

#define SECRET_MAX	4096	/* a password file's first line */

void
secret_verdict(const struct secret_state *st, struct secret_verdict *v)
{
	memset(v, 0, sizeof *v);
	if (st->tls && st->verified) {
		v->may = true;
		return;
	}
	if (st->tls) {
		v->code = "unverified-auth";
		v->risk = "over TLS whose certificate is not verified";
		if (st->allow_unverified) {
			v->may = true;
			v->why = "the certificate is not verified: the "
			    "credential may reach a man in the middle "
			    "(consent given for this session)";
		} else {
			v->ask = true;
			v->why = "the certificate is not verified: the "
			    "credential could reach a man in the middle "
			    "(--allow-unverified-auth sends it anyway)";
		}
		return;
	}
	v->risk = "in plaintext";
	if (st->require_tls) {
		v->code = "require-tls";
		v->why = "no TLS: --require-tls keeps every credential off a "
		    "plaintext connection (:starttls first)";
		return;
	}
	v->code = "plaintext-auth";
	if (st->allow_plaintext) {
		v->may = true;
		v->why = "no TLS: the credential crosses the network in "
		    "plaintext (consent given for this session)";
	} else {
		v->ask = true;
		v->why = "no TLS: the credential would cross the network in "
		    "plaintext (:starttls first, or --allow-plaintext-auth)";
	}
}

/*
 * The secret for batch :auth, --auth and probe --auth, never from the
 * command line (ps shows it to every local user): the first line of
 * path, its CR/LF stripped, else the environment variable env (NULL:
 * none).  Returns 1 found, 0 none given, -1 with err set.
 */
int
secret_read(const char *path, const char *env_name, struct buf *out,
    char *err, size_t errlen)
{
	const char	*env;
	char		 tmp[SECRET_MAX + 1];
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	buf_reset(out);
	if (path == NULL) {
		if (env_name == NULL || (env = getenv(env_name)) == NULL)
			return 0;
		if (*env == '\0') {
			snprintf(err, errlen, "%s is empty", env_name);
			return -1;
		}
		buf_adds(out, env);
		return 1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (len < sizeof tmp && (n = read(fd, tmp + len,
	    sizeof tmp - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			explicit_bzero(tmp, sizeof tmp);
			return -1;
		}
		if (memchr(tmp + len, '\n', (size_t)n) != NULL) {
			len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	n = 0;
	while ((size_t)n < len && tmp[n] != '\n')
		n++;
	if ((size_t)n == sizeof tmp) {
		snprintf(err, errlen, "%s: the first line is over %d bytes",
		    path, SECRET_MAX);
		explicit_bzero(tmp, sizeof tmp);
		return -1;
	}
	while (n > 0 && tmp[n - 1] == '\r')
		n--;
	if (n == 0 || memchr(tmp, '\0', (size_t)n) != NULL) {
		snprintf(err, errlen, "%s: %s", path, n == 0 ?
		    "the first line is empty" : "the first line holds a NUL");
		explicit_bzero(tmp, sizeof tmp);
		return -1;
	}
	buf_add(out, tmp, (size_t)n);
	explicit_bzero(tmp, sizeof tmp);
	return 1;
}

/* A core file or a debugger would read the secrets out of memory. */
void
secret_protect_process(void)
{
	struct rlimit	rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
