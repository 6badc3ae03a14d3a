/* SPDX-License-Identifier: ISC */
/*
 * The options of the way to the server: --proxy (or $MAILSCOPE_PROXY)
 * and its password, --proxy-header and the addresses it claims.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

/* curl's habit: a password on the command line is wiped from it at once
 * (ps may have seen it before; the environment or a file is better). */
static void
wipe_password(const char *arg)
{
	char	*p, *at, *colon;

	if ((p = strstr(arg, "://")) == NULL ||
	    (at = strrchr(p += 3, '@')) == NULL ||
	    (colon = memchr(p, ':', (size_t)(at - p))) == NULL)
		return;
	memset(colon + 1, '*', (size_t)(at - colon - 1));
}

int
path_option(struct session_opts *so, int ch, char *arg, char *err,
    size_t errlen)
{
	struct sockaddr_storage	ss;

	switch (ch) {
	case SOPT_PROXY:
		proxy_clear(&so->proxy);
		if (proxy_parse(arg, &so->proxy, err, errlen) == -1)
			return -1;
		wipe_password(arg);
		break;
	case SOPT_PROXY_PASSWORD_FILE:
		so->proxy_password_file = arg;
		break;
	case SOPT_PROXY_HEADER:
		if (strcmp(arg, "v1") == 0 || strcmp(arg, "1") == 0)
			so->proxy_header = 1;
		else if (strcmp(arg, "v2") == 0 || strcmp(arg, "2") == 0)
			so->proxy_header = 2;
		else {
			snprintf(err, errlen, "bad --proxy-header '%s' "
			    "(expected v1 or v2)", arg);
			return -1;
		}
		break;
	case SOPT_PROXY_SOURCE:
	case SOPT_PROXY_DEST:
		if (path_addr_parse(arg, &ss, err, errlen) == -1)
			return -1;
		if (ch == SOPT_PROXY_SOURCE)
			so->proxy_source = arg;
		else
			so->proxy_dest = arg;
		break;
	default:
		return 0;
	}
	return 1;
}

/* After the options and the target: the environment, the password,
 * what does not go together. */
int
path_options_finish(struct session_opts *so, char *err, size_t errlen)
{
	struct proxy	*px = &so->proxy;
	struct buf	 pw = { 0 };
	const char	*env;

	if (px->host == NULL && (env = getenv("MAILSCOPE_PROXY")) != NULL &&
	    *env != '\0' && proxy_parse(env, px, err, errlen) == -1) {
		snprintf(err + strlen(err), errlen - strlen(err), " (from "
		    "MAILSCOPE_PROXY)");
		return -1;
	}
	if ((so->proxy_source != NULL || so->proxy_dest != NULL) &&
	    so->proxy_header == 0) {
		snprintf(err, errlen, "--proxy-source and --proxy-dest need "
		    "--proxy-header v1 or v2");
		return -1;
	}
	if (px->host == NULL) {
		if (so->proxy_password_file != NULL) {
			snprintf(err, errlen, "--proxy-password-file needs "
			    "--proxy");
			return -1;
		}
		return 0;
	}
	if (so->target.mx || so->dns != NULL || so->target.unix_path !=
	    NULL) {
		snprintf(err, errlen, "--proxy goes to one host by its name "
		    "or address: not with %s", so->target.mx ? "mx://" :
		    so->dns != NULL ? "--dns" : "lmtp+unix://");
		return -1;
	}
	if (px->user == NULL || px->pass != NULL)
		return 0;
	if (secret_read(so->proxy_password_file, "MAILSCOPE_PROXY_PASSWORD",
	    &pw, err, errlen) == -1)
		return -1;
	if (pw.len == 0) {
		snprintf(err, errlen, "the proxy's user %s has no password: "
		    "give it in MAILSCOPE_PROXY_PASSWORD or "
		    "--proxy-password-file FILE", px->user);
		buf_free(&pw);
		return -1;
	}
	if (pw.len > 255) {
		snprintf(err, errlen, "the proxy's password is longer than 255 "
		    "bytes (RFC 1929)");
		explicit_bzero(pw.p, pw.cap);
		buf_free(&pw);
		return -1;
	}
	px->pass = xstrndup(pw.p, pw.len);
	explicit_bzero(pw.p, pw.cap);
	buf_free(&pw);
	return 0;
}
