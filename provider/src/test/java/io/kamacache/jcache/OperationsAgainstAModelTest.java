package io.kamacache.jcache;

import io.kamacache.config.KamaConfig;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;
import java.io.Serializable;
import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random JCache operations, each from one of three nodes or a client of them, checked one
 * by one against a map that does what the spec says: every result, the entries that stay,
 * and the events listeners on a node and on the client hear. The keys lie on all three
 * nodes, and some values are large enough that batches go in several messages and an
 * update's event takes more than one.
 */
class OperationsAgainstAModelTest {

    private static final long SEED = 20261128L;
    private static final int OPERATIONS = 3_000;
    private static final int KEYS = 40;
    private static final String CACHES = "caches:\n  model:\n    keyType: java.lang.Integer\n"
            + "    valueType: java.lang.String\n";
    private static final String ALLOW = "serialization:\n  allow:\n    - io.kamacache.jcache.**\n";

    /** Events heard per listener (by the name it was registered with) and type, in this JVM. */
    static final Map<String, Map<EventType, AtomicInteger>> HEARD = new ConcurrentHashMap<>();

    private final List<KamaCacheManager> managers = new ArrayList<>();

    @AfterEach
    void close() {
        managers.forEach(KamaCacheManager::close);
        HEARD.clear();
    }

    @Test
    void everyOperationFromAnyNodeOrClientDoesWhatTheSpecSays() throws InterruptedException {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress(),
                FreePorts.loopbackAddress());
        String cluster = "cluster:\n  peers: [" + String.join(", ", addresses) + "]\n  maxMessageBytes: 64KiB\n";
        for (String address : addresses) {
            start(KamaConfig.parse(cluster + CACHES + ALLOW, "node").withNodeAddress(address));
        }
        start(KamaConfig.parse("mode: client\n" + cluster + CACHES + ALLOW, "client"));
        List<Cache<Integer, String>> handles = new ArrayList<>();
        for (KamaCacheManager manager : managers) {
            handles.add(manager.getCache("model", Integer.class, String.class));
        }
        listen(handles.get(0), "node");
        listen(handles.get(3), "client");

        Random random = new Random(SEED);
        Map<Integer, String> model = new HashMap<>();
        Map<EventType, Integer> expected = new EnumMap<>(EventType.class);
        for (int i = 0; i < OPERATIONS; i++) {
            Cache<Integer, String> cache = handles.get(random.nextInt(handles.size()));
            String where = "operation " + i + " (seed " + SEED + ") on " + (handles.indexOf(cache) == 3 ? "the client"
                    : "node " + handles.indexOf(cache));
            run(random, cache, model, expected, where);
        }

        for (Cache<Integer, String> cache : handles) {
            Map<Integer, String> held = new HashMap<>();
            cache.forEach(entry -> held.put(entry.getKey(), entry.getValue()));
            assertThat(held).as("what iteration finds").isEqualTo(model);
        }
        for (String listener : List.of("node", "client")) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!heard(listener).equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(heard(listener)).as("events heard by the listener on the " + listener).isEqualTo(expected);
        }
    }

    /** One random operation on {@code cache}, its result checked against {@code model}, which it then changes. */
    private static void run(Random random, Cache<Integer, String> cache, Map<Integer, String> model,
                            Map<EventType, Integer> expected, String where) {
        int key = random.nextInt(KEYS);
        String value = value(random);
        String old = model.get(key);
        switch (random.nextInt(17)) {
            case 0 -> assertThat(cache.get(key)).as(where + ": get").isEqualTo(old);
            case 1 -> {
                Set<Integer> keys = keys(random);
                Map<Integer, String> found = new HashMap<>(model);
                found.keySet().retainAll(keys);
                assertThat(cache.getAll(keys)).as(where + ": getAll").isEqualTo(found);
            }
            case 2 -> assertThat(cache.containsKey(key)).as(where + ": containsKey").isEqualTo(old != null);
            case 3 -> {
                cache.put(key, value);
                put(model, expected, key, value);
            }
            case 4 -> {
                assertThat(cache.getAndPut(key, value)).as(where + ": getAndPut").isEqualTo(old);
                put(model, expected, key, value);
            }
            case 5 -> {
                Map<Integer, String> batch = new HashMap<>();
                for (Integer each : keys(random)) {
                    batch.put(each, value(random));
                }
                cache.putAll(batch);
                batch.forEach((each, itsValue) -> put(model, expected, each, itsValue));
            }
            case 6 -> {
                assertThat(cache.putIfAbsent(key, value)).as(where + ": putIfAbsent").isEqualTo(old == null);
                if (old == null) {
                    put(model, expected, key, value);
                }
            }
            case 7 -> {
                assertThat(cache.remove(key)).as(where + ": remove").isEqualTo(old != null);
                remove(model, expected, key);
            }
            case 8 -> {
                String guess = random.nextBoolean() && old != null ? old : value;
                assertThat(cache.remove(key, guess)).as(where + ": remove if equal").isEqualTo(guess.equals(old));
                if (guess.equals(old)) {
                    remove(model, expected, key);
                }
            }
            case 9 -> {
                assertThat(cache.getAndRemove(key)).as(where + ": getAndRemove").isEqualTo(old);
                remove(model, expected, key);
            }
            case 10 -> {
                assertThat(cache.replace(key, value)).as(where + ": replace").isEqualTo(old != null);
                if (old != null) {
                    put(model, expected, key, value);
                }
            }
            case 11 -> {
                String guess = random.nextBoolean() && old != null ? old : value(random);
                assertThat(cache.replace(key, guess, value)).as(where + ": replace if equal")
                        .isEqualTo(guess.equals(old));
                if (guess.equals(old)) {
                    put(model, expected, key, value);
                }
            }
            case 12 -> {
                assertThat(cache.getAndReplace(key, value)).as(where + ": getAndReplace").isEqualTo(old);
                if (old != null) {
                    put(model, expected, key, value);
                }
            }
            case 13 -> {
                Set<Integer> keys = keys(random);
                cache.removeAll(keys);
                keys.forEach(each -> remove(model, expected, each));
            }
            case 14 -> {
                String set = random.nextInt(3) == 0 ? null : value;
                assertThat(cache.invoke(key, new SetOrRemove(), set)).as(where + ": invoke").isEqualTo(old);
                setOrRemove(model, expected, key, set);
            }
            case 15 -> {
                Set<Integer> keys = keys(random);
                String set = random.nextInt(3) == 0 ? null : value;
                Map<Integer, String> olds = new HashMap<>(model);
                olds.keySet().retainAll(keys);
                Map<Integer, EntryProcessorResult<String>> results = cache.invokeAll(keys, new SetOrRemove(), set);
                Map<Integer, String> returned = new HashMap<>();
                results.forEach((each, result) -> returned.put(each, result.get()));
                assertThat(returned).as(where + ": invokeAll").isEqualTo(olds);
                keys.forEach(each -> setOrRemove(model, expected, each, set));
            }
            default -> {
                if (random.nextInt(10) == 0) {
                    cache.clear(); // no events
                    model.clear();
                } else {
                    cache.removeAll();
                    new HashSet<>(model.keySet()).forEach(each -> remove(model, expected, each));
                }
            }
        }
    }

    private static void put(Map<Integer, String> model, Map<EventType, Integer> expected, int key, String value) {
        expected.merge(model.put(key, value) == null ? EventType.CREATED : EventType.UPDATED, 1, Integer::sum);
    }

    private static void remove(Map<Integer, String> model, Map<EventType, Integer> expected, int key) {
        if (model.remove(key) != null) {
            expected.merge(EventType.REMOVED, 1, Integer::sum);
        }
    }

    private static void setOrRemove(Map<Integer, String> model, Map<EventType, Integer> expected, int key,
                                    String value) {
        if (value == null) {
            remove(model, expected, key);
        } else {
            put(model, expected, key, value);
        }
    }

    /** Mostly short values; one in ten of up to 40 KiB, so that an update's two values exceed a 64 KiB message. */
    private static String value(Random random) {
        int length = random.nextInt(10) == 0 ? random.nextInt(40 << 10) : random.nextInt(20);
        return (char) ('a' + random.nextInt(26)) + "x".repeat(length);
    }

    private static Set<Integer> keys(Random random) {
        Set<Integer> keys = new HashSet<>();
        int count = 1 + random.nextInt(15);
        while (keys.size() < count) {
            keys.add(random.nextInt(KEYS));
        }
        return keys;
    }

    private void start(KamaConfig config) {
        managers.add(new KamaCacheManager(null, URI.create("kamacache:model-" + managers.size()),
                getClass().getClassLoader(), new Properties(), config, InstantSource.system()));
    }

    private static void listen(Cache<Integer, String> cache, String name) {
        HEARD.put(name, new ConcurrentHashMap<>());
        cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(new Counting(name)), null, true, false));
    }

    private static Map<EventType, Integer> heard(String listener) {
        Map<EventType, Integer> counts = new EnumMap<>(EventType.class);
        HEARD.get(listener).forEach((type, count) -> counts.put(type, count.get()));
        return counts;
    }

    /** Counts the events it hears in {@link #HEARD}, under its name. */
    public static final class Counting implements CacheEntryCreatedListener<Integer, String>,
            CacheEntryUpdatedListener<Integer, String>, CacheEntryRemovedListener<Integer, String>, Serializable {
        private final String name;

        Counting(String name) {
            this.name = name;
        }

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            count(events);
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            count(events);
        }

        @Override
        public void onRemoved(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            count(events);
        }

        private void count(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            events.forEach(event -> HEARD.get(name).computeIfAbsent(event.getEventType(), type -> new AtomicInteger())
                    .incrementAndGet());
        }
    }

    /** Sets the entry to its argument, or removes it when the argument is null; returns the value it had. */
    public static final class SetOrRemove implements EntryProcessor<Integer, String, String>, Serializable {
        @Override
        public String process(MutableEntry<Integer, String> entry, Object... arguments) {
            String old = entry.getValue();
            if (arguments[0] == null) {
                entry.remove();
            } else {
                entry.setValue((String) arguments[0]);
            }
            return old;
        }
    }
}
