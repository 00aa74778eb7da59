package io.kamacache.reliability;

import io.kamacache.reliability.lib.RecordingLoader;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The loads the scenarios hold: reads through a loader, and writes each read back. */
final class Workloads {

    private Workloads() {
    }

    /** A read-through cache whose loader, in the servers, records every load in {@code log}. */
    static Cache<Integer, String> readThroughCache(CacheManager client, String name, Path log) {
        return client.createCache(name, new MutableConfiguration<Integer, String>()
                .setTypes(Integer.class, String.class)
                .setReadThrough(true)
                .setCacheLoaderFactory(new FactoryBuilder.SingletonFactory<>(new RecordingLoader(log))));
    }

    /** Gets a random key of {@code keys} and checks its value. */
    static LoadGenerator.Call reads(Cache<Integer, String> cache, int keys) {
        return (caller, random) -> {
            int key = random.nextInt(keys);
            String value = cache.get(key);
            if (!RecordingLoader.valueOf(key).equals(value)) {
                throw new LoadGenerator.WrongAnswer("key " + key + ": got " + value);
            }
        };
    }

    /** How many times each key was loaded, from a {@link RecordingLoader}'s log. */
    static Map<Integer, Long> loadsPerKey(Path log) throws IOException {
        if (!Files.exists(log)) {
            return Map.of();
        }
        return Files.readAllLines(log).stream().filter(line -> !line.isBlank())
                .collect(Collectors.groupingBy(Integer::valueOf, TreeMap::new, Collectors.counting()));
    }

    /**
     * Writes and reads back keys of a cache without a loader, each key written by one
     * caller only, so each caller knows what every read of its keys must return: the last
     * value it was told was written, or that of a write that failed (which may or may not
     * have been applied). Anything else is an entry lost.
     */
    static final class OwnedWrites {

        private final Cache<Integer, Integer> cache;
        private final int keys;
        private final int callers;
        /** Per key, the last value a put of it returned for; written by the key's caller only. */
        private final int[] acknowledged;
        /** Per key, the value of a put that failed since, or null. */
        private final Integer[] unsure;

        private OwnedWrites(Cache<Integer, Integer> cache, int keys, int callers) {
            this.cache = cache;
            this.keys = keys;
            this.callers = callers;
            this.acknowledged = new int[keys];
            this.unsure = new Integer[keys];
        }

        /** Creates the cache and writes version 0 of every key. */
        static OwnedWrites create(CacheManager client, String name, int keys, int callers) {
            Cache<Integer, Integer> cache = client.createCache(name, new MutableConfiguration<Integer, Integer>()
                    .setTypes(Integer.class, Integer.class));
            Map<Integer, Integer> initial = new HashMap<>();
            IntStream.range(0, keys).forEach(key -> initial.put(key, 0));
            cache.putAll(initial);
            return new OwnedWrites(cache, keys, callers);
        }

        /** Half the calls put the next version of one of the caller's keys, half read one back. */
        LoadGenerator.Call call() {
            return (caller, random) -> {
                int key = caller + callers * random.nextInt(keys / callers);
                if (random.nextBoolean()) {
                    int next = Math.max(acknowledged[key], unsure[key] == null ? 0 : unsure[key]) + 1;
                    try {
                        cache.put(key, next);
                    } catch (RuntimeException e) {
                        unsure[key] = next;
                        throw e;
                    }
                    acknowledged[key] = next;
                    unsure[key] = null;
                } else {
                    check(key, cache.get(key));
                }
            };
        }

        private void check(int key, Integer value) throws LoadGenerator.WrongAnswer {
            if (value != null && value == acknowledged[key]) {
                return;
            }
            if (value != null && value.equals(unsure[key])) {
                acknowledged[key] = value;
                unsure[key] = null;
                return;
            }
            throw new LoadGenerator.WrongAnswer("key " + key + ": expected " + acknowledged[key]
                    + (unsure[key] == null ? "" : " or " + unsure[key]) + ", got " + value);
        }

        /** After the load has stopped: every key whose value is not what its caller last wrote, with what it is. */
        List<String> lost() {
            Map<Integer, Integer> all = cache.getAll(IntStream.range(0, keys).boxed().collect(Collectors.toSet()));
            List<String> lost = new ArrayList<>();
            for (int key = 0; key < keys; key++) {
                try {
                    check(key, all.get(key));
                } catch (LoadGenerator.WrongAnswer e) {
                    lost.add(e.getMessage());
                }
            }
            return lost;
        }

        int keys() {
            return keys;
        }
    }
}
