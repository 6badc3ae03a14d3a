/* SPDX-License-Identifier: ISC */
/*
 * mailscope judge: mail clients graded against the lab.  For each client
 * command and scenario a lab of its own (lab_spawn, its verdicts written
 * as JSON lines to a file of ours); the command run once per protocol
 * with the placeholders filled; the verdicts gathered into a matrix with
 * the scenarios as rows and a column per client.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"

#define JUDGE_RUNS_MAX		16
#define JUDGE_PROTOS		3
#define JUDGE_TIMEOUT_MS	30000
#define JUDGE_JOBS		4
#define JUDGE_JOBS_MAX		32
#define JUDGE_FORMAT		1
#define JUDGE_HOST		"127.0.0.1"
#define JUDGE_TICK_US		10000

enum {
	JO_RUN = 256,
	JO_SCENARIOS,
	JO_PROTOS,
	JO_JSON,
	JO_TIMEOUT,
	JO_JOBS,
	JO_LOGS,
	JO_RECORD,
};

static const char *const judge_protos[JUDGE_PROTOS] = {
	"smtp", "imap", "pop3"
};

/* One client command, one scenario, one protocol. */
struct jcell {
	bool		 run;		/* the scenario attacks this protocol */
	const char	*attack;
	pid_t		 pid;
	int64_t		 started;
	bool		 done;
	bool		 timed_out;
	int		 rc;		/* the client's exit code */
	int		 conns;
	enum judge_verdict verdict;
	bool		 demoted;	/* safe, but the good scenario failed */
	char		*reason;
	json_t		*evidence;
};

/* One client command against one scenario's lab. */
struct jtask {
	int		 run;
	int		 scn;
	bool		 started;
	bool		 finished;
	struct lab_info	 lab;
	char		*vpath;
	struct jcell	 cell[JUDGE_PROTOS];
};

struct judge {
	const char	*runs[JUDGE_RUNS_MAX];
	int		 nruns;
	struct strv	 scns;
	bool		 proto_on[JUDGE_PROTOS];
	bool		 json;
	int		 timeout_ms;
	int		 jobs;
	const char	*logs;
	const char	*record;
	char		*work;
	struct jtask	*tasks;
	int		 ntasks;
};

static const struct opt judge_opts[] = {
	{ "run", required_argument, JO_RUN, OPTK_NONE, "CMD",
	    "a client command, run with sh -c once per scenario\n"
	    "and protocol: {host} {port} {proto} {ca} {user}\n"
	    "{pass} are filled in; several --run: a comparison", 0 },
	{ "scenarios", required_argument, JO_SCENARIOS, OPTK_NONE, "LIST",
	    "the scenarios, comma-separated (default: every one\n"
	    "that plays an attack; good always comes first)", 0 },
	{ "protos", required_argument, JO_PROTOS, OPTK_NONE, "LIST",
	    "smtp,imap,pop3 or some of them (default all three)", 0 },
	{ "json", no_argument, JO_JSON, OPTK_NONE, NULL,
	    "the matrix as one JSON document", 0 },
	{ "timeout", required_argument, JO_TIMEOUT, OPTK_NONE, "SECS",
	    "a client still running after SECS is killed\n"
	    "(default 30)", 0 },
	{ "jobs", required_argument, JO_JOBS, OPTK_NONE, "N",
	    "N labs at once (1-32, default 4)", 0 },
	{ "logs", required_argument, JO_LOGS, OPTK_DIR, "DIR",
	    "keep each client run's output in DIR", 0 },
	{ "record", required_argument, JO_RECORD, OPTK_FILE, "FILE",
	    "the verdicts and their evidence as a recording\n"
	    "(mailscope export --format html FILE: the report)", 0 },
	{ "help", no_argument, 'h', OPTK_NONE, NULL, "this help", 0 },
};

const struct optcmd judge_cmd = {
	"judge", "mailscope judge", judge_opts,
	sizeof judge_opts / sizeof judge_opts[0], OPTK_NONE
};

static const char judge_head[] =
"usage: mailscope judge --run 'CMD ... {host} {port} ...' [--run ...]\n"
"                       [--scenarios LIST] [--protos LIST] [--json]\n"
"\n"
"Each client command meets a lab per scenario; each connection gets a\n"
"verdict on the attack the scenario plays: safe, vulnerable or not\n"
"exercised (the client never reached that step).  {port} is the\n"
"protocol's STARTTLS port (submission for smtp), {ca} the lab's CA file\n"
"(a client that verifies against it passes good), {user} and {pass} the\n"
"demo account.  The client's standard input is /dev/null.\n"
"\n";

static const char judge_tail[] =
"\n"
"Exit codes: 0 no client vulnerable and each passed good, 1 usage,\n"
"2 the lab could not start, 6 a vulnerable verdict, 14 a client did not\n"
"pass the good scenario (its safe verdicts count as not exercised).\n";

/* A comma-separated list, each word checked; -1 names the bad one. */
static int
judge_list(const char *s, struct strv *out, bool (*ok)(const char *),
    const char *what)
{
	char	*copy, *w, *save = NULL;

	copy = xstrdup(s);
	for (w = strtok_r(copy, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save)) {
		if (!ok(w)) {
			fprintf(stderr, "mailscope judge: unknown %s: %s\n",
			    what, w);
			free(copy);
			return -1;
		}
		if (!strv_has(out, w))
			strv_add(out, w);
	}
	free(copy);
	if (out->n == 0) {
		fprintf(stderr, "mailscope judge: no %s given\n", what);
		return -1;
	}
	return 0;
}

static bool
judge_scn_ok(const char *s)
{
	return lab_scenario_desc(s) != NULL;
}

static bool
judge_proto_ok(const char *s)
{
	int	i;

	for (i = 0; i < JUDGE_PROTOS; i++)
		if (strcmp(judge_protos[i], s) == 0)
			return true;
	return false;
}

static int
judge_port(const struct lab_info *lab, int proto)
{
	switch (proto) {
	case 0:
		return lab->port[LP_SUBMISSION];
	case 1:
		return lab->port[LP_IMAP];
	default:
		return lab->port[LP_POP3];
	}
}

/* CMD with {host} {port} {proto} {ca} {user} {pass} filled in. */
static char *
judge_fill(const char *cmd, const struct lab_info *lab, int proto)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*p, *e;
	char		 port[16];

	snprintf(port, sizeof port, "%d", judge_port(lab, proto));
	for (p = cmd; *p != '\0'; p++) {
		if (*p != '{' || (e = strchr(p, '}')) == NULL) {
			buf_addc(&b, *p);
			continue;
		}
#define PH(w)	((size_t)(e - p - 1) == strlen(w) && \
		    strncmp(p + 1, (w), strlen(w)) == 0)
		if (PH("host"))
			buf_adds(&b, JUDGE_HOST);
		else if (PH("port"))
			buf_adds(&b, port);
		else if (PH("proto"))
			buf_adds(&b, judge_protos[proto]);
		else if (PH("ca"))
			buf_adds(&b, lab->ca_path);
		else if (PH("user"))
			buf_adds(&b, "demo");
		else if (PH("pass"))
			buf_adds(&b, "demo");
		else {
			buf_addc(&b, *p);
			continue;
		}
#undef PH
		p = e;
	}
	return b.p != NULL ? b.p : xstrdup("");
}

static pid_t
judge_exec(const struct judge *jg, const struct jtask *t, int proto)
{
	char	*cmd, *log;
	pid_t	 pid;
	int	 fd, out;

	cmd = judge_fill(jg->runs[t->run], &t->lab, proto);
	if (jg->logs != NULL)
		xasprintf(&log, "%s/client%d-%s-%s.log", jg->logs, t->run + 1,
		    jg->scns.v[t->scn], judge_protos[proto]);
	else
		log = xstrdup("/dev/null");
	fflush(NULL);
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		/* Its own group, so a timeout takes its children too. */
		(void)setpgid(0, 0);
		if ((fd = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(fd, STDIN_FILENO) == -1)
			_exit(127);
		if ((out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) ==
		    -1 || dup2(out, STDOUT_FILENO) == -1 ||
		    dup2(out, STDERR_FILENO) == -1)
			_exit(127);
		(void)close_range(3, ~0U, 0);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	(void)setpgid(pid, pid);
	free(cmd);
	free(log);
	return pid;
}

static int
judge_start(struct judge *jg, struct jtask *t)
{
	struct lab_opts	 o;
	char		 err[512];
	int		 p;

	memset(&o, 0, sizeof o);
	o.scenario = jg->scns.v[t->scn];
	xasprintf(&t->vpath, "%s/verdicts-%d-%d.jsonl", jg->work, t->run,
	    t->scn);
	o.verdicts = t->vpath;
	if (lab_spawn(&o, &t->lab, err, sizeof err) == -1) {
		fprintf(stderr, "mailscope judge: lab %s: %s\n", o.scenario,
		    err);
		return -1;
	}
	t->started = true;
	for (p = 0; p < JUDGE_PROTOS; p++) {
		if (!t->cell[p].run)
			continue;
		t->cell[p].started = mono_ns();
		t->cell[p].pid = judge_exec(jg, t, p);
	}
	return 0;
}

/* One connection's verdict folded into its cell: the worst one wins. */
static void
judge_fold(struct jtask *t, json_t *o)
{
	const char	*proto, *v, *reason;
	int		 p, rank;
	struct jcell	*c;

	proto = json_string_value(json_object_get(o, "proto"));
	v = json_string_value(json_object_get(o, "verdict"));
	reason = json_string_value(json_object_get(o, "reason"));
	if (proto == NULL || v == NULL || reason == NULL)
		return;
	for (p = 0; p < JUDGE_PROTOS; p++)
		if (strcmp(judge_protos[p], proto) == 0)
			break;
	for (rank = JV_NOT_EXERCISED; rank <= JV_VULNERABLE; rank++)
		if (strcmp(judge_verdict_name((enum judge_verdict)rank),
		    v) == 0)
			break;
	if (p == JUDGE_PROTOS || rank > JV_VULNERABLE || !t->cell[p].run)
		return;
	c = &t->cell[p];
	c->conns++;
	if (c->reason != NULL && rank <= (int)c->verdict)
		return;
	c->verdict = (enum judge_verdict)rank;
	free(c->reason);
	c->reason = xstrdup(reason);
	json_decref(c->evidence);
	c->evidence = json_incref(json_object_get(o, "evidence"));
}

static void
judge_finish(struct jtask *t)
{
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0;
	json_t		*o;
	int		 p;

	/* The lab reads what is left in its sockets, then judges. */
	lab_stop(&t->lab);
	if ((f = fopen(t->vpath, "re")) != NULL) {
		while (getline(&line, &cap, f) != -1) {
			if ((o = json_loads(line, 0, NULL)) == NULL)
				continue;
			judge_fold(t, o);
			json_decref(o);
		}
		free(line);
		fclose(f);
	}
	(void)unlink(t->vpath);
	for (p = 0; p < JUDGE_PROTOS; p++)
		if (t->cell[p].run && t->cell[p].reason == NULL)
			t->cell[p].reason = xstrdup("the client never "
			    "connected");
	t->finished = true;
}

/* Reap what has ended, kill what ran too long; true when all ended. */
static bool
judge_poll(const struct judge *jg, struct jtask *t)
{
	struct jcell	*c;
	int		 p, status;
	bool		 all = true;
	pid_t		 r;

	for (p = 0; p < JUDGE_PROTOS; p++) {
		c = &t->cell[p];
		if (!c->run || c->done)
			continue;
		r = waitpid(c->pid, &status, WNOHANG);
		if (r == c->pid) {
			c->done = true;
			c->rc = WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
			/* Its children may hold the connection: they go too. */
			(void)kill(-c->pid, SIGKILL);
			continue;
		}
		all = false;
		if (mono_ns() - c->started > (int64_t)jg->timeout_ms *
		    1000000) {
			c->timed_out = true;
			(void)kill(-c->pid, SIGKILL);
		}
	}
	return all;
}

static volatile sig_atomic_t judge_signal;

static void
judge_on_signal(int signo)
{
	judge_signal = signo;
}

/* Interrupted: the clients' process groups killed, the labs stopped. */
static void
judge_abort(struct judge *jg)
{
	struct jtask	*t;
	int		 i, p, status;

	for (i = 0; i < jg->ntasks; i++) {
		t = &jg->tasks[i];
		if (!t->started || t->finished)
			continue;
		for (p = 0; p < JUDGE_PROTOS; p++) {
			if (!t->cell[p].run || t->cell[p].done)
				continue;
			(void)kill(-t->cell[p].pid, SIGKILL);
			(void)waitpid(t->cell[p].pid, &status, 0);
		}
		lab_stop(&t->lab);
		(void)unlink(t->vpath);
		t->finished = true;
	}
}

static void
judge_run_all(struct judge *jg)
{
	int	i, active, next = 0, left = jg->ntasks;

	signal(SIGINT, judge_on_signal);
	signal(SIGTERM, judge_on_signal);
	signal(SIGHUP, judge_on_signal);
	while (left > 0 && judge_signal == 0) {
		active = 0;
		for (i = 0; i < next; i++)
			if (jg->tasks[i].started && !jg->tasks[i].finished)
				active++;
		while (active < jg->jobs && next < jg->ntasks) {
			if (judge_start(jg, &jg->tasks[next]) == 0)
				active++;
			else {
				jg->tasks[next].finished = true;
				left--;
			}
			next++;
		}
		for (i = 0; i < next; i++) {
			if (!jg->tasks[i].started || jg->tasks[i].finished)
				continue;
			if (judge_poll(jg, &jg->tasks[i])) {
				judge_finish(&jg->tasks[i]);
				left--;
			}
		}
		if (left > 0)
			usleep(JUDGE_TICK_US);
	}
	if (judge_signal != 0)
		judge_abort(jg);
}

static struct jtask *
judge_task(struct judge *jg, int run, int scn)
{
	return &jg->tasks[run * (int)jg->scns.n + scn];
}

/*
 * A client killed at the timeout was refusing nothing: it hung, and a
 * safe verdict from what it had not yet done says nothing.
 */
static void
judge_hung(struct judge *jg)
{
	struct jcell	*c;
	int		 i, p;

	for (i = 0; i < jg->ntasks; i++)
		for (p = 0; p < JUDGE_PROTOS; p++) {
			c = &jg->tasks[i].cell[p];
			if (!c->run || !c->timed_out || c->verdict != JV_SAFE)
				continue;
			c->verdict = JV_NOT_EXERCISED;
			free(c->reason);
			xasprintf(&c->reason, "the client hung until the "
			    "timeout (%g s) and was killed: what it would "
			    "have done is not known", jg->timeout_ms / 1000.0);
		}
}

/*
 * A client that does not pass good over a protocol (it never spoke
 * inside verified TLS) proves nothing by refusing elsewhere: its safe
 * verdicts there count as not exercised.  Scenario 0 is good.
 */
static bool
judge_demote(struct judge *jg)
{
	struct jcell	*good, *c;
	int		 r, s, p;
	bool		 any = false;

	for (r = 0; r < jg->nruns; r++) {
		for (p = 0; p < JUDGE_PROTOS; p++) {
			good = &judge_task(jg, r, 0)->cell[p];
			if (!good->run || good->verdict == JV_SAFE)
				continue;
			any = true;
			for (s = 1; s < (int)jg->scns.n; s++) {
				c = &judge_task(jg, r, s)->cell[p];
				if (c->run && c->verdict == JV_SAFE) {
					c->verdict = JV_NOT_EXERCISED;
					c->demoted = true;
					free(c->reason);
					c->reason = xstrdup("the client did "
					    "not pass good over this protocol");
				}
			}
		}
	}
	return any;
}

static void
judge_cell_text(const struct jcell *c, struct buf *b)
{
	if (!c->run) {
		buf_adds(b, "-");
		return;
	}
	buf_adds(b, judge_verdict_name(c->verdict));
	if (c->demoted)
		buf_adds(b, "*");
	if (c->timed_out)
		buf_adds(b, " (timeout)");
	else
		buf_printf(b, " (%d)", c->rc);
}

/*
 * The matrix in text: a row per scenario and protocol, a column per
 * client, then what its marks mean.  The terminal and the recording
 * (so the report) show the same lines.
 */
static void
judge_matrix(struct judge *jg, struct buf *out)
{
	struct buf	 cell = { NULL, 0, 0 };
	struct jcell	*c;
	const char	*attack;
	size_t		 w = 8;
	int		 r, s, p;
	bool		 demoted = false;

	for (r = 0; r < jg->nruns; r++)
		for (s = 0; s < (int)jg->scns.n; s++)
			for (p = 0; p < JUDGE_PROTOS; p++) {
				buf_reset(&cell);
				c = &judge_task(jg, r, s)->cell[p];
				judge_cell_text(c, &cell);
				if (cell.len > w)
					w = cell.len;
				demoted |= c->demoted;
			}
	buf_printf(out, "%-17s %-12s %-6s", "scenario", "attack", "proto");
	for (r = 0; r < jg->nruns; r++) {
		buf_reset(&cell);
		buf_printf(&cell, "client %d", r + 1);
		buf_printf(out, " %-*s", (int)w, cell.p);
	}
	buf_addc(out, '\n');
	for (s = 0; s < (int)jg->scns.n; s++) {
		for (p = 0; p < JUDGE_PROTOS; p++) {
			if (!jg->proto_on[p])
				continue;
			attack = lab_scenario_attack(jg->scns.v[s],
			    judge_protos[p]);
			if (attack == NULL)
				continue;
			buf_printf(out, "%-17s %-12s %-6s", jg->scns.v[s],
			    attack, judge_protos[p]);
			for (r = 0; r < jg->nruns; r++) {
				buf_reset(&cell);
				judge_cell_text(&judge_task(jg, r, s)->cell[p],
				    &cell);
				buf_printf(out, " %-*s", (int)w, cell.p);
			}
			buf_addc(out, '\n');
		}
	}
	buf_adds(out, "\n(N): the client's exit code.\n");
	if (demoted)
		buf_adds(out, "*: it refused, but it did not pass good over "
		    "that protocol either: not exercised.\n");
	buf_free(&cell);
}

static void
judge_print_text(struct judge *jg)
{
	struct buf	 b = { NULL, 0, 0 }, cell = { NULL, 0, 0 };
	struct jtask	*t;
	struct jcell	*c;
	size_t		 i;
	int		 r, s, p;
	json_t		*e;

	for (r = 0; r < jg->nruns; r++) {
		buf_reset(&cell);
		sanitize(jg->runs[r], strlen(jg->runs[r]), &cell);
		printf("client %d: %s\n", r + 1, cell.p);
	}
	judge_matrix(jg, &b);
	printf("\n%s", b.p);
	/* Why each cell is not safe; a vulnerable one's lines under it. */
	for (r = 0; r < jg->nruns; r++) {
		for (s = 0; s < (int)jg->scns.n; s++) {
			t = judge_task(jg, r, s);
			for (p = 0; p < JUDGE_PROTOS; p++) {
				c = &t->cell[p];
				if (!c->run || c->verdict == JV_SAFE)
					continue;
				printf("\nclient %d, %s, %s: %s: %s\n", r + 1,
				    jg->scns.v[s], judge_protos[p],
				    judge_verdict_name(c->verdict), c->reason);
				if (c->verdict != JV_VULNERABLE)
					continue;
				json_array_foreach(c->evidence, i, e) {
					printf("    %-6s %-9s %s\n",
					    json_string_value(json_object_get(e,
					    "from")),
					    json_is_true(json_object_get(e,
					    "tls")) ? "TLS" : "plaintext",
					    json_string_value(json_object_get(e,
					    "line")));
				}
			}
		}
	}
	buf_free(&b);
	buf_free(&cell);
}

static void
judge_print_json(struct judge *jg)
{
	json_t		*root, *clients, *results, *o;
	struct buf	 cmd = { NULL, 0, 0 };
	struct jcell	*c;
	const char	*attack;
	char		*s;
	int		 r, sc, p;

	root = json_object();
	json_object_set_new(root, "mailscope", json_string("judge"));
	json_object_set_new(root, "format", json_integer(JUDGE_FORMAT));
	clients = json_array();
	for (r = 0; r < jg->nruns; r++) {
		o = json_object();
		json_object_set_new(o, "client", json_integer(r + 1));
		buf_reset(&cmd);
		sanitize(jg->runs[r], strlen(jg->runs[r]), &cmd);
		json_object_set_new(o, "command", json_string(cmd.p != NULL ?
		    cmd.p : ""));
		json_array_append_new(clients, o);
	}
	json_object_set_new(root, "clients", clients);
	results = json_array();
	for (r = 0; r < jg->nruns; r++) {
		for (sc = 0; sc < (int)jg->scns.n; sc++) {
			for (p = 0; p < JUDGE_PROTOS; p++) {
				c = &judge_task(jg, r, sc)->cell[p];
				if (!c->run)
					continue;
				attack = lab_scenario_attack(jg->scns.v[sc],
				    judge_protos[p]);
				o = json_object();
				json_object_set_new(o, "client",
				    json_integer(r + 1));
				json_object_set_new(o, "scenario",
				    json_string(jg->scns.v[sc]));
				json_object_set_new(o, "attack",
				    json_string(attack));
				json_object_set_new(o, "proto",
				    json_string(judge_protos[p]));
				json_object_set_new(o, "verdict",
				    json_string(judge_verdict_name(c->verdict)));
				json_object_set_new(o, "reason",
				    json_string(c->reason));
				json_object_set_new(o, "untrusted",
				    json_boolean(c->demoted));
				json_object_set_new(o, "exit", c->timed_out ?
				    json_null() : json_integer(c->rc));
				json_object_set_new(o, "timed_out",
				    json_boolean(c->timed_out));
				json_object_set_new(o, "connections",
				    json_integer(c->conns));
				json_object_set_new(o, "evidence",
				    c->evidence != NULL ?
				    json_incref(c->evidence) : json_array());
				json_array_append_new(results, o);
			}
		}
	}
	json_object_set_new(root, "results", results);
	s = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
	puts(s);
	free(s);
	json_decref(root);
	buf_free(&cmd);
}

static void
judge_rec_failed(const char *msg, void *arg)
{
	bool	*failed = arg;

	fprintf(stderr, "mailscope judge: %s\n", msg);
	*failed = true;
}

/*
 * The verdicts as events of a recording: each client's command, then
 * each cell's verdict (its code the verdict) and its evidence lines, so
 * that export and replay show them like any session.
 */
static int
judge_record(struct judge *jg, int rc)
{
	struct recording_info	 info;
	struct recorder		*rec;
	struct evlog		*log;
	struct buf		 cmd = { NULL, 0, 0 };
	const struct jcell	*c;
	const char		*code, *line, *nl;
	char			*hdr, err[512];
	size_t			 i;
	int			 r, s, p;
	bool			 failed = false, tls;
	json_t			*e;

	memset(&info, 0, sizeof info);
	info.version = xstrdup(MAILSCOPE_VERSION);
	info.target = xstrdup("mailscope judge");
	info.start = wall_ns();
	info.redacted = true;
	hdr = recording_info_header_json(&info);
	recording_info_free(&info);
	log = evlog_new(true);
	rec = recorder_open(jg->record, log, hdr, err, sizeof err);
	free(hdr);
	if (rec == NULL) {
		fprintf(stderr, "mailscope judge: %s\n", err);
		evlog_free(log);
		return -1;
	}
	recorder_set_fail_cb(rec, judge_rec_failed, &failed);
	for (r = 0; r < jg->nruns; r++) {
		buf_reset(&cmd);
		buf_adds(&cmd, jg->runs[r]);
		ev_local(log, EV_INFO, CHAN_PLAIN, NULL, "client %d: %s", r + 1,
		    cmd.p);
	}
	/* The matrix, a line an event: the report's table of tables. */
	buf_reset(&cmd);
	judge_matrix(jg, &cmd);
	for (line = cmd.p; line != NULL && *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl > line)
			ev_local(log, EV_INFO, CHAN_PLAIN, NULL, "%.*s",
			    (int)(nl - line), line);
	}
	for (s = 0; s < (int)jg->scns.n; s++) {
		for (r = 0; r < jg->nruns; r++) {
			for (p = 0; p < JUDGE_PROTOS; p++) {
				c = &((const struct jtask *)jg->tasks)[r *
				    (int)jg->scns.n + s].cell[p];
				if (!c->run)
					continue;
				code = c->verdict == JV_VULNERABLE ? "vulnerable" :
				    c->verdict == JV_SAFE ? "safe" :
				    "not-exercised";
				buf_reset(&cmd);
				if (c->timed_out)
					buf_adds(&cmd, "timed out");
				else
					buf_printf(&cmd, "exit %d", c->rc);
				ev_local(log, EV_VERDICT, CHAN_PLAIN, code,
				    "client %d, %s, %s (%s): %s: %s (%s)",
				    r + 1, jg->scns.v[s], judge_protos[p],
				    lab_scenario_attack(jg->scns.v[s],
				    judge_protos[p]), judge_verdict_name(c->verdict),
				    c->reason, cmd.p);
				json_array_foreach(c->evidence, i, e) {
					tls = json_is_true(json_object_get(e,
					    "tls"));
					/* The channel in words: every view
					 * shows it, as the console does. */
					ev_local(log, EV_INFO, tls ? CHAN_TLS :
					    CHAN_PLAIN, NULL, "    %-6s %-9s %s",
					    json_string_value(json_object_get(e,
					    "from")), tls ? "TLS" : "plaintext",
					    json_string_value(json_object_get(e,
					    "line")));
				}
			}
		}
	}
	buf_free(&cmd);
	recorder_close(rec, "quit", rc);
	evlog_free(log);
	return failed ? -1 : 0;
}

static int
judge_exit(const struct judge *jg, bool untrusted)
{
	int	i, p;

	for (i = 0; i < jg->ntasks; i++)
		for (p = 0; p < JUDGE_PROTOS; p++)
			if (jg->tasks[i].cell[p].run &&
			    jg->tasks[i].cell[p].verdict == JV_VULNERABLE)
				return EXIT_SECURITY;
	return untrusted ? EXIT_JUDGE_UNTRUSTED : EXIT_OK;
}

static void
judge_done(struct judge *jg)
{
	int	i, p;

	for (i = 0; i < jg->ntasks; i++) {
		free(jg->tasks[i].vpath);
		for (p = 0; p < JUDGE_PROTOS; p++) {
			free(jg->tasks[i].cell[p].reason);
			json_decref(jg->tasks[i].cell[p].evidence);
		}
	}
	free(jg->tasks);
	if (jg->work != NULL)
		(void)rmdir(jg->work);
	free(jg->work);
	strv_clear(&jg->scns);
}

/* Every scenario that plays an attack on some protocol, good first. */
static void
judge_default_scns(struct strv *out)
{
	const char *const	*names = lab_scenarios();
	int			 i, p;

	for (i = 0; names[i] != NULL; i++)
		for (p = 0; p < JUDGE_PROTOS; p++)
			if (lab_scenario_attack(names[i], judge_protos[p]) !=
			    NULL && !strv_has(out, names[i]))
				strv_add(out, names[i]);
}

static int
judge_setup(struct judge *jg)
{
	struct strv	 scns = { NULL, 0 };
	const char	*tmp;
	size_t		 i;
	int		 r, s, p;

	/* good first, always: the control for every other row. */
	strv_add(&scns, "good");
	for (i = 0; i < jg->scns.n; i++)
		if (!strv_has(&scns, jg->scns.v[i]))
			strv_add(&scns, jg->scns.v[i]);
	strv_clear(&jg->scns);
	jg->scns = scns;
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	xasprintf(&jg->work, "%s/mailscope-judge.XXXXXX", tmp);
	if (mkdtemp(jg->work) == NULL) {
		fprintf(stderr, "mailscope judge: %s: %s\n", jg->work,
		    strerror(errno));
		free(jg->work);
		jg->work = NULL;
		return -1;
	}
	jg->ntasks = jg->nruns * (int)jg->scns.n;
	jg->tasks = xcalloc((size_t)jg->ntasks, sizeof *jg->tasks);
	for (r = 0; r < jg->nruns; r++) {
		for (s = 0; s < (int)jg->scns.n; s++) {
			judge_task(jg, r, s)->run = r;
			judge_task(jg, r, s)->scn = s;
			for (p = 0; p < JUDGE_PROTOS; p++) {
				struct jcell *c = &judge_task(jg, r, s)->cell[p];

				c->run = jg->proto_on[p] &&
				    lab_scenario_attack(jg->scns.v[s],
				    judge_protos[p]) != NULL;
				c->rc = -1;
			}
		}
	}
	return 0;
}

int
judge_main(int argc, char **argv)
{
	struct judge	 jg;
	struct opt_getopt g;
	struct strv	 protos = { NULL, 0 };
	bool		 untrusted;
	int		 ch, p, rc = EXIT_USAGE;

	memset(&jg, 0, sizeof jg);
	jg.timeout_ms = JUDGE_TIMEOUT_MS;
	jg.jobs = JUDGE_JOBS;
	opt_getopt(&judge_cmd, &g);
	optind = 0;
	while ((ch = opt_next(&g, argc, argv)) != -1) {
		switch (ch) {
		case JO_RUN:
			if (jg.nruns == JUDGE_RUNS_MAX) {
				fprintf(stderr, "mailscope judge: at most %d "
				    "--run\n", JUDGE_RUNS_MAX);
				goto out;
			}
			jg.runs[jg.nruns++] = optarg;
			break;
		case JO_SCENARIOS:
			strv_clear(&jg.scns);
			if (judge_list(optarg, &jg.scns, judge_scn_ok,
			    "scenario (see mailscope lab --list)") == -1)
				goto out;
			break;
		case JO_PROTOS:
			strv_clear(&protos);
			if (judge_list(optarg, &protos, judge_proto_ok,
			    "protocol (smtp, imap, pop3)") == -1)
				goto out;
			break;
		case JO_JSON:
			jg.json = true;
			break;
		case JO_TIMEOUT:
			/* Seconds, as every --timeout takes them. */
			if ((jg.timeout_ms = timeout_parse(optarg)) == -1) {
				fprintf(stderr, "mailscope judge: bad --timeout "
				    "'%s' (seconds, 0.001-86400)\n", optarg);
				goto out;
			}
			break;
		case JO_JOBS:
			if ((jg.jobs = int_arg(optarg, 1,
			    JUDGE_JOBS_MAX)) == -1) {
				fprintf(stderr, "mailscope judge: bad --jobs "
				    "'%s' (1-%d)\n", optarg, JUDGE_JOBS_MAX);
				goto out;
			}
			break;
		case JO_LOGS:
			jg.logs = optarg;
			break;
		case JO_RECORD:
			jg.record = optarg;
			break;
		case 'h':
			opt_getopt_free(&g);
			cmd_help(&judge_cmd, judge_head, judge_tail);
		default:
			opt_getopt_free(&g);
			cmd_bad_option(&judge_cmd, ch, argv);
		}
	}
	opt_getopt_free(&g);
	if (optind < argc || jg.nruns == 0) {
		fprintf(stderr, "mailscope judge: %s (see mailscope judge "
		    "--help)\n", jg.nruns == 0 ? "no --run CMD given" :
		    "unexpected operand");
		goto out;
	}
	if (jg.logs != NULL && mkdir(jg.logs, 0700) == -1 &&
	    errno != EEXIST) {
		fprintf(stderr, "mailscope judge: %s: %s\n", jg.logs,
		    strerror(errno));
		goto out;
	}
	for (p = 0; p < JUDGE_PROTOS; p++)
		jg.proto_on[p] = protos.n == 0 ||
		    strv_has(&protos, judge_protos[p]);
	if (jg.scns.n == 0)
		judge_default_scns(&jg.scns);
	rc = EXIT_PROTO;
	if (judge_setup(&jg) == -1)
		goto out;
	judge_run_all(&jg);
	if (judge_signal != 0) {
		/* Nothing half-judged is printed; the signal ends us. */
		judge_done(&jg);
		strv_clear(&protos);
		signal(judge_signal, SIG_DFL);
		raise(judge_signal);
		return EXIT_PROTO;
	}
	judge_hung(&jg);
	untrusted = judge_demote(&jg);
	if (jg.json)
		judge_print_json(&jg);
	else
		judge_print_text(&jg);
	rc = judge_exit(&jg, untrusted);
	for (p = 0; p < jg.ntasks; p++)
		if (!jg.tasks[p].started)
			rc = EXIT_PROTO;
	if (jg.record != NULL && judge_record(&jg, rc) == -1)
		rc = EXIT_WRITE;
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = EXIT_WRITE;
out:
	strv_clear(&protos);
	judge_done(&jg);
	return rc;
}
