/* Unit tests: C preprocessor conditionals (ppcond), and a differential
 * test of pp_eval() against the system's cpp. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/wait.h>

#include "unit.h"

#include "mcuprov/ppcond.h"

/* ---- helpers ---- */

static struct pp_env *env_of(const char *const *defs)
{
	struct pp_env *env;
	struct mcuprov_err err;

	assert_int_equal(pp_env_new(&env, &err), 0);
	/* "NAME=VALUE" or "NAME" (defined empty) or "-NAME" (undefined) */
	for (; defs != NULL && *defs != NULL; defs++) {
		const char *eq = strchr(*defs, '=');
		char name[PP_NAME_MAX];

		if ((*defs)[0] == '-') {
			assert_int_equal(pp_env_undef(env, *defs + 1, "t", &err), 0);
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - *defs) : (int)strlen(*defs),
			 *defs);
		assert_int_equal(pp_env_define(env, name, eq ? eq + 1 : "", "t", &err), 0);
	}
	return env;
}

/* pp_eval() of EXPR: "T", "F" or "M:NAMES" (names joined), or "E:REASON". */
static const char *ev(struct pp_env *env, const char *expr)
{
	static char out[1024];
	struct pp_names n;
	struct mcuprov_err err;
	enum pp_truth t;
	char j[900];

	pp_names_clear(&n);
	err_clear(&err);
	if (pp_eval(env, expr, strlen(expr), &t, &n, &err) < 0) {
		assert_int_equal(err.code, MCUPROV_ERR_FORMAT);
		assert_int_equal(t, PP_MAYBE);
		snprintf(out, sizeof(out), "E:%s", err.msg);
		return out;
	}
	if (t != PP_MAYBE) {
		assert_int_equal(n.n, 0);
		return t == PP_TRUE ? "T" : "F";
	}
	snprintf(out, sizeof(out), "M:%s", pp_names_join(&n, j, sizeof(j)));
	return out;
}

#define EV(env, expr, want) assert_string_equal(ev(env, expr), want)

static const char *live_char(enum pp_truth t)
{
	return t == PP_TRUE ? "T" : t == PP_FALSE ? "F" : "M";
}

/* Feed TEXT's lines to a tracker over ENV (lines ending in a backslash go
 * with the next).  For every line that is no directive, "TEXT:T", ":F" or
 * ":M[NAMES]", space separated, into a static buffer; or "E:REASON" at the
 * first error (finish included). */
static const char *track(struct pp_env *env, const char *text)
{
	static char out[4096];
	struct pp_tracker *t;
	struct mcuprov_err err;
	size_t o = 0, line = 1, start_line;
	const char *p = text;

	assert_int_equal(pp_tracker_new(env, &t, &err), 0);
	out[0] = '\0';
	while (*p != '\0') {
		const char *s = p, *e;
		size_t ds, de, rest;

		start_line = line;
		for (;;) {
			e = strchr(p, '\n');
			e = e ? e : p + strlen(p);
			line++;
			if (e > p && e[-1] == '\\' && *e == '\n') {
				p = e + 1;
				continue;
			}
			if (e > p + 1 && e[-1] == '\r' && e[-2] == '\\' && *e == '\n') {
				p = e + 1;
				continue;
			}
			break;
		}
		p = *e ? e + 1 : e;
		if (pp_directive(s, (size_t)(e - s), &ds, &de, &rest)) {
			err_clear(&err);
			if (pp_tracker_line(t, s, (size_t)(e - s), start_line, &err) < 0) {
				snprintf(out, sizeof(out), "E:%s", err.msg);
				pp_tracker_free(t);
				return out;
			}
		} else if (e > s) {
			struct pp_names n;
			enum pp_truth lv;
			char j[900];

			pp_names_clear(&n);
			lv = pp_tracker_live(t, &n);
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%.*s:%s", o ? " " : "",
					      (int)(e - s), s, live_char(lv));
			if (lv == PP_MAYBE)
				o += (size_t)snprintf(out + o, sizeof(out) - o, "[%s]",
						      pp_names_join(&n, j, sizeof(j)));
			assert_true(o < sizeof(out));
		}
	}
	err_clear(&err);
	if (pp_tracker_finish(t, &err) < 0)
		snprintf(out, sizeof(out), "E:%s", err.msg);
	pp_tracker_free(t);
	return out;
}

static const char *describe(struct pp_env *env)
{
	static char out[2048];
	struct mcuprov_err err;
	char *s;

	assert_int_equal(pp_env_describe(env, &s, &err), 0);
	snprintf(out, sizeof(out), "%s", s);
	free(s);
	return out;
}

/* NAME's state in ENV as "NAME=VALUE@ORIGIN", "-NAME@ORIGIN" or "?NAME". */
static const char *get(struct pp_env *env, const char *name)
{
	static char out[1024];
	const char *v, *o;

	switch (pp_env_get(env, name, strlen(name), &v, &o)) {
	case PP_DEF: snprintf(out, sizeof(out), "%s=%s@%s", name, v, o); break;
	case PP_UNDEF: snprintf(out, sizeof(out), "-%s@%s", name, o); break;
	default: snprintf(out, sizeof(out), "?%s", name); break;
	}
	return out;
}

/* ---- names ---- */

static void test_names(void **state)
{
	struct pp_names n, m;
	char buf[256], small[8];
	int i;

	pp_names_clear(&n);
	assert_string_equal(pp_names_join(&n, buf, sizeof(buf)), "");
	pp_names_add(&n, "AXYZ", 1);
	assert_string_equal(pp_names_join(&n, buf, sizeof(buf)), "A");
	pp_names_add(&n, "B", 1);
	pp_names_add(&n, "A", 1);
	assert_int_equal(n.n, 2);
	assert_string_equal(pp_names_join(&n, buf, sizeof(buf)), "A and B");
	pp_names_add(&n, "C", 1);
	assert_string_equal(pp_names_join(&n, buf, sizeof(buf)), "A, B and C");
	assert_string_equal(pp_names_join(&n, small, sizeof(small)), "A, B an");
	for (i = 0; i < 10; i++) {
		char nm[4] = {'N', (char)('0' + i), '\0'};

		pp_names_add(&n, nm, 2);
	}
	assert_int_equal(n.n, PP_NAMES_MAX);
	assert_true(n.more);
	assert_string_equal(pp_names_join(&n, buf, sizeof(buf)),
			    "A, B, C, N0, N1, N2, N3, N4, ...");
	pp_names_clear(&m);
	pp_names_add(&m, "C", 1);
	pp_names_merge(&m, &n);
	assert_int_equal(m.n, PP_NAMES_MAX);
	assert_true(m.more);
	assert_string_equal(m.v[0], "C");
	assert_string_equal(m.v[1], "A");
}

/* ---- the evaluator ---- */

static void test_eval_numbers(void **state)
{
	EV(NULL, "1", "T");
	EV(NULL, "0", "F");
	EV(NULL, "0x10 == 16", "T");
	EV(NULL, "0XfF == 255", "T");
	EV(NULL, "010 == 8", "T");
	EV(NULL, "0b101 == 5", "T");
	EV(NULL, "10u == 10 && 10U == 10 && 10l == 10 && 10LL == 10", "T");
	EV(NULL, "10ul == 10 && 10LU == 10 && 10ull == 10 && 10LLU == 10 && 10uLL == 10", "T");
	EV(NULL, "0xffffffffffffffff > 0", "T");   /* too large for intmax_t: unsigned */
	EV(NULL, "18446744073709551615 > 0", "T"); /* so is a decimal one, as in gcc */
	EV(NULL, "9223372036854775807 > 0", "T");
	EV(NULL, "-1 < 0", "T");
	EV(NULL, "-1 < 0u", "F"); /* usual arithmetic conversions */
	EV(NULL, "18446744073709551616", "E:integer constant '18446744073709551616' is too large");
	EV(NULL, "1.5", "E:invalid integer constant '1.5'");
	EV(NULL, "1e3", "E:invalid integer constant '1e3'");
	EV(NULL, "08", "E:invalid integer constant '08'");
	EV(NULL, "0x", "E:invalid integer constant '0x'");
	EV(NULL, "1lL", "E:invalid integer constant '1lL'");
	EV(NULL, "1uu", "E:invalid integer constant '1uu'");
	EV(NULL, "12abc", "E:invalid integer constant '12abc'");
	EV(NULL, "'a' == 97", "M:");
	EV(NULL, "'\\'' || 1", "T");
	EV(NULL, "'a", "E:missing terminating ' character");
	EV(NULL, "\"s\"", "E:unexpected '\"s\"'");
}

static void test_eval_operators(void **state)
{
	EV(NULL, "2 * 3 == 6", "T");
	EV(NULL, "7 / 2 == 3", "T");
	EV(NULL, "-7 / 2 == -3", "T");
	EV(NULL, "7 % 3 == 1", "T");
	EV(NULL, "-7 % 2 == -1", "T");
	EV(NULL, "0xffffffffffffffff / 2 == 0x7fffffffffffffff", "T");
	EV(NULL, "2 + 3 == 5", "T");
	EV(NULL, "2 - 3 == -1", "T");
	EV(NULL, "2u - 3 > 0", "T");
	EV(NULL, "1 << 3 == 8", "T");
	EV(NULL, "-1 << 1 == -2", "T");
	EV(NULL, "1u << 63 == 0x8000000000000000", "T");
	EV(NULL, "-8 >> 1 == -4", "T");
	EV(NULL, "-1 >> 63 == -1", "T");
	EV(NULL, "0xffffffffffffffff >> 63 == 1", "T");
	EV(NULL, "1 >> 2u == 0", "T");
	EV(NULL, "-1 >> 1u < 0", "T"); /* a shift has its left operand's type */
	EV(NULL, "1 < 2", "T");
	EV(NULL, "2 < 1", "F");
	EV(NULL, "2 > 1", "T");
	EV(NULL, "1 <= 1", "T");
	EV(NULL, "2 <= 1", "F");
	EV(NULL, "1 >= 1", "T");
	EV(NULL, "0 >= 1", "F");
	EV(NULL, "1 == 1", "T");
	EV(NULL, "1 != 1", "F");
	EV(NULL, "-1 == 0xffffffffffffffff", "T");
	EV(NULL, "(6 & 3) == 2", "T");
	EV(NULL, "(6 ^ 3) == 5", "T");
	EV(NULL, "(6 | 3) == 7", "T");
	EV(NULL, "!0", "T");
	EV(NULL, "!5", "F");
	EV(NULL, "!0u - 2 < 0", "T"); /* ! gives an int */
	EV(NULL, "~0 == -1", "T");
	EV(NULL, "~0u > 0", "T");
	EV(NULL, "-(3) == 0 - 3", "T");
	EV(NULL, "-1u > 0", "T");
	EV(NULL, "+3 == 3", "T");
	EV(NULL, "1 && 2", "T");
	EV(NULL, "1 && 0", "F");
	EV(NULL, "0 || 0", "F");
	EV(NULL, "0 || 3", "T");
	EV(NULL, "1 ? 2 : 0", "T");
	EV(NULL, "0 ? 2 : 0", "F");
	EV(NULL, "(1 ? -1 : 0u) > 0", "T"); /* ?: converts both sides */
	EV(NULL, "(0 ? 0u : -1) > 0", "T");
}

static void test_eval_precedence(void **state)
{
	EV(NULL, "1 + 2 * 3 == 7", "T");
	EV(NULL, "(1 + 2) * 3 == 9", "T");
	EV(NULL, "1 - 1 - 1 == -1", "T"); /* left to right */
	EV(NULL, "8 / 4 / 2 == 1", "T");
	EV(NULL, "2 << 1 + 1 == 8", "T"); /* + before << */
	EV(NULL, "1 < 2 == 1", "T");	  /* < before == */
	EV(NULL, "3 > 2 > 1", "F");
	EV(NULL, "6 & 3 == 2", "F"); /* == before & */
	EV(NULL, "1 | 2 ^ 3", "T");
	EV(NULL, "(1 | 2 ^ 3) == 1", "T"); /* ^ before | */
	EV(NULL, "(4 | 1 & 2) == 4", "T"); /* & before | */
	EV(NULL, "1 || 0 && 0", "T");	   /* && before || */
	EV(NULL, "(1 || 0) && 0", "F");
	EV(NULL, "0 ? 1 : 0 ? 1 : 2", "T"); /* right to left */
	EV(NULL, "(1 ? 0 : 1 ? 1 : 1) == 0", "T");
	EV(NULL, "1 ? 0 ? 3 : 4 : 5", "T");
	EV(NULL, "-2 * -2 == 4", "T");
	EV(NULL, "!1 + 1 == 1", "T");
	EV(NULL, "- - 1 == 1", "T");
	EV(NULL, "~-1 == 0", "T");
}

static void test_eval_three_valued(void **state)
{
	const char *const defs[] = {"ONE=1", "ZERO=0", "-NO", NULL};
	struct pp_env *env = env_of(defs);

	EV(env, "X", "M:X");
	EV(env, "0 && X", "F");
	EV(env, "X && 0", "F");
	EV(env, "1 || X", "T");
	EV(env, "X || 1", "T");
	EV(env, "X && Y", "M:X and Y");
	EV(env, "X || Y || Z", "M:X, Y and Z");
	EV(env, "X || 0", "M:X");
	EV(env, "1 && X", "M:X");
	EV(env, "ZERO && X", "F");
	EV(env, "NO && X", "F");
	EV(env, "ONE || X", "T");
	EV(env, "(X || Y) && 0", "F");
	EV(env, "A && (X && ZERO) || B", "M:B");
	EV(env, "X ? 1 : 1", "T");
	EV(env, "X ? 1 : 2", "M:X");
	EV(env, "X ? Y : 1", "M:X and Y");
	EV(env, "1 ? Y : X", "M:Y");
	EV(env, "0 ? Y : X", "M:X");
	EV(env, "X + 1 > 0", "M:X");
	EV(env, "-X", "M:X");
	EV(env, "!X", "M:X");
	EV(env, "X == X", "M:X");
	EV(env, "defined(X) && defined Y", "M:X and Y");
	EV(env, "defined X || !defined(X)", "M:X");
	EV(env, "A1 || A2 || A3 || A4 || A5 || A6 || A7 || A8 || A9",
	   "M:A1, A2, A3, A4, A5, A6, A7, A8, ...");
	/* cpp evaluates no operand it skips: no error there */
	EV(env, "0 && 1 / 0", "F");
	EV(env, "1 || 1 / 0", "T");
	EV(env, "1 ? 2 : 1 / 0", "T");
	EV(env, "0 ? 1 << 64 : 0", "F");
	EV(env, "0 && 0x7fffffffffffffff + 1", "F");
	EV(env, "X && 1 / 0", "E:division by zero");
	EV(env, "X / 0", "E:division by zero");
	pp_env_free(env);
}

static void test_eval_defined(void **state)
{
	const char *const defs[] = {"D", "V=0", "-U", NULL};
	struct pp_env *env = env_of(defs);

	EV(env, "defined D", "T");
	EV(env, "defined(D)", "T");
	EV(env, "defined ( D )", "T");
	EV(env, "defined V", "T");
	EV(env, "defined U", "F");
	EV(env, "defined(U)", "F");
	EV(env, "defined Q", "M:Q");
	EV(env, "!defined(Q)", "M:Q");
	EV(env, "defined", "E:missing macro name after 'defined'");
	EV(env, "defined(", "E:missing macro name after 'defined'");
	EV(env, "defined 3", "E:missing macro name after 'defined'");
	EV(env, "defined(D", "E:missing ')' after 'defined'");
	EV(env, "defined(D D)", "E:missing ')' after 'defined'");
	/* a defined macro's name after defined is not expanded */
	EV(env, "defined V && !V", "T");
	pp_env_free(env);
}

static void test_eval_macros(void **state)
{
	const char *const defs[] = {
		"A=B",	 "B=2",	 "S=S",	  "M1=M2",	    "M2=M1",  "W=A + 1", "E",
		"U1=1u", "N=-5", "P=(Q)", "DEF=defined(A)", "CALL=F", NULL,
	};
	struct pp_env *env = env_of(defs);
	struct mcuprov_err err;
	char name[16], value[16];
	int i;

	EV(env, "A == 2", "T");
	EV(env, "B == 2", "T");
	EV(env, "S", "F"); /* inside its own expansion: an identifier, 0 */
	EV(env, "S == 0", "T");
	EV(env, "M1 == 0 && M2 == 0", "T");
	EV(env, "W * 2 == 4", "T"); /* textual: 2 + 1 * 2 */
	EV(env, "(W) * 2 == 6", "T");
	EV(env, "N < 0 && -N == 5", "T");
	EV(env, "U1 - 2 > 0", "T");
	EV(env, "P", "M:Q");
	EV(env, "DEF", "T");
	EV(env, "E", "E:unexpected end of expression");
	EV(env, "E == 1", "E:unexpected '=='");
	EV(env, "E 1", "T");
	EV(env, "CALL(1)", "M:F");
	/* a chain of 70: deeper than 64 */
	for (i = 0; i < 70; i++) {
		snprintf(name, sizeof(name), "C%d", i);
		snprintf(value, sizeof(value), "C%d", i + 1);
		assert_int_equal(pp_env_define(env, name, value, NULL, &err), 0);
	}
	EV(env, "C0", "E:macro expansion nested too deep");
	EV(env, "C10", "M:C70");
	assert_int_equal(pp_env_undef(env, "C70", NULL, &err), 0);
	EV(env, "C10", "F");
	pp_env_free(env);
}

static void test_eval_calls(void **state)
{
	const char *const defs[] = {"-G", "CONFIG_X=1", NULL};
	struct pp_env *env = env_of(defs);

	EV(env, "IS_ENABLED(CONFIG_X)", "M:IS_ENABLED");
	EV(env, "IS_ENABLED ( CONFIG_X ) && CONFIG_X", "M:IS_ENABLED");
	EV(env, "__has_include(<a/b.h>) || 1", "T");
	EV(env, "F((1, 2), (3)) == 1", "M:F");
	EV(env, "F(1", "E:unterminated argument list of 'F'");
	EV(env, "G(1)", "E:missing operator before '('");
	pp_env_free(env);
}

static void test_eval_errors(void **state)
{
	char deep[300];
	char longname[200];

	EV(NULL, "", "E:missing expression");
	EV(NULL, "  /* nothing */ ", "E:missing expression");
	EV(NULL, "1 +", "E:unexpected end of expression");
	EV(NULL, "(1", "E:missing ')'");
	EV(NULL, "1)", "E:unexpected ')'");
	EV(NULL, "1 2", "E:missing operator before '2'");
	EV(NULL, "1 = 1", "E:missing operator before '='");
	EV(NULL, "1 ? 2", "E:missing ':' after '?'");
	EV(NULL, "1 , 2", "E:missing operator before ','");
	EV(NULL, "* 1", "E:unexpected '*'");
	EV(NULL, "1 + @", "E:unexpected '@'");
	EV(NULL, "++1", "E:unexpected '++'"); /* a token of its own, as in cpp */
	EV(NULL, "1 --1", "E:missing operator before '--'");
	EV(NULL, "1 + \x01", "E:unexpected '?'");
	EV(NULL, "1 / 0", "E:division by zero");
	EV(NULL, "1 % 0", "E:division by zero");
	EV(NULL, "1u / 0", "E:division by zero");
	EV(NULL, "-9223372036854775807 - 2", "E:integer overflow");
	EV(NULL, "0x7fffffffffffffff + 1", "E:integer overflow");
	EV(NULL, "9223372036854775807 * 2", "E:integer overflow");
	EV(NULL, "(-9223372036854775807 - 1) / -1", "E:integer overflow");
	EV(NULL, "(-9223372036854775807 - 1) % -1", "E:integer overflow");
	EV(NULL, "-(-9223372036854775807 - 1)", "E:integer overflow");
	EV(NULL, "1 << 63", "E:integer overflow");
	EV(NULL, "1 << 64", "E:shift count out of range");
	EV(NULL, "1u << 64", "E:shift count out of range");
	EV(NULL, "1 >> 64", "E:shift count out of range");
	EV(NULL, "1 << -1", "E:shift count out of range");
	EV(NULL, "1 >> 0xffffffffffffffff", "E:shift count out of range");
	EV(NULL, "0xffffffffffffffff + 1 == 0", "T"); /* unsigned wraps */
	EV(NULL, "0 - 0x8000000000000000 == 0x8000000000000000", "T");
	/* 64 levels are fine, 65 are not */
	memset(deep, '(', 64);
	strcpy(deep + 64, "1");
	memset(deep + 65, ')', 64);
	deep[129] = '\0';
	EV(NULL, deep, "T");
	memset(deep, '(', 65);
	strcpy(deep + 65, "1");
	memset(deep + 66, ')', 65);
	deep[131] = '\0';
	EV(NULL, deep, "E:expression nested too deep");
	memset(deep, '!', 65);
	strcpy(deep + 65, "0");
	EV(NULL, deep, "E:expression nested too deep");
	memset(deep, '~', 200);
	strcpy(deep + 200, "1");
	EV(NULL, deep, "E:expression nested too deep");
	memset(longname, 'L', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EV(NULL, longname, "E:name 'LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL...' is too long");
}

static void test_eval_comments(void **state)
{
	const char *const defs[] = {"A=1", NULL};
	struct pp_env *env = env_of(defs);
	struct pp_names n;
	struct mcuprov_err err;
	enum pp_truth t;

	EV(env, "1 /* || */ && 0", "F");
	EV(env, "0 /* multi\nline */ || A", "T");
	EV(env, "1 // && 0", "T");
	EV(env, "defined(A) \\\n && 0", "F");
	EV(env, "defined(A) \\\r\n && A", "T");
	EV(env, "A\\\n0 == 0", "M:A0"); /* a backslash-newline joins the name */
	EV(env, "1 /* unterminated", "T");
	EV(env, "1/**/+/**/1 == 2", "T");
	EV(env, "\t1\r", "T");
	/* LEN bounds the expression: nothing after it is read */
	pp_names_clear(&n);
	assert_int_equal(pp_eval(env, "1 || 0 garbage", 6, &t, &n, &err), 0);
	assert_int_equal(t, PP_TRUE);
	assert_int_equal(pp_eval(env, "A(", 1, &t, &n, &err), 0);
	assert_int_equal(t, PP_TRUE);
	/* unknown may be NULL */
	assert_int_equal(pp_eval(env, "Z", 1, &t, NULL, &err), 0);
	assert_int_equal(t, PP_MAYBE);
	pp_env_free(env);
}

/* ---- the environment ---- */

static void test_env_functions(void **state)
{
	struct pp_env *env, *dup;
	struct mcuprov_err err;
	char longname[PP_NAME_MAX + 1], longvalue[PP_VALUE_MAX + 1];

	assert_int_equal(pp_env_new(&env, &err), 0);
	assert_string_equal(get(env, "X"), "?X");
	assert_int_equal(pp_env_define(env, "X", "2", "a", &err), 0);
	assert_string_equal(get(env, "X"), "X=2@a");
	assert_int_equal(pp_env_define(env, "X", NULL, NULL, &err), 0);
	assert_string_equal(get(env, "X"), "X=@");
	assert_int_equal(pp_env_define(env, "X", "  1 /* c */ +\t2 ", "b", &err), 0);
	assert_string_equal(get(env, "X"), "X=1 + 2@b");
	assert_int_equal(pp_env_undef(env, "X", "c", &err), 0);
	assert_string_equal(get(env, "X"), "-X@c");
	assert_int_equal(pp_env_forget(env, "X"), 0);
	assert_string_equal(get(env, "X"), "?X");
	assert_int_equal(pp_env_forget(env, "NEVER"), 0);
	assert_int_equal(pp_env_forget(env, "1X"), MCUPROV_ERR_USAGE);

	/* a default never overrides */
	assert_int_equal(pp_env_default_define(env, "X", "5", "key", &err), 0);
	assert_string_equal(get(env, "X"), "X=5@key");
	assert_int_equal(pp_env_default_define(env, "X", "6", "key", &err), 0);
	assert_int_equal(pp_env_default_undef(env, "X", "key", &err), 0);
	assert_string_equal(get(env, "X"), "X=5@key");
	assert_int_equal(pp_env_default_undef(env, "Y", "key", &err), 0);
	assert_int_equal(pp_env_default_define(env, "Y", "1", "key", &err), 0);
	assert_string_equal(get(env, "Y"), "-Y@key");

	/* -D and -U */
	assert_int_equal(pp_env_define_arg(env, "D1", "-D", &err), 0);
	assert_string_equal(get(env, "D1"), "D1=1@-D");
	assert_int_equal(pp_env_define_arg(env, "D2=", "-D", &err), 0);
	assert_string_equal(get(env, "D2"), "D2=@-D");
	assert_int_equal(pp_env_define_arg(env, "D3=a=b", "-D", &err), 0);
	assert_string_equal(get(env, "D3"), "D3=a=b@-D");
	assert_int_equal(pp_env_undef_arg(env, "D1", "-U", &err), 0);
	assert_string_equal(get(env, "D1"), "-D1@-U");
	assert_int_equal(pp_env_define_arg(env, "1X=2", "-D", &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "'1X' is not a macro name");
	assert_int_equal(pp_env_define_arg(env, "", "-D", &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "'' is not a macro name");
	assert_int_equal(pp_env_define_arg(env, "=1", "-D", &err), MCUPROV_ERR_USAGE);
	assert_int_equal(pp_env_define_arg(env, "A-B", "-D", &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "'A-B' is not a macro name");
	assert_int_equal(pp_env_undef_arg(env, "X=1", "-U", &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "'X=1' is not a macro name");
	assert_int_equal(pp_env_define(env, "a b", "1", NULL, &err), MCUPROV_ERR_USAGE);
	assert_int_equal(pp_env_undef(env, "", NULL, &err), MCUPROV_ERR_USAGE);
	memset(longname, 'N', PP_NAME_MAX);
	longname[PP_NAME_MAX] = '\0';
	assert_int_equal(pp_env_define(env, longname, "1", NULL, &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg,
			    "macro name 'NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN...' is too long");
	assert_int_equal(pp_env_define_arg(env, longname, NULL, &err), MCUPROV_ERR_USAGE);
	longname[PP_NAME_MAX - 1] = '\0'; /* the longest kept */
	assert_int_equal(pp_env_define(env, longname, "1", NULL, &err), 0);
	memset(longvalue, '1', PP_VALUE_MAX);
	longvalue[PP_VALUE_MAX] = '\0';
	assert_int_equal(pp_env_define(env, "V", longvalue, NULL, &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "the value of V is too long");
	longvalue[PP_VALUE_MAX - 1] = '\0';
	assert_int_equal(pp_env_define(env, "V", longvalue, NULL, &err), 0);

	/* pp_env_get() takes a length; its pointers may be NULL */
	assert_int_equal(pp_env_get(env, "XYZ", 1, NULL, NULL), PP_DEF);
	assert_int_equal(pp_env_get(env, "D2=", 2, NULL, NULL), PP_DEF);

	/* a copy is independent */
	dup = pp_env_dup(env);
	assert_non_null(dup);
	assert_int_equal(pp_env_define(dup, "X", "9", "dup", &err), 0);
	assert_string_equal(get(env, "X"), "X=5@key");
	assert_string_equal(get(dup, "X"), "X=9@dup");
	assert_string_equal(get(dup, "D3"), "D3=a=b@-D");
	pp_env_free(dup);
	pp_env_free(env);
}

static void test_env_many(void **state)
{
	struct pp_env *env;
	struct mcuprov_err err;
	char name[32], want[64];
	int i;

	/* enough to grow the table and the hash a few times */
	assert_int_equal(pp_env_new(&env, &err), 0);
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "M%d", i);
		snprintf(want, sizeof(want), "%d", i * 7);
		assert_int_equal(pp_env_define(env, name, want, NULL, &err), 0);
	}
	for (i = 0; i < 3000; i += 7) {
		snprintf(name, sizeof(name), "M%d", i);
		snprintf(want, sizeof(want), "M%d=%d@", i, i * 7);
		assert_string_equal(get(env, name), want);
	}
	EV(env, "M2999 == 20993 && M0 == 0", "T");
	pp_env_free(env);
}

static void test_describe(void **state)
{
	struct pp_env *env;
	struct mcuprov_err err;

	assert_int_equal(pp_env_new(&env, &err), 0);
	assert_string_equal(describe(env), "");
	assert_int_equal(pp_env_define(env, "MCUBOOT_SIGN_EC256", "", "from the key type", &err),
			 0);
	assert_int_equal(pp_env_undef(env, "MCUBOOT_SIGN_RSA", "from the key type", &err), 0);
	assert_int_equal(pp_env_undef(env, "MCUBOOT_SIGN_ED25519", "from the key type", &err), 0);
	assert_int_equal(pp_env_define(env, "MCUBOOT_SIGN_RSA_LEN", "2048", "-D", &err), 0);
	assert_int_equal(pp_env_define(env, "ONE", "1", "-D", &err), 0);
	assert_int_equal(pp_env_define(env, "BARE", "", "", &err), 0);
	assert_int_equal(pp_env_undef(env, "GONE", NULL, &err), 0);
	assert_string_equal(describe(env), "");

	EV(env, "defined(MCUBOOT_SIGN_EC256)", "T");
	EV(env, "defined(MCUBOOT_SIGN_RSA)", "F");
	EV(env, "X", "M:X"); /* unknown: not listed */
	assert_string_equal(describe(env), "MCUBOOT_SIGN_EC256 (from the key type); "
					   "MCUBOOT_SIGN_RSA undefined (from the key type)");

	EV(env, "MCUBOOT_SIGN_RSA_LEN == 2048 && defined MCUBOOT_SIGN_ED25519", "F");
	EV(env, "ONE && !GONE && defined BARE && defined(MCUBOOT_SIGN_EC256)", "T");
	assert_string_equal(describe(env),
			    "MCUBOOT_SIGN_EC256 (from the key type); "
			    "MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_ED25519 undefined (from the key type); "
			    "MCUBOOT_SIGN_RSA_LEN=2048, ONE=1 (-D); BARE; GONE undefined");

	/* a skipped operand marks nothing */
	pp_env_clear_used(env);
	assert_string_equal(describe(env), "");
	EV(env, "0 && ONE", "F");
	EV(env, "1 || ONE", "T");
	assert_string_equal(describe(env), "");
	EV(env, "!GONE", "T");
	assert_string_equal(describe(env), "GONE undefined");
	/* a forgotten one is no longer listed */
	assert_int_equal(pp_env_forget(env, "GONE"), 0);
	assert_string_equal(describe(env), "");
	pp_env_free(env);
}

/* ---- the tracker ---- */

/* MCUboot simulator's keys.c, in shape */
static const char sim_keys[] = "#if !defined(MCUBOOT_HW_KEY)\n"
			       "#if defined(MCUBOOT_SIGN_RSA)\n"
			       "#if MCUBOOT_SIGN_RSA_LEN == 2048\n"
			       "rsa2048\n"
			       "#define HAVE_KEYS\n"
			       "#elif MCUBOOT_SIGN_RSA_LEN == 3072\n"
			       "rsa3072\n"
			       "#define HAVE_KEYS\n"
			       "#endif\n"
			       "#elif defined(MCUBOOT_SIGN_EC256) || \\\n"
			       "      defined(MCUBOOT_SIGN_EC384)\n"
			       "#ifndef MCUBOOT_SIGN_EC384\n"
			       "ec256\n"
			       "#else\n"
			       "ec384\n"
			       "#endif\n"
			       "#define HAVE_KEYS\n"
			       "#elif defined(MCUBOOT_SIGN_ED25519)\n"
			       "ed25519\n"
			       "#define HAVE_KEYS\n"
			       "#endif\n"
			       "#if defined(HAVE_KEYS)\n"
			       "table\n"
			       "#endif\n"
			       "#else\n"
			       "hwkey\n"
			       "#endif\n"
			       "after\n";

static void test_track_sim_keys(void **state)
{
	const char *const ec[] = {"MCUBOOT_SIGN_EC256", "-MCUBOOT_SIGN_RSA", "-MCUBOOT_SIGN_EC384",
				  "-MCUBOOT_SIGN_ED25519", NULL};
	const char *const rsa[] = {"MCUBOOT_SIGN_RSA", "MCUBOOT_SIGN_RSA_LEN=3072",
				   "-MCUBOOT_HW_KEY", NULL};
	const char *const ed_hw[] = {"-MCUBOOT_SIGN_RSA",   "-MCUBOOT_SIGN_EC256",
				     "-MCUBOOT_SIGN_EC384", "MCUBOOT_SIGN_ED25519",
				     "MCUBOOT_HW_KEY",	    NULL};
	struct pp_env *env;

	env = env_of(ec);
	assert_string_equal(track(env, sim_keys),
			    "rsa2048:F rsa3072:F ec256:M[MCUBOOT_HW_KEY] ec384:F ed25519:F "
			    "table:M[MCUBOOT_HW_KEY] hwkey:M[MCUBOOT_HW_KEY] after:T");
	/* HAVE_KEYS was defined in a MAYBE region: unknown, for its reasons */
	assert_string_equal(get(env, "HAVE_KEYS"), "?HAVE_KEYS");
	EV(env, "defined HAVE_KEYS", "M:MCUBOOT_HW_KEY");
	pp_env_free(env);

	env = env_of(rsa);
	assert_string_equal(track(env, sim_keys), "rsa2048:F rsa3072:T ec256:F ec384:F ed25519:F "
						  "table:T hwkey:F after:T");
	assert_string_equal(get(env, "HAVE_KEYS"), "HAVE_KEYS=@line 8");
	pp_env_free(env);

	env = env_of(ed_hw);
	assert_string_equal(track(env, sim_keys), "rsa2048:F rsa3072:F ec256:F ec384:F ed25519:F "
						  "table:F hwkey:T after:T");
	assert_string_equal(get(env, "HAVE_KEYS"), "?HAVE_KEYS");
	pp_env_free(env);

	/* nothing known: every region MAYBE, with the names that decide it */
	env = env_of(NULL);
	assert_string_equal(
		track(env, sim_keys),
		"rsa2048:M[MCUBOOT_HW_KEY, MCUBOOT_SIGN_RSA and MCUBOOT_SIGN_RSA_LEN] "
		"rsa3072:M[MCUBOOT_HW_KEY, MCUBOOT_SIGN_RSA and MCUBOOT_SIGN_RSA_LEN] "
		"ec256:M[MCUBOOT_HW_KEY, MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_EC256 and "
		"MCUBOOT_SIGN_EC384] "
		"ec384:M[MCUBOOT_HW_KEY, MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_EC256 and "
		"MCUBOOT_SIGN_EC384] "
		"ed25519:M[MCUBOOT_HW_KEY, MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_EC256, "
		"MCUBOOT_SIGN_EC384 and MCUBOOT_SIGN_ED25519] "
		"table:M[MCUBOOT_HW_KEY, MCUBOOT_SIGN_RSA, MCUBOOT_SIGN_EC256, MCUBOOT_SIGN_EC384, "
		"MCUBOOT_SIGN_ED25519 and MCUBOOT_SIGN_RSA_LEN] "
		"hwkey:M[MCUBOOT_HW_KEY] after:T");
	pp_env_free(env);
}

static void test_track_tfm(void **state)
{
	static const char text[] = "#if (MCUBOOT_IMAGE_NUMBER > 1)\n"
				   "multi\n"
				   "#if MCUBOOT_SIGN_RSA_LEN == 3072\n"
				   "rsa3072\n"
				   "#else\n"
				   "rsa2048\n"
				   "#endif\n"
				   "#endif\n";
	const char *const two[] = {"MCUBOOT_IMAGE_NUMBER=2", "MCUBOOT_SIGN_RSA_LEN=2048", NULL};
	const char *const one[] = {"MCUBOOT_IMAGE_NUMBER=1", NULL};
	const char *const len[] = {"MCUBOOT_SIGN_RSA_LEN=3072", NULL};
	struct pp_env *env;

	env = env_of(two);
	assert_string_equal(track(env, text), "multi:T rsa3072:F rsa2048:T");
	pp_env_free(env);
	env = env_of(one);
	assert_string_equal(track(env, text), "multi:F rsa3072:F rsa2048:F");
	pp_env_free(env);
	env = env_of(len);
	assert_string_equal(track(env, text),
			    "multi:M[MCUBOOT_IMAGE_NUMBER] rsa3072:M[MCUBOOT_IMAGE_NUMBER] "
			    "rsa2048:F");
	pp_env_free(env);
}

static void test_track_branches(void **state)
{
	const char *const defs[] = {"ONE=1", "-NO", NULL};
	struct pp_env *env = env_of(defs);

	/* once a branch is taken the later ones are dead, unevaluated */
	assert_string_equal(track(env, "#if ONE\na\n#elif 1/0\nb\n#else\nc\n#endif\n"),
			    "a:T b:F c:F");
	assert_string_equal(track(env, "#if NO\na\n#elif ONE\nb\n#elif ONE\nc\n#else\nd\n#endif"),
			    "a:F b:T c:F d:F");
	assert_string_equal(track(env, "#if 0\na\n#elif 0\nb\n#else\nc\n#endif"), "a:F b:F c:T");
	/* after a MAYBE branch the later ones are at best MAYBE */
	assert_string_equal(track(env, "#if X\na\n#elif Y\nb\n#elif 1\nc\n#elif 0\nd\n#else\ne\n"
				       "#endif"),
			    "a:M[X] b:M[X and Y] c:M[X and Y] d:F e:F");
	assert_string_equal(track(env, "#if X\na\n#elif ONE\nb\n#else\nc\n#endif"),
			    "a:M[X] b:M[X] c:F");
	assert_string_equal(track(env, "#ifdef X\na\n#else\nb\n#endif"), "a:M[X] b:M[X]");
	/* inside a dead region everything is dead, nothing evaluated */
	assert_string_equal(track(env, "#if 0\n#if 1 +\na\n#elif (\nb\n#else\nc\n#endif\n"
				       "#ifdef\n#endif\nd\n#else\ne\n#endif"),
			    "a:F b:F c:F d:F e:T");
	/* inside a MAYBE region a TRUE branch is MAYBE with the outer names */
	assert_string_equal(track(env, "#if X\n#if ONE\na\n#else\nb\n#endif\n#if Y\nc\n#endif\n"
				       "#endif"),
			    "a:M[X] b:F c:M[X and Y]");
	/* #ifdef, #ifndef, #elifdef, #elifndef */
	assert_string_equal(track(env, "#ifdef ONE\na\n#endif\n#ifndef ONE\nb\n#endif\n"
				       "#ifdef NO\nc\n#elifdef ONE\nd\n#endif\n"
				       "#ifdef NO\ne\n#elifndef NO\nf\n#endif\n"
				       "#ifndef Q\ng\n#elifndef ONE\nh\n#endif"),
			    "a:T b:F c:F d:T e:F f:T g:M[Q] h:F");
	/* #ifdef takes the name only */
	assert_string_equal(track(env, "#ifdef ONE junk\na\n#endif"), "a:T");
	pp_env_free(env);
}

static void test_track_depth(void **state)
{
	struct pp_tracker *t;
	struct mcuprov_err err;
	struct pp_env *env = env_of(NULL);
	char text[2048];
	size_t i, o = 0;

	assert_int_equal(pp_tracker_new(env, &t, &err), 0);
	assert_int_equal(pp_tracker_depth(t), 0);
	assert_int_equal(pp_tracker_live(t, NULL), PP_TRUE);
	assert_int_equal(pp_tracker_line(t, "#if 1", 5, 1, &err), 0);
	assert_int_equal(pp_tracker_line(t, "#if 0", 5, 2, &err), 0);
	assert_int_equal(pp_tracker_depth(t), 2);
	assert_int_equal(pp_tracker_live(t, NULL), PP_FALSE);
	assert_int_equal(pp_tracker_line(t, "#endif", 6, 3, &err), 0);
	assert_int_equal(pp_tracker_depth(t), 1);
	assert_int_equal(pp_tracker_line(t, "#include <x.h>", 14, 4, &err), 0);
	assert_int_equal(pp_tracker_line(t, "int x;", 6, 5, &err), 0);
	assert_int_equal(pp_tracker_line(t, "#", 1, 6, &err), 0);
	assert_int_equal(pp_tracker_line(t, "#error \"no\"", 11, 7, &err), 0);
	assert_int_equal(pp_tracker_live(t, NULL), PP_TRUE);
	assert_int_equal(pp_tracker_finish(t, &err), MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg, "line 1: #if without #endif");
	pp_tracker_free(t);

	/* 64 levels are fine, the 65th is not */
	for (i = 0; i < 64; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "#if 1\n");
	o += (size_t)snprintf(text + o, sizeof(text) - o, "x\n");
	for (i = 0; i < 64; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "#endif\n");
	assert_string_equal(track(env, text), "x:T");
	snprintf(text, sizeof(text), "%s", "#if 0\n");
	for (o = strlen(text), i = 0; i < 64; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "#ifdef X\n");
	assert_string_equal(track(env, text), "E:line 65: #if nested deeper than 64");
	pp_env_free(env);
}

static void test_track_errors(void **state)
{
	struct pp_env *env = env_of(NULL);
	char text[PP_NAME_MAX + 32];

	assert_string_equal(track(env, "x\n#else\n"), "E:line 2: #else without #if");
	assert_string_equal(track(env, "#elif 1\n"), "E:line 1: #elif without #if");
	assert_string_equal(track(env, "#elifdef X\n"), "E:line 1: #elifdef without #if");
	assert_string_equal(track(env, "#endif\n"), "E:line 1: #endif without #if");
	assert_string_equal(track(env, "#if 1\n#endif\n#endif\n"), "E:line 3: #endif without #if");
	assert_string_equal(track(env, "#if 1\n#else\n#elif 1\n#endif\n"),
			    "E:line 3: #elif after #else");
	assert_string_equal(track(env, "#if 0\n#else\n#else\n#endif\n"),
			    "E:line 3: #else after #else");
	/* even in a dead region */
	assert_string_equal(track(env, "#if 0\n#if 1\n#else\n#elifndef X\n#endif\n#endif\n"),
			    "E:line 4: #elifndef after #else");
	assert_string_equal(track(env, "#if 1\n#if 0\n#endif\n"), "E:line 1: #if without #endif");
	assert_string_equal(track(env, "#if 1\n#endif\n#ifdef A\n#if B\n"),
			    "E:line 4: #if without #endif");
	assert_string_equal(track(env, "#ifdef\n#endif\n"),
			    "E:line 1: #ifdef without a macro name");
	assert_string_equal(track(env, "#ifndef 3\n#endif\n"),
			    "E:line 1: #ifndef without a macro name");
	assert_string_equal(track(env, "#if 0\n#elifdef (\n#endif\n"),
			    "E:line 2: #elifdef without a macro name");
	assert_string_equal(track(env, "#if 1 +\n#endif\n"),
			    "E:line 1: #if: unexpected end of expression");
	assert_string_equal(track(env, "#if\n#endif\n"), "E:line 1: #if: missing expression");
	assert_string_equal(track(env, "#if 0\n#elif (1\n#endif\n"),
			    "E:line 2: #elif: missing ')'");
	assert_string_equal(track(env, "#if X\n#elif 1/0\n#endif\n"),
			    "E:line 2: #elif: division by zero");
	snprintf(text, sizeof(text), "#ifdef N%0*d\n#endif\n", PP_NAME_MAX, 0);
	assert_string_equal(track(env, text), "E:line 1: #ifdef: name too long");
	snprintf(text, sizeof(text), "#define N%0*d 1\n", PP_NAME_MAX, 0);
	assert_string_equal(track(env, text), "E:line 1: macro name too long");
	snprintf(text, sizeof(text), "#undef N%0*d\n", PP_NAME_MAX, 0);
	assert_string_equal(track(env, text), "E:line 1: macro name too long");
	assert_string_equal(track(env, "#define\n"), "E:line 1: #define without a macro name");
	assert_string_equal(track(env, "#define 1X 2\n"), "E:line 1: #define without a macro name");
	assert_string_equal(track(env, "#undef \"x\"\n"), "E:line 1: #undef without a macro name");
	pp_env_free(env);
}

static void test_track_define(void **state)
{
	const char *const defs[] = {"K=1", "-U", NULL};
	struct pp_env *env = env_of(defs);

	/* live: the macro, with the line as origin */
	assert_string_equal(track(env, "#define X 5\n#if X == 5\na\n#endif\n"
				       "#undef X\n#if defined(X)\nb\n#endif\n"),
			    "a:T b:F");
	assert_string_equal(get(env, "X"), "-X@line 5");
	/* dead: nothing */
	assert_string_equal(track(env, "#if 0\n#define X 1\n#undef K\n#endif\n"), "");
	assert_string_equal(get(env, "X"), "-X@line 5");
	assert_string_equal(get(env, "K"), "K=1@t");
	/* MAYBE: unknown, and a later use reports the region's names */
	assert_string_equal(track(env, "#if defined(A) && B\n#define X 2\n#undef K\n#endif\n"
				       "#if X\nx\n#endif\n#ifdef K\nk\n#endif\n"),
			    "x:M[A and B] k:M[A and B]");
	assert_string_equal(get(env, "X"), "?X");
	EV(env, "X || Q", "M:A, B and Q");
	/* ... merged with what doubt it had */
	assert_string_equal(track(env, "#if C\n#define X 3\n#endif\n#if X\nx\n#endif\n"),
			    "x:M[C, A and B]");
	/* the same definition again, or an undefined one undefined: no change */
	pp_env_free(env);
	env = env_of(defs);
	assert_string_equal(track(env, "#if Z\n#define K 1\n#undef U\n#endif\n"
				       "#if K\nk\n#endif\n#ifdef U\nu\n#endif\n"),
			    "k:T u:F");
	assert_string_equal(
		track(env, "#if Z\n#define K  /* c */ 1 // d\n#endif\n#if K\nk\n#endif\n"), "k:T");
	assert_string_equal(track(env, "#if Z\n#define K 2\n#endif\n#if K\nk\n#endif\n"), "k:M[Z]");
	/* a function-like macro: defined; a call of it MAYBE; alone 0 */
	assert_string_equal(track(env, "#define F(x, y) ((x) + (y))\n#if defined(F)\na\n#endif\n"
				       "#if F(1, 2)\nb\n#endif\n#if F\nc\n#endif\n"),
			    "a:T b:M[F] c:F");
	assert_string_equal(get(env, "F"), "F=((x) + (y))@line 1");
	/* values: comments, continuations, spaces */
	assert_string_equal(track(env, "#  define  V1  1 +  /* x */ 2 // y\n"
				       "#define V2 \\\n  3\n#define V3\n"),
			    "");
	assert_string_equal(get(env, "V1"), "V1=1 + 2@line 1");
	assert_string_equal(get(env, "V2"), "V2=3@line 2");
	assert_string_equal(get(env, "V3"), "V3=@line 4");
	pp_env_free(env);
}

static void test_track_text(void **state)
{
	const char *const defs[] = {"A=1", "B=0", NULL};
	struct pp_env *env = env_of(defs);
	char longdef[PP_VALUE_MAX + 32];
	struct pp_tracker *t;
	struct mcuprov_err err;

	/* comments and continuations (LF and CRLF) in directive lines */
	assert_string_equal(track(env, "#  if /* c */ defined(A) // x\na\n#endif\n"), "a:T");
	assert_string_equal(track(env, "#if A \\\r\n && B\na\n#endif\n"), "a:F");
	assert_string_equal(track(env, "# /* c */ ifdef A\na\n#endif /* A */\n"), "a:T");
	assert_string_equal(track(env, "  #\tifndef B\na\n# endif\n"), "a:F");
	assert_string_equal(track(env, "#if(A)\na\n#endif\n"), "a:T");
	/* a block comment may span lines: it is one space */
	assert_int_equal(pp_tracker_new(env, &t, &err), 0);
	assert_int_equal(pp_tracker_line(t, "#if A /* multi\nline */ && 0", 27, 1, &err), 0);
	assert_int_equal(pp_tracker_live(t, NULL), PP_FALSE);
	pp_tracker_free(t);
	/* a too long value is kept unknown, not cut */
	snprintf(longdef, sizeof(longdef), "#define LONG %0*d\n", PP_VALUE_MAX, 7);
	assert_string_equal(track(env, longdef), "");
	assert_string_equal(get(env, "LONG"), "?LONG");
	EV(env, "LONG", "M:LONG");
	pp_env_free(env);
}

static void test_directive(void **state)
{
	size_t s, e, r;

	assert_true(pp_directive("#define X 1", 11, &s, &e, &r));
	assert_int_equal(s, 1);
	assert_int_equal(e, 7);
	assert_int_equal(r, 7);
	assert_true(pp_directive("  #  include <a.h>", 18, &s, &e, &r));
	assert_int_equal(s, 5);
	assert_int_equal(e, 12);
	assert_true(pp_directive("#/**/if(1)", 10, &s, &e, &r));
	assert_int_equal(s, 5);
	assert_int_equal(e, 7);
	assert_true(pp_directive("#\\\nerror", 8, &s, &e, &r));
	assert_int_equal(s, 3);
	assert_false(pp_directive("#", 1, &s, &e, &r));
	assert_false(pp_directive("#  ", 3, &s, &e, &r));
	assert_false(pp_directive("# 12 \"f.c\"", 10, &s, &e, &r));
	assert_false(pp_directive("x #if", 5, &s, &e, &r));
	assert_false(pp_directive("", 0, &s, &e, &r));
	assert_false(pp_directive("#define", 0, &s, &e, &r));
	assert_true(pp_directive("#define", 3, &s, &e, &r));
	assert_int_equal(e, 3);
}

/* ---- configuration files ---- */

static const char zephyr_cfg[] =
	"/* mcuboot_config.h, in shape */\n"
	"#ifndef __MCUBOOT_CONFIG_H__\n"
	"#define __MCUBOOT_CONFIG_H__\n"
	"#include <zephyr/devicetree.h>\n"
	"\n"
	"#ifdef CONFIG_BOOT_SIGNATURE_TYPE_RSA\n"
	"#define MCUBOOT_SIGN_RSA\n"
	"#  if (CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN != 2048 && \\\n"
	"       CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN != 3072)\n"
	"#    error \"Invalid RSA key size (must be 2048 or 3072)\"\n"
	"#  else\n"
	"#    define MCUBOOT_SIGN_RSA_LEN CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN\n"
	"#  endif\n"
	"#elif defined(CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256)\n"
	"#define MCUBOOT_SIGN_EC256\n"
	"#elif defined(CONFIG_BOOT_SIGNATURE_TYPE_ED25519)\n"
	"#define MCUBOOT_SIGN_ED25519\n"
	"#endif\n"
	"/* a comment that says\n"
	"#if it were code\n"
	"*/\n"
	"const char *s = \"/* not a comment\";\n"
	"#ifdef CONFIG_BOOT_HW_KEY // hw\n"
	"#define MCUBOOT_HW_KEY\n"
	"#endif\n"
	"#ifdef CONFIG_UPDATEABLE_IMAGE_NUMBER\n"
	"#define MCUBOOT_IMAGE_NUMBER    CONFIG_UPDATEABLE_IMAGE_NUMBER\n"
	"#else\n"
	"#define MCUBOOT_IMAGE_NUMBER    1\n"
	"#endif\n"
	"#endif /* __MCUBOOT_CONFIG_H__ */\n";

static void test_read_header(void **state)
{
	const char *const rsa[] = {"CONFIG_BOOT_SIGNATURE_TYPE_RSA=1",
				   "CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN=3072", "-CONFIG_BOOT_HW_KEY",
				   "CONFIG_UPDATEABLE_IMAGE_NUMBER=2", NULL};
	const char *const ec[] = {"-CONFIG_BOOT_SIGNATURE_TYPE_RSA",
				  "CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=1", "-CONFIG_BOOT_HW_KEY",
				  "-CONFIG_UPDATEABLE_IMAGE_NUMBER", NULL};
	const char *const bad_len[] = {"CONFIG_BOOT_SIGNATURE_TYPE_RSA=1",
				       "CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN=1024", NULL};
	struct pp_env *env;
	struct mcuprov_err err;
	char *crlf, *q;
	const char *p;

	env = env_of(rsa);
	assert_int_equal(pp_env_read_header(env, zephyr_cfg, strlen(zephyr_cfg), "cfg.h", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA"), "MCUBOOT_SIGN_RSA=@cfg.h:7");
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA_LEN"),
			    "MCUBOOT_SIGN_RSA_LEN=CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN@cfg.h:12");
	assert_string_equal(get(env, "MCUBOOT_SIGN_EC256"), "?MCUBOOT_SIGN_EC256");
	assert_string_equal(get(env, "MCUBOOT_HW_KEY"), "?MCUBOOT_HW_KEY");
	assert_string_equal(get(env, "MCUBOOT_IMAGE_NUMBER"),
			    "MCUBOOT_IMAGE_NUMBER=CONFIG_UPDATEABLE_IMAGE_NUMBER@cfg.h:27");
	/* the include guard was undefined when the header was read */
	assert_string_equal(get(env, "__MCUBOOT_CONFIG_H__"), "__MCUBOOT_CONFIG_H__=@cfg.h:3");
	assert_string_equal(get(env, "it"), "?it");
	EV(env, "MCUBOOT_SIGN_RSA_LEN == 3072 && MCUBOOT_IMAGE_NUMBER > 1", "T");
	pp_env_free(env);

	/* CRLF line ends */
	crlf = malloc(2 * sizeof(zephyr_cfg));
	assert_non_null(crlf);
	for (p = zephyr_cfg, q = crlf; *p; p++) {
		if (*p == '\n')
			*q++ = '\r';
		*q++ = *p;
	}
	env = env_of(ec);
	assert_int_equal(pp_env_read_header(env, crlf, (size_t)(q - crlf), "cfg.h", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_EC256"), "MCUBOOT_SIGN_EC256=@cfg.h:15");
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA"), "?MCUBOOT_SIGN_RSA");
	assert_string_equal(get(env, "MCUBOOT_IMAGE_NUMBER"), "MCUBOOT_IMAGE_NUMBER=1@cfg.h:29");
	pp_env_free(env);
	free(crlf);

	/* nothing known: MAYBE everywhere, the doubts say why */
	env = env_of(NULL);
	assert_int_equal(pp_env_read_header(env, zephyr_cfg, strlen(zephyr_cfg), "cfg.h", &err), 0);
	EV(env, "defined(MCUBOOT_SIGN_EC256)",
	   "M:CONFIG_BOOT_SIGNATURE_TYPE_RSA and "
	   "CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256");
	pp_env_free(env);

	/* #error is not ours to raise */
	env = env_of(bad_len);
	assert_int_equal(pp_env_read_header(env, zephyr_cfg, strlen(zephyr_cfg), "cfg.h", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA_LEN"), "?MCUBOOT_SIGN_RSA_LEN");
	pp_env_free(env);

	/* errors name the file and line */
	env = env_of(NULL);
	assert_int_equal(
		pp_env_read_header(env, "#if 1\n/*\n*/\n#else\n#else\n#endif\n", 30, "cfg.h", &err),
		MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg, "cfg.h:5: #else after #else");
	assert_int_equal(pp_env_read_header(env, "\n#ifdef A\n#if B \\\n+\n", 20, "cfg.h", &err),
			 MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg, "cfg.h:3: #if: unexpected end of expression");
	assert_int_equal(pp_env_read_header(env, "\n#ifdef A\n#if B\n", 16, "cfg.h", &err),
			 MCUPROV_ERR_FORMAT);
	assert_string_equal(err.msg, "cfg.h:3: #if without #endif");
	/* after a comment that starts the line, # still starts a directive */
	assert_int_equal(
		pp_env_read_header(env, "/* a\nb */ #define Y 1\nx #define Q\n", 32, "h", &err), 0);
	assert_string_equal(get(env, "Y"), "Y=1@h:2");
	assert_string_equal(get(env, "Q"), "?Q");
	assert_int_equal(pp_env_read_header(env, "#define Z 1", 11, NULL, &err), 0);
	assert_string_equal(get(env, "Z"), "Z=1@line 1");
	assert_int_equal(pp_env_read_header(env, "", 0, "e", &err), 0);
	pp_env_free(env);
}

static void test_read_kconfig(void **state)
{
	static const char conf[] = "# a comment\n"
				   "CONFIG_BOOT_SIGNATURE_TYPE_RSA=y\n"
				   "CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN=3072\n"
				   "# CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256 is not set\n"
				   "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"root \\\"rsa\\\".pem\" \n"
				   "CONFIG_BOOT_HW_KEY=n\n"
				   "CONFIG_UPDATEABLE_IMAGE_NUMBER=2\n"
				   "CONFIG_FOO = 0x10 # trailing\n"
				   "   \n"
				   "junk line\n"
				   "# CONFIG_BAR is not set, really\n"
				   "CONFIG_M=m\n"
				   "CONFIG_EMPTY=\n"
				   "#CONFIG_NOSPACE is not set\n"
				   "FOO=1\n";
	struct pp_env *env;
	struct mcuprov_err err;
	char *crlf, *q;
	const char *p;
	int pass;

	crlf = malloc(2 * sizeof(conf));
	assert_non_null(crlf);
	for (p = conf, q = crlf; *p; p++) {
		if (*p == '\n')
			*q++ = '\r';
		*q++ = *p;
	}
	for (pass = 0; pass < 2; pass++) {
		env = env_of(NULL);
		if (pass == 0)
			assert_int_equal(
				pp_env_read_kconfig(env, conf, strlen(conf), "prj.conf", &err), 0);
		else
			assert_int_equal(pp_env_read_kconfig(env, crlf, (size_t)(q - crlf),
							     "prj.conf", &err),
					 0);
		assert_string_equal(get(env, "CONFIG_BOOT_SIGNATURE_TYPE_RSA"),
				    "CONFIG_BOOT_SIGNATURE_TYPE_RSA=1@prj.conf:2");
		/* off by its line and by the choice's (RSA=y) */
		assert_string_equal(get(env, "CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256"),
				    "-CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256@prj.conf:2");
		assert_string_equal(
			get(env, "CONFIG_BOOT_SIGNATURE_KEY_FILE"),
			"CONFIG_BOOT_SIGNATURE_KEY_FILE=\"root \\\"rsa\\\".pem\"@prj.conf:5");
		assert_string_equal(get(env, "CONFIG_BOOT_HW_KEY"),
				    "-CONFIG_BOOT_HW_KEY@prj.conf:6");
		assert_string_equal(get(env, "CONFIG_FOO"), "CONFIG_FOO=0x10@prj.conf:8");
		assert_string_equal(get(env, "CONFIG_BAR"), "?CONFIG_BAR");
		assert_string_equal(get(env, "CONFIG_M"), "-CONFIG_M@prj.conf:12");
		assert_string_equal(get(env, "CONFIG_EMPTY"), "?CONFIG_EMPTY");
		assert_string_equal(get(env, "CONFIG_NOSPACE"), "-CONFIG_NOSPACE@prj.conf:14");
		assert_string_equal(get(env, "FOO"), "?FOO");
		/* what mcuboot_config.h makes of them */
		assert_string_equal(get(env, "MCUBOOT_SIGN_RSA"), "MCUBOOT_SIGN_RSA=@prj.conf:2");
		assert_string_equal(get(env, "MCUBOOT_SIGN_EC256"),
				    "-MCUBOOT_SIGN_EC256@prj.conf:2");
		assert_string_equal(get(env, "MCUBOOT_SIGN_EC384"),
				    "-MCUBOOT_SIGN_EC384@prj.conf:2");
		assert_string_equal(get(env, "MCUBOOT_SIGN_ED25519"),
				    "-MCUBOOT_SIGN_ED25519@prj.conf:2");
		assert_string_equal(get(env, "MCUBOOT_SIGN_RSA_LEN"),
				    "MCUBOOT_SIGN_RSA_LEN=3072@prj.conf:3");
		assert_string_equal(get(env, "MCUBOOT_HW_KEY"), "-MCUBOOT_HW_KEY@prj.conf:6");
		assert_string_equal(get(env, "MCUBOOT_IMAGE_NUMBER"),
				    "MCUBOOT_IMAGE_NUMBER=2@prj.conf:7");
		assert_string_equal(get(env, "MCUBOOT_SIGN_KEY_COUNT"),
				    "MCUBOOT_SIGN_KEY_COUNT=1@prj.conf:5");
		pp_env_free(env);
	}
	free(crlf);
}

static void test_read_kconfig_derive(void **state)
{
	struct pp_env *env;
	struct mcuprov_err err;
	const char *t;
	char longline[PP_VALUE_MAX + 64];

	/* a fragment that names no signature type sets no MCUBOOT_SIGN_* */
	env = env_of(NULL);
	t = "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"k.pem\"\nCONFIG_BOOT_HW_KEY=y\n";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "f.conf", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA"), "?MCUBOOT_SIGN_RSA");
	assert_string_equal(get(env, "MCUBOOT_SIGN_EC256"), "?MCUBOOT_SIGN_EC256");
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA_LEN"), "?MCUBOOT_SIGN_RSA_LEN");
	assert_string_equal(get(env, "MCUBOOT_HW_KEY"), "MCUBOOT_HW_KEY=@f.conf:2");
	assert_string_equal(get(env, "MCUBOOT_IMAGE_NUMBER"), "?MCUBOOT_IMAGE_NUMBER");
	assert_string_equal(get(env, "MCUBOOT_SIGN_KEY_COUNT"),
			    "MCUBOOT_SIGN_KEY_COUNT=1@f.conf:1");
	pp_env_free(env);

	/* the key count: entries of the key file list, the built-in key's one */
	env = env_of(NULL);
	t = "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"a.pem,b.pem,c.pem\"\n";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "f.conf", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_KEY_COUNT"),
			    "MCUBOOT_SIGN_KEY_COUNT=3@f.conf:1");
	t = "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"\"\n";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "g.conf", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_KEY_COUNT"), "-MCUBOOT_SIGN_KEY_COUNT@g.conf:1");
	t = "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"a.pem,b.pem\"\nCONFIG_BOOT_BUILTIN_KEY=y\n";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "h.conf", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_KEY_COUNT"),
			    "MCUBOOT_SIGN_KEY_COUNT=1@h.conf:2");
	t = "CONFIG_BOOT_SIGNATURE_KEY_FILE=\"a.pem\"\nCONFIG_BOOT_SIGNATURE_TYPE_NONE=y\n";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "i.conf", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_KEY_COUNT"), "-MCUBOOT_SIGN_KEY_COUNT@i.conf:2");
	pp_env_free(env);

	/* ECDSA P-256 chosen: the others are off, RSA's length too */
	env = env_of(NULL);
	t = "CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN=2048\nCONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "f.conf", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_EC256"), "MCUBOOT_SIGN_EC256=@f.conf:2");
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA"), "-MCUBOOT_SIGN_RSA@f.conf:2");
	assert_string_equal(get(env, "MCUBOOT_SIGN_ED25519"), "-MCUBOOT_SIGN_ED25519@f.conf:2");
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA_LEN"), "-MCUBOOT_SIGN_RSA_LEN@f.conf:2");
	/* as autoconf.h has it: the choice's other symbols are not set */
	assert_string_equal(get(env, "CONFIG_BOOT_SIGNATURE_TYPE_RSA"),
			    "-CONFIG_BOOT_SIGNATURE_TYPE_RSA@f.conf:2");
	assert_string_equal(get(env, "CONFIG_BOOT_SIGNATURE_TYPE_ED25519"),
			    "-CONFIG_BOOT_SIGNATURE_TYPE_ED25519@f.conf:2");
	assert_string_equal(get(env, "CONFIG_BOOT_SIGNATURE_TYPE_NONE"),
			    "-CONFIG_BOOT_SIGNATURE_TYPE_NONE@f.conf:2");
	assert_string_equal(get(env, "CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN"),
			    "-CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN@f.conf:2");
	assert_string_equal(get(env, "CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256"),
			    "CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=1@f.conf:2");
	/* so mcuboot_config.h, read after, knows its branch */
	assert_int_equal(pp_env_read_header(env, zephyr_cfg, strlen(zephyr_cfg), "cfg.h", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA"), "-MCUBOOT_SIGN_RSA@f.conf:2");
	assert_string_equal(get(env, "MCUBOOT_SIGN_EC256"), "MCUBOOT_SIGN_EC256=@cfg.h:15");
	pp_env_free(env);

	/* one type off only: that one undefined, the others unknown */
	env = env_of(NULL);
	t = "# CONFIG_BOOT_SIGNATURE_TYPE_RSA is not set\nCONFIG_BOOT_SIGNATURE_TYPE_ED25519=n\n";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "f.conf", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA"), "-MCUBOOT_SIGN_RSA@f.conf:1");
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA_LEN"), "-MCUBOOT_SIGN_RSA_LEN@f.conf:1");
	assert_string_equal(get(env, "MCUBOOT_SIGN_ED25519"), "-MCUBOOT_SIGN_ED25519@f.conf:2");
	assert_string_equal(get(env, "MCUBOOT_SIGN_EC256"), "?MCUBOOT_SIGN_EC256");
	assert_string_equal(get(env, "MCUBOOT_SIGN_EC384"), "?MCUBOOT_SIGN_EC384");
	assert_string_equal(get(env, "CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN"),
			    "-CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN@f.conf:1");
	pp_env_free(env);

	/* the last =y wins; _NONE undefines them all */
	env = env_of(NULL);
	t = "CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\nCONFIG_BOOT_SIGNATURE_TYPE_NONE=y\n";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "f.conf", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_ED25519"), "-MCUBOOT_SIGN_ED25519@f.conf:2");
	assert_string_equal(get(env, "MCUBOOT_SIGN_EC384"), "-MCUBOOT_SIGN_EC384@f.conf:2");
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA"), "-MCUBOOT_SIGN_RSA@f.conf:2");
	/* a later file overrides */
	t = "CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y\n";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "g.conf", &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_ED25519"), "MCUBOOT_SIGN_ED25519=@g.conf:1");
	/* a value too long to keep: unknown */
	snprintf(longline, sizeof(longline), "CONFIG_FOO=y\nCONFIG_FOO=\"%0*d\"", PP_VALUE_MAX, 0);
	assert_int_equal(pp_env_read_kconfig(env, longline, strlen(longline), "h", &err), 0);
	assert_string_equal(get(env, "CONFIG_FOO"), "?CONFIG_FOO");
	/* no final newline, no origin */
	t = "CONFIG_BOOT_SIGNATURE_TYPE_RSA=y\r";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), NULL, &err), 0);
	assert_string_equal(get(env, "MCUBOOT_SIGN_RSA"), "MCUBOOT_SIGN_RSA=@:1");
	assert_int_equal(pp_env_read_kconfig(env, "", 0, NULL, &err), 0);
	pp_env_free(env);

	/* the Kconfig values first, then mcuboot_config.h over them */
	env = env_of(NULL);
	t = "CONFIG_BOOT_SIGNATURE_TYPE_RSA=y\nCONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN=2048\n";
	assert_int_equal(pp_env_read_kconfig(env, t, strlen(t), "prj.conf", &err), 0);
	assert_int_equal(pp_env_read_header(env, zephyr_cfg, strlen(zephyr_cfg), "cfg.h", &err), 0);
	pp_env_clear_used(env);
	EV(env, "defined(MCUBOOT_SIGN_RSA) && MCUBOOT_SIGN_RSA_LEN == 2048", "T");
	assert_string_equal(describe(env),
			    "MCUBOOT_SIGN_RSA (cfg.h:7); "
			    "MCUBOOT_SIGN_RSA_LEN=CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN "
			    "(cfg.h:12); CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN=2048 "
			    "(prj.conf:2)");
	pp_env_free(env);
}

/* ---- differential test against cpp ---- */

#define DIFF_N 1500

/* A small deterministic generator (fixed seed: failures reproduce). */
static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((rng_state >> 33) % n);
}

static const char *const atoms[] = {
	"0",
	"1",
	"2",
	"3",
	"7",
	"10",
	"63",
	"64",
	"255",
	"0x10",
	"017",
	"5u",
	"0u",
	"1u",
	"0xffffffffffffffff",
	"9223372036854775807",
	"0x8000000000000000",
	"2147483648",
	"A",
	"B",
	"C",
	"N",
	"BU",
	"W",
	"U",
	"defined(A)",
	"defined U",
	"defined(W)",
};
static const char *const binops[] = {"*",  "/",	 "%",  "+",  "-", "<<", ">>", "<",  ">",
				     "<=", ">=", "==", "!=", "&", "^",	"|",  "&&", "||"};
static const char *const unops[] = {"!", "~", "-", "+"};

static void gen(char *buf, size_t size, size_t *o, int depth)
{
	unsigned k = depth <= 0 ? 0 : rnd(10);

	if (*o + 64 >= size)
		k = 0;
	switch (k) {
	case 0:
	case 1:
	case 2: *o += (size_t)snprintf(buf + *o, size - *o, "%s", atoms[rnd(28)]); break;
	case 3:
		*o += (size_t)snprintf(buf + *o, size - *o, "%s ", unops[rnd(4)]);
		gen(buf, size, o, depth - 1);
		break;
	case 4:
		*o += (size_t)snprintf(buf + *o, size - *o, "(");
		gen(buf, size, o, depth - 1);
		*o += (size_t)snprintf(buf + *o, size - *o, ")");
		break;
	case 5:
		gen(buf, size, o, depth - 1);
		*o += (size_t)snprintf(buf + *o, size - *o, " ? ");
		gen(buf, size, o, depth - 1);
		*o += (size_t)snprintf(buf + *o, size - *o, " : ");
		gen(buf, size, o, depth - 1);
		break;
	default:
		gen(buf, size, o, depth - 1);
		*o += (size_t)snprintf(buf + *o, size - *o, " %s ", binops[rnd(18)]);
		gen(buf, size, o, depth - 1);
		break;
	}
}

/* The cpp that works here: "cpp", else "gcc -E", else "cc -E"; NULL when
 * none does. */
static const char *const *cpp_cmd(void)
{
	static const char *const cmds[][3] = {
		{"cpp", NULL, NULL}, {"gcc", "-E", NULL}, {"cc", "-E", NULL}};
	static int found = -2;
	int i;

	if (found == -2) {
		found = -1;
		for (i = 0; i < 3 && found < 0; i++) {
			pid_t pid = fork();
			int st;

			assert_true(pid >= 0);
			if (pid == 0) {
				const char *argv[] = {cmds[i][0], "--version", NULL};
				int fd = open("/dev/null", O_WRONLY);

				dup2(fd, 1);
				dup2(fd, 2);
				execvp(argv[0], (char *const *)argv);
				_exit(127);
			}
			if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
				found = i;
		}
	}
	return found < 0 ? NULL : cmds[found];
}

struct diff {
	char dir[64], file[96], errs[96];
	char *expr[DIFF_N];
	size_t n;
};

/* Run cpp on D's file with DEFS (-D/-U options) and set RESULT[i] to 1 for
 * "T<i>", 0 for "F<i>" in its output, -2 when cpp reports an error in the
 * #if of block i (only allowed with ALLOW_ERRORS), else -1. */
static void run_cpp(const struct diff *d, const char *const *defs, int *result, bool allow_errors)
{
	const char *const *cmd = cpp_cmd();
	const char *argv[32];
	size_t a = 0, i, n = d->n, nerr = 0;
	int fds[2], st, efd;
	pid_t pid;
	FILE *f;
	char line[4096];

	argv[a++] = cmd[0];
	if (cmd[1] != NULL)
		argv[a++] = cmd[1];
	argv[a++] = "-P";
	argv[a++] = "-w";
	argv[a++] = "-x";
	argv[a++] = "c";
	for (i = 0; defs[i] != NULL; i++)
		argv[a++] = defs[i];
	argv[a++] = d->file;
	argv[a] = NULL;
	assert_true(a < 32);
	for (i = 0; i < n; i++)
		result[i] = -1;
	efd = open(d->errs, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(efd >= 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(efd, 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(efd);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long k;

		if (line[0] != 'T' && line[0] != 'F')
			continue;
		k = strtoul(line + 1, NULL, 10);
		if (k < n)
			result[k] = line[0] == 'T';
	}
	fclose(f);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	/* "FILE:LINE:COL: error: ...": block (LINE - 1) / 5 */
	f = fopen(d->errs, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t fl = strlen(d->file);
		unsigned long l;

		if (strncmp(line, d->file, fl) != 0 || line[fl] != ':')
			continue;
		l = strtoul(line + fl + 1, NULL, 10);
		if (l >= 1 && (l - 1) / 5 < n && (l - 1) % 5 == 0) {
			if (!allow_errors)
				fail_msg("cpp: %s", line);
			result[(l - 1) / 5] = -2;
			nerr++;
		}
	}
	fclose(f);
	if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && nerr == 0))
		fail_msg("%s exited with status %d", argv[0], st);
}

static const char *const full_defs[] = {"A=3", "B=0", "C=7", "N=-5", "BU=5u", "W=A + 1", NULL};
static const char *const full_args[] = {"-DA=3",   "-DB=0",	"-DC=7", "-DN=-5",
					"-DBU=5u", "-DW=A + 1", NULL};

/* Generate expressions that pp_eval() takes over ENV, write them as
 * #if blocks to a file in a fresh directory. */
static void diff_setup(struct diff *d, struct pp_env *env, uint64_t seed)
{
	char buf[1024];
	FILE *f;
	size_t i, rejected = 0;

	rng_state = seed;
	assert_int_equal(unit_mkdtemp(d->dir, sizeof(d->dir)), 0);
	snprintf(d->file, sizeof(d->file), "%s/exprs.c", d->dir);
	snprintf(d->errs, sizeof(d->errs), "%s/errors", d->dir);
	f = fopen(d->file, "w");
	assert_non_null(f);
	for (d->n = 0, i = 0; d->n < DIFF_N; i++) {
		struct mcuprov_err err;
		enum pp_truth t;
		size_t o = 0;

		gen(buf, sizeof(buf), &o, 1 + (int)rnd(5));
		if (pp_eval(env, buf, strlen(buf), &t, NULL, &err) < 0) {
			/* UB in C, or division by zero: an error here, not tested */
			assert_true(strcmp(err.msg, "division by zero") == 0 ||
				    strcmp(err.msg, "integer overflow") == 0 ||
				    strcmp(err.msg, "shift count out of range") == 0);
			rejected++;
			continue;
		}
		d->expr[d->n] = strdup(buf);
		assert_non_null(d->expr[d->n]);
		fprintf(f, "#if %s\nT%zu\n#else\nF%zu\n#endif\n", buf, d->n, d->n);
		d->n++;
	}
	assert_int_equal(fclose(f), 0);
	/* the evaluator must not reject its way out of the comparison */
	printf("# differential: %zu expressions, %zu more rejected\n", d->n, rejected);
	assert_true(rejected < d->n / 2);
}

static void diff_teardown(struct diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->expr[i]);
	unit_rmtree(d->dir);
}

static void test_cpp_known(void **state)
{
	struct diff d;
	struct pp_env *env;
	int *want;
	size_t i, t = 0;

	if (cpp_cmd() == NULL)
		unit_skip("no cpp, gcc or cc found");
	env = env_of(full_defs);
	assert_int_equal(pp_env_undef(env, "U", NULL, NULL), 0);
	diff_setup(&d, env, 0x5eed1);
	want = calloc(DIFF_N, sizeof(*want));
	assert_non_null(want);
	run_cpp(&d, full_args, want, false);
	for (i = 0; i < d.n; i++) {
		enum pp_truth got;
		struct mcuprov_err err;

		assert_int_equal(pp_eval(env, d.expr[i], strlen(d.expr[i]), &got, NULL, &err), 0);
		if (want[i] < 0 || got != (want[i] ? PP_TRUE : PP_FALSE))
			fail_msg("#if %s: cpp says %d, pp_eval %d", d.expr[i], want[i], got);
		t += got == PP_TRUE;
	}
	/* both answers are well represented */
	assert_true(t > d.n / 10 && t < d.n * 9 / 10);
	free(want);
	diff_teardown(&d);
	pp_env_free(env);
}

/* A and U unknown: a TRUE or FALSE must hold whichever each of them is
 * (defined 1 or undefined); a MAYBE names only them. */
static void test_cpp_partial(void **state)
{
	static const char *const defs[] = {"B=0", "C=7", "N=-5", "BU=5u", "W=A + 1", NULL};
	const char *args[16];
	struct diff d;
	struct pp_env *env;
	int *want[4];
	size_t i, a, c, decided = 0, errors = 0;

	if (cpp_cmd() == NULL)
		unit_skip("no cpp, gcc or cc found");
	env = env_of(defs);
	diff_setup(&d, env, 0x5eed2);
	for (c = 0; c < 4; c++) {
		for (a = 0; defs[a] != NULL; a++)
			args[a] = full_args[a + 1];
		if (c & 1)
			args[a++] = "-DA";
		if (c & 2)
			args[a++] = "-DU";
		args[a] = NULL;
		want[c] = calloc(DIFF_N, sizeof(*want[c]));
		assert_non_null(want[c]);
		run_cpp(&d, args, want[c], true);
	}
	for (i = 0; i < d.n; i++) {
		struct pp_names n;
		enum pp_truth got;
		struct mcuprov_err err;
		size_t k;

		/* cpp rejects it for some of the choices (1 / A with A
		 * undefined): no answer to compare */
		for (c = 0; c < 4 && want[c][i] != -2; c++)
			;
		errors += c < 4;
		pp_names_clear(&n);
		assert_int_equal(pp_eval(env, d.expr[i], strlen(d.expr[i]), &got, &n, &err), 0);
		if (got == PP_MAYBE) {
			assert_true(n.n >= 1 && n.n <= 2);
			for (k = 0; k < n.n; k++)
				assert_true(strcmp(n.v[k], "A") == 0 || strcmp(n.v[k], "U") == 0);
			continue;
		}
		if (c < 4)
			continue;
		decided++;
		for (c = 0; c < 4; c++)
			if (want[c][i] < 0 || got != (want[c][i] ? PP_TRUE : PP_FALSE))
				fail_msg("#if %s (A %s, U %s): cpp says %d, pp_eval %d", d.expr[i],
					 c & 1 ? "1" : "undefined", c & 2 ? "1" : "undefined",
					 want[c][i], got);
	}
	printf("# partial: %zu of %zu decided (and compared), %zu rejected by cpp\n", decided, d.n,
	       errors);
	assert_true(decided > d.n / 4);
	for (c = 0; c < 4; c++)
		free(want[c]);
	diff_teardown(&d);
	pp_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_eval_numbers),
		cmocka_unit_test(test_eval_operators),
		cmocka_unit_test(test_eval_precedence),
		cmocka_unit_test(test_eval_three_valued),
		cmocka_unit_test(test_eval_defined),
		cmocka_unit_test(test_eval_macros),
		cmocka_unit_test(test_eval_calls),
		cmocka_unit_test(test_eval_errors),
		cmocka_unit_test(test_eval_comments),
		cmocka_unit_test(test_env_functions),
		cmocka_unit_test(test_env_many),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_track_sim_keys),
		cmocka_unit_test(test_track_tfm),
		cmocka_unit_test(test_track_branches),
		cmocka_unit_test(test_track_depth),
		cmocka_unit_test(test_track_errors),
		cmocka_unit_test(test_track_define),
		cmocka_unit_test(test_track_text),
		cmocka_unit_test(test_directive),
		cmocka_unit_test(test_read_header),
		cmocka_unit_test(test_read_kconfig),
		cmocka_unit_test(test_read_kconfig_derive),
		/* skipped without a cpp */
		cmocka_unit_test(test_cpp_known),
		cmocka_unit_test(test_cpp_partial),
	};

	return unit_run_group_tests("ppcond", tests, NULL, NULL);
}
