/**
 * The JCache (JSR-107) face: {@code Caching.getCachingProvider()} returns
 * {@link io.kamacache.jcache.spi.KamaCachingProvider}, whose
 * {@link io.kamacache.jcache.KamaCacheManager} holds one node and makes every
 * {@link javax.cache.Cache} a {@link io.kamacache.jcache.KamaCache}.
 *
 * <p>A cache has two halves. The caller's half, here in the thin client, checks and encodes
 * keys and values (the {@link io.kamacache.codec.Codec}: always store-by-value), sends each
 * operation to the owner of its key on the hash ring, counts the statistics and delivers
 * events to the listeners registered in this JVM ({@code event}, {@code management}). The
 * owner's half runs the operation atomically per key: expiry arithmetic, loader and writer
 * calls, entry processors and event generation. It lives in the provider module, where a
 * cache is a group of an embedded node; with only the thin client on the class path the
 * manager is a client whose every key lives on the servers.
 */
package io.kamacache.jcache;
