/* test_npy.c -- tests of src/npy.c: NumPy .npy files (NEP 1 / numpy.lib.format).
 *
 * Files are checked against byte images written by hand in this file (what NumPy 1.x writes),
 * never only against the module's own writer, and every rejection is checked for its status
 * code, for a message naming the file and the problem, and for an untouched destination. */
#include <config.h>

/* mkdtemp, setrlimit, opendir, lstat are POSIX, not ISO C. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "condense/npy.h"
#include "condense/error.h"

#define PATH_LEN 512

/* ---- the temporary directory ------------------------------------------------------------ */

static char g_dir[] = "/tmp/condense-npy-XXXXXX";

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(g_dir) != NULL ? 0 : -1;
}

static int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) return unlink(path);
    DIR *dir = opendir(path);
    if (dir == NULL) return -1;
    int status = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char child[PATH_LEN];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        if (remove_tree(child) != 0) status = -1;
    }
    closedir(dir);
    return rmdir(path) == 0 ? status : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    return remove_tree(g_dir);
}

static void path_of(char *buf, const char *name)
{
    snprintf(buf, PATH_LEN, "%s/%s", g_dir, name);
}

/* Number of leftover temporary files ("<name>.tmp.XXXXXX") in the test directory. */
static int count_tmp_files(void)
{
    DIR *dir = opendir(g_dir);
    assert_non_null(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (strstr(e->d_name, ".tmp.") != NULL) n++;
    closedir(dir);
    return n;
}

static void write_file(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* The whole file, malloc'ed and followed by a NUL (so that an empty file gives a valid
 * pointer and the text after the preamble can be searched with strstr). */
static unsigned char *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size >= 0);
    rewind(f);
    unsigned char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    buf[size] = 0;
    *n = (size_t)size;
    return buf;
}

/* The last error message contains the file path and each given fragment. */
static void expect_message(const char *path, const char *needle, const char *needle2)
{
    const char *msg = condense_errmsg();
    const char *fragments[] = {path, needle, needle2};
    for (int i = 0; i < 3; i++) {
        if (fragments[i] == NULL) continue;
        if (strstr(msg, fragments[i]) == NULL)
            print_error("message \"%s\" lacks \"%s\"\n", msg, fragments[i]);
        assert_non_null(strstr(msg, fragments[i]));
    }
}

/* ---- hand-written .npy images ----------------------------------------------------------- */

/* The 2 x 3 array {1, -2, 0.5, 0.1, -0.25, 1024} as IEEE 754 binary64, least significant byte
 * first, written out by hand (0.1 = 0x3FB999999999999A exercises byte order in the mantissa). */
static const unsigned char HAND_DATA[48] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F, /* 1.0   = 0x3FF0000000000000 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, /* -2.0  = 0xC000000000000000 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x3F, /* 0.5   = 0x3FE0000000000000 */
    0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F, /* 0.1   = 0x3FB999999999999A */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xD0, 0xBF, /* -0.25 = 0xBFD0000000000000 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x40, /* 1024  = 0x4090000000000000 */
};
static const double HAND_VALUES[6] = {1.0, -2.0, 0.5, 0.1, -0.25, 1024.0};

/* What NumPy 1.x's np.save writes for that array: magic, version 1.0, header length
 * 118 = 0x76 (little-endian), the 59-character dict, 58 spaces and '\n' (10 + 59 + 58 + 1 =
 * 128, a multiple of 64), then the 48 data bytes. */
static const char HAND_HEADER[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
#define HAND_FILE_LEN 176

static void hand_image(unsigned char img[HAND_FILE_LEN])
{
    static const unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 0x01, 0x00, 0x76, 0x00};
    memcpy(img, pre, 10);
    memcpy(img + 10, HAND_HEADER, 59);
    memset(img + 69, ' ', 58);
    img[127] = '\n';
    memcpy(img + 128, HAND_DATA, 48);
}

/* A .npy file built from parts: either `raw` bytes as they are, or magic (default the real
 * one), version, `header` padded with spaces and '\n' to a multiple of `align` (1: no
 * padding), the header length field (computed unless set_hlen), then data, then cut to `cut`
 * bytes if nonzero. */
struct npy_spec {
    const char *raw;
    size_t raw_len;
    const char *magic;
    unsigned major, minor;
    const char *header;
    size_t align;
    int set_hlen;
    unsigned long hlen;
    const unsigned char *data;
    size_t ndata;
    size_t cut;
};

static void write_npy(const char *path, const struct npy_spec *s)
{
    if (s->raw != NULL) {
        write_file(path, s->raw, s->raw_len);
        return;
    }
    size_t lenbytes = (s->major == 2 || s->major == 3) ? 4 : 2;
    size_t prefix = 8 + lenbytes, text = strlen(s->header);
    size_t align = s->align != 0 ? s->align : 64;
    size_t pad = (align - (prefix + text + 1) % align) % align;
    size_t hlen = s->set_hlen ? s->hlen : text + pad + 1;
    size_t total = prefix + text + pad + 1 + s->ndata;
    unsigned char *buf = malloc(total);
    assert_non_null(buf);
    memcpy(buf, s->magic != NULL ? s->magic : "\x93NUMPY", 6);
    buf[6] = (unsigned char)s->major;
    buf[7] = (unsigned char)s->minor;
    for (size_t i = 0; i < lenbytes; i++)
        buf[8 + i] = (unsigned char)(hlen >> (8 * i));
    memcpy(buf + prefix, s->header, text);
    memset(buf + prefix + text, ' ', pad);
    buf[prefix + text + pad] = '\n';
    if (s->ndata > 0) memcpy(buf + prefix + text + pad + 1, s->data, s->ndata);
    write_file(path, buf, s->cut != 0 ? s->cut : total);
    free(buf);
}

/* 64 bytes: enough data for the (2, 3) cases, one more for "trailing byte". */
static const unsigned char DATA64[64] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x3F, 0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xD0, 0xBF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x40,
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
};

/* ---- round trips ------------------------------------------------------------------------ */

static double from_bits(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* n values: the special ones first (signed zero, subnormals, extremes, infinities, NaNs with
 * payloads and sign, a signalling NaN), then arbitrary bit patterns from a 64-bit LCG. */
static void fill_values(double *v, size_t n)
{
    const double special[] = {
        -0.0,
        0.0,
        DBL_TRUE_MIN,
        -DBL_TRUE_MIN,
        DBL_MIN / 3.0, /* subnormal */
        DBL_MIN,
        DBL_MAX,
        -DBL_MAX,
        1e-300,
        -1e300,
        INFINITY,
        -INFINITY,
        from_bits(0x7FF8000000000000u), /* quiet NaN */
        from_bits(0xFFF8000000000123u), /* negative NaN with a payload */
        from_bits(0x7FF0000000000001u), /* signalling NaN */
        3.141592653589793,
    };
    const size_t ns = sizeof special / sizeof special[0];
    uint64_t state = 0x0123456789ABCDEFu;
    for (size_t i = 0; i < n; i++) {
        if (i < ns) {
            memcpy(&v[i], &special[i], sizeof v[i]);
        } else {
            state = state * 6364136223846793005u + 1442695040888963407u;
            memcpy(&v[i], &state, sizeof v[i]);
        }
    }
}

/* Save, load back bit-identically, and find the shape again. */
static void roundtrip(const char *name, size_t ndim, const size_t *shape)
{
    char path[PATH_LEN];
    path_of(path, name);
    size_t count = 1;
    for (size_t i = 0; i < ndim; i++)
        count *= shape[i];
    double *v = malloc((count + 1) * sizeof *v);
    double *w = malloc((count + 1) * sizeof *w);
    assert_non_null(v);
    assert_non_null(w);
    fill_values(v, count);
    memset(w, 0xA5, (count + 1) * sizeof *w);
    const unsigned char sentinel[8] = {0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5};

    assert_int_equal(condense_npy_save(path, v, ndim, shape), CONDENSE_OK);
    assert_int_equal(count_tmp_files(), 0);
    assert_int_equal(condense_npy_load(path, w, ndim, shape), CONDENSE_OK);
    assert_memory_equal(w, v, count * sizeof *v);
    assert_memory_equal(w + count, sentinel, 8); /* nothing written past the array */

    size_t got_ndim = 99, got_shape[CONDENSE_NPY_MAX_DIMS];
    assert_int_equal(condense_npy_shape(path, &got_ndim, got_shape), CONDENSE_OK);
    assert_int_equal(got_ndim, ndim);
    for (size_t i = 0; i < ndim; i++)
        assert_int_equal(got_shape[i], shape[i]);

    /* File size from the format: a 64-aligned preamble plus 8 bytes per element. */
    size_t len;
    unsigned char *bytes = read_whole(path, &len);
    size_t preamble = 10 + (size_t)bytes[8] + 256 * (size_t)bytes[9];
    assert_int_equal(preamble % 64, 0);
    assert_int_equal(len, preamble + 8 * count);
    free(bytes);
    free(v);
    free(w);
}

static void test_roundtrip_scalar(void **state)
{
    (void)state;
    roundtrip("scalar.npy", 0, NULL);
}

static void test_roundtrip_1d(void **state)
{
    (void)state;
    const size_t shape[] = {5};
    roundtrip("vector.npy", 1, shape);
}

static void test_roundtrip_2d(void **state)
{
    (void)state;
    const size_t shape[] = {3, 4};
    roundtrip("matrix.npy", 2, shape);
}

static void test_roundtrip_4d(void **state)
{
    (void)state;
    const size_t shape[] = {2, 3, 4, 5};
    roundtrip("tensor.npy", 4, shape);
}

/* More elements than the writer encodes per chunk (512), and not a multiple of it. */
static void test_roundtrip_large(void **state)
{
    (void)state;
    const size_t shape[] = {33, 31};
    roundtrip("large.npy", 2, shape);
}

static void test_roundtrip_max_dims(void **state)
{
    (void)state;
    const size_t shape[CONDENSE_NPY_MAX_DIMS] = {2, 1, 3, 1, 2, 1, 1, 2};
    roundtrip("maxdims.npy", CONDENSE_NPY_MAX_DIMS, shape);
}

/* Empty arrays are valid .npy files (NumPy writes them); data may be NULL for them. */
static void test_roundtrip_empty(void **state)
{
    (void)state;
    const size_t shapes[2][2] = {{0, 0}, {3, 0}};
    const size_t ndims[2] = {1, 2};
    for (int k = 0; k < 2; k++) {
        char path[PATH_LEN];
        path_of(path, k == 0 ? "empty0.npy" : "empty30.npy");
        assert_int_equal(condense_npy_save(path, NULL, ndims[k], shapes[k]), CONDENSE_OK);
        assert_int_equal(condense_npy_load(path, NULL, ndims[k], shapes[k]), CONDENSE_OK);
        size_t len;
        unsigned char *bytes = read_whole(path, &len);
        assert_int_equal(len, 128); /* the preamble only: 10 + 57 or 59 + spaces + 1 */
        assert_non_null(
            strstr((const char *)bytes + 10, k == 0 ? "'shape': (0,), }" : "'shape': (3, 0), }"));
        free(bytes);
    }
}

/* ---- agreement with NumPy's byte layout ------------------------------------------------- */

static void test_load_hand_image(void **state)
{
    (void)state;
    char path[PATH_LEN];
    path_of(path, "hand.npy");
    unsigned char img[HAND_FILE_LEN];
    hand_image(img);
    write_file(path, img, sizeof img);

    const size_t shape[] = {2, 3};
    double v[6];
    assert_int_equal(condense_npy_load(path, v, 2, shape), CONDENSE_OK);
    assert_memory_equal(v, HAND_VALUES, sizeof v);
    size_t ndim, got[CONDENSE_NPY_MAX_DIMS];
    assert_int_equal(condense_npy_shape(path, &ndim, got), CONDENSE_OK);
    assert_int_equal(ndim, 2);
    assert_int_equal(got[0], 2);
    assert_int_equal(got[1], 3);
}

static void test_save_parsed_by_hand(void **state)
{
    (void)state;
    char path[PATH_LEN];
    path_of(path, "saved.npy");
    const size_t shape[] = {2, 3};
    assert_int_equal(condense_npy_save(path, HAND_VALUES, 2, shape), CONDENSE_OK);

    size_t len;
    unsigned char *b = read_whole(path, &len);
    assert_true(len > 10);
    assert_memory_equal(b, "\x93NUMPY", 6);
    assert_int_equal(b[6], 1); /* version 1.0 */
    assert_int_equal(b[7], 0);
    size_t hlen = (size_t)b[8] | (size_t)b[9] << 8;
    size_t preamble = 10 + hlen;
    assert_int_equal(preamble % 64, 0);
    assert_int_equal(len, preamble + 48);
    assert_int_equal(b[preamble - 1], '\n');
    char *header = malloc(hlen + 1);
    assert_non_null(header);
    memcpy(header, b + 10, hlen);
    header[hlen] = '\0';
    assert_non_null(strstr(header, "'descr': '<f8'"));
    assert_non_null(strstr(header, "'fortran_order': False"));
    assert_non_null(strstr(header, "'shape': (2, 3)"));
    assert_memory_equal(b + preamble, HAND_DATA, 48);
    /* And the whole file is byte for byte what NumPy 1.x writes. */
    unsigned char img[HAND_FILE_LEN];
    hand_image(img);
    assert_int_equal(len, HAND_FILE_LEN);
    assert_memory_equal(b, img, HAND_FILE_LEN);
    free(header);
    free(b);
}

/* Python's repr of the shape: "()" for a scalar and "(5,)" for a 1-d array. */
static void test_save_shape_text(void **state)
{
    (void)state;
    const double v[5] = {1, 2, 3, 4, 5};
    const size_t five[] = {5};
    const char *expected[2] = {"'shape': (), }", "'shape': (5,), }"};
    for (int k = 0; k < 2; k++) {
        char path[PATH_LEN];
        path_of(path, k == 0 ? "text0.npy" : "text1.npy");
        assert_int_equal(condense_npy_save(path, v, (size_t)k, k == 0 ? NULL : five), CONDENSE_OK);
        size_t len;
        unsigned char *b = read_whole(path, &len);
        /* 10 + 55 or 57 header characters + '\n' need a 128-byte preamble. */
        assert_int_equal(len, 128 + 8 * (k == 0 ? 1 : 5));
        assert_int_equal(b[8] | b[9] << 8, 118);
        assert_int_equal(b[127], '\n');
        b[127] = '\0';
        assert_non_null(strstr((const char *)b + 10, expected[k]));
        free(b);
    }
}

/* Files in other valid spellings: each holds HAND_DATA with the given shape. */
struct good_case {
    const char *name;
    struct npy_spec spec;
    size_t ndim;
    size_t shape[2];
};

#define GOOD(id, ...) static struct good_case id = {.name = #id ".npy", .spec = __VA_ARGS__}
#define HDR(maj, text, al) .major = (maj), .header = (text), .align = (al)
#define WITH_DATA(n) .data = HAND_DATA, .ndata = (n)

GOOD(good_v2,
     {HDR(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 64), WITH_DATA(48)}, 2,
     {2, 3});
GOOD(good_v3,
     {HDR(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 64), WITH_DATA(48)}, 2,
     {2, 3});
GOOD(good_double_quotes,
     {HDR(1, "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3), }", 64),
      WITH_DATA(48)},
     2, {2, 3});
GOOD(good_key_order,
     {HDR(1, "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8'}", 64), WITH_DATA(48)}, 2,
     {2, 3});
GOOD(good_no_trailing_comma,
     {HDR(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}", 64), WITH_DATA(48)}, 2,
     {2, 3});
GOOD(good_spaces,
     {HDR(1, "  {\t'descr' :  '<f8' ,\n 'fortran_order'\r\n:False,'shape':(  2 ,3 , ) ,  } ", 64),
      WITH_DATA(48)},
     2, {2, 3});
GOOD(good_align16,
     {HDR(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 16), WITH_DATA(48)}, 2,
     {2, 3});
GOOD(good_unpadded,
     {HDR(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 1), WITH_DATA(48)}, 2,
     {2, 3});
GOOD(good_python2_long,
     {HDR(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }", 64), WITH_DATA(48)},
     2, {2, 3});
GOOD(good_scalar,
     {HDR(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 64), WITH_DATA(8)}, 0,
     {0, 0});
GOOD(good_1d,
     {HDR(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", 64), WITH_DATA(48)}, 1,
     {6, 0});

static void test_accept(void **state)
{
    const struct good_case *c = *state;
    char path[PATH_LEN];
    path_of(path, c->name);
    write_npy(path, &c->spec);
    double v[6];
    assert_int_equal(condense_npy_load(path, v, c->ndim, c->shape), CONDENSE_OK);
    assert_memory_equal(v, HAND_VALUES, c->spec.ndata);
    size_t ndim = 99, shape[CONDENSE_NPY_MAX_DIMS];
    assert_int_equal(condense_npy_shape(path, &ndim, shape), CONDENSE_OK);
    assert_int_equal(ndim, c->ndim);
    for (size_t i = 0; i < c->ndim; i++)
        assert_int_equal(shape[i], c->shape[i]);
}

/* ---- rejections ------------------------------------------------------------------------- */

/* A bad file, loaded as shape (2, 3): the status, two fragments of the message, and whether
 * the header itself is valid (then condense_npy_shape succeeds: the problem is in the data or
 * in the shape asked for). */
struct bad_case {
    const char *name;
    struct npy_spec spec;
    int status;
    const char *needle, *needle2;
    int header_ok;
};

#define BAD(id, ...) static struct bad_case id = {.name = #id ".npy", .spec = __VA_ARGS__}
#define FILE_WITH(text)                                                                            \
    {                                                                                              \
        HDR(1, text, 64), .data = DATA64, .ndata = 48                                              \
    }
#define GOOD_HEADER "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"

BAD(bad_empty, {.raw = "", .raw_len = 0}, CONDENSE_EFORMAT, "empty");
BAD(bad_magic_short, {.raw = "ab", .raw_len = 2}, CONDENSE_EFORMAT, "bad magic");
BAD(bad_magic, {.magic = "\x93NUMPZ", HDR(1, GOOD_HEADER, 64), .data = DATA64, .ndata = 48},
    CONDENSE_EFORMAT, "bad magic");
BAD(bad_magic_text, {.magic = "PK\x03\x04\x14\x00", HDR(1, GOOD_HEADER, 64)}, CONDENSE_EFORMAT,
    "bad magic");
BAD(bad_preamble_cut, {.raw = "\x93NUMPY\x01", .raw_len = 7}, CONDENSE_EFORMAT,
    "ends after 7 bytes, inside the .npy preamble");
BAD(bad_preamble_cut_v2, {.raw = "\x93NUMPY\x02\x00\x76\x00", .raw_len = 10}, CONDENSE_EFORMAT,
    "ends after 10 bytes, inside the .npy preamble");
BAD(bad_version_9, {HDR(9, GOOD_HEADER, 64), .data = DATA64, .ndata = 48}, CONDENSE_EFORMAT,
    "version 9.0");
BAD(bad_version_1_1, {HDR(1, GOOD_HEADER, 64), .minor = 1, .data = DATA64, .ndata = 48},
    CONDENSE_EFORMAT, "version 1.1");
BAD(bad_version_0, {HDR(0, GOOD_HEADER, 64), .data = DATA64, .ndata = 48}, CONDENSE_EFORMAT,
    "version 0.0");
BAD(bad_dtype_f4, FILE_WITH("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "dtype '<f4' is not little-endian float64 ('<f8')");
BAD(bad_dtype_big_endian, FILE_WITH("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "dtype '>f8'");
BAD(bad_dtype_u1, FILE_WITH("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "dtype '|u1'");
BAD(bad_dtype_structured,
    FILE_WITH("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "structured dtypes are not supported");
BAD(bad_fortran, FILE_WITH("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "Fortran order is not supported");
BAD(bad_fortran_int, FILE_WITH("{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "fortran_order is not True or False");
BAD(bad_data_short, {HDR(1, GOOD_HEADER, 64), .data = DATA64, .ndata = 47}, CONDENSE_EFORMAT,
    "expected 48 bytes of data, found 47", .header_ok = 1);
BAD(bad_data_none, {HDR(1, GOOD_HEADER, 64)}, CONDENSE_EFORMAT,
    "expected 48 bytes of data, found 0", .header_ok = 1);
BAD(bad_data_trailing, {HDR(1, GOOD_HEADER, 64), .data = DATA64, .ndata = 49}, CONDENSE_EFORMAT,
    "trailing bytes", .header_ok = 1);
BAD(bad_header_cut, {HDR(1, GOOD_HEADER, 64), .data = DATA64, .ndata = 48, .cut = 40},
    CONDENSE_EFORMAT, "header length 118 extends beyond the end of the file",
    "30 header bytes present");
BAD(bad_header_length,
    {HDR(1, GOOD_HEADER, 64), .set_hlen = 1, .hlen = 60000, .data = DATA64, .ndata = 48},
    CONDENSE_EFORMAT, "header length 60000 extends beyond the end of the file");
BAD(bad_header_length_huge,
    {HDR(2, GOOD_HEADER, 64), .set_hlen = 1, .hlen = 0xFFFFFFFFu, .data = DATA64, .ndata = 48},
    CONDENSE_EFORMAT, "header length 4294967295 exceeds the limit");
BAD(bad_header_length_zero,
    {HDR(1, GOOD_HEADER, 64), .set_hlen = 1, .hlen = 0, .data = DATA64, .ndata = 48},
    CONDENSE_EFORMAT, "expected '{'");
BAD(bad_shape_mismatch, FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }"),
    CONDENSE_ESIZE, "shape (3, 2)", "expected (2, 3)", .header_ok = 1);
BAD(bad_shape_ndim_mismatch, FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }"),
    CONDENSE_ESIZE, "shape (6,)", "expected (2, 3)", .header_ok = 1);
BAD(bad_too_many_dims,
    FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 6), }"),
    CONDENSE_EFORMAT, "more than 8 dimensions");
BAD(bad_shape_garbage, FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }"),
    CONDENSE_EFORMAT, "shape entry is not a non-negative integer");
BAD(bad_shape_suffix, FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (2x, 3), }"),
    CONDENSE_EFORMAT, "shape entry is not a non-negative integer");
BAD(bad_shape_float, FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (2.0, 3), }"),
    CONDENSE_EFORMAT, "expected ',' or ')' in the shape");
BAD(bad_shape_negative, FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3), }"),
    CONDENSE_EFORMAT, "negative entry in the shape");
BAD(bad_shape_overflow,
    FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, "
              "4294967296), }"),
    CONDENSE_EFORMAT, "element count of shape (4294967296, 4294967296, 4294967296) overflows");
BAD(bad_shape_entry_huge,
    FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999, 1), }"),
    CONDENSE_EFORMAT, "is too large");
BAD(bad_shape_list, FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3], }"),
    CONDENSE_EFORMAT, "shape is not a tuple");
BAD(bad_shape_parenthesized, FILE_WITH("{'descr': '<f8', 'fortran_order': False, 'shape': (6), }"),
    CONDENSE_EFORMAT, "is not a tuple");
BAD(bad_no_brace, FILE_WITH("'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), "),
    CONDENSE_EFORMAT, "expected '{'");
BAD(bad_unterminated_string, FILE_WITH("{'descr"), CONDENSE_EFORMAT, "unterminated string");
BAD(bad_unterminated_dict, FILE_WITH("{'descr': '<f8', 'fortran_order': False,"), CONDENSE_EFORMAT,
    "expected a string");
BAD(bad_key_not_string, FILE_WITH("{descr: '<f8', 'fortran_order': False, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "expected a string", "header offset 1");
BAD(bad_missing_colon, FILE_WITH("{'descr' '<f8', 'fortran_order': False, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "expected ':' after a key");
BAD(bad_missing_comma, FILE_WITH("{'descr': '<f8' 'fortran_order': False, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "expected ',' or '}' after a value");
BAD(bad_unknown_key,
    FILE_WITH("{'descr': '<f8', 'order': 'C', 'fortran_order': False, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "unexpected key 'order'");
BAD(bad_duplicate_key,
    FILE_WITH("{'descr': '<f8', 'shape': (2, 3), 'fortran_order': False, 'shape': (2, 3), }"),
    CONDENSE_EFORMAT, "duplicate key 'shape'");
BAD(bad_missing_key, FILE_WITH("{'descr': '<f8', 'shape': (2, 3), }"), CONDENSE_EFORMAT,
    "no 'fortran_order' key");
BAD(bad_text_after_dict, FILE_WITH(GOOD_HEADER " x"), CONDENSE_EFORMAT,
    "unexpected text after '}'");
BAD(bad_nul_in_header, {.raw = "\x93NUMPY\x01\x00\x06\x00{\0\0\0}\n", .raw_len = 16},
    CONDENSE_EFORMAT, "expected a string");

static void test_reject(void **state)
{
    const struct bad_case *c = *state;
    char path[PATH_LEN];
    path_of(path, c->name);
    write_npy(path, &c->spec);

    const size_t want[2] = {2, 3};
    double dest[16], before[16];
    memset(dest, 0xA5, sizeof dest);
    memcpy(before, dest, sizeof dest);
    condense_error_clear();
    assert_int_equal(condense_npy_load(path, dest, 2, want), c->status);
    expect_message(path, c->needle, c->needle2);
    assert_memory_equal(dest, before, sizeof dest);

    size_t ndim = 99, shape[CONDENSE_NPY_MAX_DIMS], shape_before[CONDENSE_NPY_MAX_DIMS];
    memset(shape, 0x5A, sizeof shape);
    memcpy(shape_before, shape, sizeof shape);
    condense_error_clear();
    int status = condense_npy_shape(path, &ndim, shape);
    if (c->header_ok) {
        assert_int_equal(status, CONDENSE_OK);
    } else {
        assert_int_equal(status, c->status);
        expect_message(path, c->needle, c->needle2);
        assert_int_equal(ndim, 99);
        assert_memory_equal(shape, shape_before, sizeof shape);
    }
}

static void test_load_nonexistent(void **state)
{
    (void)state;
    char path[PATH_LEN];
    path_of(path, "does-not-exist.npy");
    const size_t want[2] = {2, 3};
    double dest[6] = {7, 7, 7, 7, 7, 7};
    assert_int_equal(condense_npy_load(path, dest, 2, want), CONDENSE_EIO);
    expect_message(path, strerror(ENOENT), "cannot open");
    for (int i = 0; i < 6; i++)
        assert_true(dest[i] == 7.0);
    size_t ndim = 99, shape[CONDENSE_NPY_MAX_DIMS];
    assert_int_equal(condense_npy_shape(path, &ndim, shape), CONDENSE_EIO);
    expect_message(path, strerror(ENOENT), NULL);
    assert_int_equal(ndim, 99);
}

/* fopen succeeds on a directory on Linux, and the first read fails (EISDIR): a read error. */
static void test_load_directory(void **state)
{
    (void)state;
    char path[PATH_LEN];
    path_of(path, "a-directory.npy");
    assert_int_equal(mkdir(path, 0700), 0);
    const size_t want[2] = {2, 3};
    double dest[6] = {7, 7, 7, 7, 7, 7};
    int status = condense_npy_load(path, dest, 2, want);
    assert_int_equal(status, CONDENSE_EIO);
    for (int i = 0; i < 6; i++)
        assert_true(dest[i] == 7.0);
    /* Where fopen itself refuses directories the message is "cannot open"; either way it
     * names the path and the system's reason. */
    expect_message(path, strerror(EISDIR), NULL);
}

static void test_load_invalid_arguments(void **state)
{
    (void)state;
    char path[PATH_LEN];
    path_of(path, "args.npy");
    unsigned char img[HAND_FILE_LEN];
    hand_image(img);
    write_file(path, img, sizeof img);
    const size_t want[2] = {2, 3};
    double dest[6] = {7, 7, 7, 7, 7, 7};

    assert_int_equal(condense_npy_load(NULL, dest, 2, want), CONDENSE_EINVAL);
    expect_message("path", "NULL", NULL);
    assert_int_equal(condense_npy_load(path, dest, CONDENSE_NPY_MAX_DIMS + 1, want),
                     CONDENSE_EINVAL);
    expect_message(path, "9 dimensions", NULL);
    assert_int_equal(condense_npy_load(path, dest, 2, NULL), CONDENSE_EINVAL);
    expect_message(path, "'shape' is NULL", NULL);
    assert_int_equal(condense_npy_load(path, NULL, 2, want), CONDENSE_EINVAL);
    expect_message(path, "'data' is NULL for 6 elements", NULL);
    const size_t huge[3] = {SIZE_MAX / 4, 4, 1};
    assert_int_equal(condense_npy_load(path, dest, 3, huge), CONDENSE_ESIZE);
    expect_message(path, "overflows", NULL);
    for (int i = 0; i < 6; i++)
        assert_true(dest[i] == 7.0);

    size_t ndim, shape[CONDENSE_NPY_MAX_DIMS];
    assert_int_equal(condense_npy_shape(NULL, &ndim, shape), CONDENSE_EINVAL);
    expect_message("'path' is NULL", NULL, NULL);
    assert_int_equal(condense_npy_shape(path, NULL, shape), CONDENSE_EINVAL);
    expect_message("'ndim' is NULL", NULL, NULL);
    assert_int_equal(condense_npy_shape(path, &ndim, NULL), CONDENSE_EINVAL);
    expect_message("'shape' is NULL", NULL, NULL);
}

/* ---- save failures ---------------------------------------------------------------------- */

static void expect_absent(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), -1);
    assert_int_equal(errno, ENOENT);
}

static void test_save_invalid_arguments(void **state)
{
    (void)state;
    char path[PATH_LEN];
    path_of(path, "never-written.npy");
    const double v[6] = {1, 2, 3, 4, 5, 6};
    const size_t shape[3] = {2, 3, 1};

    assert_int_equal(condense_npy_save(NULL, v, 2, shape), CONDENSE_EINVAL);
    expect_message("'path' is NULL", NULL, NULL);
    assert_int_equal(condense_npy_save(path, v, CONDENSE_NPY_MAX_DIMS + 1, shape), CONDENSE_EINVAL);
    expect_message(path, "9 dimensions", NULL);
    assert_int_equal(condense_npy_save(path, v, 2, NULL), CONDENSE_EINVAL);
    expect_message(path, "'shape' is NULL", NULL);
    assert_int_equal(condense_npy_save(path, NULL, 2, shape), CONDENSE_EINVAL);
    expect_message(path, "'data' is NULL for 6 elements", NULL);
    const size_t huge[3] = {4294967296u, 4294967296u, 4294967296u};
    assert_int_equal(condense_npy_save(path, v, 3, huge), CONDENSE_ESIZE);
    expect_message(path, "overflows", NULL);
    expect_absent(path);
    assert_int_equal(count_tmp_files(), 0);
}

static void test_save_missing_directory(void **state)
{
    (void)state;
    char dir[PATH_LEN], path[PATH_LEN];
    path_of(dir, "no-such-dir");
    path_of(path, "no-such-dir/x.npy");
    const double v[1] = {1};
    assert_int_equal(condense_npy_save(path, v, 0, NULL), CONDENSE_EIO);
    expect_message(path, strerror(ENOENT), "temporary file");
    expect_absent(dir);
    assert_int_equal(count_tmp_files(), 0);
}

/* rename() onto a directory fails after the data are written: the temporary file must go and
 * the directory stay. */
static void test_save_onto_directory(void **state)
{
    (void)state;
    char path[PATH_LEN];
    path_of(path, "dir-target.npy");
    assert_int_equal(mkdir(path, 0700), 0);
    const double v[1] = {1};
    assert_int_equal(condense_npy_save(path, v, 0, NULL), CONDENSE_EIO);
    expect_message(path, "renaming", strerror(EISDIR));
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(count_tmp_files(), 0);
}

/* A write that fails (file size limit: EFBIG) must leave an existing file untouched and no
 * temporary file behind.  `limit` and `count` choose whether stdio reports the failure from
 * fwrite (data larger than its buffer) or only from fflush (small data). */
static void save_with_size_limit(const char *name, rlim_t limit, size_t count)
{
    char path[PATH_LEN];
    path_of(path, name);
    static const char old[] = "previous contents, not a .npy file";
    write_file(path, old, sizeof old);
    double *v = calloc(count, sizeof *v);
    assert_non_null(v);
    const size_t shape[1] = {count};

    struct rlimit saved, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    lim = saved;
    lim.rlim_cur = limit;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* else SIGXFSZ kills the process */
    assert_true(old_handler != SIG_ERR);
    fflush(stdout); /* nothing of ours may need writing to a log file while the limit holds */
    fflush(stderr);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int status = condense_npy_save(path, v, 1, shape);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);

    assert_int_equal(status, CONDENSE_EIO);
    expect_message(path, "writing", strerror(EFBIG));
    size_t len;
    unsigned char *b = read_whole(path, &len);
    assert_int_equal(len, sizeof old);
    assert_memory_equal(b, old, sizeof old);
    assert_int_equal(count_tmp_files(), 0);
    free(b);
    free(v);
}

static void test_save_flush_failure(void **state)
{
    (void)state;
    save_with_size_limit("limit-flush.npy", 100, 16); /* 192 bytes, all buffered */
}

static void test_save_write_failure(void **state)
{
    (void)state;
    save_with_size_limit("limit-write.npy", 1000, 10000); /* 80064 bytes */
}

static void test_save_replaces_existing(void **state)
{
    (void)state;
    char path[PATH_LEN];
    path_of(path, "replace.npy");
    static const char old[] = "old";
    write_file(path, old, sizeof old);
    const size_t shape[] = {2, 3};
    assert_int_equal(condense_npy_save(path, HAND_VALUES, 2, shape), CONDENSE_OK);
    size_t len;
    unsigned char *b = read_whole(path, &len);
    unsigned char img[HAND_FILE_LEN];
    hand_image(img);
    assert_int_equal(len, HAND_FILE_LEN);
    assert_memory_equal(b, img, HAND_FILE_LEN);
    assert_int_equal(count_tmp_files(), 0);
    free(b);
}

/* ---- main ------------------------------------------------------------------------------- */

/* One test per case, named after it (cmocka_unit_test_prestate would name them all alike). */
#define ACCEPT(c)                                                                                  \
    {                                                                                              \
        "accept_" #c, test_accept, NULL, NULL, &(c)                                                \
    }
#define REJECT(c)                                                                                  \
    {                                                                                              \
        "reject_" #c, test_reject, NULL, NULL, &(c)                                                \
    }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_scalar),
        cmocka_unit_test(test_roundtrip_1d),
        cmocka_unit_test(test_roundtrip_2d),
        cmocka_unit_test(test_roundtrip_4d),
        cmocka_unit_test(test_roundtrip_large),
        cmocka_unit_test(test_roundtrip_max_dims),
        cmocka_unit_test(test_roundtrip_empty),
        cmocka_unit_test(test_load_hand_image),
        cmocka_unit_test(test_save_parsed_by_hand),
        cmocka_unit_test(test_save_shape_text),
        ACCEPT(good_v2),
        ACCEPT(good_v3),
        ACCEPT(good_double_quotes),
        ACCEPT(good_key_order),
        ACCEPT(good_no_trailing_comma),
        ACCEPT(good_spaces),
        ACCEPT(good_align16),
        ACCEPT(good_unpadded),
        ACCEPT(good_python2_long),
        ACCEPT(good_scalar),
        ACCEPT(good_1d),
        REJECT(bad_empty),
        REJECT(bad_magic_short),
        REJECT(bad_magic),
        REJECT(bad_magic_text),
        REJECT(bad_preamble_cut),
        REJECT(bad_preamble_cut_v2),
        REJECT(bad_version_9),
        REJECT(bad_version_1_1),
        REJECT(bad_version_0),
        REJECT(bad_dtype_f4),
        REJECT(bad_dtype_big_endian),
        REJECT(bad_dtype_u1),
        REJECT(bad_dtype_structured),
        REJECT(bad_fortran),
        REJECT(bad_fortran_int),
        REJECT(bad_data_short),
        REJECT(bad_data_none),
        REJECT(bad_data_trailing),
        REJECT(bad_header_cut),
        REJECT(bad_header_length),
        REJECT(bad_header_length_huge),
        REJECT(bad_header_length_zero),
        REJECT(bad_shape_mismatch),
        REJECT(bad_shape_ndim_mismatch),
        REJECT(bad_too_many_dims),
        REJECT(bad_shape_garbage),
        REJECT(bad_shape_suffix),
        REJECT(bad_shape_float),
        REJECT(bad_shape_negative),
        REJECT(bad_shape_overflow),
        REJECT(bad_shape_entry_huge),
        REJECT(bad_shape_list),
        REJECT(bad_shape_parenthesized),
        REJECT(bad_no_brace),
        REJECT(bad_unterminated_string),
        REJECT(bad_unterminated_dict),
        REJECT(bad_key_not_string),
        REJECT(bad_missing_colon),
        REJECT(bad_missing_comma),
        REJECT(bad_unknown_key),
        REJECT(bad_duplicate_key),
        REJECT(bad_missing_key),
        REJECT(bad_text_after_dict),
        REJECT(bad_nul_in_header),
        cmocka_unit_test(test_load_nonexistent),
        cmocka_unit_test(test_load_directory),
        cmocka_unit_test(test_load_invalid_arguments),
        cmocka_unit_test(test_save_invalid_arguments),
        cmocka_unit_test(test_save_missing_directory),
        cmocka_unit_test(test_save_onto_directory),
        cmocka_unit_test(test_save_flush_failure),
        cmocka_unit_test(test_save_write_failure),
        cmocka_unit_test(test_save_replaces_existing),
    };
    return cmocka_run_group_tests_name("npy", tests, group_setup, group_teardown);
}
