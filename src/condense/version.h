/* condense/version.h -- the version of libcondense, recorded in every output file. */
#ifndef CONDENSE_VERSION_H
#define CONDENSE_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/* "condense X.Y.Z", the package version this library was built from. */
const char *condense_version(void);

#ifdef __cplusplus
}
#endif
#endif
