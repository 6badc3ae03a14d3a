/* SPDX-License-Identifier: ISC */
/*
 * mailscope: command line, subcommands and the choice between the
 * interactive inspector and batch mode.
 */
#include <sys/socket.h>

#include <errno.h>
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
	OPT_PRESENT,
	OPT_LAB,
	OPT_LAB_PROTO,
	OPT_TOUR,
	OPT_MYSTERY,
	OPT_SEED,
	OPT_SIDE_BY_SIDE,
	OPT_SAVE_CHAIN,
	OPT_VERSION,
	OPT_COMPLETION,
	OPT_COMPLETION_WORDS,
	/* What goes out as groups, chunks and literals. */
	OPT_PIPELINE,
	OPT_APPEND,
	OPT_IDLE,
};

static const struct opt main_opts[] = {
	{ NULL, 0, 0, 0, NULL, "Connection:", 0 },
	SOPTS_CONNECTION,
	SOPTS_PATH,
	SOPTS_DNS,
	{ NULL, 0, 0, 0, NULL, "TLS:", 0 },
	{ "starttls", no_argument, OPT_STARTTLS, OPTK_NONE, NULL,
	    "ask capabilities, STARTTLS, ask again", 0 },
	{ "require-tls", no_argument, OPT_REQUIRE_TLS, OPTK_NONE, NULL,
	    "never send AUTH/LOGIN/USER/PASS/APOP/MAIL/DATA\n"
	    "in plaintext; exit 3 if the session had no TLS\n"
	    "or kept a command back", 0 },
	{ "insecure", no_argument, OPT_INSECURE, OPTK_NONE, NULL,
	    "continue when the certificate is not verified", 0 },
	SOPTS_TLS,
	{ "keylog", required_argument, OPT_KEYLOG, OPTK_FILE, "FILE",
	    "write TLS secrets (NSS key log) for Wireshark;\n"
	    "FILE must be yours and private (0600); the\n"
	    "tshark command that decrypts the session is said", 0 },
	{ "save-chain", required_argument, OPT_SAVE_CHAIN, OPTK_FILE, "FILE",
	    "write the chain as the server sent it (PEM)", 0 },
	{ "allow-injection", no_argument, OPT_ALLOW_INJECTION, OPTK_NONE,
	    NULL, "continue after response injection (study)", 0 },
	SOPTS_CREDENTIALS,
	{ NULL, 0, 0, 0, NULL, "Batch:", 0 },
	{ "batch", no_argument, OPT_BATCH, OPTK_NONE, NULL,
	    "no screen: commands from stdin, --script or -c", 0 },
	{ "command", required_argument, 'c', OPTK_NONE, "CMD",
	    "send CMD (repeatable); :starttls [CMD], :auth\n"
	    "[MECH] USER, :raw, :note, :mark, :quit run\n"
	    "as on the screen, other : commands exit 1;\n"
	    "::TEXT sends :TEXT", 0 },
	{ "script", required_argument, OPT_SCRIPT, OPTK_FILE, "FILE",
	    "send the lines of FILE (the same rules)", 0 },
	{ "json", no_argument, OPT_JSON, OPTK_NONE, NULL,
	    "print the event log as JSON Lines", 0 },
	{ "pipeline", no_argument, OPT_PIPELINE, OPTK_NONE, NULL,
	    "SMTP, LMTP: the commands up to each sync point\n"
	    "(EHLO, DATA, QUIT, ...) in one write, replies\n"
	    "matched in order (RFC 2920); without PIPELINING\n"
	    "offered: a warning, one command at a time", 0 },
	{ "append", required_argument, OPT_APPEND, OPTK_NONE, "MAILBOX",
	    "IMAP: after the script, APPEND the --data\n"
	    "message to MAILBOX as a literal ({n+} when\n"
	    "LITERAL+ is offered)", 0 },
	{ "idle", required_argument, OPT_IDLE, OPTK_NONE, "SECONDS",
	    "IMAP: after the script (and --append), IDLE,\n"
	    "print what the server pushes, DONE after SECONDS", 0 },
	{ "resume", no_argument, OPT_RESUME, OPTK_NONE, NULL,
	    "then connect again, resuming the TLS session,\n"
	    "and report both (on the screen: :reconnect)", 0 },
	{ "compare", required_argument, OPT_COMPARE, OPTK_NONE, "PRIORITY",
	    "then connect again with this GnuTLS priority\n"
	    "string and print what changed (on the screen:\n"
	    ":reconnect PRIORITY, :compare)", 0 },
	COMPOSE_OPTS,
	{ NULL, 0, 0, 0, NULL, "Recording:", 0 },
	{ "record", required_argument, OPT_RECORD, OPTK_FILE, "FILE",
	    "record every event (JSON Lines) into a private\n"
	    "file of yours (-: standard output, not with\n"
	    "--json); on the screen :record FILE starts one\n"
	    "mid-session", 0 },
	{ "no-redact", no_argument, OPT_NO_REDACT, OPTK_NONE, NULL,
	    "keep credentials in recordings and views", 0 },
	SOPTS_CONFIG,
	{ NULL, 0, 0, 0, NULL, "Interface:", 0 },
	{ "theme", required_argument, OPT_THEME, OPTK_THEME, "NAME",
	    "colour theme (default, light, high-contrast, mono)", 0 },
	{ "timestamps", required_argument, OPT_TIMESTAMPS, OPTK_WORDS,
	    "MODE:absolute|relative|off", "absolute (default), relative or off", 0 },
	{ "ascii", no_argument, OPT_ASCII, OPTK_NONE, NULL,
	    "ASCII markers only (no lock glyph)", 0 },
	{ "explain", no_argument, OPT_EXPLAIN, OPTK_NONE, NULL,
	    "start with plain-language glosses under lines\n"
	    "(batch too, but not --json)", 0 },
	{ "present", no_argument, OPT_PRESENT, OPTK_NONE, NULL,
	    "a lesson on a projector: no timestamps, room\n"
	    "around STARTTLS, its lines highlighted", 0 },
	{ "lab", optional_argument, OPT_LAB, OPTK_SCENARIO, "SCENARIO",
	    "start the built-in lab server and connect to it", 0 },
	{ "lab-proto", required_argument, OPT_LAB_PROTO, OPTK_WORDS,
	    "PROTO:smtp|imap|pop3|sieve|smtps|imaps|pop3s",
	    "with --lab: smtp (submission, the default), imap,\n"
	    "pop3, sieve; smtps, imaps, pop3s: implicit TLS", 0 },
	{ "mystery", no_argument, OPT_MYSTERY, OPTK_NONE, NULL,
	    "with --lab: a scenario picked at random, unnamed\n"
	    "until :reveal", 0 },
	{ "seed", required_argument, OPT_SEED, OPTK_NONE, "N",
	    "with --mystery: pick by N", 0 },
	{ "tour", no_argument, OPT_TOUR, OPTK_NONE, NULL,
	    "with --lab: a guided tour in chapters (F5 lists them)", 0 },
	{ "side-by-side", no_argument, OPT_SIDE_BY_SIDE, OPTK_NONE, NULL,
	    "with --lab SCENARIO: a good lab beside it, every\n"
	    "line typed sent to both, in two columns", 0 },
	{ "help", no_argument, 'h', OPTK_NONE, NULL, "this help", 0 },
	{ "version", no_argument, OPT_VERSION, OPTK_NONE, NULL,
	    "print the version and the licence", 0 },
	{ "completion", required_argument, OPT_COMPLETION, OPTK_WORDS,
	    "SHELL:bash|zsh|fish", "print the shell completion script", OPTF_HIDDEN },
	{ "completion-words", required_argument, OPT_COMPLETION_WORDS,
	    OPTK_WORDS, "KIND:scenario|theme", NULL, OPTF_HIDDEN },
};

const struct optcmd main_cmd = {
	NULL, "mailscope", main_opts, sizeof main_opts / sizeof main_opts[0],
	OPTK_URL
};

static const char usage_head[] =
"usage: mailscope [options] URL\n"
"       mailscope --lab [SCENARIO | --mystery [--seed N]] [--lab-proto PROTO]\n"
"       mailscope --lab --tour\n"
"       mailscope --lab --side-by-side SCENARIO\n"
"       mailscope lab [--scenario NAME | --mystery] [--port-base N]\n"
"                     [--keep-certs DIR] [--store DIR] [--listen ADDR]\n"
"                     [--judge [--json]]\n"
"       mailscope judge --run 'CMD {host} {port} ...' [--run ...]\n"
"                       [--scenarios LIST] [--protos LIST] [--json]\n"
"       mailscope probe [options] URL | --targets FILE [--jobs N]\n"
"       mailscope export [--format txt|md|html] [--explain] [-o OUT]\n"
"                        [--session N] FILE.jsonl\n"
"       mailscope replay [--speed X] [--theme NAME] [--session N] FILE.jsonl\n"
"       mailscope replay [--speed X] [--theme NAME] A.jsonl B.jsonl\n"
"\n"
"URL: smtp://host[:25] submission://host[:587] smtps://host[:465]\n"
"     lmtp://host[:24] imap://host[:143] imaps://host[:993]\n"
"     pop3://host[:110] pop3s://host[:995] sieve://host[:4190]\n"
"     (IPv6: smtp://[::1]:25)\n"
"     mx://domain[:25]: the domain's MX hosts in preference order, SMTP\n"
"     with STARTTLS, the certificate checked for the MX host's name\n"
"\n";

static const char usage_tail[] =
"\n"
"Exit codes: 0 ok, 1 usage, 2 connect/protocol failure, 3 STARTTLS not\n"
"offered or refused (--require-tls: no TLS, or a command kept back),\n"
"4 TLS handshake failed, 5 certificate not verified (PKIX, or DANE when a\n"
"usable TLSA record is given, or --pin, or an MTA-STS policy in enforce\n"
"mode that does not allow the MX host), 6 security warning (injection),\n"
"9 output lost (a write failed: a full disk, a closed pipe); --auth and\n"
"a composed message: 10 authentication refused, 11 MAIL FROM refused,\n"
"12 no recipient accepted, 13 DATA or the message refused; judge: 14 a\n"
"client did not pass the good scenario.\n";

/* The subcommands: argv[1] names one. */
static const struct subcommand {
	const struct optcmd	*cmd;
	int			(*main)(int, char **);
} subcommands[] = {
	{ &probe_cmd,	probe_main },
	{ &export_cmd,	export_main },
	{ &replay_cmd,	replay_main },
	{ &lab_cmd,	lab_main },
	{ &judge_cmd,	judge_main },
};
#define NSUBCOMMANDS	(sizeof subcommands / sizeof subcommands[0])

/* Every command's table, for the completions. */
static const struct optcmd *const optcmds[] = {
	&main_cmd, &probe_cmd, &export_cmd, &replay_cmd, &lab_cmd, &judge_cmd,
};
#define NOPTCMDS	(sizeof optcmds / sizeof optcmds[0])

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

/* openssl s_client's "-connect host:port": the URL to use instead. */
static void
openssl_habit(int argc, char **argv)
{
	char	try[512];
	int	i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-connect") != 0)
			continue;
		if (i + 1 < argc && target_suggest(argv[i + 1], try,
		    sizeof try) == 0)
			usage_error("-connect is openssl's; did you mean "
			    "%s ?", try);
		usage_error("-connect is openssl's: give a URL, e.g. "
		    "submission://host:587");
	}
}

/* --lab-proto: the lab's port for each, implicit TLS ones too. */
static const struct {
	const char	*proto;
	const char	*scheme;
	enum lab_port	 port;
} lab_protos[] = {
	{ "smtp", "submission", LP_SUBMISSION },
	{ "smtps", "smtps", LP_SMTPS },
	{ "imap", "imap", LP_IMAP },
	{ "imaps", "imaps", LP_IMAPS },
	{ "pop3", "pop3", LP_POP3 },
	{ "pop3s", "pop3s", LP_POP3S },
	{ "sieve", "sieve", LP_SIEVE },
};

/* Start the lab in a child and point the session at it. */
static int
lab_target(struct lab_opts *lo, const char *scenario, const char *proto,
    struct lab_info *li, struct session_opts *so)
{
	char	err[512], url[128];
	size_t	i;

	for (i = 0; i < sizeof lab_protos / sizeof lab_protos[0]; i++)
		if (strcmp(proto != NULL ? proto : "smtp",
		    lab_protos[i].proto) == 0)
			break;
	if (i == sizeof lab_protos / sizeof lab_protos[0])
		usage_error("--lab-proto takes smtp, imap, pop3, sieve, smtps, "
		    "imaps or pop3s, not '%s'", proto);
	lo->scenario = scenario != NULL || lo->mystery ? scenario : "good";
	if (lab_spawn(lo, li, err, sizeof err) == -1) {
		fprintf(stderr, "mailscope: lab: %s\n", err);
		return -1;
	}
	snprintf(url, sizeof url, "%s://127.0.0.1:%d", lab_protos[i].scheme,
	    li->port[lab_protos[i].port]);
	if (target_parse(url, &so->target, err, sizeof err) == -1) {
		lab_stop(li);
		fprintf(stderr, "mailscope: %s\n", err);
		return -1;
	}
	so->cafile = li->ca_path;
	return 0;
}

/* --pipeline, --append, --data, --idle: for the protocol they belong to. */
static void
wire_options_check(const struct session_opts *so, const struct batch_opts *bo)
{
	enum proto_id	proto = so->target.proto;

	if (bo->pipeline && pp_pipeline_cap(proto) == NULL)
		usage_error("--pipeline is for SMTP and LMTP");
	if ((bo->append != NULL || bo->idle_ms > 0) && proto != PROTO_IMAP)
		usage_error("--%s is for IMAP", bo->append != NULL ? "append" :
		    "idle");
	if ((bo->append != NULL) != (bo->data_file != NULL))
		usage_error("--append MAILBOX and --data FILE go together");
	if (bo->data_file != NULL && strcmp(bo->data_file, "-") == 0 &&
	    bo->script == NULL && bo->commands.n == 0)
		usage_error("--data - reads the message from standard input: "
		    "give the commands with -c or --script");
}

int
main(int argc, char **argv)
{
	struct session_opts	 so;
	struct batch_opts	 bo;
	struct tui_opts		 to;
	struct lab_info		 li, li2;
	struct lab_opts		 lo, lo2;
	struct session_opts	 so2;	/* --side-by-side: the second lab's */
	struct opt_getopt	 g;
	const char		*lab_proto = NULL, *lab_scenario = NULL;
	bool			 batch = false, lab = false, side = false;
	char			*lab_note = NULL;
	static char		 config_err[512];	/* the screen's */
	char			 err[512], *end;
	int			 ch, fd, mode, rc, taken;
	size_t			 i;

	/* Before anything can hold a secret, in every mode. */
	secret_protect_process();
	signal(SIGPIPE, SIG_IGN);
	/* A recording that hits a file-size limit fails, never kills. */
	signal(SIGXFSZ, SIG_IGN);
	for (i = 0; argc > 1 && i < NSUBCOMMANDS; i++)
		if (strcmp(argv[1], subcommands[i].cmd->name) == 0)
			return subcommands[i].main(argc - 1, argv + 1);
	openssl_habit(argc, argv);

	memset(&so, 0, sizeof so);
	memset(&bo, 0, sizeof bo);
	memset(&to, 0, sizeof to);
	memset(&lo, 0, sizeof lo);
	memset(&li, 0, sizeof li);
	memset(&li2, 0, sizeof li2);
	memset(&so2, 0, sizeof so2);
	so.family = AF_UNSPEC;
	so.timeout_ms = 30000;
	/* On stderr for batch mode; the screen hides stderr. */
	if (cmd_config(&main_cmd, argc, argv, &so, &to, config_err,
	    sizeof config_err) == -1)
		to.config_error = config_err;

	opt_getopt(&main_cmd, &g);
	while ((ch = opt_next(&g, argc, argv)) != -1) {
		/* The rows shared with other commands: 1 taken, -1 bad. */
		if ((taken = session_option(&so, ch, optarg, err,
		    sizeof err)) == 0 && (taken = path_option(&so, ch, optarg,
		    err, sizeof err)) == 0)
			taken = compose_option(&bo.co, ch, optarg, err,
			    sizeof err);
		if (taken == -1)
			usage_error("%s", err);
		if (taken == 1)
			continue;
		switch (ch) {
		case 'c':
			strv_add(&bo.commands, optarg);
			break;
		case 'h':
			cmd_help(&main_cmd, usage_head, usage_tail);
		case SOPT_CONFIG:
		case SOPT_NO_CONFIG:
			break;	/* read by cmd_config() */
		case OPT_COMPLETION:
			rc = completion_print(optarg, optcmds, NOPTCMDS);
			opt_getopt_free(&g);
			return rc;
		case OPT_COMPLETION_WORDS:
			rc = completion_words(optarg);
			opt_getopt_free(&g);
			return rc;
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
		case OPT_PIPELINE:
			bo.pipeline = true;
			break;
		case OPT_APPEND:
			bo.append = optarg;
			break;
		case OPT_IDLE:
			if ((bo.idle_ms = timeout_parse(optarg)) <= 0)
				usage_error("bad --idle '%s' (seconds, from "
				    "0.001 to 86400)", optarg);
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
		case OPT_PRESENT:
			to.present = true;
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
		case OPT_MYSTERY:
			lo.mystery = true;
			break;
		case OPT_SEED:
			errno = 0;
			lo.seed = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || *optarg < '0' ||
			    *optarg > '9')
				usage_error("--seed takes a number, not '%s'",
				    optarg);
			lo.seeded = true;
			break;
		case OPT_SIDE_BY_SIDE:
			side = true;
			break;
		case OPT_SAVE_CHAIN:
			so.save_chain = optarg;
			break;
		case OPT_VERSION:
			printf("mailscope %s\n", MAILSCOPE_VERSION);
			printf("Licence: %s <https://spdx.org/licenses/%s.html>,"
			    " no warranty\n", MAILSCOPE_LICENCE,
			    MAILSCOPE_LICENCE);
			rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_WRITE;
			opt_getopt_free(&g);
			return rc;
		default:
			cmd_bad_option(&main_cmd, ch, argv);
		}
	}
	opt_getopt_free(&g);
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
	/*
	 * --record -: the recording on standard output.  Its lines are
	 * --json's (export and replay read either), so that is what batch
	 * mode prints, and the transcript has no room beside it.
	 */
	if (bo.record != NULL && strcmp(bo.record, "-") == 0) {
		if (bo.json)
			usage_error("--record - and --json both write to "
			    "standard output: give --record FILE");
		if (bo.explain)
			usage_error("--record - puts the recording on standard "
			    "output: no place for --explain's glosses");
		bo.json = true;
		bo.record = to.record = NULL;
	}
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
	if ((lo.mystery || lo.seeded) && (!lab || lab_scenario != NULL))
		usage_error("--mystery goes with --lab and no scenario: it "
		    "picks one");
	if (lo.seeded && !lo.mystery)
		usage_error("--seed goes with --mystery");
	if (to.tour && (!lab || lab_scenario != NULL || lo.mystery ||
	    (lab_proto != NULL && strcmp(lab_proto, "smtp") != 0)))
		usage_error("--tour goes with --lab alone: it picks the "
		    "scenarios and protocols itself");
	if (to.tour && (batch || !isatty(STDIN_FILENO) ||
	    !isatty(STDOUT_FILENO)))
		usage_error("--tour needs a terminal");
	if (side && (!lab || lab_scenario == NULL || to.tour || lo.mystery))
		usage_error("--side-by-side goes with --lab SCENARIO: the "
		    "scenario beside good");
	if (side && to.record != NULL)
		usage_error("--side-by-side records nothing: --record one lab "
		    "at a time, then mailscope replay A.jsonl B.jsonl");
	if (to.present && batch)
		usage_error("--present is for the screen; batch prints every "
		    "line as it is");
	if (lab) {
		if (argc != 0)
			usage_error("--lab connects to the lab: no URL");
		if (lab_target(&lo, side ? "good" : lab_scenario, lab_proto,
		    &li, &so) == -1)
			return EXIT_USAGE;
		/* A mystery is named by :reveal, not here. */
		xasprintf(&lab_note, "lab: scenario %s, CA %s (trusted for "
		    "this session only)", li.mystery ? "mystery" :
		    li.scenario, li.ca_path);
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
	if (path_options_finish(&so, err, sizeof err) == -1)
		usage_error("%s", err);
	/* The scenario's lab beside good's, its session as good's is. */
	if (side) {
		lo2 = lo;
		so2 = so;
		memset(&so2.target, 0, sizeof so2.target);
		if (lab_target(&lo2, lab_scenario, lab_proto, &li2,
		    &so2) == -1) {
			lab_stop(&li);
			return EXIT_USAGE;
		}
		free(lab_note);
		xasprintf(&lab_note, "lab: good and %s side by side, CAs %s "
		    "and %s (trusted for this session only)", lab_scenario,
		    li.ca_path, li2.ca_path);
		to.lab_info = lab_note;
		to.sbs = sidebyside_live(&so2, "good", lab_scenario);
	}

	/* --data is the message of --append on IMAP, else the one composed. */
	if (bo.append != NULL) {
		bo.data_file = bo.co.data;
		bo.co.data = NULL;
	}
	if (compose_check(&bo.co, &so, bo.script != NULL || bo.commands.n > 0,
	    err, sizeof err) == -1)
		usage_error("%s", err);
	if (!batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    bo.json || bo.script != NULL || bo.commands.n > 0 ||
	    compose_wanted(&bo.co) || bo.pipeline || bo.append != NULL ||
	    bo.idle_ms > 0))
		batch = true;
	wire_options_check(&so, &bo);
	if (side && batch)
		usage_error("--side-by-side needs a terminal: two columns");
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
	if (side) {
		lab_stop(&li2);
		sidebyside_free(to.sbs);
		target_free(&so2.target);
	}
	free(lab_note);
	target_free(&so.target);
	session_options_free(&so);
	strv_clear(&bo.commands);
	compose_opts_free(&bo.co);
	return rc;
}
