/* SPDX-License-Identifier: ISC */
/*
 * The first line of a recording: what was inspected and with which
 * options, so a reader knows what the session could and could not see.
 */
#include <sys/socket.h>

#include <stdlib.h>

#include "core/core.h"

static const char *
family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	default:
		return "any";
	}
}

char *
recording_header_json(const struct evlog *log,
    const struct session_opts *so)
{
	const struct rec_option opts[] = {
		{ "protocol", RO_STR, proto_name(so->target.proto), 0 },
		{ "implicit_tls", RO_BOOL, NULL, so->target.implicit_tls },
		{ "starttls", RO_BOOL, NULL, so->starttls },
		{ "require_tls", RO_BOOL, NULL, so->require_tls },
		{ "insecure", RO_BOOL, NULL, so->insecure },
		{ "allow_injection", RO_BOOL, NULL, so->allow_injection },
		/* Consent to send credentials where they are not safe. */
		{ "allow_plaintext_auth", RO_BOOL, NULL,
		    so->allow_plaintext_auth },
		{ "allow_unverified_auth", RO_BOOL, NULL,
		    so->allow_unverified_auth },
		{ "cafile", RO_STR, so->cafile, 0 },
		{ "priority", RO_STR, so->priority, 0 },
		{ "sni", RO_STR, so->sni, 0 },
		{ "client_cert", RO_STR, so->client_cert, 0 },
		{ "ehlo", RO_STR, so->ehlo, 0 },
		{ "keylog", RO_BOOL, NULL, so->keylog != NULL },
		{ "family", RO_STR, family_name(so->family), 0 },
		{ "timeout_ms", RO_INT, NULL, so->timeout_ms },
		{ "dns", RO_STR, so->dns, 0 },
		{ "dnssec_anchor", RO_STR, so->dnssec_anchor, 0 },
		{ "mta_sts_policy", RO_STR, so->sts_policy.source, 0 },
	};
	struct recording_info	 ri = { 0 };
	char			*hdr;

	ri.version = (char *)MAILSCOPE_VERSION;
	ri.target = target_string(&so->target);
	ri.start = evlog_wall_base(log);
	ri.redacted = !so->no_redact;
	ri.options = recording_options_json(opts, sizeof opts / sizeof *opts);
	hdr = recording_info_header_json(&ri);
	free(ri.target);
	free(ri.options);
	return hdr;
}
