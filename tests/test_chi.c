/* test_chi.c -- the filter operator chi(p, q) of eq. (2), at and beyond its boundaries. */
#include <config.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "condense/chi.h"

/* Eq. (2): chi(p,q) = 1 exactly on the m x m square [0, m-1]^2.  Checked on a window that
 * extends 3 beyond the square on every side, for m = 1..6, and its support has m^2 points. */
static void test_chi_support(void **state)
{
    (void)state;
    for (size_t m = 1; m <= 6; ++m) {
        size_t ones = 0;
        for (long p = -3; p <= (long)m + 2; ++p)
            for (long q = -3; q <= (long)m + 2; ++q) {
                const int inside = (0 <= p && p <= (long)m - 1) && (0 <= q && q <= (long)m - 1);
                assert_int_equal(condense_chi(p, q, m), inside);
                ones += (size_t)condense_chi(p, q, m);
            }
        assert_int_equal(ones, m * m);
    }
}

/* The four corners are in, their outer neighbours out; extreme integers are out. */
static void test_chi_boundaries(void **state)
{
    (void)state;
    const size_t m = 3;
    assert_int_equal(condense_chi(0, 0, m), 1);
    assert_int_equal(condense_chi(0, 2, m), 1);
    assert_int_equal(condense_chi(2, 0, m), 1);
    assert_int_equal(condense_chi(2, 2, m), 1);
    assert_int_equal(condense_chi(-1, 0, m), 0);
    assert_int_equal(condense_chi(0, -1, m), 0);
    assert_int_equal(condense_chi(3, 0, m), 0);
    assert_int_equal(condense_chi(0, 3, m), 0);
    assert_int_equal(condense_chi(3, 3, m), 0);
    assert_int_equal(condense_chi(LONG_MIN, 0, m), 0);
    assert_int_equal(condense_chi(0, LONG_MAX, m), 0);
    assert_int_equal(condense_chi(LONG_MAX, LONG_MAX, m), 0);
    /* m = 0 (no filter) has empty support. */
    assert_int_equal(condense_chi(0, 0, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chi_support),
        cmocka_unit_test(test_chi_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
