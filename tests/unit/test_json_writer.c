// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests for agent/base/json_writer.c: structure, escaping, UTF-8 repair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json_writer.h"

static void test_nested_structure(void **state)
{
	struct json_writer w;

	json_writer_init(&w);
	json_object_begin(&w);
	json_kv_string(&w, "a", "x");
	json_key(&w, "list");
	json_array_begin(&w);
	json_uint(&w, 1);
	json_int(&w, -2);
	json_object_begin(&w);
	json_kv_bool(&w, "t", true);
	json_object_end(&w);
	json_null(&w);
	json_array_end(&w);
	json_kv_uint(&w, "big", UINT64_MAX);
	json_object_end(&w);
	assert_string_equal(json_writer_text(&w),
			    "{\"a\":\"x\",\"list\":[1,-2,{\"t\":true},null],\"big\":18446744073709551615}");
	json_writer_free(&w);
}

static void test_escaping(void **state)
{
	struct json_writer w;

	json_writer_init(&w);
	json_string(&w, "q\"b\\s\n\t\r\x01\x7f/");
	assert_string_equal(json_writer_text(&w), "\"q\\\"b\\\\s\\n\\t\\r\\u0001\\u007f/\"");
	json_writer_free(&w);
}

static void test_utf8_kept_and_repaired(void **state)
{
	struct json_writer w;

	json_writer_init(&w);
	json_array_begin(&w);
	json_string(&w, "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x94\x92");    /* valid: kept */
	json_string(&w, "bad\xff end");                             /* stray byte */
	json_string(&w, "trunc\xe2\x86");                           /* cut sequence */
	json_string(&w, "overlong\xc0\xaf");                        /* overlong '/' */
	json_string(&w, "surrogate\xed\xa0\x80");                   /* UTF-16 surrogate */
	json_array_end(&w);
	assert_string_equal(json_writer_text(&w),
			    "[\"caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x94\x92\",\"bad\\ufffd end\","
			    "\"trunc\\ufffd\\ufffd\",\"overlong\\ufffd\\ufffd\","
			    "\"surrogate\\ufffd\\ufffd\\ufffd\"]");
	json_writer_free(&w);
}

static void test_string_len_stops_at_len(void **state)
{
	struct json_writer w;
	const char comm[4] = { 'a', 'b', 'c', 'd' }; /* no NUL, like a full comm */

	json_writer_init(&w);
	json_string_len(&w, comm, sizeof(comm));
	assert_string_equal(json_writer_text(&w), "\"abcd\"");
	json_writer_free(&w);
}

static void test_reset_reuses_buffer(void **state)
{
	struct json_writer w;

	json_writer_init(&w);
	json_object_begin(&w);
	json_kv_string(&w, "k", "v");
	json_object_end(&w);
	json_writer_reset(&w);
	json_array_begin(&w);
	json_array_end(&w);
	assert_string_equal(json_writer_text(&w), "[]");
	json_writer_free(&w);
}

static void test_unbalanced_close_fails(void **state)
{
	struct json_writer w;

	json_writer_init(&w);
	json_object_end(&w);
	assert_null(json_writer_text(&w));
	json_writer_free(&w);
}

static void test_depth_limit(void **state)
{
	struct json_writer w;

	json_writer_init(&w);
	for (int i = 0; i < JSON_WRITER_MAX_DEPTH + 2; i++)
		json_array_begin(&w);
	assert_null(json_writer_text(&w));
	json_writer_free(&w);
}

static void test_large_output_grows(void **state)
{
	struct json_writer w;
	char big[5000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_writer_init(&w);
	json_string(&w, big);
	assert_int_equal(strlen(json_writer_text(&w)), sizeof(big) - 1 + 2);
	json_writer_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_structure),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_utf8_kept_and_repaired),
		cmocka_unit_test(test_string_len_stops_at_len),
		cmocka_unit_test(test_reset_reuses_buffer),
		cmocka_unit_test(test_unbalanced_close_fails),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_large_output_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
