/* npy.c -- NumPy .npy files of little-endian float64 arrays in C order.
 *
 * Implements the .npy format of NEP 1 as read and written by numpy.lib.format: a 6-byte magic
 * "\x93NUMPY", a major and a minor version byte, the header length (2 bytes little-endian for
 * version 1.0, 4 bytes for 2.0 and 3.0), the header (a Python dict literal padded with spaces
 * and ending in '\n'), then the raw array data. */
#include <config.h>

/* mkstemp, fdopen, fileno and fsync are POSIX, not ISO C. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "condense/npy.h"
#include "condense/error.h"

/* The byte-wise (de)coding below goes through uint64_t, which assumes IEEE 754 binary64 doubles
 * stored with the same byte order as uint64_t: true on every host C11 and POSIX target today. */
_Static_assert(sizeof(double) == 8 && sizeof(uint64_t) == 8, "double must be IEEE 754 binary64");

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
/* numpy.lib.format.ARRAY_ALIGN: NumPy pads the preamble so that the data starts on a 64-byte
 * boundary (older releases used 16; readers must not rely on either). */
#define NPY_ALIGN 64
/* A '<f8' header is a few hundred bytes; the limit keeps a corrupt length field from making
 * us allocate gigabytes (numpy.lib.format has a similar max_header_size). */
#define NPY_HEADER_MAX ((size_t)1 << 20)
/* Doubles encoded per fwrite by condense_npy_save. */
#define NPY_CHUNK 512

/* What a header says, once it has been checked: the shape and prod(shape). */
struct npy_info {
    size_t ndim;
    size_t shape[CONDENSE_NPY_MAX_DIMS];
    size_t count;
};

/* NEP 1: '<f8' data is IEEE 754 binary64, least significant byte first.  Decoding byte by byte
 * makes this right on big-endian hosts too; memcpy to and from memory (never through a double
 * rvalue) keeps every bit, including signalling-NaN payloads on x87. */
static void decode_f64le(const unsigned char *p, double *out)
{
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
        bits = (bits << 8) | p[i];
    memcpy(out, &bits, sizeof bits);
}

/* NEP 1: the inverse of decode_f64le. */
static void encode_f64le(const double *in, unsigned char *p)
{
    uint64_t bits;
    memcpy(&bits, in, sizeof bits);
    for (int i = 0; i < 8; i++) {
        p[i] = (unsigned char)(bits & 0xFF);
        bits >>= 8;
    }
}

/* prod(shape) into *count; false if prod(shape) * sizeof(double) does not fit in size_t, so
 * that byte counts computed from the shape can never wrap around. */
static int count_elements(size_t ndim, const size_t *shape, size_t *count)
{
    size_t n = 1;
    for (size_t i = 0; i < ndim; i++) {
        if (shape[i] == 0) {
            *count = 0; /* an empty array, whatever the other dimensions are */
            return 1;
        }
    }
    for (size_t i = 0; i < ndim; i++) {
        if (n > SIZE_MAX / sizeof(double) / shape[i]) return 0;
        n *= shape[i];
    }
    *count = n;
    return 1;
}

/* Python's repr of a shape tuple, as NumPy writes it in headers: (), (5,), (3, 4). */
static void format_shape(char *buf, size_t size, size_t ndim, const size_t *shape)
{
    size_t used = (size_t)snprintf(buf, size, "(");
    for (size_t i = 0; i < ndim && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%zu", i > 0 ? ", " : "", shape[i]);
    if (used < size) snprintf(buf + used, size - used, ndim == 1 ? ",)" : ")");
}

/* fread that tells a short read at end of file (returned as *got < n, for the caller to
 * judge) from a read error (returned as CONDENSE_EIO). */
static int read_bytes(FILE *f, const char *path, void *buf, size_t n, size_t *got)
{
    *got = fread(buf, 1, n, f);
    if (*got < n && ferror(f))
        CONDENSE_ERROR(CONDENSE_EIO, "%s: read error: %s", path, strerror(errno));
    return CONDENSE_OK;
}

/* ---- the header dict (numpy.lib.format._read_array_header) ------------------------------- */

/* A cursor in the header text.  The text is not NUL-terminated: every test is bounded by
 * `end`, so a NUL byte in a corrupt header is just an unexpected character. */
struct parser {
    const char *path;
    const char *begin, *p, *end;
};

static int syntax_error(const struct parser *ps, const char *what)
{
    CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: malformed .npy header: %s at header offset %zu", ps->path,
                   what, (size_t)(ps->p - ps->begin));
}

/* Python allows any whitespace (newlines included) between tokens inside braces. */
static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && *ps->p != '\0' && strchr(" \t\n\r\f\v", *ps->p) != NULL)
        ps->p++;
}

static int peek_is(const struct parser *ps, char c)
{
    return ps->p < ps->end && *ps->p == c;
}

static int consume(struct parser *ps, char c)
{
    if (!peek_is(ps, c)) return 0;
    ps->p++;
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_ident_char(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

/* A Python string literal in single or double quotes.  Escapes are not interpreted: none of
 * the keys or values NumPy writes for '<f8' contains a backslash, so such a string can only
 * fail to match below. */
static int parse_string(struct parser *ps, const char **s, size_t *len)
{
    if (!peek_is(ps, '\'') && !peek_is(ps, '"')) return syntax_error(ps, "expected a string");
    char quote = *ps->p++;
    const char *start = ps->p;
    while (ps->p < ps->end && *ps->p != quote)
        ps->p++;
    if (ps->p == ps->end) return syntax_error(ps, "unterminated string");
    *s = start;
    *len = (size_t)(ps->p - start);
    ps->p++;
    return CONDENSE_OK;
}

static int text_is(const char *s, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(s, word, len) == 0;
}

/* 'descr': only '<f8' (little-endian IEEE binary64) is this module's business. */
static int parse_descr(struct parser *ps)
{
    if (!peek_is(ps, '\'') && !peek_is(ps, '"'))
        CONDENSE_ERROR(CONDENSE_EFORMAT,
                       "%s: dtype is not a type string (structured dtypes are not supported); "
                       "expected little-endian float64 ('<f8')",
                       ps->path);
    const char *s;
    size_t len;
    CONDENSE_TRY(parse_string(ps, &s, &len));
    if (!text_is(s, len, "<f8"))
        CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: dtype '%.*s' is not little-endian float64 ('<f8')",
                       ps->path, (int)(len < 32 ? len : 32), s);
    return CONDENSE_OK;
}

/* 'fortran_order': a Python bool; only False (C order) is supported. */
static int parse_fortran_order(struct parser *ps)
{
    const char *start = ps->p;
    while (ps->p < ps->end && is_ident_char(*ps->p))
        ps->p++;
    size_t len = (size_t)(ps->p - start);
    if (text_is(start, len, "False")) return CONDENSE_OK;
    if (text_is(start, len, "True"))
        CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: Fortran order is not supported (C order expected)",
                       ps->path);
    ps->p = start;
    return syntax_error(ps, "fortran_order is not True or False");
}

/* One entry of the shape tuple: a non-negative decimal integer that fits in size_t. */
static int parse_dim(struct parser *ps, size_t *dim)
{
    if (peek_is(ps, '-'))
        CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: negative entry in the shape at header offset %zu",
                       ps->path, (size_t)(ps->p - ps->begin));
    if (ps->p == ps->end || !is_digit(*ps->p))
        return syntax_error(ps, "shape entry is not a non-negative integer");
    size_t v = 0;
    while (ps->p < ps->end && is_digit(*ps->p)) {
        size_t d = (size_t)(*ps->p - '0');
        if (v > (SIZE_MAX - d) / 10)
            CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: shape entry at header offset %zu is too large",
                           ps->path, (size_t)(ps->p - ps->begin));
        v = v * 10 + d;
        ps->p++;
    }
    /* Python 2 wrote longs as "3L"; numpy.lib.format (_filter_header) still reads them. */
    if (peek_is(ps, 'L') || peek_is(ps, 'l')) ps->p++;
    if (ps->p < ps->end && is_ident_char(*ps->p))
        return syntax_error(ps, "shape entry is not a non-negative integer");
    *dim = v;
    return CONDENSE_OK;
}

/* 'shape': a tuple of integers, "()" for a scalar and "(n,)" for a 1-d array.  "(n)" is the
 * integer n in Python, not a tuple, and NumPy refuses it; so do we. */
static int parse_shape(struct parser *ps, struct npy_info *info)
{
    if (!consume(ps, '(')) return syntax_error(ps, "shape is not a tuple");
    size_t n = 0;
    for (;;) {
        skip_ws(ps);
        if (peek_is(ps, ')')) break; /* "()" or a trailing comma */
        if (n == CONDENSE_NPY_MAX_DIMS)
            CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: array has more than %d dimensions", ps->path,
                           CONDENSE_NPY_MAX_DIMS);
        CONDENSE_TRY(parse_dim(ps, &info->shape[n]));
        n++;
        skip_ws(ps);
        if (consume(ps, ',')) continue;
        if (!peek_is(ps, ')')) return syntax_error(ps, "expected ',' or ')' in the shape");
        if (n == 1) return syntax_error(ps, "shape \"(n)\" is not a tuple (write \"(n,)\")");
        break;
    }
    ps->p++; /* the ')' */
    info->ndim = n;
    if (!count_elements(n, info->shape, &info->count)) {
        char text[256];
        format_shape(text, sizeof text, n, info->shape);
        CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: element count of shape %s overflows", ps->path, text);
    }
    return CONDENSE_OK;
}

/* The header dict: exactly the keys 'descr', 'fortran_order' and 'shape', in any order, with
 * any whitespace and an optional trailing comma, as Python's ast.literal_eval would accept. */
static int parse_header(const char *path, const char *text, size_t len, struct npy_info *info)
{
    static const char *const keys[] = {"descr", "fortran_order", "shape"};
    int seen[3] = {0, 0, 0};
    struct parser ps = {path, text, text, text + len};

    skip_ws(&ps);
    if (!consume(&ps, '{')) return syntax_error(&ps, "expected '{'");
    for (;;) {
        skip_ws(&ps);
        if (consume(&ps, '}')) break; /* "{}" or a trailing comma */
        const char *key;
        size_t keylen;
        CONDENSE_TRY(parse_string(&ps, &key, &keylen));
        int k = 0;
        while (k < 3 && !text_is(key, keylen, keys[k]))
            k++;
        if (k == 3)
            CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: unexpected key '%.*s' in the .npy header", path,
                           (int)(keylen < 32 ? keylen : 32), key);
        if (seen[k]) CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: duplicate key '%s'", path, keys[k]);
        seen[k] = 1;
        skip_ws(&ps);
        if (!consume(&ps, ':')) return syntax_error(&ps, "expected ':' after a key");
        skip_ws(&ps);
        if (k == 0) CONDENSE_TRY(parse_descr(&ps));
        if (k == 1) CONDENSE_TRY(parse_fortran_order(&ps));
        if (k == 2) CONDENSE_TRY(parse_shape(&ps, info));
        skip_ws(&ps);
        if (consume(&ps, ',')) continue;
        if (consume(&ps, '}')) break;
        return syntax_error(&ps, "expected ',' or '}' after a value");
    }
    skip_ws(&ps);
    if (ps.p != ps.end) return syntax_error(&ps, "unexpected text after '}'");
    for (int k = 0; k < 3; k++)
        if (!seen[k])
            CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: the .npy header has no '%s' key", path, keys[k]);
    return CONDENSE_OK;
}

/* NEP 1 / numpy.lib.format (read_magic, _read_array_header): checks the preamble and the
 * header of an open file and leaves `f` at the first data byte.  *info is written only on
 * success. */
static int read_header(FILE *f, const char *path, struct npy_info *info)
{
    unsigned char pre[NPY_MAGIC_LEN + 2 + 4];
    size_t got;
    CONDENSE_TRY(read_bytes(f, path, pre, NPY_MAGIC_LEN + 2, &got));
    if (got == 0) CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: file is empty, not a .npy file", path);
    if (memcmp(pre, NPY_MAGIC, got < NPY_MAGIC_LEN ? got : NPY_MAGIC_LEN) != 0)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: not a .npy file (bad magic string)", path);
    if (got < NPY_MAGIC_LEN + 2)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: file ends after %zu bytes, inside the .npy preamble",
                       path, got);

    unsigned major = pre[NPY_MAGIC_LEN], minor = pre[NPY_MAGIC_LEN + 1];
    if (major < 1 || major > 3 || minor != 0)
        CONDENSE_ERROR(CONDENSE_EFORMAT,
                       "%s: unsupported .npy format version %u.%u (1.0, 2.0 and 3.0 are)", path,
                       major, minor);
    /* Version 1.0 has a 2-byte header length; 2.0 (long headers) and 3.0 (UTF-8 field names)
     * a 4-byte one.  The header of a '<f8' array is ASCII either way. */
    size_t lenbytes = major == 1 ? 2 : 4;
    CONDENSE_TRY(read_bytes(f, path, pre + NPY_MAGIC_LEN + 2, lenbytes, &got));
    if (got < lenbytes)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: file ends after %zu bytes, inside the .npy preamble",
                       path, NPY_MAGIC_LEN + 2 + got);
    size_t hlen = 0;
    for (size_t i = lenbytes; i-- > 0;)
        hlen = (hlen << 8) | pre[NPY_MAGIC_LEN + 2 + i];
    if (hlen > NPY_HEADER_MAX)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "%s: .npy header length %zu exceeds the limit of %zu",
                       path, hlen, NPY_HEADER_MAX);

    char *text = malloc(hlen + 1); /* + 1: malloc(0) may return NULL */
    if (text == NULL)
        CONDENSE_ERROR(CONDENSE_ENOMEM, "%s: no memory for a %zu-byte header", path, hlen);
    int status = read_bytes(f, path, text, hlen, &got);
    if (status == CONDENSE_OK && got < hlen)
        status = condense_error_set(CONDENSE_EFORMAT, __func__,
                                    "%s: .npy header length %zu extends beyond the end of the "
                                    "file (%zu header bytes present)",
                                    path, hlen, got);
    struct npy_info parsed;
    if (status == CONDENSE_OK) status = parse_header(path, text, hlen, &parsed);
    free(text);
    if (status == CONDENSE_OK) *info = parsed;
    return status;
}

/* Open `path` and check its header; on success the caller owns *f, positioned at the data. */
static int open_npy(const char *path, FILE **f, struct npy_info *info)
{
    *f = fopen(path, "rb");
    if (*f == NULL) CONDENSE_ERROR(CONDENSE_EIO, "%s: cannot open: %s", path, strerror(errno));
    int status = read_header(*f, path, info);
    if (status != CONDENSE_OK) {
        fclose(*f); /* read-only: nothing buffered can be lost */
        *f = NULL;
    }
    return status;
}

/* NEP 1: the data is exactly prod(shape) * 8 bytes up to the end of the file.  Anything else
 * means the header and the data disagree, so the file is refused rather than half-trusted.
 * `data` is written only when every check has passed. */
static int read_data(FILE *f, const char *path, double *data, size_t count)
{
    size_t nbytes = count * sizeof(double); /* cannot wrap: count_elements checked it */
    unsigned char *buf = malloc(nbytes + 1);
    if (buf == NULL)
        CONDENSE_ERROR(CONDENSE_ENOMEM, "%s: no memory for %zu bytes of data", path, nbytes);
    size_t got, extra = 0;
    unsigned char probe;
    int status = read_bytes(f, path, buf, nbytes, &got);
    if (status == CONDENSE_OK && got < nbytes)
        status = condense_error_set(CONDENSE_EFORMAT, __func__,
                                    "%s: expected %zu bytes of data, found %zu", path, nbytes, got);
    if (status == CONDENSE_OK) status = read_bytes(f, path, &probe, 1, &extra);
    if (status == CONDENSE_OK && extra > 0)
        status = condense_error_set(CONDENSE_EFORMAT, __func__,
                                    "%s: trailing bytes after the %zu bytes of data the header "
                                    "announces",
                                    path, nbytes);
    if (status == CONDENSE_OK)
        for (size_t i = 0; i < count; i++)
            decode_f64le(buf + 8 * i, data + i);
    free(buf);
    return status;
}

/* NEP 1: the preamble then the data, encoded NPY_CHUNK doubles at a time so that saving needs
 * no copy of the whole array; then fflush and fsync, because rename() must only ever publish
 * bytes that are on disk.  Closes `fd` in every case.  Returns NULL on success, else the step
 * that failed, with errno set by it. */
static const char *write_and_close(int fd, const char *pre, size_t total, const double *data,
                                   size_t count)
{
    FILE *f = fdopen(fd, "wb");
    if (f == NULL) {
        int open_err = errno;
        close(fd);
        errno = open_err;
        return "opening";
    }
    unsigned char chunk[NPY_CHUNK * 8];
    const char *step = "writing";
    int err;
    if (fwrite(pre, 1, total, f) != total) goto fail;
    for (size_t i = 0; i < count;) {
        size_t n = count - i < NPY_CHUNK ? count - i : NPY_CHUNK;
        for (size_t j = 0; j < n; j++)
            encode_f64le(data + i + j, chunk + 8 * j);
        if (fwrite(chunk, 8, n, f) != n) goto fail;
        i += n;
    }
    if (fflush(f) != 0) goto fail;
    step = "syncing";
    if (fsync(fileno(f)) != 0) goto fail;
    return fclose(f) == 0 ? NULL : "closing";

fail:
    err = errno;
    fclose(f); /* the stream is broken: its own result adds nothing */
    errno = err;
    return step;
}

/* ---- public functions ------------------------------------------------------------------- */

/* NEP 1 / numpy.lib.format (write_array): a version 1.0 file, written atomically. */
int condense_npy_save(const char *path, const double *data, size_t ndim, const size_t *shape)
{
    CONDENSE_CHECK_NULL(path);
    if (ndim > CONDENSE_NPY_MAX_DIMS)
        CONDENSE_ERROR(CONDENSE_EINVAL, "%s: %zu dimensions, more than the %d supported", path,
                       ndim, CONDENSE_NPY_MAX_DIMS);
    if (ndim > 0 && shape == NULL)
        CONDENSE_ERROR(CONDENSE_EINVAL, "%s: argument 'shape' is NULL with ndim %zu", path, ndim);
    size_t count;
    if (!count_elements(ndim, shape, &count))
        CONDENSE_ERROR(CONDENSE_ESIZE, "%s: the element count of the shape overflows", path);
    if (count > 0 && data == NULL)
        CONDENSE_ERROR(CONDENSE_EINVAL, "%s: argument 'data' is NULL for %zu elements", path,
                       count);

    /* The preamble, as numpy.lib.format._wrap_header builds it: the dict, spaces, '\n', with
     * the total a multiple of NPY_ALIGN.  Eight dimensions of at most 20 digits give a header
     * under 256 bytes, so the 2-byte length of version 1.0 always suffices (NumPy, too, writes
     * 2.0 only for headers over 65535 bytes). */
    char pre[512];
    char shape_text[256];
    format_shape(shape_text, sizeof shape_text, ndim, shape);
    size_t len =
        (size_t)snprintf(pre + 10, sizeof pre - 10,
                         "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape_text);
    size_t total = (10 + len + 1 + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    _Static_assert(sizeof pre >= 256 + NPY_ALIGN, "preamble buffer too small");
    memcpy(pre, NPY_MAGIC, NPY_MAGIC_LEN);
    pre[6] = 1; /* version 1.0 */
    pre[7] = 0;
    pre[8] = (char)((total - 10) & 0xFF);
    pre[9] = (char)((total - 10) >> 8);
    memset(pre + 10 + len, ' ', total - 1 - (10 + len));
    pre[total - 1] = '\n';

    /* Write to a temporary file in the same directory (rename is atomic only within one file
     * system) and rename it into place once its bytes are on disk, so that a crash or a full
     * disk never leaves a half-written file at `path`, nor destroys a previous one. */
    static const char suffix[] = ".tmp.XXXXXX";
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof suffix);
    if (tmp == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "%s: no memory for a file name", path);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, suffix, sizeof suffix);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int err = errno;
        free(tmp);
        CONDENSE_ERROR(CONDENSE_EIO, "%s: cannot create a temporary file: %s", path, strerror(err));
    }
    /* mkstemp creates mode 0600; saved parameters are meant to be shared like numpy.save's, so
     * make them readable by all (0644; reading the umask is not thread-safe).  A failure here
     * only affects permissions, so it is not an error. */
    (void)fchmod(fd, 0644);

    const char *step = write_and_close(fd, pre, total, data, count);
    if (step == NULL && rename(tmp, path) != 0) step = "renaming";
    if (step != NULL) {
        int err = errno; /* before remove() changes it */
        remove(tmp);
        condense_error_set(CONDENSE_EIO, __func__, "%s: %s temporary file %s failed: %s", path,
                           step, tmp, strerror(err));
        free(tmp);
        return CONDENSE_EIO;
    }
    free(tmp);
    return CONDENSE_OK;
}

/* NEP 1 / numpy.lib.format (read_array_header_1_0 / _2_0): the shape from the header. */
int condense_npy_shape(const char *path, size_t *ndim, size_t *shape)
{
    CONDENSE_CHECK_NULL(path);
    CONDENSE_CHECK_NULL(ndim);
    CONDENSE_CHECK_NULL(shape);
    FILE *f;
    struct npy_info info;
    CONDENSE_TRY(open_npy(path, &f, &info));
    fclose(f); /* read-only: nothing buffered can be lost */
    *ndim = info.ndim;
    memcpy(shape, info.shape, info.ndim * sizeof *shape);
    return CONDENSE_OK;
}

/* NEP 1 / numpy.lib.format (read_array): header checks, then exactly the announced data. */
int condense_npy_load(const char *path, double *data, size_t ndim, const size_t *shape)
{
    CONDENSE_CHECK_NULL(path);
    if (ndim > CONDENSE_NPY_MAX_DIMS)
        CONDENSE_ERROR(CONDENSE_EINVAL, "%s: %zu dimensions requested, more than the %d supported",
                       path, ndim, CONDENSE_NPY_MAX_DIMS);
    if (ndim > 0 && shape == NULL)
        CONDENSE_ERROR(CONDENSE_EINVAL, "%s: argument 'shape' is NULL with ndim %zu", path, ndim);
    size_t count;
    if (!count_elements(ndim, shape, &count))
        CONDENSE_ERROR(CONDENSE_ESIZE, "%s: the element count of the requested shape overflows",
                       path);
    if (count > 0 && data == NULL)
        CONDENSE_ERROR(CONDENSE_EINVAL, "%s: argument 'data' is NULL for %zu elements", path,
                       count);

    FILE *f;
    struct npy_info info;
    CONDENSE_TRY(open_npy(path, &f, &info));
    int status = CONDENSE_OK;
    if (info.ndim != ndim || (ndim > 0 && memcmp(info.shape, shape, ndim * sizeof *shape) != 0)) {
        char have[256], want[256];
        format_shape(have, sizeof have, info.ndim, info.shape);
        format_shape(want, sizeof want, ndim, shape);
        status = condense_error_set(CONDENSE_ESIZE, __func__,
                                    "%s: the file holds an array of shape %s, expected %s", path,
                                    have, want);
    }
    if (status == CONDENSE_OK) status = read_data(f, path, data, info.count);
    fclose(f); /* read-only: nothing buffered can be lost */
    return status;
}
