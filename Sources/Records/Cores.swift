import CSystem

/// How many threads of work the machine offers this process: the one rule every parallel stage
/// (partner-XML readers, CSV mapping workers, the resolve walk) sizes itself by.
public enum Cores {
    /// The cores this process may run on: its CPU affinity (`taskset`, a container's cpuset), not
    /// the machine's count, so a pinned benchmark or a limited container gets as many threads as cores.
    public static let available: Int = max(1, Int(impact_available_cores()))
}
