/**
 * Eviction policies: which entry a bounded store gives up when it is over capacity.
 *
 * <p>A policy tracks the store's resident entries through intrusive links kept in each
 * {@link io.kamacache.eviction.EvictionNode}, so every operation is O(1) and allocates
 * nothing. The store tells its policy about inserts, hits, updates and removals, always
 * under the store's eviction lock (hits are buffered and replayed in order, except for
 * policies whose {@link io.kamacache.eviction.EvictionPolicy#concurrentAccess() hits are
 * lock-free}), and asks it for a victim while the store is over its
 * {@link io.kamacache.eviction.Capacity}. Three policies exist: {@link
 * io.kamacache.eviction.LruPolicy} (least recently used, the default), {@link
 * io.kamacache.eviction.TwoQueuePolicy} (Johnson and Shasha's full 2Q: a FIFO of new
 * entries, a ghost queue of recently evicted keys and an LRU of entries seen again) and
 * {@link io.kamacache.eviction.ClockPolicy} (second chance: a FIFO whose entries survive
 * one pass when they were read since the last).
 */
package io.kamacache.eviction;
