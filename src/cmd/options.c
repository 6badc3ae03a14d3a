/* SPDX-License-Identifier: ISC */
/*
 * The connection, TLS and consent options of the main command and of
 * probe: one parser, so both spell and check them the same way.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

/* An EHLO/LHLO name goes out inside one command line. */
static bool
ehlo_name_ok(const char *name)
{
	return strpbrk(name, "\r\n") == NULL;
}

int
session_option(struct session_opts *so, int ch, const char *arg, char *err,
    size_t errlen)
{
	struct tlsa_rr	rr;

	switch (ch) {
	case '4':
		so->family = AF_INET;
		break;
	case '6':
		so->family = AF_INET6;
		break;
	case SOPT_TIMEOUT:
		if ((so->timeout_ms = timeout_parse(arg)) == -1) {
			snprintf(err, errlen, "bad --timeout '%s' (seconds, "
			    "from 0.001 to 86400)", arg);
			return -1;
		}
		break;
	case SOPT_CAFILE:
		so->cafile = arg;
		break;
	case SOPT_PRIORITY:
		so->priority = arg;
		break;
	case SOPT_SNI:
		so->sni = arg;
		break;
	case SOPT_CLIENT_CERT:
		so->client_cert = arg;
		break;
	case SOPT_CLIENT_KEY:
		so->client_key = arg;
		break;
	case SOPT_EHLO:
		so->ehlo = arg;
		break;
	case SOPT_ALLOW_PLAINTEXT_AUTH:
		so->allow_plaintext_auth = true;
		break;
	case SOPT_ALLOW_UNVERIFIED_AUTH:
		so->allow_unverified_auth = true;
		break;
	case SOPT_PASSWORD_FILE:
		so->password_file = arg;
		break;
	case SOPT_TOKEN_FILE:
		so->token_file = arg;
		break;
	case SOPT_TLSA:
		if (tlsa_parse(arg, &rr, err, errlen) == -1)
			return -1;
		tlsa_set_add(&so->tlsa, &rr);
		so->tlsa.dnssec = TLSA_GIVEN;
		so->tlsa.source = "--tlsa";
		break;
	case SOPT_PIN:
		if (pin_parse(arg, &so->pins, err, errlen) == -1)
			return -1;
		break;
	case SOPT_DNS:
		if (dns_server_parse(arg, NULL, NULL, err, errlen) == -1)
			return -1;
		so->dns = arg;
		break;
	case SOPT_DNSSEC_ANCHOR:
		so->dnssec_anchor = arg;
		break;
	case SOPT_MTA_STS_POLICY:
		if (sts_policy_load(arg, &so->sts_policy, err, errlen) == -1)
			return -1;
		break;
	default:
		return 0;
	}
	return 1;
}

/* What only the whole set can tell. */
int
session_options_check(const struct session_opts *so, char *err,
    size_t errlen)
{
	/* Here, not at EHLO time: a CR or LF there would stall the session. */
	if (so->ehlo != NULL && !ehlo_name_ok(so->ehlo)) {
		snprintf(err, errlen, "the --ehlo name holds CR or LF: it "
		    "must fit on one command line");
		return -1;
	}
	if (so->client_key != NULL && so->client_cert == NULL) {
		snprintf(err, errlen, "--client-key needs --client-cert");
		return -1;
	}
	if (so->client_cert != NULL && so->client_key == NULL) {
		snprintf(err, errlen, "--client-cert needs --client-key");
		return -1;
	}
	return 0;
}

/* What session_option() gathered; the target is the caller's. */
void
session_options_free(struct session_opts *so)
{
	tlsa_set_free(&so->tlsa);
	strv_clear(&so->pins);
	proxy_clear(&so->proxy);
	sts_policy_clear(&so->sts_policy);
}
