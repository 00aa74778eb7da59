/**
 * Measurements of the store against its peers. {@link io.kamacache.bench.HitRatio} replays
 * a public cache trace through one eviction policy (ours through the real store, or
 * Caffeine's for reference) and prints the hit ratio; {@link io.kamacache.bench.StoreBenchmark}
 * is a JMH benchmark of store throughput, side by side with Caffeine and a plain
 * {@link java.util.concurrent.ConcurrentHashMap}; {@link io.kamacache.bench.JCacheBenchmark}
 * measures the standard JCache API for our provider beside Caffeine, Ehcache, Hazelcast and
 * the JSR-107 reference implementation; {@link io.kamacache.bench.ClientServerLoad} loads
 * clusters of kamacache, Hazelcast and Redis through their clients. Results and commands are in
 * {@code docs/benchmarks.md}.
 */
package io.kamacache.bench;
