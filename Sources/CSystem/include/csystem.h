#ifndef IMPACT_CSYSTEM_H
#define IMPACT_CSYSTEM_H

/// The cores this process may run on (its CPU affinity, as `taskset` sets it); at least 1.
int impact_available_cores(void);
#endif
