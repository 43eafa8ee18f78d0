/* condense/fast.h -- the fast path: the same mathematics as the direct reference (forward.c,
 * backward.c, risk.c, real_flow.c), reorganized for speed.  The direct path stays the
 * reference; every fast function is tested against it to 1e-12 relative.
 *
 *   - im2col: for each sample and layer, the patch matrix P^[l](i) of size W_l H_l x
 *     (C_{l-1} m_l^2) whose row (u,v) lists in^[l]_{u+p,v+q,alpha}(i) in the order (p, q,
 *     alpha) of W^[l]'s storage, so that x^[l](i) = P^[l](i) W^[l] + 1 b^[l]^T is one dgemm
 *     (W^[l] stored (m, m, C_{l-1}, C_l) is exactly a (C_{l-1} m^2) x C_l row-major matrix);
 *   - the backward pass as dgemms: dW^[l] += P^[l]^T Z^[l], and z^[l-1] through col2im of
 *     Z^[l] W^[l]^T (eq. 21-22);
 *   - for the two-layer CNN (L = 1) a fused step per sample: x and [dW; db] from patches with
 *     a column of ones, by blocks of rows kept in cache, sigma and sigma' from one evaluation
 *     (a vectorized kernel for tanh);
 *   - OpenMP across samples, each thread with its own buffers and gradient accumulator; the
 *     accumulators are added in thread order, so a result depends on the thread count only
 *     through rounding (and is reproducible for a fixed count);
 *   - BLAS through the CBLAS interface: OpenBLAS when configure found it, GSL's CBLAS
 *     otherwise.
 * Buffers are allocated once, when the path is selected, never on the hot path.
 */
#ifndef CONDENSE_FAST_H
#define CONDENSE_FAST_H

#include "condense/cnn.h"
#include "condense/real_flow.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Select the implementation used by condense_risk and condense_gd_field with this workspace
 * (which must have been allocated for net).  Selecting CONDENSE_PATH_FAST allocates the fast
 * buffers once (for the current OpenMP thread count). */
int condense_workspace_set_path(condense_workspace *ws, const condense_cnn *net,
                                condense_path path);

/* "direct" or "fast" into *path (CONDENSE_EINVAL otherwise), and back. */
int condense_path_from_name(const char *name, condense_path *path);
const char *condense_path_name(condense_path path);

/* The fast forms of condense_risk and condense_gd_field (same contracts; ws must have the fast
 * path selected).  condense_risk / condense_gd_field call these when ws->path is FAST. */
int condense_fast_risk(const condense_cnn *net, const condense_data *data, condense_workspace *ws,
                       double *R_S, double *e);
int condense_fast_gd_field(const condense_cnn *net, const condense_data *data,
                           condense_workspace *ws, condense_cnn *dtheta, double *R_S);

/* The real flow of the two-layer CNN (real_flow.h) on the fast path: the patch matrix P of all
 * samples (n W_1 H_1 x N_W) is built once, and each field evaluation is, per sample, two
 * dgemms and a daxpy plus elementwise work (per sample rather than one product over all rows:
 * measured twice as fast, and O(threads W_1 H_1 M) memory instead of O(n W_1 H_1 M)).
 * condense_real_field uses it after this call.  P is a snapshot of the pixels: after changing
 * them, select CONDENSE_PATH_FAST again (a changed n gives CONDENSE_ESIZE until then).  On the
 * fast paths results depend on the OpenMP thread count through rounding only, and are
 * bit-for-bit reproducible for a fixed count. */
int condense_real_flow_set_path(condense_real_flow *flow, condense_path path);

#ifdef __cplusplus
}
#endif
#endif
