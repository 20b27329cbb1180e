/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A sample of a status region in the Prometheus text exposition format
 * (version 0.0.4): what `bulwarkctl metrics` serves on /metrics, writes
 * to a node_exporter textfile or prints. The names, labels and types are
 * documented in docs/metrics.md and stay stable. Works on samples only
 * (ctl_sample.h): rendering never reads the shared memory, let alone the
 * workers.
 */
#ifndef CTL_METRICS_H
#define CTL_METRICS_H

#include <stdio.h>

#include "ctl_region.h"
#include "ctl_sample.h"

/* The Content-Type of the format. */
#define CTL_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Write the metrics of sample s (bpf: its program counters, or NULL) to
 * f. s NULL: the instance could not be read (no status region, denied,
 * corrupt): only bulwark_up 0 and the reason (verdict) are written.
 * Returns 0, or -EIO when f failed.
 */
int ctl_metrics_write(FILE *f, const char *instance, const struct ctl_sample *s,
		      const struct ctl_bpf_hits *bpf, enum ctl_verdict verdict);

/*
 * Copy src into dst (len bytes) as a label value: backslash, double
 * quote and line feed escaped, other bytes below 0x20 or from 0x7f
 * written as '?', truncated to fit.
 */
void ctl_metrics_label(char *dst, size_t len, const char *src);

#endif /* CTL_METRICS_H */
