#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>
#include "csystem.h"

int impact_available_cores(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
