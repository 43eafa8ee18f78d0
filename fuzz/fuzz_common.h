/* fuzz_common.h -- what the libFuzzer targets in fuzz/ share: a private temporary directory for
 * the files a target writes, writing a file, and splitting an input into pieces.  Not part of
 * the library; built only by fuzz/run.sh (clang -fsanitize=fuzzer,address,undefined). */
#ifndef CONDENSE_FUZZ_COMMON_H
#define CONDENSE_FUZZ_COMMON_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Room for the temporary directory's path plus a file name. */
#define FUZZ_DIR_LEN 4000
#define FUZZ_PATH_LEN 4096

/* The directory ($TMPDIR or /tmp), made once per process and removed at exit with the files in
 * `fuzz_names` (after a crash it stays, for the crash to be looked at). */
static char fuzz_dir[FUZZ_DIR_LEN];
static const char *const fuzz_names[] = {"a",     "b",     "c",     "x.npy",
                                         "y.npy", "a.tmp", "b.tmp", "meta.txt"};

static inline void fuzz_cleanup(void)
{
    char p[FUZZ_PATH_LEN];
    for (size_t k = 0; k < sizeof fuzz_names / sizeof *fuzz_names; ++k) {
        snprintf(p, sizeof p, "%s/%s", fuzz_dir, fuzz_names[k]);
        remove(p);
    }
    rmdir(fuzz_dir);
}

static inline const char *fuzz_tmpdir(void)
{
    if (fuzz_dir[0] == '\0') {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/condense-fuzz-XXXXXX",
                 t != NULL && t[0] != '\0' && strlen(t) < FUZZ_DIR_LEN - 32 ? t : "/tmp");
        if (mkdtemp(fuzz_dir) == NULL) abort();
        atexit(fuzz_cleanup);
    }
    return fuzz_dir;
}

/* dir/name into buf (the names are short: no truncation). */
static inline const char *fuzz_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", fuzz_tmpdir(), name);
    return buf;
}

/* Write n bytes to path, raw or (gz != 0) gzip-compressed through zlib; abort on failure (the
 * harness's own failure, not the library's). */
static inline void fuzz_write(const char *path, const uint8_t *d, size_t n, int gz)
{
    if (gz) {
        gzFile g = gzopen(path, "wb");
        if (g == NULL || (n > 0 && gzwrite(g, d, (unsigned)n) != (int)n) || gzclose(g) != Z_OK)
            abort();
        return;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n > 0 && fwrite(d, 1, n, f) != n) || fclose(f) != 0) abort();
}

/* Take a piece of the input: a 2-byte little-endian length, then that many bytes (as many as
 * there are).  Returns the piece's length; *d and *n advance past it. */
static inline size_t fuzz_take(const uint8_t **d, size_t *n, const uint8_t **piece)
{
    size_t len = 0;
    if (*n >= 2) {
        len = (size_t)(*d)[0] | ((size_t)(*d)[1] << 8);
        *d += 2;
        *n -= 2;
    } else {
        *d += *n;
        *n = 0;
    }
    if (len > *n) len = *n;
    *piece = *d;
    *d += len;
    *n -= len;
    return len;
}

/* Split the input at '\0' into at most max_args arguments (argv[argc] = NULL), copying them into
 * buf (size + 1 bytes).  The last argument ends with the input. */
static inline int fuzz_argv(const uint8_t *d, size_t n, char *buf, char **argv, int max_args)
{
    memcpy(buf, d, n);
    buf[n] = '\0';
    int argc = 0;
    size_t start = 0;
    for (size_t k = 0; k <= n && argc < max_args; ++k)
        if (k == n || buf[k] == '\0') {
            argv[argc++] = buf + start;
            start = k + 1;
        }
    argv[argc] = NULL;
    return argc;
}

#endif
