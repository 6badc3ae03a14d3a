/* SPDX-License-Identifier: ISC */
/*
 * mailscope: command line, subcommands and the choice between the
 * interactive inspector and batch mode.
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "tui.h"

enum {
	OPT_INSECURE = 256,
	OPT_KEYLOG,
	OPT_STARTTLS,
	OPT_REQUIRE_TLS,
	OPT_ALLOW_INJECTION,
	OPT_BATCH,
	OPT_JSON,
	OPT_SCRIPT,
	OPT_RECORD,
	OPT_RESUME,
	OPT_COMPARE,
	OPT_NO_REDACT,
	OPT_THEME,
	OPT_TIMESTAMPS,
	OPT_ASCII,
	OPT_EXPLAIN,
	OPT_LAB,
	OPT_LAB_PROTO,
	OPT_TOUR,
	OPT_SAVE_CHAIN,
	OPT_VERSION,
};

static const struct option longopts[] = {
	SESSION_LONGOPTS,
	{ "insecure",		no_argument,		NULL, OPT_INSECURE },
	{ "keylog",		required_argument,	NULL, OPT_KEYLOG },
	{ "starttls",		no_argument,		NULL, OPT_STARTTLS },
	{ "require-tls",	no_argument,		NULL, OPT_REQUIRE_TLS },
	{ "allow-injection",	no_argument,		NULL,
	    OPT_ALLOW_INJECTION },
	{ "batch",		no_argument,		NULL, OPT_BATCH },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "script",		required_argument,	NULL, OPT_SCRIPT },
	{ "command",		required_argument,	NULL, 'c' },
	{ "record",		required_argument,	NULL, OPT_RECORD },
	{ "resume",		no_argument,		NULL, OPT_RESUME },
	{ "compare",		required_argument,	NULL, OPT_COMPARE },
	{ "no-redact",		no_argument,		NULL, OPT_NO_REDACT },
	{ "theme",		required_argument,	NULL, OPT_THEME },
	{ "timestamps",		required_argument,	NULL, OPT_TIMESTAMPS },
	{ "ascii",		no_argument,		NULL, OPT_ASCII },
	{ "explain",		no_argument,		NULL, OPT_EXPLAIN },
	{ "lab",		optional_argument,	NULL, OPT_LAB },
	{ "lab-proto",		required_argument,	NULL, OPT_LAB_PROTO },
	{ "tour",		no_argument,		NULL, OPT_TOUR },
	{ "save-chain",		required_argument,	NULL, OPT_SAVE_CHAIN },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"usage: mailscope [options] URL\n"
"       mailscope --lab [SCENARIO] [--lab-proto smtp|imap|pop3]\n"
"       mailscope --lab --tour\n"
"       mailscope lab [--scenario NAME] [--port-base N] [--keep-certs DIR]"
" [--list]\n"
"       mailscope probe [-4|-6] [TLS and consent options] [--ehlo NAME]\n"
"                       [--timeout SECONDS] [--auth USER] [--scan] [--json]\n"
"                       URL | --targets FILE [--jobs N]\n"
"       mailscope export [--format txt|md|html] [-o OUT] [--session N]\n"
"                        FILE.jsonl\n"
"       mailscope replay [--speed X] [--theme NAME] [--session N] FILE.jsonl\n"
"\n"
"URL: smtp://host[:25] submission://host[:587] smtps://host[:465]\n"
"     lmtp://host[:24] imap://host[:143] imaps://host[:993]\n"
"     pop3://host[:110] pop3s://host[:995]   (IPv6: smtp://[::1]:25)\n"
"     mx://domain[:25]: the domain's MX hosts in preference order, SMTP\n"
"     with STARTTLS, the certificate checked for the MX host's name\n"
"\n"
"Connection:\n"
"  -4, -6                  IPv4 or IPv6 only\n"
"  --timeout SECONDS       connect and per-reply timeout (default 30)\n"
"DNS (mx://, and host names with --dns; DNSSEC validated):\n"
"  --dns ADDR[:PORT]       the resolver to ask (default: resolv.conf's)\n"
"  --dnssec-anchor FILE    trust anchor, DS or DNSKEY records (default\n"
"                          /usr/share/dns/root.key)\n"
"MTA-STS (mx://: the policy of https://mta-sts.DOMAIN, RFC 8461):\n"
"  --mta-sts-policy FILE   judge the MX host by this policy instead (also\n"
"                          for smtp://); no record asked, nothing fetched\n"
"TLS:\n"
"  --starttls              ask capabilities, STARTTLS, ask again\n"
"  --require-tls           never send AUTH/LOGIN/USER/PASS/APOP/MAIL/DATA\n"
"                          in plaintext; exit 3 if the session had no TLS\n"
"                          or kept a command back\n"
"  --cafile FILE           trust these CAs instead of the system store\n"
"  --insecure              continue when the certificate is not verified\n"
"  --tls-priority STRING   GnuTLS priority string (default NORMAL without\n"
"                          TLS 1.0 and 1.1)\n"
"  --sni NAME              server name sent and verified\n"
"  --client-cert FILE      client certificate (PEM), with --client-key\n"
"  --client-key FILE\n"
"  --keylog FILE           write TLS secrets (NSS key log) for Wireshark;\n"
"                          FILE must be yours and private (0600)\n"
"  --tlsa 'U S M HEX'      check the chain against this TLSA record (DANE,\n"
"                          repeatable): e.g. '3 1 1 <SHA-256 of the key>';\n"
"                          for SMTP by RFC 7672 (DANE-TA, DANE-EE only)\n"
"  --pin sha256//BASE64    the leaf's public key must have this SHA-256\n"
"                          (curl's --pinnedpubkey; repeatable, or ';'-\n"
"                          separated); else exit 5 with the server's pin\n"
"  --save-chain FILE       write the chain as the server sent it (PEM)\n"
"  --allow-injection       continue after response injection (study)\n"
"Credentials (a secret goes only inside TLS whose certificate verified):\n"
"  --allow-plaintext-auth  consent: credentials may be sent with no TLS\n"
"  --allow-unverified-auth consent: credentials may be sent over TLS whose\n"
"                          certificate did not verify (--insecure is not\n"
"                          this)\n"
"  --password-file FILE    batch :auth reads the secret from FILE's first\n"
"                          line (else $MAILSCOPE_PASSWORD), never from -c\n"
"Protocol:\n"
"  --ehlo NAME             EHLO/LHLO name (default mailscope.localhost)\n"
"Batch:\n"
"  --batch                 no screen: commands from stdin, --script or -c\n"
"  -c, --command CMD       send CMD (repeatable); :starttls [CMD], :auth\n"
"                          [MECH] USER, :raw, :note, :mark, :quit run\n"
"                          as on the screen, other : commands exit 1;\n"
"                          ::TEXT sends :TEXT\n"
"  --script FILE           send the lines of FILE (the same rules)\n"
"  --json                  print the event log as JSON Lines\n"
"  --resume                then connect again, resuming the TLS session,\n"
"                          and report both (on the screen: :reconnect)\n"
"  --compare PRIORITY      then connect again with this GnuTLS priority\n"
"                          string and print what changed (on the screen:\n"
"                          :reconnect PRIORITY, :compare)\n"
"Recording:\n"
"  --record FILE           record every event (JSON Lines) into a private\n"
"                          file of yours; on the screen :record FILE\n"
"                          starts one mid-session\n"
"  --no-redact             keep credentials in recordings and views\n"
"Interface:\n"
"  --theme NAME            colour theme (default, light, high-contrast, mono)\n"
"  --timestamps MODE       absolute (default), relative or off\n"
"  --ascii                 ASCII markers only (no lock glyph)\n"
"  --explain               start with plain-language glosses under lines\n"
"                          (batch too, but not --json)\n"
"  --lab [SCENARIO]        start the built-in lab server and connect to it\n"
"  --lab-proto PROTO       smtp (default), imap or pop3 with --lab\n"
"  --tour                  with --lab: a guided tour for a first session\n"
"  -h, --help              this help\n"
"  --version               print the version and the licence\n"
"\n"
"Exit codes: 0 ok, 1 usage, 2 connect/protocol failure, 3 STARTTLS not\n"
"offered or refused (--require-tls: no TLS, or a command kept back),\n"
"4 TLS handshake failed, 5 certificate not verified (PKIX, or DANE when a\n"
"usable TLSA record is given, or --pin, or an MTA-STS policy in enforce\n"
"mode that does not allow the MX host), 6 security warning (injection).\n";

static __dead void
usage(int code)
{
	fputs(usage_text, code == 0 ? stdout : stderr);
	exit(code);
}

static __dead void usage_error(const char *, ...) PRINTFLIKE(1, 2);

/* One line; what the user typed (a URL, an option) is shown escaped. */
static __dead void
usage_error(const char *fmt, ...)
{
	struct buf	msg = { 0 }, shown = { 0 };
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	sanitize(msg.p, msg.len, &shown);
	buf_addc(&shown, '\0');
	fprintf(stderr, "mailscope: %s (see mailscope --help)\n", shown.p);
	exit(EXIT_USAGE);
}

/* Start the lab in a child and point the session at it. */
static int
lab_target(const char *scenario, const char *proto, struct lab_info *li,
    struct session_opts *so)
{
	struct lab_opts	 lo;
	char		 err[512], url[128];
	int		 port;

	memset(&lo, 0, sizeof lo);
	lo.scenario = scenario != NULL ? scenario : "good";
	if (lab_spawn(&lo, li, err, sizeof err) == -1) {
		fprintf(stderr, "mailscope: lab: %s\n", err);
		return -1;
	}
	if (proto == NULL || strcmp(proto, "smtp") == 0)
		port = li->submission_port;
	else if (strcmp(proto, "imap") == 0)
		port = li->imap_port;
	else if (strcmp(proto, "pop3") == 0)
		port = li->pop3_port;
	else {
		lab_stop(li);
		usage_error("--lab-proto takes smtp, imap or pop3, not '%s'",
		    proto);
	}
	snprintf(url, sizeof url, "%s://127.0.0.1:%d", proto == NULL ?
	    "submission" : proto, port);
	if (target_parse(url, &so->target, err, sizeof err) == -1) {
		lab_stop(li);
		fprintf(stderr, "mailscope: %s\n", err);
		return -1;
	}
	so->cafile = li->ca_path;
	return 0;
}

int
main(int argc, char **argv)
{
	struct session_opts	 so;
	struct batch_opts	 bo;
	struct tui_opts		 to;
	struct lab_info		 li;
	const char		*lab_proto = NULL, *lab_scenario = NULL;
	bool			 batch = false, lab = false;
	char			*lab_note = NULL;
	char			 err[512];
	int			 ch, fd, mode, rc;

	/* Before anything can hold a secret, in every mode. */
	secret_protect_process();
	signal(SIGPIPE, SIG_IGN);
	/* A recording that hits a file-size limit fails, never kills. */
	signal(SIGXFSZ, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "lab") == 0)
		return lab_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "probe") == 0)
		return probe_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "export") == 0)
		return export_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "replay") == 0)
		return replay_main(argc - 1, argv + 1);

	memset(&so, 0, sizeof so);
	memset(&bo, 0, sizeof bo);
	memset(&to, 0, sizeof to);
	memset(&li, 0, sizeof li);
	so.family = AF_UNSPEC;
	so.timeout_ms = 30000;
	/* On stderr for batch mode; the screen hides stderr. */
	if (config_load(NULL, &so, &to, err, sizeof err) == -1) {
		fprintf(stderr, "mailscope: %s\n", err);
		to.config_error = err;
	}

	while ((ch = getopt_long(argc, argv, SESSION_SHORTOPTS "c:h",
	    longopts, NULL)) != -1) {
		switch (session_option(&so, ch, optarg, err, sizeof err)) {
		case 1:
			continue;
		case -1:
			usage_error("%s", err);
		default:
			break;
		}
		switch (ch) {
		case 'c':
			strv_add(&bo.commands, optarg);
			break;
		case 'h':
			usage(0);
		case OPT_INSECURE:
			so.insecure = true;
			break;
		case OPT_KEYLOG:
			so.keylog = optarg;
			break;
		case OPT_STARTTLS:
			so.starttls = true;
			break;
		case OPT_REQUIRE_TLS:
			so.require_tls = true;
			break;
		case OPT_ALLOW_INJECTION:
			so.allow_injection = true;
			break;
		case OPT_BATCH:
			batch = true;
			break;
		case OPT_JSON:
			bo.json = true;
			break;
		case OPT_SCRIPT:
			bo.script = optarg;
			break;
		case OPT_RECORD:
			bo.record = to.record = optarg;
			break;
		case OPT_RESUME:
			bo.resume = true;
			break;
		case OPT_COMPARE:
			if (tls_priority_check(optarg, err, sizeof err) == -1)
				usage_error("--compare: %s", err);
			bo.compare = optarg;
			break;
		case OPT_NO_REDACT:
			so.no_redact = true;
			break;
		case OPT_THEME:
			to.theme = optarg;
			break;
		case OPT_TIMESTAMPS:
			if ((mode = tui_time_from_name(optarg)) == -1)
				usage_error("--timestamps takes absolute, "
				    "relative or off, not '%s'", optarg);
			to.time = (enum tui_time)mode;
			break;
		case OPT_ASCII:
			to.ascii = true;
			break;
		case OPT_EXPLAIN:
			to.explain = bo.explain = true;
			break;
		case OPT_LAB:
			lab = true;
			lab_scenario = optarg;
			break;
		case OPT_LAB_PROTO:
			lab_proto = optarg;
			break;
		case OPT_TOUR:
			to.tour = true;
			break;
		case OPT_SAVE_CHAIN:
			so.save_chain = optarg;
			break;
		case OPT_VERSION:
			printf("mailscope %s\n", MAILSCOPE_VERSION);
			printf("Licence: %s <https://spdx.org/licenses/%s.html>,"
			    " no warranty\n", MAILSCOPE_LICENCE,
			    MAILSCOPE_LICENCE);
			return 0;
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	/* "--lab good" reads as well as "--lab=good". */
	if (lab && lab_scenario == NULL && argc == 1 &&
	    strstr(argv[0], "://") == NULL) {
		lab_scenario = argv[0];
		argc--;
		argv++;
	}
	if (session_options_check(&so, err, sizeof err) == -1)
		usage_error("%s", err);
	if (bo.resume && bo.compare != NULL)
		usage_error("--resume and --compare each make the second "
		    "connection: give one");
	if (bo.explain && bo.json)
		usage_error("--explain glosses the transcript; --json has no "
		    "place for glosses");
	/* Before anything is sent, not at STARTTLS after the plaintext. */
	if (so.keylog != NULL) {
		if ((fd = file_open_write(so.keylog, O_APPEND, true, err,
		    sizeof err)) == -1)
			usage_error("--keylog %s", err);
		close(fd);
	}
	/* The same rules as :save-chain, told before connecting. */
	if (so.save_chain != NULL) {
		if ((fd = file_open_write(so.save_chain, 0, false, err,
		    sizeof err)) == -1)
			usage_error("--save-chain %s", err);
		close(fd);
	}
	if (to.tour && (!lab || lab_scenario != NULL || (lab_proto != NULL &&
	    strcmp(lab_proto, "smtp") != 0)))
		usage_error("--tour goes with --lab alone: it picks the "
		    "scenarios and protocols itself");
	if (to.tour && (batch || !isatty(STDIN_FILENO) ||
	    !isatty(STDOUT_FILENO)))
		usage_error("--tour needs a terminal");
	if (lab) {
		if (argc != 0)
			usage_error("--lab connects to the lab: no URL");
		if (lab_target(lab_scenario, lab_proto, &li, &so) == -1)
			return EXIT_USAGE;
		xasprintf(&lab_note, "lab: scenario %s, CA %s (trusted for "
		    "this session only)", lab_scenario != NULL ?
		    lab_scenario : "good", li.ca_path);
		to.lab_info = lab_note;
		to.lab = &li;
	} else {
		if (argc != 1)
			usage_error(argc == 0 ? "missing URL" :
			    "one URL only");
		if (target_parse(argv[0], &so.target, err, sizeof err) == -1)
			usage_error("%s", err);
		/* A mail domain is delivered to as an MTA does: STARTTLS. */
		if (so.target.mx)
			so.starttls = true;
	}

	if (!batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    bo.json || bo.script != NULL || bo.commands.n > 0))
		batch = true;
	if (!batch && (bo.resume || bo.compare != NULL))
		usage_error("--%s is for batch mode; on the screen, "
		    ":reconnect and :compare do it", bo.resume ? "resume" :
		    "compare");
	if (batch)
		rc = batch_main(&so, &bo);
	else
		rc = tui_main(&so, &to);

	if (lab)
		lab_stop(&li);
	free(lab_note);
	target_free(&so.target);
	session_options_free(&so);
	strv_clear(&bo.commands);
	return rc;
}
