/* SPDX-License-Identifier: ISC */
/*
 * The one SASL client, for :auth (screen and batch) and probe --auth:
 * GNU SASL builds each mechanism's messages; the session carries them
 * (the protocol's verb, continuations, the rule on whether the secret
 * may go at all).  With no mechanism named, the best one the server
 * offers is taken: SCRAM (bound to the TLS channel where it can be) over
 * CRAM-MD5 over PLAIN over LOGIN.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsasl.h>

#include "core/core.h"

struct sasl {
	Gsasl_session	*s;
	char		 mech[32];
	bool		 client_first;
};

/* Best first; the ones that send the password itself come last. */
static const struct {
	const char	*name;
	bool		 client_first;	/* has an initial response */
	bool		 cb;		/* needs channel binding */
} mechs[] = {
	{ "SCRAM-SHA-256-PLUS",	true,	true },
	{ "SCRAM-SHA-1-PLUS",	true,	true },
	{ "SCRAM-SHA-256",	true,	false },
	{ "SCRAM-SHA-1",	true,	false },
	{ "CRAM-MD5",		false,	false },
	{ "PLAIN",		true,	false },
	{ "LOGIN",		false,	false },
};
#define NMECHS	(sizeof mechs / sizeof mechs[0])

static Gsasl	*ctx;

static const char	*sasl_names(void);

static Gsasl *
sasl_ctx(void)
{
	if (ctx == NULL && gsasl_init(&ctx) != GSASL_OK)
		fatalx("GNU SASL cannot start");
	return ctx;
}

static int
mech_index(const char *name)
{
	size_t	i;

	for (i = 0; i < NMECHS; i++)
		if (strcasecmp(mechs[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The best mechanism of offered we speak; NULL: none. */
const char *
sasl_choose(const struct strv *offered, bool cb)
{
	size_t	i;

	for (i = 0; i < NMECHS; i++)
		if ((cb || !mechs[i].cb) && strv_has(offered, mechs[i].name) &&
		    gsasl_client_support_p(sasl_ctx(), mechs[i].name))
			return mechs[i].name;
	return NULL;
}

/*
 * A client for mech (NULL: the best of offered) logging in as user.
 * cb is the base64 tls-exporter channel binding, NULL outside TLS 1.3.
 */
struct sasl *
sasl_new(const char *mech, const struct strv *offered, const char *user,
    const char *secret, const char *cb, char *err, size_t errlen)
{
	struct sasl	*a;
	int		 i, rc;

	if (mech == NULL && (mech = sasl_choose(offered, cb != NULL)) ==
	    NULL) {
		snprintf(err, errlen, "the server offers no mechanism "
		    "mailscope speaks (%s)", sasl_names());
		return NULL;
	}
	if ((i = mech_index(mech)) == -1 ||
	    !gsasl_client_support_p(sasl_ctx(), mechs[i].name)) {
		snprintf(err, errlen, "mechanism %.40s unknown (%s)", mech,
		    sasl_names());
		return NULL;
	}
	if (mechs[i].cb && cb == NULL) {
		snprintf(err, errlen, "%s needs TLS 1.3 (its channel "
		    "binding)", mechs[i].name);
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	snprintf(a->mech, sizeof a->mech, "%s", mechs[i].name);
	a->client_first = mechs[i].client_first;
	if ((rc = gsasl_client_start(sasl_ctx(), a->mech, &a->s)) !=
	    GSASL_OK) {
		snprintf(err, errlen, "%s: %s", a->mech, gsasl_strerror(rc));
		free(a);
		return NULL;
	}
	gsasl_property_set(a->s, GSASL_AUTHID, user);
	gsasl_property_set(a->s, GSASL_PASSWORD, secret);
	if (cb != NULL)
		gsasl_property_set(a->s, GSASL_CB_TLS_EXPORTER, cb);
	return a;
}

const char *
sasl_mech(const struct sasl *a)
{
	return a->mech;
}

/* Whether the first message may ride on the command itself. */
bool
sasl_client_first(const struct sasl *a)
{
	return a->client_first;
}

/*
 * The answer (base64) to the server's challenge (base64, NULL before
 * the first).  Returns 0 with out set, -1 with err: the caller cancels.
 */
int
sasl_step(struct sasl *a, const char *challenge, struct buf *out,
    char *err, size_t errlen)
{
	char	*msg = NULL;
	int	 rc;

	rc = gsasl_step64(a->s, challenge != NULL ? challenge : "", &msg);
	if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE) {
		snprintf(err, errlen, "%s: %s", a->mech, gsasl_strerror(rc));
		free(msg);
		return -1;
	}
	buf_adds(out, msg != NULL ? msg : "");
	if (msg != NULL) {
		explicit_bzero(msg, strlen(msg));
		gsasl_free(msg);
	}
	return 0;
}

void
sasl_free(struct sasl *a)
{
	if (a == NULL)
		return;
	gsasl_finish(a->s);
	free(a);
}

/* The mechanisms we speak, lower case: completion. */
void
sasl_mech_names(struct strv *out)
{
	const char	*m;
	char		 name[32];
	size_t		 i, j;

	for (i = 0; i < NMECHS; i++) {
		m = mechs[i].name;
		for (j = 0; m[j] != '\0'; j++)
			name[j] = (char)tolower((unsigned char)m[j]);
		name[j] = '\0';
		strv_add(out, name);
	}
}

/* ... and for messages. */
static const char *
sasl_names(void)
{
	static struct buf	names;
	struct strv		sv = { 0 };
	size_t			i;

	if (names.len == 0) {
		sasl_mech_names(&sv);
		for (i = 0; i < sv.n; i++)
			buf_printf(&names, "%s%s", i > 0 ? ", " : "",
			    sv.v[i]);
		strv_clear(&sv);
	}
	return names.p;
}
