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
    long long cores = (quota + period - 1) / period;
    return cores > 4096 ? 4096 : (int)cores;
}

// This process's cgroup v2 `cpu.max` (from /proc/self/cgroup's "0::/path" line) into `path`; 0 on
// success. A container with its own cgroup namespace sees "/" there: the root file is its own.
static int own_cpu_max(char *path, size_t size) {
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f) return -1;
    char line[4096];
    int found = -1;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "0::", 3) != 0) continue;
        line[strcspn(line, "\n")] = 0;
        const char *group = line + 3;
        if (strcmp(group, "/") == 0) group = "";
        found = snprintf(path, size, "/sys/fs/cgroup%s/cpu.max", group) < (int)size ? 0 : -1;
        break;
    }
    fclose(f);
    return found;
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
    char own[4200];
    const char *v2 = own_cpu_max(own, sizeof(own)) == 0 ? own : "/sys/fs/cgroup/cpu.max";
    int quota = impact_quota_cores(v2, "/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    if (quota > 0 && quota < cores) cores = quota;
    return cores > 0 ? cores : 1;
}
