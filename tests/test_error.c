/* test_error.c -- the one error mechanism (error.h): status codes, messages, propagation, and
 * GSL's handler turned off so that GSL reports instead of aborting. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "condense/error.h"

/* Every code has its own description, and unknown codes are named as such. */
static void test_strerror(void **state)
{
    (void)state;
    const int codes[] = {CONDENSE_OK,      CONDENSE_EINVAL, CONDENSE_ESIZE,
                         CONDENSE_EDOM,    CONDENSE_ENOMEM, CONDENSE_EIO,
                         CONDENSE_EFORMAT, CONDENSE_EUNDEF, CONDENSE_ENUM};
    const size_t n = sizeof codes / sizeof *codes;
    for (size_t a = 0; a < n; ++a) {
        const char *s = condense_strerror(codes[a]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        assert_string_not_equal(s, "unknown error");
        for (size_t b = a + 1; b < n; ++b)
            assert_string_not_equal(s, condense_strerror(codes[b]));
    }
    assert_string_equal(condense_strerror(-1), "unknown error");
    assert_string_equal(condense_strerror(1000), "unknown error");
    assert_string_equal(condense_strerror(CONDENSE_OK), "success");
}

static int fails_with_einval(int x)
{
    if (x < 0) CONDENSE_ERROR(CONDENSE_EINVAL, "x = %d is negative", x);
    return CONDENSE_OK;
}

static int propagates(int x)
{
    CONDENSE_TRY(fails_with_einval(x));
    return 42; /* reached only when the callee succeeded */
}

static int checks_null(const int *p)
{
    CONDENSE_CHECK_NULL(p);
    return CONDENSE_OK;
}

/* CONDENSE_ERROR records "function: message" and returns the code. */
static void test_message_and_return(void **state)
{
    (void)state;
    condense_error_clear();
    assert_string_equal(condense_errmsg(), "");
    assert_int_equal(fails_with_einval(-3), CONDENSE_EINVAL);
    assert_string_equal(condense_errmsg(), "fails_with_einval: x = -3 is negative");
    condense_error_clear();
    assert_string_equal(condense_errmsg(), "");
    assert_int_equal(fails_with_einval(1), CONDENSE_OK);
    assert_string_equal(condense_errmsg(), ""); /* success records nothing */
}

/* CONDENSE_TRY returns the callee's status and keeps its message; on success it goes on. */
static void test_try(void **state)
{
    (void)state;
    assert_int_equal(propagates(-1), CONDENSE_EINVAL);
    assert_non_null(strstr(condense_errmsg(), "x = -1 is negative"));
    assert_int_equal(propagates(5), 42);
}

static void test_check_null(void **state)
{
    (void)state;
    int x = 0;
    assert_int_equal(checks_null(&x), CONDENSE_OK);
    assert_int_equal(checks_null(NULL), CONDENSE_EINVAL);
    assert_string_equal(condense_errmsg(), "checks_null: argument 'p' is NULL");
}

/* A message longer than the buffer is truncated, never overflowed (valgrind watches). */
static void test_truncation(void **state)
{
    (void)state;
    char long_text[5000];
    memset(long_text, 'z', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    assert_int_equal(condense_error_set(CONDENSE_EIO, "f", "%s", long_text), CONDENSE_EIO);
    const size_t len = strlen(condense_errmsg());
    assert_true(len > 100);
    assert_true(len < sizeof long_text);
    assert_memory_equal(condense_errmsg(), "f: zzz", 6);
}

/* With the handler off, a GSL failure returns an error code instead of calling abort():
 * gsl_matrix_memcpy of mismatched sizes is a GSL_EBADLEN, and the Cholesky factorization of
 * the 1x1 matrix (-1), which is not positive definite, a GSL_EDOM.  If condense_gsl_quiet did
 * nothing, this test would abort the program. */
static void test_gsl_quiet(void **state)
{
    (void)state;
    condense_gsl_quiet();
    gsl_matrix *a = gsl_matrix_alloc(2, 2), *b = gsl_matrix_alloc(3, 3);
    gsl_matrix *c = gsl_matrix_alloc(1, 1);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal(gsl_matrix_memcpy(a, b), GSL_EBADLEN);
    gsl_matrix_set(c, 0, 0, -1.0);
    assert_int_equal(gsl_linalg_cholesky_decomp1(c), GSL_EDOM);
    gsl_matrix_free(a);
    gsl_matrix_free(b);
    gsl_matrix_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror),   cmocka_unit_test(test_message_and_return),
        cmocka_unit_test(test_try),        cmocka_unit_test(test_check_null),
        cmocka_unit_test(test_truncation), cmocka_unit_test(test_gsl_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
