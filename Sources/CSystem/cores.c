#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "csystem.h"

int impact_quota_cores(const char *v2_max, const char *v1_quota, const char *v1_period) {
    long long quota = -1, period = 0;
    FILE *f = fopen(v2_max, "r");
    if (f) {
        char text[32] = {0};
        if (fscanf(f, "%31s %lld", text, &period) == 2 && strcmp(text, "max") != 0) sscanf(text, "%lld", &quota);
        fclose(f);
    } else if ((f = fopen(v1_quota, "r"))) {
        if (fscanf(f, "%lld", &quota) != 1) quota = -1;
        fclose(f);
        if ((f = fopen(v1_period, "r"))) {
            if (fscanf(f, "%lld", &period) != 1) period = 0;
            fclose(f);
        }
    }
    if (quota <= 0 || period <= 0) return 0;
    return (int)((quota + period - 1) / period);
}

int impact_available_cores(void) {
    int cores;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        cores = CPU_COUNT(&set);
    } else {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cores = n > 0 ? (int)n : 1;
    }
    int quota = impact_quota_cores("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    if (quota > 0 && quota < cores) cores = quota;
    return cores > 0 ? cores : 1;
}
