package io.kamacache.server;

import io.kamacache.GroupStats;
import io.kamacache.proto.v1.CacheCounters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What was counted of a group and what it holds: one server's part of it, or the sum of
 * several servers' parts.
 */
record GroupCounters(long gets, long hits, long misses, long loads, long loadErrors, long evictions,
                     long expirations, long entries, long bytes) {

    static final GroupCounters NONE = new GroupCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);

    static GroupCounters of(GroupStats stats) {
        return new GroupCounters(stats.gets(), stats.hits(), stats.misses(), stats.loads(), stats.loadErrors(),
                stats.evictions(), stats.expirations(), stats.entries(), stats.bytes());
    }

    /** A server's part as it answered {@code ListCaches}. */
    static GroupCounters of(CacheCounters counters) {
        return new GroupCounters(counters.getGets(), counters.getHits(), counters.getMisses(), counters.getLoads(),
                counters.getLoadErrors(), counters.getEvictions(), counters.getExpirations(), counters.getEntries(),
                counters.getBytes());
    }

    GroupCounters plus(GroupCounters other) {
        return new GroupCounters(gets + other.gets, hits + other.hits, misses + other.misses, loads + other.loads,
                loadErrors + other.loadErrors, evictions + other.evictions, expirations + other.expirations,
                entries + other.entries, bytes + other.bytes);
    }

    /** hits / gets, or 0 when there were no gets. */
    double hitRatio() {
        return gets == 0 ? 0 : (double) hits / gets;
    }

    /** The counters by name, as the HTTP API shows them. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("gets", gets);
        map.put("hits", hits);
        map.put("misses", misses);
        map.put("hitRatio", hitRatio());
        map.put("loads", loads);
        map.put("loadErrors", loadErrors);
        map.put("evictions", evictions);
        map.put("expirations", expirations);
        map.put("entries", entries);
        map.put("bytes", bytes);
        return map;
    }
}
