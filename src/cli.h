/* cli.h -- what the files of the condense program share (not installed). */
#ifndef CONDENSE_CLI_H
#define CONDENSE_CLI_H

#include <stddef.h>
#include <stdio.h>

#define EXIT_USAGE 2

extern const char *const cli_program;

/* Report a usage error (fmt with one %s) on stderr and return EXIT_USAGE. */
int cli_bad_usage(const char *fmt, const char *arg);

/* Report a library failure (status and recorded message) on stderr and return 1. */
int cli_failure(int status);

/* A whole argument as a positive integer <= max, else 0. */
size_t cli_parse_size(const char *s, size_t max);

/* A whole argument as a finite double (returns 1), else 0. */
int cli_parse_double(const char *s, double *out);

/* A seed in [0, 2^32 - 1] (returns 1), else 0. */
int cli_parse_seed(const char *s, unsigned long *seed);

/* --size WxH into W, H; returns 0 or the usage exit status (after the message). */
int cli_parse_wxh(const char *s, size_t *W, size_t *H);

/* A comma-separated list of 1 to 16 positive sizes into list[1..], its length into *count. */
int cli_parse_list(const char *s, size_t *list, size_t *count);

/* Output files are written to NAME.tmp and renamed into place (after fflush and fsync), so
 * that an interrupted run leaves either the old file or the complete new one.  cli_out_open
 * with dir NULL writes to stdout; name NULL takes dir as the whole path.  Both return a
 * condense status (CONDENSE_EIO with the path and the system's reason). */
typedef struct cli_out_file {
    FILE *f;
    char path[4096], tmp[4200];
} cli_out_file;
int cli_out_open(cli_out_file *o, const char *dir, const char *name);
int cli_out_close(cli_out_file *o);

/* Run the gnuplot program ($CONDENSE_GNUPLOT, default gnuplot) in directory dir with the
 * arguments args (a NULL-terminated list after the program's name).  Returns its exit status
 * (0 success; 127 when the program cannot be found or started), or -1 when it could not be
 * forked or did not exit normally. */
int cli_run_gnuplot(const char *dir, const char *const *args);

/* checkpoint.txt of --checkpoint-every / --resume (cli_checkpoint.c): "KEY VALUE" lines, then
 * "args N" and N lines "arg A" (the run's options).  read: CONDENSE_EIO when missing,
 * CONDENSE_EFORMAT when malformed; keys, values and argv point into buf. */
#define CLI_CHECKPOINT_KEYS 32
typedef struct cli_checkpoint {
    char *buf;
    const char *key[CLI_CHECKPOINT_KEYS], *val[CLI_CHECKPOINT_KEYS];
    size_t n_keys;
    int argc;
    char **argv;
} cli_checkpoint;
int cli_checkpoint_read(const char *dir, cli_checkpoint *c);
void cli_checkpoint_free(cli_checkpoint *c);
const char *cli_checkpoint_get(const cli_checkpoint *c, const char *key); /* NULL if absent */
int cli_checkpoint_size(const cli_checkpoint *c, const char *key, size_t *out);
int cli_checkpoint_double(const cli_checkpoint *c, const char *key, double *out); /* %a too */
void cli_checkpoint_write_args(FILE *f, int argc, char **argv);
/* NAME.tmp and NAME.tmp.XXXXXX files an interrupted run left in dir, removed. */
void cli_remove_stale_tmp(const char *dir);
/* checkpoint.txt, then every checkpoint_* file of dir, removed (a completed run). */
void cli_checkpoint_remove(const char *dir);

/* The commands in cli_verify.c. */
int cli_verify(int argc, char **argv);
int cli_flow(int argc, char **argv);

/* The commands in cli_spectrum.c and cli_synth.c. */
int cli_spectrum(int argc, char **argv);
int cli_synth(int argc, char **argv);

/* The command in cli_train.c. */
int cli_train(int argc, char **argv);

/* The command in cli_fc.c (the FC paper's experiments). */
int cli_fc(int argc, char **argv);

/* The command in cli_sweep.c (grids of runs, resumable, MPI with --with-mpi). */
int cli_sweep(int argc, char **argv);

#endif
