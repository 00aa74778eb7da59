package io.kamacache;

/**
 * A snapshot of a group's counters since it was created.
 *
 * @param gets           calls to {@code get}
 * @param hits           gets answered from the store
 * @param misses         gets that were not ({@code gets = hits + misses})
 * @param loads          getter calls
 * @param loadsCoalesced misses that joined a load already running instead of calling the getter
 * @param loadErrors     getter calls that threw
 * @param loadNanos      the time getter calls took, summed, in nanoseconds
 * @param evictions      entries the eviction policy removed, and values too large to keep
 * @param expirations    entries removed because they expired
 * @param entries        entries held now
 * @param bytes          their weight now, in bytes, as counted against {@code maxBytes}
 * @param remoteSent     requests this node sent to other members for keys it does not own
 * @param remoteServed   requests of other members this node answered for keys it owns
 */
public record GroupStats(long gets, long hits, long misses, long loads, long loadsCoalesced, long loadErrors,
                         long loadNanos, long evictions, long expirations, long entries, long bytes,
                         long remoteSent, long remoteServed) {

    /** A group that counted nothing and holds nothing. */
    public static final GroupStats NONE = new GroupStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The counts of two parts of a group (two servers' parts) together. */
    public GroupStats plus(GroupStats other) {
        return new GroupStats(gets + other.gets, hits + other.hits, misses + other.misses, loads + other.loads,
                loadsCoalesced + other.loadsCoalesced, loadErrors + other.loadErrors, loadNanos + other.loadNanos,
                evictions + other.evictions, expirations + other.expirations, entries + other.entries,
                bytes + other.bytes, remoteSent + other.remoteSent, remoteServed + other.remoteServed);
    }

    /** hits / gets, or 0 when there were no gets. */
    public double hitRatio() {
        return gets == 0 ? 0 : (double) hits / gets;
    }
}
