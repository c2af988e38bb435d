#ifndef IMPACT_CSYSTEM_H
#define IMPACT_CSYSTEM_H

#include "byte_mask.h"

/// The cores this process may run on: its CPU affinity (`taskset`, a cpuset), lowered to its cgroup's
/// CPU quota rounded up (its own cgroup v2 `cpu.max`, or v1's quota: a container run with `--cpus`;
/// limits set on parent cgroups are not read); at least 1.
int impact_available_cores(void);

/// A cgroup's CPU quota rounded up to whole cores, read from the files given (cgroup v2's
/// `cpu.max`: "quota period" or "max period"; else v1's `cpu.cfs_quota_us`, -1 for none, and
/// `cpu.cfs_period_us`); 0 when there is none or they cannot be read.
int impact_quota_cores(const char *v2_max, const char *v1_quota, const char *v1_period);

/// Asks the core to start loading the cache line at `p` for a read (a hint: never faults, whatever `p`).
/// Inline in the header, so Swift inlines it.
static inline void impact_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
#endif
