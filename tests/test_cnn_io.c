/* test_cnn_io.c -- checks of condense/cnn_io.h: a network's parameters as .npy files
 *   W<l>.npy (m_l, m_l, C_{l-1}, C_l) index order p, q, alpha, beta;  b<l>.npy (C_l);
 *   a.npy (W_L, H_L, C_L);  meta.txt (version, shape, activation, provenance).
 *
 * Independent routes: the files are parsed here from their raw bytes (NEP 1 preamble: magic,
 * version, little-endian header length, header, then little-endian float64 data) and every
 * element is located with the test's own C-order strides, then compared bit for bit with the
 * parameter of the same paper indices (p, q 0-based; alpha, beta, u, v 1-based).  Each test
 * works in its own mkdtemp directory, removed with its contents at teardown.
 */
#define _XOPEN_SOURCE 700

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/cnn.h"
#include "condense/cnn_io.h"
#include "condense/error.h"
#include "condense/npy.h"
#include "condense/version.h"

#define assert_status(expr, expected)                                                              \
    do {                                                                                           \
        const int st_ = (expr);                                                                    \
        if (st_ != (expected)) {                                                                   \
            print_error("%s returned %d (%s), expected %d; message: %s\n", #expr, st_,             \
                        condense_strerror(st_), (int)(expected), condense_errmsg());               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static void assert_message_recorded(void)
{
    assert_true(strlen(condense_errmsg()) > 0);
}

/* ---- fixture: a fresh temporary directory per test ----------------------------------------- */

typedef struct fixture {
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = malloc(sizeof *f);
    if (f == NULL) return -1;
    strcpy(f->dir, "/tmp/condense-io-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    fixture *f = *state;
    const int rc = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return rc;
}

/* dir/name into a static-size buffer (the test's paths are short except where noted). */
static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
    const int n = snprintf(buf, size, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < size);
}

/* ---- networks ------------------------------------------------------------------------------ */

static condense_cnn *make_net(const char *act_name, size_t L, size_t W0, size_t H0, size_t C0,
                              const size_t *C, const size_t *m)
{
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = L;
    s.W0 = W0;
    s.H0 = H0;
    s.C0 = C0;
    for (size_t l = 1; l <= L; ++l) {
        s.C[l] = C[l - 1];
        s.m[l] = m[l - 1];
    }
    condense_activation act;
    assert_status(condense_activation_lookup(act_name, 0, &act), CONDENSE_OK);
    condense_cnn *net = NULL;
    assert_status(condense_cnn_alloc(&s, act, &net), CONDENSE_OK);
    return net;
}

/* L = 1, C0 = 3: 6x5 input, C1 = 4, m1 = 3 -> W1 (3,3,3,4), b1 (4), a (4,3,4). */
static condense_cnn *make_l1(void)
{
    const size_t C[] = {4}, m[] = {3};
    return make_net("tanh", 1, 6, 5, 3, C, m);
}

/* L = 3, C0 = 3: 10x9 input, C = (4, 3, 2), m = (3, 2, 3): 8x7, 7x6, 5x4 ->
 * W1 (3,3,3,4), W2 (2,2,4,3), W3 (3,3,3,2), a (5,4,2). */
static condense_cnn *make_l3(void)
{
    const size_t C[] = {4, 3, 2}, m[] = {3, 2, 3};
    return make_net("sigmoid", 3, 10, 9, 3, C, m);
}

/* Distinct values of many magnitudes, plus bit patterns a lossy writer would change: -0.0,
 * the smallest subnormal, DBL_MAX, and a value with all 52 mantissa bits in use. */
static void fill(condense_cnn *net, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    gsl_rng_set(r, seed);
    for (size_t l = 1; l <= net->L; ++l) {
        for (size_t k = 0; k < condense_cnn_W_size(net, l); ++k)
            net->kernel[l][k] = gsl_ran_gaussian(r, 1.0) * pow(10.0, (double)(k % 7) - 3.0);
        for (size_t k = 0; k < condense_cnn_b_size(net, l); ++k)
            net->bias[l][k] = gsl_ran_gaussian(r, 1e-3);
    }
    for (size_t k = 0; k < condense_cnn_a_size(net); ++k)
        net->a[k] = gsl_ran_gaussian(r, 1e-4);
    net->kernel[1][0] = -0.0;
    net->kernel[1][1] = DBL_TRUE_MIN;
    net->bias[1][0] = DBL_MAX;
    net->a[condense_cnn_a_size(net) - 1] = 0.1 + 0x1p-55;
    gsl_rng_free(r);
}

static double *packed(const condense_cnn *net)
{
    double *theta = malloc(condense_cnn_nparams(net) * sizeof *theta);
    assert_non_null(theta);
    condense_cnn_pack(net, theta);
    return theta;
}

/* Bit-identical parameters (memcmp, so -0.0 and +0.0 differ). */
static void assert_same_params(const condense_cnn *x, const condense_cnn *y)
{
    assert_int_equal(x->L, y->L);
    for (size_t l = 1; l <= x->L; ++l) {
        assert_memory_equal(x->kernel[l], y->kernel[l], condense_cnn_W_size(x, l) * sizeof(double));
        assert_memory_equal(x->bias[l], y->bias[l], condense_cnn_b_size(x, l) * sizeof(double));
    }
    assert_memory_equal(x->a, y->a, condense_cnn_a_size(x) * sizeof(double));
}

static void assert_unchanged(const condense_cnn *net, const double *before)
{
    double *now = packed(net);
    assert_memory_equal(now, before, condense_cnn_nparams(net) * sizeof(double));
    free(now);
}

/* ---- raw file access ------------------------------------------------------------------------ */

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        const size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        cap *= 2;
        buf = realloc(buf, cap);
        assert_non_null(buf);
    }
    assert_int_equal(ferror(f), 0);
    fclose(f);
    *len = n;
    return buf;
}

static void write_bytes(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* The NEP 1 preamble of a file written by condense: "\x93NUMPY", version 1.0 (major 1, minor 0:
 * a 2-byte little-endian header length in bytes 8-9; the data start after 10 + that length).
 * Returns the data offset; checks that exactly `count` doubles follow. */
static size_t npy_data_offset(const unsigned char *b, size_t len, size_t count)
{
    assert_true(len >= 10);
    assert_memory_equal(b, "\x93NUMPY", 6);
    assert_int_equal(b[6], 1);
    assert_int_equal(b[7], 0);
    const size_t hlen = (size_t)b[8] | (size_t)b[9] << 8;
    const size_t off = 10 + hlen;
    assert_true(off <= len);
    /* The header is the dict text, ending in '\n'. */
    assert_int_equal(b[off - 1], '\n');
    assert_int_equal(b[10], '{');
    assert_int_equal(len - off, 8 * count);
    return off;
}

/* The little-endian float64 at byte p, assembled byte by byte. */
static double le_double(const unsigned char *p)
{
    uint64_t bits = 0;
    for (int i = 7; i >= 0; --i)
        bits = bits << 8 | p[i];
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static void assert_bits_equal(double x, double y)
{
    if (memcmp(&x, &y, sizeof x) != 0) {
        print_error("%.17g and %.17g differ in their bits\n", x, y);
        fail();
    }
}

/* Which parameter a file holds, for the generic element check. */
enum which { KERNEL, BIAS, A };

/* The parameter at file multi-index idx (0-based, in the file's dimension order), via the
 * library's accessors with the paper's indices: W^[l]_{p,q,alpha,beta} at (p, q, alpha-1,
 * beta-1), b^[l]_beta at (beta-1), a_{u,v,beta} at (u-1, v-1, beta-1). */
static double param_at(const condense_cnn *net, enum which w, size_t l, const size_t *idx)
{
    switch (w) {
    case KERNEL:
        return *condense_W(net, l, idx[0], idx[1], idx[2] + 1, idx[3] + 1);
    case BIAS:
        return *condense_b(net, l, idx[0] + 1);
    default:
        return *condense_a(net, idx[0] + 1, idx[1] + 1, idx[2] + 1);
    }
}

/* Reads `name` in dir: its shape by condense_npy_shape must be (ndim, expect); then every element
 * is located with C-order strides stride[d] = prod_{e > d} shape[e] (an odometer over the
 * multi-index, independent of the accessors' Horner form) and compared bit for bit. */
static void check_file(const char *dir, const char *name, const condense_cnn *net, enum which w,
                       size_t l, size_t ndim, const size_t *expect)
{
    char path[256];
    path_in(path, sizeof path, dir, name);
    size_t nd = 99, shape[CONDENSE_NPY_MAX_DIMS];
    assert_status(condense_npy_shape(path, &nd, shape), CONDENSE_OK);
    assert_int_equal(nd, ndim);
    size_t count = 1, stride[CONDENSE_NPY_MAX_DIMS];
    for (size_t d = 0; d < ndim; ++d) {
        assert_int_equal(shape[d], expect[d]);
        count *= expect[d];
    }
    for (size_t d = ndim; d-- > 0;)
        stride[d] = d + 1 == ndim ? 1 : stride[d + 1] * expect[d + 1];

    size_t len;
    unsigned char *b = read_all(path, &len);
    const size_t off = npy_data_offset(b, len, count);
    size_t idx[CONDENSE_NPY_MAX_DIMS] = {0};
    for (size_t visited = 0; visited < count; ++visited) {
        size_t flat = 0;
        for (size_t d = 0; d < ndim; ++d)
            flat += idx[d] * stride[d];
        assert_bits_equal(le_double(b + off + 8 * flat), param_at(net, w, l, idx));
        for (size_t d = ndim; d-- > 0;) { /* odometer: last index fastest */
            if (++idx[d] < expect[d]) break;
            idx[d] = 0;
        }
    }
    free(b);
}

static void check_all_files(const char *dir, const condense_cnn *net)
{
    char name[32];
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t sW[4] = {net->m[l], net->m[l], net->C[l - 1], net->C[l]};
        const size_t sb[1] = {net->C[l]};
        snprintf(name, sizeof name, "W%zu.npy", l);
        check_file(dir, name, net, KERNEL, l, 4, sW);
        snprintf(name, sizeof name, "b%zu.npy", l);
        check_file(dir, name, net, BIAS, l, 1, sb);
    }
    const size_t L = net->L, sa[3] = {net->W[L], net->H[L], net->C[L]};
    check_file(dir, "a.npy", net, A, 0, 3, sa);
}

static char *read_text(const char *dir, const char *name)
{
    char path[256];
    path_in(path, sizeof path, dir, name);
    size_t len;
    unsigned char *b = read_all(path, &len);
    char *s = realloc(b, len + 1);
    assert_non_null(s);
    s[len] = '\0';
    return s;
}

/* `key` as a word (not part of a longer identifier), then optional spaces, ':' or '=', optional
 * spaces, then `value` not followed by another digit: "L: 3", "L = 3", "L=3". */
static int has_key_value(const char *text, const char *key, const char *value)
{
    const size_t lk = strlen(key), lv = strlen(value);
    for (const char *p = strstr(text, key); p != NULL; p = strstr(p + 1, key)) {
        if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) continue;
        const char *q = p + lk;
        if (isalnum((unsigned char)*q) || *q == '_') continue;
        while (*q == ' ')
            ++q;
        if (*q != ':' && *q != '=') continue;
        ++q;
        while (*q == ' ')
            ++q;
        if (strncmp(q, value, lv) == 0 && !isdigit((unsigned char)q[lv])) return 1;
    }
    return 0;
}

/* ---- round trips ----------------------------------------------------------------------------- */

static void round_trip(const char *dir, condense_cnn *(*make)(void), unsigned long seed)
{
    condense_cnn *src = make(), *dst = make();
    fill(src, seed);
    assert_status(condense_cnn_save(src, dir, "round trip"), CONDENSE_OK);
    assert_status(condense_cnn_load(dst, dir), CONDENSE_OK);
    assert_same_params(src, dst);
    condense_cnn_free(src);
    condense_cnn_free(dst);
}

static void test_round_trip_l1(void **state)
{
    fixture *f = *state;
    char dir[128];
    path_in(dir, sizeof dir, f->dir, "net"); /* created by save */
    round_trip(dir, make_l1, 11);
}

static void test_round_trip_l3(void **state)
{
    fixture *f = *state;
    round_trip(f->dir, make_l3, 12); /* an existing directory */
}

/* Saving again replaces every file (load gives the second parameters) and leaves exactly the
 * documented files, no temporary ones. */
static void test_resave_and_listing(void **state)
{
    fixture *f = *state;
    condense_cnn *first = make_l3(), *second = make_l3(), *dst = make_l3();
    fill(first, 1);
    fill(second, 2);
    assert_status(condense_cnn_save(first, f->dir, "first"), CONDENSE_OK);
    assert_status(condense_cnn_save(second, f->dir, "second"), CONDENSE_OK);
    assert_status(condense_cnn_load(dst, f->dir), CONDENSE_OK);
    assert_same_params(second, dst);

    const char *expected[8] = {"W1.npy", "W2.npy", "W3.npy", "b1.npy",
                               "b2.npy", "b3.npy", "a.npy",  "meta.txt"};
    int seen[8] = {0};
    size_t entries = 0;
    DIR *d = opendir(f->dir);
    assert_non_null(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        ++entries;
        int known = 0;
        for (int k = 0; k < 8; ++k)
            if (strcmp(e->d_name, expected[k]) == 0) {
                seen[k] = 1;
                known = 1;
            }
        if (!known) {
            print_error("unexpected file %s in the saved directory\n", e->d_name);
            fail();
        }
    }
    closedir(d);
    assert_int_equal(entries, 8);
    for (int k = 0; k < 8; ++k)
        assert_true(seen[k]);
    char *meta = read_text(f->dir, "meta.txt");
    assert_non_null(strstr(meta, "second"));
    assert_null(strstr(meta, "first"));
    free(meta);
    condense_cnn_free(first);
    condense_cnn_free(second);
    condense_cnn_free(dst);
}

/* ---- file contents --------------------------------------------------------------------------- */

static void test_file_layout_l1(void **state)
{
    fixture *f = *state;
    condense_cnn *net = make_l1();
    fill(net, 21);
    /* Hand-computed positions in the files (C order):
     *   W1 shape (3,3,3,4), strides (36,12,4,1): W^[1]_{2,1,3,2} at (2,1,2,1) -> 72+12+8+1 = 93;
     *   b1 shape (4): b^[1]_3 at 2;
     *   a shape (4,3,4), strides (12,4,1): a_{3,2,4} at (2,1,3) -> 24+4+3 = 31. */
    *condense_W(net, 1, 2, 1, 3, 2) = 12345.678;
    *condense_b(net, 1, 3) = -0.015625;
    *condense_a(net, 3, 2, 4) = 6.02214076e23;
    assert_status(condense_cnn_save(net, f->dir, NULL), CONDENSE_OK);

    char path[256];
    size_t len;
    unsigned char *b;
    path_in(path, sizeof path, f->dir, "W1.npy");
    b = read_all(path, &len);
    assert_true(le_double(b + npy_data_offset(b, len, 108) + 8 * 93) == 12345.678);
    free(b);
    path_in(path, sizeof path, f->dir, "b1.npy");
    b = read_all(path, &len);
    assert_true(le_double(b + npy_data_offset(b, len, 4) + 8 * 2) == -0.015625);
    free(b);
    path_in(path, sizeof path, f->dir, "a.npy");
    b = read_all(path, &len);
    assert_true(le_double(b + npy_data_offset(b, len, 48) + 8 * 31) == 6.02214076e23);
    free(b);

    check_all_files(f->dir, net);
    condense_cnn_free(net);
}

static void test_file_layout_l3(void **state)
{
    fixture *f = *state;
    condense_cnn *net = make_l3();
    fill(net, 22);
    /* W2 shape (2,2,4,3), strides (24,12,3,1): W^[2]_{1,0,4,3} at (1,0,3,2) -> 24+0+9+2 = 35;
     * a shape (5,4,2), strides (8,2,1): a_{5,1,2} at (4,0,1) -> 33. */
    *condense_W(net, 2, 1, 0, 4, 3) = -777.25;
    *condense_a(net, 5, 1, 2) = 0.125;
    assert_status(condense_cnn_save(net, f->dir, "x"), CONDENSE_OK);
    char path[256];
    size_t len;
    path_in(path, sizeof path, f->dir, "W2.npy");
    unsigned char *b = read_all(path, &len);
    assert_true(le_double(b + npy_data_offset(b, len, 48) + 8 * 35) == -777.25);
    free(b);
    path_in(path, sizeof path, f->dir, "a.npy");
    b = read_all(path, &len);
    assert_true(le_double(b + npy_data_offset(b, len, 40) + 8 * 33) == 0.125);
    free(b);
    check_all_files(f->dir, net);
    condense_cnn_free(net);
}

static void test_meta(void **state)
{
    fixture *f = *state;
    condense_cnn *net = make_l3();
    fill(net, 3);
    const char *prov = "seed 20240611, scheme experiment, gamma = 1.2, sigma_2 = 1e-4\n"
                       "second line of provenance: made by test_cnn_io";
    assert_status(condense_cnn_save(net, f->dir, prov), CONDENSE_OK);
    char *meta = read_text(f->dir, "meta.txt");
    const char *version = condense_version();
    assert_true(strlen(version) > 0);
    assert_non_null(strstr(meta, version));
    assert_true(has_key_value(meta, "L", "3"));
    assert_non_null(strstr(meta, "sigmoid"));
    assert_non_null(strstr(meta, prov)); /* verbatim, both lines */
    free(meta);

    /* provenance NULL is allowed; L = 1 and another activation name. */
    char dir[128];
    path_in(dir, sizeof dir, f->dir, "l1");
    condense_cnn *n1 = make_l1();
    assert_status(condense_cnn_save(n1, dir, NULL), CONDENSE_OK);
    meta = read_text(dir, "meta.txt");
    assert_non_null(strstr(meta, version));
    assert_true(has_key_value(meta, "L", "1"));
    assert_false(has_key_value(meta, "L", "3"));
    assert_non_null(strstr(meta, "tanh"));
    assert_null(strstr(meta, "sigmoid"));
    free(meta);
    condense_cnn_free(n1);
    condense_cnn_free(net);
}

/* ---- load errors: each leaves the destination bit-identical ---------------------------------- */

/* Saves an L = 1 net into dir/name and returns the directory path in buf. */
static void save_l1(const char *top, const char *name, char *buf, size_t size)
{
    path_in(buf, size, top, name);
    condense_cnn *net = make_l1();
    fill(net, 31);
    assert_status(condense_cnn_save(net, buf, "source"), CONDENSE_OK);
    condense_cnn_free(net);
}

/* Loads dir into net (pre-filled with other values) expecting `status`, and checks that net
 * is bit-identical to before and that a message was recorded. */
static void load_fails(condense_cnn *net, const char *dir, int status)
{
    fill(net, 999);
    double *before = packed(net);
    condense_error_clear();
    assert_status(condense_cnn_load(net, dir), status);
    assert_message_recorded();
    assert_unchanged(net, before);
    free(before);
}

static void test_load_shape_mismatch(void **state)
{
    fixture *f = *state;
    char dir1[128], dir3[128];
    save_l1(f->dir, "l1", dir1, sizeof dir1);
    path_in(dir3, sizeof dir3, f->dir, "l3");
    condense_cnn *l3 = make_l3();
    fill(l3, 32);
    assert_status(condense_cnn_save(l3, dir3, NULL), CONDENSE_OK);
    condense_cnn_free(l3);

    /* C1 = 5 instead of 4: W1 (3,3,3,5) vs the file's (3,3,3,4). */
    {
        const size_t C[] = {5}, m[] = {3};
        condense_cnn *net = make_net("tanh", 1, 6, 5, 3, C, m);
        load_fails(net, dir1, CONDENSE_ESIZE);
        condense_cnn_free(net);
    }
    /* m1 = 2: W1 (2,2,3,4). */
    {
        const size_t C[] = {4}, m[] = {2};
        condense_cnn *net = make_net("tanh", 1, 6, 5, 3, C, m);
        load_fails(net, dir1, CONDENSE_ESIZE);
        condense_cnn_free(net);
    }
    /* Input 7x5: W1 and b1 match, only a (5,3,4) vs (4,3,4) differs -- the last file. */
    {
        const size_t C[] = {4}, m[] = {3};
        condense_cnn *net = make_net("tanh", 1, 7, 5, 3, C, m);
        load_fails(net, dir1, CONDENSE_ESIZE);
        condense_cnn_free(net);
    }
    /* An L = 1 net from the L = 3 directory: W1, b1 match (both (3,3,3,4), (4)), a does not. */
    {
        condense_cnn *net = make_l1();
        load_fails(net, dir3, CONDENSE_ESIZE);
        condense_cnn_free(net);
    }
    /* An L = 3 net from the L = 1 directory: W1, b1 match, W2.npy is missing. */
    {
        condense_cnn *net = make_l3();
        load_fails(net, dir1, CONDENSE_EIO);
        condense_cnn_free(net);
    }
}

static void test_load_missing(void **state)
{
    fixture *f = *state;
    char dir[128], path[256];
    condense_cnn *net = make_l1();
    path_in(dir, sizeof dir, f->dir, "does-not-exist");
    load_fails(net, dir, CONDENSE_EIO);

    save_l1(f->dir, "saved", dir, sizeof dir);
    path_in(path, sizeof path, dir, "b1.npy");
    assert_int_equal(remove(path), 0);
    load_fails(net, dir, CONDENSE_EIO);
    condense_cnn_free(net);
}

static void test_load_corrupt(void **state)
{
    fixture *f = *state;
    char dir[128], path[256];
    condense_cnn *net = make_l1();
    save_l1(f->dir, "saved", dir, sizeof dir);
    path_in(path, sizeof path, dir, "a.npy");
    size_t len;
    unsigned char *good = read_all(path, &len);

    /* Garbage bytes. */
    const char garbage[] = "this is not a .npy file \x01\x02\x03\xff\xfe garbage garbage garbage";
    write_bytes(path, garbage, sizeof garbage);
    load_fails(net, dir, CONDENSE_EFORMAT);
    /* An empty file. */
    write_bytes(path, "", 0);
    load_fails(net, dir, CONDENSE_EFORMAT);
    /* The valid file cut short by one double: the header announces 48 doubles, 47 follow. */
    write_bytes(path, good, len - 8);
    load_fails(net, dir, CONDENSE_EFORMAT);
    /* The valid file with a corrupted magic string. */
    good[1] = 'X';
    write_bytes(path, good, len);
    load_fails(net, dir, CONDENSE_EFORMAT);
    free(good);
    condense_cnn_free(net);
}

/* Well-formed files holding non-finite values: parameters must be finite (EDOM). */
static void test_load_nonfinite(void **state)
{
    fixture *f = *state;
    char dir[128], path[256];
    condense_cnn *net = make_l1();
    save_l1(f->dir, "saved", dir, sizeof dir);

    double w[108];
    for (size_t k = 0; k < 108; ++k)
        w[k] = (double)k / 108.0;
    w[57] = NAN;
    const size_t sW[4] = {3, 3, 3, 4};
    path_in(path, sizeof path, dir, "W1.npy");
    assert_status(condense_npy_save(path, w, 4, sW), CONDENSE_OK);
    load_fails(net, dir, CONDENSE_EDOM);

    /* W1 finite again, +inf in a.npy (the last file read). */
    w[57] = 0.5;
    assert_status(condense_npy_save(path, w, 4, sW), CONDENSE_OK);
    double a[48];
    for (size_t k = 0; k < 48; ++k)
        a[k] = 1.0;
    a[47] = INFINITY;
    const size_t sa[3] = {4, 3, 4};
    path_in(path, sizeof path, dir, "a.npy");
    assert_status(condense_npy_save(path, a, 3, sa), CONDENSE_OK);
    load_fails(net, dir, CONDENSE_EDOM);

    /* With a finite a.npy the directory loads, and the values are the ones just written. */
    a[47] = -2.0;
    assert_status(condense_npy_save(path, a, 3, sa), CONDENSE_OK);
    assert_status(condense_cnn_load(net, dir), CONDENSE_OK);
    assert_memory_equal(net->kernel[1], w, sizeof w);
    assert_memory_equal(net->a, a, sizeof a);
    condense_cnn_free(net);
}

static void test_null_arguments(void **state)
{
    fixture *f = *state;
    condense_cnn *net = make_l1();
    fill(net, 5);
    double *before = packed(net);
    condense_error_clear();
    assert_status(condense_cnn_load(NULL, f->dir), CONDENSE_EINVAL);
    assert_message_recorded();
    assert_status(condense_cnn_load(net, NULL), CONDENSE_EINVAL);
    assert_unchanged(net, before);
    condense_error_clear();
    assert_status(condense_cnn_save(NULL, f->dir, "p"), CONDENSE_EINVAL);
    assert_message_recorded();
    assert_status(condense_cnn_save(net, NULL, "p"), CONDENSE_EINVAL);
    free(before);
    condense_cnn_free(net);
}

/* ---- save errors ------------------------------------------------------------------------------
 */

static void test_save_bad_directory(void **state)
{
    fixture *f = *state;
    condense_cnn *net = make_l1();
    fill(net, 6);
    char dir[256], parent[128];
    struct stat st;

    /* A parent that does not exist: EIO, and nothing is created. */
    path_in(parent, sizeof parent, f->dir, "no-such-parent");
    path_in(dir, sizeof dir, parent, "net");
    condense_error_clear();
    assert_status(condense_cnn_save(net, dir, "p"), CONDENSE_EIO);
    assert_message_recorded();
    assert_int_equal(stat(parent, &st), -1);

    /* dir is an existing regular file: EIO, and the file is still a regular file with its
     * contents. */
    path_in(dir, sizeof dir, f->dir, "plain");
    write_bytes(dir, "plain file\n", 11);
    condense_error_clear();
    assert_status(condense_cnn_save(net, dir, "p"), CONDENSE_EIO);
    assert_message_recorded();
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 11);
    condense_cnn_free(net);
}

/* A path of `total` characters under top: components of 200 characters (below NAME_MAX),
 * created as directories when `create` is set. */
static char *long_path(const char *top, size_t total, int create)
{
    char *p = malloc(total + 1);
    assert_non_null(p);
    size_t n = strlen(top);
    memcpy(p, top, n);
    assert_true(total >= n + 2);
    while (n < total) {
        /* "/" + comp characters; what remains afterwards must be 0 or >= 2 ("/" + 1). */
        const size_t rem = total - n;
        size_t comp = rem - 1;
        if (comp > 200) comp = rem == 202 ? 199 : 200;
        p[n++] = '/';
        memset(p + n, 'd', comp);
        n += comp;
        p[n] = '\0';
        if (create) assert_int_equal(mkdir(p, 0700), 0);
    }
    p[n] = '\0';
    assert_int_equal(strlen(p), total);
    return p;
}

/* A directory path so long that dir/W1.npy cannot be formed: EINVAL, before any file access.
 * 5000 characters exceeds PATH_MAX (4096); 4090 characters is a real, existing directory whose
 * file names (4090 + "/W1.npy" = 4097 characters) do not fit in PATH_MAX. */
static void test_long_path_load(void **state)
{
    fixture *f = *state;
    condense_cnn *net = make_l1();
    char *huge = long_path(f->dir, 5000, 0);
    load_fails(net, huge, CONDENSE_EINVAL);
    char *deep = long_path(f->dir, 4090, 1);
    load_fails(net, deep, CONDENSE_EINVAL);
    free(huge);
    free(deep);
    condense_cnn_free(net);
}

/* An existing directory of 4090 characters: mkdir succeeds (EEXIST), but dir/W1.npy does not
 * fit: EINVAL, the same answer load gives. */
static void test_long_path_save_existing(void **state)
{
    fixture *f = *state;
    condense_cnn *net = make_l1();
    fill(net, 8);
    char *deep = long_path(f->dir, 4090, 1);
    condense_error_clear();
    assert_status(condense_cnn_save(net, deep, "p"), CONDENSE_EINVAL);
    assert_message_recorded();
    free(deep);
    condense_cnn_free(net);
}

/* A 5000-character directory path (beyond PATH_MAX): the same over-long argument that load
 * refuses with EINVAL (test_long_path_load) must get the same status from save. */
static void test_long_path_save_beyond_path_max(void **state)
{
    fixture *f = *state;
    condense_cnn *net = make_l1();
    fill(net, 8);
    char *huge = long_path(f->dir, 5000, 0);
    condense_error_clear();
    const int status = condense_cnn_save(net, huge, "p");
    free(huge); /* before asserting, so that a failure leaks nothing */
    condense_cnn_free(net);
    assert_status(status, CONDENSE_EINVAL);
    assert_message_recorded();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_l1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_l3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resave_and_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_layout_l1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_layout_l3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_shape_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_nonfinite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_bad_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_path_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_path_save_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_path_save_beyond_path_max, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
