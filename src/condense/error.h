/* condense/error.h -- the one error mechanism of libcondense.
 *
 * Every library function that can fail returns an int status: CONDENSE_OK (0) on success,
 * one of the codes below otherwise.  The failing function records a human-readable message
 * (with the function's source location) that condense_errmsg() returns until the next
 * failure in the same thread.  Library code never aborts, exits or prints: turning a status
 * into a message on stderr is the caller's business (the CLI does it in one place).
 */
#ifndef CONDENSE_ERROR_H
#define CONDENSE_ERROR_H

#include <stddef.h> /* NULL in CONDENSE_CHECK_NULL */

#ifdef __cplusplus
extern "C" {
#endif

enum condense_status {
    CONDENSE_OK = 0,      /* success */
    CONDENSE_EINVAL = 1,  /* invalid argument: NULL pointer, unknown name, bad option */
    CONDENSE_ESIZE = 2,   /* impossible or inconsistent sizes (m > W_0, zero channels, ...) */
    CONDENSE_EDOM = 3,    /* non-finite number or value outside the mathematical domain */
    CONDENSE_ENOMEM = 4,  /* allocation failed */
    CONDENSE_EIO = 5,     /* a file could not be opened, read or written */
    CONDENSE_EFORMAT = 6, /* a file is not in the expected format */
    CONDENSE_EUNDEF = 7,  /* the quantity asked for is not defined (e.g. multiplicity of ReLU) */
    CONDENSE_ENUM = 8     /* a numerical routine (GSL) failed */
};

/* Short description of a status code ("invalid argument", ...). Never NULL. */
const char *condense_strerror(int status);

/* The message recorded by the last failure in this thread ("" if none). */
const char *condense_errmsg(void);

/* Forget the recorded message. */
void condense_error_clear(void);

/* Record a failure and return its status.  Used through CONDENSE_ERROR below. */
int condense_error_set(int status, const char *func, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Record the failure and return its status from the current function. */
#define CONDENSE_ERROR(status, ...) return condense_error_set((status), __func__, __VA_ARGS__)

/* Propagate a failing status unchanged (the callee has recorded the message). */
#define CONDENSE_TRY(expr)                                                                         \
    do {                                                                                           \
        int condense_try_status_ = (expr);                                                         \
        if (condense_try_status_ != CONDENSE_OK) return condense_try_status_;                      \
    } while (0)

/* Check that a pointer argument is not NULL. */
#define CONDENSE_CHECK_NULL(ptr)                                                                   \
    do {                                                                                           \
        if ((ptr) == NULL) CONDENSE_ERROR(CONDENSE_EINVAL, "argument '%s' is NULL", #ptr);         \
    } while (0)

/* Turn off GSL's default error handler (which calls abort()) so that GSL routines return
 * their status codes and libcondense can report them.  Called by every module that uses GSL;
 * idempotent. */
void condense_gsl_quiet(void);

#ifdef __cplusplus
}
#endif
#endif
