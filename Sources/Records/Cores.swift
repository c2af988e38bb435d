import CSystem

/// How many threads of work the machine offers this process: the one rule every parallel stage
/// (partner-XML readers, CSV mapping workers, the resolve walk) sizes itself by.
public enum Cores {
    /// The cores this process may run on: its CPU affinity (`taskset`, a container's cpuset) and
    /// its cgroup's CPU quota (`--cpus`), not the machine's count, so a pinned benchmark or a
    /// limited container starts as many threads as it has cores.
    public static let available: Int = max(1, Int(impact_available_cores()))

    /// A cgroup's CPU quota in whole cores (rounded up) from its files; 0 when it has none.
    static func quota(v2Max: String, v1Quota: String, v1Period: String) -> Int {
        Int(impact_quota_cores(v2Max, v1Quota, v1Period))
    }
}
