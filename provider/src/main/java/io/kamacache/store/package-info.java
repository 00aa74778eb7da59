/**
 * The local store: a concurrent map of byte keys to {@link io.kamacache.store.StoredValue}s
 * (value bytes and an absolute expiry time), bounded in bytes and/or entries.
 *
 * <p>Data lives in a {@link java.util.concurrent.ConcurrentHashMap} that keys each entry by
 * the store's own node for it, which holds the key's bytes and the value, so that a read
 * goes from the map's node straight to the store's; every change to a key
 * runs inside the map's per-key {@code compute} and its node's lock, so writes to one key
 * are atomic and the store's weight and entry count, updated in the same critical section,
 * are exact. In an unbounded store a write that only replaces a live value (a
 * {@code Replacement}) takes the node's lock alone and leaves the map as it is. The
 * eviction policy is not thread-safe: it is told about each change under one eviction lock
 * taken after the per-key section (never inside it, so the two locks cannot deadlock), and
 * is then asked for victims until the store fits its capacity again. Reads take no lock:
 * a hit is either recorded inline (Clock only sets a bit) or offered to a striped, lossy
 * {@link io.kamacache.store.ReadBuffer} that is replayed under the lock before the next
 * write, or as soon as a stripe fills, on a maintenance executor (or, when the store's
 * builder asks, by the reader that filled it if the lock is free), the same buffered
 * reordering as Caffeine's: readers never wait, and under heavy load some hits are dropped
 * rather than queued. An unbounded store never evicts, so it keeps no policy at all and
 * its reads and writes skip this bookkeeping. The capacity, the policy and its read buffer
 * can be replaced while the store serves ({@code reconfigure}): under the eviction lock, the
 * entries move from the old policy to the new one in eviction order. Expired
 * entries are removed when read and by a periodic sweep; removals the store makes on its
 * own, evictions and expirations, are reported to a {@link io.kamacache.store.RemovalListener}.
 */
package io.kamacache.store;
