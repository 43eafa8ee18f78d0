/* error.c -- the one error mechanism: status codes and a per-thread message. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include <gsl/gsl_errno.h>

#include "condense/error.h"

/* One message per thread, so that OpenMP regions or a threaded caller never read a message
 * written by another thread's failure. */
static _Thread_local char condense_message[1024];

const char *condense_strerror(int status)
{
    switch (status) {
    case CONDENSE_OK:
        return "success";
    case CONDENSE_EINVAL:
        return "invalid argument";
    case CONDENSE_ESIZE:
        return "invalid or inconsistent sizes";
    case CONDENSE_EDOM:
        return "non-finite or out-of-domain value";
    case CONDENSE_ENOMEM:
        return "out of memory";
    case CONDENSE_EIO:
        return "input/output error";
    case CONDENSE_EFORMAT:
        return "bad file format";
    case CONDENSE_EUNDEF:
        return "undefined quantity";
    case CONDENSE_ENUM:
        return "numerical routine failed";
    default:
        return "unknown error";
    }
}

const char *condense_errmsg(void)
{
    return condense_message;
}

void condense_error_clear(void)
{
    condense_message[0] = '\0';
}

int condense_error_set(int status, const char *func, const char *fmt, ...)
{
    int used = snprintf(condense_message, sizeof condense_message, "%s: ", func);
    if (used < 0 || (size_t)used >= sizeof condense_message) used = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(condense_message + used, sizeof condense_message - (size_t)used, fmt, ap);
    va_end(ap);
    return status;
}

void condense_gsl_quiet(void)
{
    gsl_set_error_handler_off();
}
