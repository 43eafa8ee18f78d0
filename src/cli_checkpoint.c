/* cli_checkpoint.c -- checkpoint.txt, shared by `condense train` and `condense flow`: lines
 * "KEY VALUE" (a command's own scalars), "args N" and N lines "arg A" (the options of the run,
 * so that --resume DIR needs nothing else), comments '#'.  The file is written last, through
 * cli_out_open/close (temporary file, fsync, rename), after the arrays it names: a checkpoint
 * is current exactly when checkpoint.txt names it. */
#define _POSIX_C_SOURCE 200809L
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "condense/error.h"

void cli_checkpoint_free(cli_checkpoint *c)
{
    free(c->argv);
    free(c->buf);
    memset(c, 0, sizeof *c);
}

const char *cli_checkpoint_get(const cli_checkpoint *c, const char *key)
{
    for (size_t k = 0; k < c->n_keys; ++k)
        if (strcmp(c->key[k], key) == 0) return c->val[k];
    return NULL;
}

/* The whole file into c->buf. */
static int slurp(const char *path, cli_checkpoint *c)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        CONDENSE_ERROR(CONDENSE_EIO,
                       "%s: %s (no checkpoint: was the run started with --checkpoint-every, or "
                       "has it completed?)",
                       path, strerror(errno));
    size_t cap = 4096, len = 0, got;
    c->buf = malloc(cap);
    while (c->buf != NULL && (got = fread(c->buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *more = realloc(c->buf, 2 * cap);
            if (more == NULL) free(c->buf);
            c->buf = more;
            cap *= 2;
        }
    }
    fclose(f);
    if (c->buf == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot read %s", path);
    c->buf[len] = '\0';
    return CONDENSE_OK;
}

int cli_checkpoint_read(const char *dir, cli_checkpoint *c)
{
    memset(c, 0, sizeof *c);
    char path[4200];
    snprintf(path, sizeof path, "%s/checkpoint.txt", dir);
    CONDENSE_TRY(slurp(path, c));
    int nargs = -1, k = 0, status = CONDENSE_OK;
    for (char *line = c->buf, *next; status == CONDENSE_OK && *line != '\0'; line = next) {
        next = strchr(line, '\n');
        if (next == NULL)
            next = line + strlen(line);
        else
            *next++ = '\0';
        char *space = strchr(line, ' ');
        if (line[0] == '#') continue;
        if (c->argv != NULL && k < nargs && strncmp(line, "arg ", 4) == 0) {
            c->argv[k++] = line + 4;
        } else if (c->argv == NULL && sscanf(line, "args %d", &nargs) == 1 && nargs >= 0 &&
                   nargs < 1000) {
            c->argv = calloc((size_t)nargs + 1, sizeof *c->argv);
            if (c->argv == NULL) status = condense_error_set(CONDENSE_ENOMEM, __func__, "%s", path);
        } else if (space != NULL && space != line && c->argv == NULL &&
                   c->n_keys < CLI_CHECKPOINT_KEYS) {
            *space = '\0';
            c->key[c->n_keys] = line;
            c->val[c->n_keys++] = space + 1;
        } else {
            status = condense_error_set(CONDENSE_EFORMAT, __func__, "%s: unexpected line '%.60s'",
                                        path, line);
        }
    }
    if (status == CONDENSE_OK && (c->argv == NULL || k != nargs))
        status = condense_error_set(CONDENSE_EFORMAT, __func__, "%s: incomplete (args)", path);
    if (status != CONDENSE_OK) {
        cli_checkpoint_free(c);
        return status;
    }
    c->argc = nargs;
    return CONDENSE_OK;
}

int cli_checkpoint_size(const cli_checkpoint *c, const char *key, size_t *out)
{
    const char *v = cli_checkpoint_get(c, key);
    char *end;
    errno = 0;
    const unsigned long long x = v != NULL ? strtoull(v, &end, 10) : 0;
    if (v == NULL || *v == '-' || end == v || *end != '\0' || errno != 0)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "checkpoint.txt: no integer '%s'", key);
    *out = (size_t)x;
    return CONDENSE_OK;
}

int cli_checkpoint_double(const cli_checkpoint *c, const char *key, double *out)
{
    const char *v = cli_checkpoint_get(c, key);
    char *end;
    const double x = v != NULL ? strtod(v, &end) : 0.0;
    if (v == NULL || end == v || *end != '\0')
        CONDENSE_ERROR(CONDENSE_EFORMAT, "checkpoint.txt: no number '%s'", key);
    *out = x;
    return CONDENSE_OK;
}

void cli_checkpoint_write_args(FILE *f, int argc, char **argv)
{
    fprintf(f, "args %d\n", argc);
    for (int k = 0; k < argc; ++k)
        fprintf(f, "arg %s\n", argv[k]);
}

/* Temporary files an interrupted run left in dir (NAME.tmp of cli_out_open, NAME.tmp.XXXXXX
 * of npy.h) removed: their complete versions are written again. */
void cli_remove_stale_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) return;
    char path[4200];
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *t = strstr(e->d_name, ".tmp");
        if (t != NULL && (t[4] == '\0' || t[4] == '.')) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            remove(path);
        }
    }
    closedir(d);
}

/* A completed run's checkpoint removed: checkpoint.txt first (so that no half-removed
 * checkpoint is ever current), then every checkpoint_* array, including those an interrupted
 * run left behind (written before their checkpoint.txt, or not yet removed after the next). */
void cli_checkpoint_remove(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/checkpoint.txt", dir);
    remove(path);
    DIR *d = opendir(dir);
    if (d == NULL) return;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strncmp(e->d_name, "checkpoint_", 11) == 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            remove(path);
        }
    closedir(d);
}
