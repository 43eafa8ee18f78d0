/* condense/condense.h -- everything of libcondense in one include. */
#ifndef CONDENSE_CONDENSE_H
#define CONDENSE_CONDENSE_H

#include "condense/error.h"
#include "condense/version.h"
#include "condense/chi.h"
#include "condense/activation.h"
#include "condense/data.h"
#include "condense/cnn.h"
#include "condense/theta.h"
#include "condense/init.h"
#include "condense/npy.h"
#include "condense/cnn_io.h"
#include "condense/linearization.h"
#include "condense/spectrum.h"
#include "condense/linear_flow.h"
#include "condense/real_flow.h"
#include "condense/residual.h"
#include "condense/bounds.h"
#include "condense/observables.h"
#include "condense/verify.h"
#include "condense/dataset.h"
#include "condense/spectra.h"
#include "condense/experiment.h"
#include "condense/fc.h"
#include "condense/fc_field.h"
#include "condense/fc_flow.h"
#include "condense/fc_theory.h"
#include "condense/fc_lines.h"
#include "condense/fc_data.h"
#include "condense/adam.h"

#endif
