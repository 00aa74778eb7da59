package io.kamacache.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kamacache.config.PolicyKind;
import io.kamacache.store.ByteStore;
import io.kamacache.store.StoreOptions;
import io.kamacache.store.StoredValue;

import java.nio.ByteBuffer;

/** A cache of a given capacity in entries, replaying one access at a time. */
interface CacheSimulator {

    /** Accesses {@code key}: a hit, or a miss after which the key is inserted. */
    boolean access(long key);

    /** The simulator for a policy name: {@code lru}, {@code 2q}, {@code clock} or {@code caffeine}. */
    static CacheSimulator create(String policy, int capacity) {
        if (policy.equalsIgnoreCase("caffeine")) {
            Cache<Long, Boolean> cache = Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build();
            return key -> {
                if (cache.getIfPresent(key) != null) {
                    return true;
                }
                cache.put(key, Boolean.TRUE);
                return false;
            };
        }
        StoreOptions options = StoreOptions.builder().policy(PolicyKind.fromName(policy)).maxEntries(capacity).build();
        ByteStore store = ByteStore.builder(options).maintenanceExecutor(Runnable::run).build(); // exact order
        StoredValue empty = StoredValue.of(new byte[0]);
        return key -> {
            byte[] bytes = ByteBuffer.allocate(Long.BYTES).putLong(key).array();
            if (store.get(bytes) != null) {
                return true;
            }
            store.put(bytes, empty);
            return false;
        };
    }
}
