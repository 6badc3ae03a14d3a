/* SPDX-License-Identifier: ISC */
/*
 * auth.c and options.c: when a credential may go, where batch and
 * probe read the secret, and the options main and probe share (sasl.c
 * has test_sasl.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "log/log.h"
#include "core/core.h"
#include "explain/explain.h"
#include "render/render.h"
#include "lab/lab.h"
#include "cmd/cmd.h"

static void
verdict(bool tls, bool verified, bool require, bool plain, bool unverified,
    struct secret_verdict *v)
{
	struct secret_state	st = { tls, verified, require, plain,
				    unverified };

	secret_verdict(&st, v);
}

static void
test_verdict(void **state)
{
	struct secret_verdict	v;

	(void)state;
	/* Verified TLS: always, whatever else is set. */
	verdict(true, true, true, false, false, &v);
	assert_true(v.may);
	assert_null(v.code);

	/* Unverified TLS: asks; only its own consent lets it go. */
	verdict(true, false, false, true, false, &v);
	assert_false(v.may);
	assert_true(v.ask);
	assert_string_equal(v.code, "unverified-auth");
	assert_non_null(strstr(v.why, "--allow-unverified-auth"));
	verdict(true, false, false, false, true, &v);
	assert_true(v.may);
	assert_string_equal(v.code, "unverified-auth");

	/* Plaintext: asks, says how to override; consent lets it go. */
	verdict(false, false, false, false, true, &v);
	assert_false(v.may);
	assert_true(v.ask);
	assert_string_equal(v.code, "plaintext-auth");
	assert_non_null(strstr(v.why, "--allow-plaintext-auth"));
	verdict(false, false, false, true, false, &v);
	assert_true(v.may);
	assert_string_equal(v.risk, "in plaintext");

	/* --require-tls: never without TLS, consent or not, nothing asked. */
	verdict(false, false, true, true, true, &v);
	assert_false(v.may);
	assert_false(v.ask);
	assert_string_equal(v.code, "require-tls");
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void
test_secret_read(void **state)
{
	struct buf	 b = { 0 };
	char		 path[] = "/tmp/mailscope-test-pw.XXXXXX", err[256];
	int		 fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	close(fd);

	/* The first line, CR/LF stripped; the rest of the file ignored. */
	write_file(path, "s3cret\r\nsecond\n", 15);
	assert_int_equal(secret_read(path, "MAILSCOPE_PASSWORD", &b, err,
	    sizeof err), 1);
	assert_string_equal(b.p, "s3cret");
	write_file(path, "no-newline", 10);
	assert_int_equal(secret_read(path, "MAILSCOPE_PASSWORD", &b, err,
	    sizeof err), 1);
	assert_string_equal(b.p, "no-newline");
	write_file(path, "\nafter", 6);
	assert_int_equal(secret_read(path, "MAILSCOPE_PASSWORD", &b, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "empty"));
	unlink(path);
	assert_int_equal(secret_read(path, "MAILSCOPE_PASSWORD", &b, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, path));

	/* No file: the environment, or nothing. */
	setenv("MAILSCOPE_PASSWORD", "from-env", 1);
	assert_int_equal(secret_read(NULL, "MAILSCOPE_PASSWORD", &b, err,
	    sizeof err), 1);
	assert_string_equal(b.p, "from-env");
	unsetenv("MAILSCOPE_PASSWORD");
	assert_int_equal(secret_read(NULL, "MAILSCOPE_PASSWORD", &b, err,
	    sizeof err), 0);
	buf_free(&b);
}

static void
test_options(void **state)
{
	static const struct opt rows[] = {
		SOPTS_CONNECTION,
		SOPTS_TLS,
		SOPTS_CREDENTIALS,
	};
	static const struct optcmd cmd = {
		"test", "test", rows, sizeof rows / sizeof rows[0], OPTK_URL
	};
	struct opt_getopt	 g;
	char			*argv[] = { "x", "--tls-priority", "NORMAL",
				    "--client-cert", "c.pem",
				    "--allow-unverified-auth", "-6",
				    "--password-file", "pw", "--timeout", "2",
				    NULL };
	struct session_opts	 so;
	char			 err[256];
	int			 ch, argc = 11;

	(void)state;
	memset(&so, 0, sizeof so);
	opt_getopt(&cmd, &g);
	optind = 1;
	while ((ch = opt_next(&g, argc, argv)) != -1)
		assert_int_equal(session_option(&so, ch, optarg, err,
		    sizeof err), 1);
	opt_getopt_free(&g);
	assert_string_equal(so.priority, "NORMAL");
	assert_string_equal(so.client_cert, "c.pem");
	assert_true(so.allow_unverified_auth);
	assert_false(so.allow_plaintext_auth);
	assert_int_equal(so.family, AF_INET6);
	assert_string_equal(so.password_file, "pw");
	assert_int_equal(so.timeout_ms, 2000);
	/* A client certificate needs its key. */
	assert_int_equal(session_options_check(&so, err, sizeof err), -1);
	assert_non_null(strstr(err, "--client-key"));
	so.client_key = "k.pem";
	assert_int_equal(session_options_check(&so, err, sizeof err), 0);

	assert_int_equal(session_option(&so, SOPT_TIMEOUT, "x", err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "--timeout"));
	assert_int_equal(session_option(&so, 'h', NULL, err, sizeof err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_secret_read),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
