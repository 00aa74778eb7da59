/**
 * The JCache (JSR-107) face of an embedded node: {@code Caching.getCachingProvider()}
 * returns {@link io.kamacache.jcache.spi.KamaCachingProvider}, whose
 * {@link io.kamacache.jcache.KamaCacheManager} holds one {@link io.kamacache.Node} and
 * makes every {@link javax.cache.Cache} a {@link io.kamacache.Group} of it.
 *
 * <p>A {@link io.kamacache.jcache.KamaCache} keeps its keys and values in the group's store
 * as bytes made by the {@link io.kamacache.codec.Codec}, so it is always store-by-value. Each
 * operation on a key is one atomic compute of the store: the expiry arithmetic
 * ({@code expiry}), the writer call, the entry processor ({@code processor}) and the events
 * ({@code event}) of a key happen in the order of the operations. Statistics and the
 * configuration MXBean live in {@code management}; gets, hits, misses and evictions are
 * the group's own counters, so the JCache statistics and the group's statistics agree.
 */
package io.kamacache.jcache;
