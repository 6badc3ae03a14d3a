/* SPDX-License-Identifier: ISC */
/*
 * The lab in a classroom: the CA kept across restarts (--keep-certs),
 * the address it serves (--listen) and the names its certificate gives
 * it, and the mystery scenario (--mystery, --seed, --reveal) with the
 * lines that give each scenario away.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "lab/lab_int.h"

#define PEM_MAX	(64 * 1024)

/* Where to look, scenario by scenario, once the mystery is revealed. */
static const char *const tells[SCN_MAX] = {
	[SCN_GOOD] = "nothing is wrong: 250-STARTTLS offered, the "
	    "handshake VERIFIED, AUTH offered only in the EHLO reply after "
	    "TLS (the capability diff)",
	[SCN_NO_STARTTLS] = "the EHLO reply (IMAP: the greeting's "
	    "CAPABILITY): no STARTTLS, and AUTH offered in clear text",
	[SCN_STARTTLS_REFUSED] = "the reply to STARTTLS: 454 (IMAP NO, "
	    "POP3 -ERR) although the server offered it",
	[SCN_STRIP] = "the EHLO reply: 250-XXXXXXXA where 250-STARTTLS "
	    "stood, and STARTTLS itself refused",
	[SCN_INJECT_RESPONSE] = "the lines right after the STARTTLS "
	    "go-ahead: an extra plaintext reply in the same packet (the "
	    "response-injection warning)",
	[SCN_INJECT_COMMAND] = "the first replies inside TLS: answers to a "
	    "command sent in clear text with STARTTLS (:starttls NOOP shows "
	    "it)",
	[SCN_EXPIRED_CERT] = "the TLS verdict: the certificate expired on 1 "
	    "January 2020",
	[SCN_WRONG_HOST] = "the TLS verdict: the certificate is for "
	    "wrong.example.net",
	[SCN_SELF_SIGNED] = "the TLS verdict: the certificate is its own "
	    "issuer, not signed by the lab CA",
	[SCN_TLS12_ONLY] = "the handshake: TLS 1.2 although the client "
	    "offered 1.3 (the TLS panel's version)",
	[SCN_ENFORCED] = "the reply to MAIL FROM before STARTTLS: 530 5.7.0 "
	    "Must issue a STARTTLS command first",
	[SCN_SLOW] = "the greeting: it arrives a byte every 50 ms",
	[SCN_INJECT_LATER] = "the lines right after the STARTTLS go-ahead: "
	    "an extra plaintext reply in a packet of its own (the "
	    "response-injection warning)",
	[SCN_TAMPER] = "the capabilities before TLS: AUTH CRAM-MD5 there, "
	    "gone from the list inside TLS (the capability diff)",
	[SCN_PREAUTH] = "the IMAP greeting: * PREAUTH in clear text, so "
	    "STARTTLS can never come",
	[SCN_UNKNOWN_CA] = "the TLS verdict: the certificate is signed by a "
	    "CA that is not the lab's",
	[SCN_TLS10_ONLY] = "the handshake: the server speaks TLS 1.0 alone, "
	    "which mailscope refuses",
};

const char *
lab_scenario_tell(const char *name)
{
	int	i;

	for (i = 0; i < SCN_MAX; i++)
		if (name != NULL && strcmp(lab_scn_name((enum lab_scn)i),
		    name) == 0)
			return tells[i];
	return NULL;
}

/* splitmix64: neighbouring seeds land on unrelated scenarios. */
const char *
lab_mystery_pick(uint64_t seed)
{
	uint64_t	z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return lab_scn_name((enum lab_scn)(z % SCN_MAX));
}

/* A seed for a mystery nobody asked a seed for: short, to be typed. */
uint32_t
lab_mystery_seed(void)
{
	uint32_t	v = 0;

	if (gnutls_rnd(GNUTLS_RND_NONCE, &v, sizeof v) < 0)
		v = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	return v % 1000000;
}

/* "mailscope lab --reveal SEED" and the console's line at the end. */
void
lab_mystery_reveal(uint64_t seed, struct buf *b)
{
	const char	*name = lab_mystery_pick(seed);

	buf_printf(b, "mystery %llu was %s: %s\nlook at %s\n",
	    (unsigned long long)seed, name, lab_scenario_desc(name),
	    lab_scenario_tell(name));
}

/* --listen ADDR as a socket address: an IPv4 or IPv6 literal. */
int
lab_listen_parse(const char *addr, struct sockaddr_storage *ss,
    socklen_t *len, bool *loopback)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		*len = sizeof *sin;
		*loopback = (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		*len = sizeof *sin6;
		*loopback = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
		return 0;
	}
	return -1;
}

/*
 * The addresses the certificate names: the one served, or for 0.0.0.0
 * and :: every address of this machine's interfaces, so students who
 * connect by the teacher's address can verify it.
 */
void
lab_cert_addrs(const char *addr, struct strv *ip)
{
	struct ifaddrs	*ifa, *i;
	char		 s[INET6_ADDRSTRLEN];
	const void	*a;
	int		 fam;

	if (!strv_has(ip, "127.0.0.1"))
		strv_add(ip, "127.0.0.1");
	if (strcmp(addr, "0.0.0.0") != 0 && strcmp(addr, "::") != 0) {
		if (!strv_has(ip, addr))
			strv_add(ip, addr);
		return;
	}
	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		fam = i->ifa_addr->sa_family;
		if (fam == AF_INET)
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (fam == AF_INET6 && strcmp(addr, "::") == 0)
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		else
			continue;
		/* A link-local address needs a zone no certificate names. */
		if (fam == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(a))
			continue;
		if (inet_ntop(fam, a, s, sizeof s) != NULL && !strv_has(ip, s))
			strv_add(ip, s);
	}
	freeifaddrs(ifa);
}

static char *
pem_load(const char *dir, const char *name)
{
	struct buf	 b = { NULL, 0, 0 };
	char		*path, err[256];

	xasprintf(&path, "%s/%s", dir, name);
	if (file_load(path, PEM_MAX, &b, err, sizeof err) == -1 ||
	    b.len == 0) {
		buf_free(&b);
		free(path);
		return NULL;
	}
	free(path);
	return b.p;
}

/*
 * --keep-certs DIR: the CA and server key kept there when they are
 * still good, so students import the CA once.  *note says what was
 * made anew and why (empty when everything was kept).
 */
int
lab_kept_keys(const char *dir, char **ca, char **cakey, char **key,
    char *note, size_t notelen, char *err, size_t errlen)
{
	char	why[256];

	*ca = *cakey = *key = NULL;
	*note = '\0';
	if (dir != NULL) {
		*ca = pem_load(dir, "ca.pem");
		*cakey = pem_load(dir, "ca.key");
		if (*ca != NULL && *cakey != NULL &&
		    certgen_check(*ca, *cakey, why, sizeof why) == 0) {
			*key = pem_load(dir, "server.key");
			if (*key != NULL && certgen_check(NULL, *key, why,
			    sizeof why) == -1) {
				snprintf(note, notelen, "%s/server.key: %s; "
				    "a new server key", dir, why);
				free(*key);
				*key = NULL;
			}
			return 0;
		}
		if (*ca != NULL || *cakey != NULL)
			snprintf(note, notelen, "%s/ca.pem and ca.key: %s; a "
			    "new CA (import it again)", dir, *ca == NULL ||
			    *cakey == NULL ? "one of them is missing" : why);
		free(*ca);
		free(*cakey);
		*ca = *cakey = NULL;
	}
	return certgen_ca("mailscope lab CA", ca, cakey, err, errlen);
}
