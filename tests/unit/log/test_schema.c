/* SPDX-License-Identifier: ISC */
/*
 * The recording schema (src/log/recording.schema.json) and the writer
 * agree: the names of kinds, directions, channels, flags, statuses and
 * DNSSEC states are the log's own, in its order; the header's format is
 * the one written; the TLS facts have exactly the members described.
 * tests/schema.py validates what the suites write against the same file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/base.h"
#include "log/log.h"

#define SCHEMA	"src/log/recording.schema.json"

static json_t *
schema(void)
{
	json_error_t	 je;
	json_t		*s;

	s = json_load_file(SCHEMA, 0, &je);
	if (s == NULL)
		fail_msg("%s: %s", SCHEMA, je.text);
	return s;
}

/* The node at a JSON pointer of the schema ("/$defs/event"). */
static json_t *
at(json_t *s, const char *path)
{
	char	*p = xstrdup(path), *w, *save;

	for (w = strtok_r(p, "/", &save); w != NULL && s != NULL;
	    w = strtok_r(NULL, "/", &save))
		s = json_is_array(s) ? json_array_get(s, strtoul(w, NULL,
		    10)) : json_object_get(s, w);
	free(p);
	if (s == NULL)
		fail_msg("%s: no %s", SCHEMA, path);
	return s;
}

/* The enum at path is exactly these names, in this order. */
static void
assert_enum(json_t *s, const char *path, const char *const *names,
    size_t n)
{
	json_t	*e = at(s, path);
	size_t	 i;

	assert_true(json_is_array(e));
	assert_int_equal(json_array_size(e), n);
	for (i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(e, i)),
		    names[i]);
}

static void
test_names(void **state)
{
	json_t		*s = schema();
	const char	*v[64];
	uint32_t	 bit;
	size_t		 n, k;

	(void)state;
	for (n = 0; n < EV_KIND_MAX; n++)
		v[n] = ev_kind_name((enum ev_kind)n);
	assert_enum(s, "/$defs/event/properties/kind/enum", v, n);
	for (n = 0; n <= DIR_LOCAL; n++)
		v[n] = ev_dir_name((enum ev_dir)n);
	assert_enum(s, "/$defs/event/properties/dir/enum", v, n);
	for (n = 0; n <= CHAN_TLS; n++)
		v[n] = ev_chan_name((enum ev_chan)n);
	assert_enum(s, "/$defs/event/properties/chan/enum", v, n);
	for (n = 0, bit = 1; bit != 0; bit <<= 1)
		if (ev_flag_name(bit) != NULL)
			v[n++] = ev_flag_name(bit);
	assert_enum(s, "/$defs/event/properties/flags/items/enum", v, n);
	/* RS_NONE is never written: no "status" then. */
	for (n = 0, k = RS_NONE + 1; k < RS_MAX; k++)
		v[n++] = ev_status_name((enum reply_status)k);
	assert_enum(s, "/$defs/class/properties/status/enum", v, n);
	for (n = 0; n < DNS_SEC_MAX; n++)
		v[n] = dns_sec_name((enum dns_sec)n);
	assert_enum(s, "/$defs/dns/properties/security/enum", v, n);
	json_decref(s);
}

static void
test_header_format(void **state)
{
	struct recording_info	 info = { 0 };
	json_t			*s = schema(), *h;
	char			*line;

	(void)state;
	info.version = (char *)"x";
	info.target = (char *)"smtp://127.0.0.1:25";
	line = recording_info_header_json(&info);
	h = json_loads(line, 0, NULL);
	assert_non_null(h);
	assert_int_equal(json_integer_value(json_object_get(h, "format")),
	    json_integer_value(at(s, "/$defs/header/properties/format/const")));
	assert_string_equal(json_string_value(json_object_get(h, "kind")),
	    "header");
	json_decref(h);
	free(line);
	json_decref(s);
}

/* The members of o are those the schema's def describes, no more. */
static void
assert_members(json_t *s, const char *def, json_t *o)
{
	json_t		*props = at(s, def), *req, *v;
	const char	*k;
	size_t		 i;

	props = json_object_get(props, "properties");
	assert_non_null(props);
	assert_true(json_is_object(o));
	json_object_foreach(o, k, v) {
		if (json_object_get(props, k) == NULL)
			fail_msg("%s: \"%s\" is written but not described",
			    def, k);
	}
	req = json_object_get(at(s, def), "required");
	for (i = 0; i < json_array_size(req); i++)
		if (json_object_get(o, json_string_value(json_array_get(req,
		    i))) == NULL)
			fail_msg("%s: \"%s\" is required but not written", def,
			    json_string_value(json_array_get(req, i)));
}

static void
test_tls_members(void **state)
{
	struct tls_facts	*f = xcalloc(1, sizeof *f);
	struct tls_tlsa		*rr;
	json_t			*s = schema(), *o;
	char			*line;

	(void)state;
	f->nchain = 1;
	f->chain = xcalloc(1, sizeof *f->chain);
	tls_cert_set_key(&f->chain[0], "RSA", 2048, NULL);
	f->dane.checked = true;
	f->dane.nrrs = 1;
	f->dane.rrs = rr = xcalloc(1, sizeof *rr);
	f->pin.checked = true;
	f->sts.checked = true;
	strv_add(&f->offer.versions, "TLS1.3");
	line = tls_facts_json(f);
	o = json_loads(line, 0, NULL);
	assert_members(s, "/$defs/tls", o);
	assert_members(s, "/$defs/cert", json_array_get(json_object_get(o,
	    "chain"), 0));
	assert_members(s, "/$defs/verify", json_object_get(o, "verify"));
	assert_members(s, "/$defs/tls/properties/offered",
	    json_object_get(o, "offered"));
	assert_members(s, "/$defs/dane", json_object_get(o, "dane"));
	assert_members(s, "/$defs/dane/properties/records/items",
	    json_array_get(json_object_get(json_object_get(o, "dane"),
	    "records"), 0));
	assert_members(s, "/$defs/pin", json_object_get(o, "pin"));
	assert_members(s, "/$defs/mta_sts", json_object_get(o, "mta_sts"));
	json_decref(o);
	free(line);
	tls_facts_free(f);
	json_decref(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_header_format),
		cmocka_unit_test(test_tls_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
