/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's log type (DP_LOG), registered by an EAL constructor in
 * the library so that the unit tests that link it log as bulwark does.
 */
#include <rte_log.h>

#include "dp.h"

RTE_LOG_REGISTER_DEFAULT(dp_logtype, INFO);
