package io.kamacache.jcache;

import io.kamacache.config.KamaConfig;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.cache.Cache;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheWriter;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;
import java.io.Serializable;
import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random JCache operations, each from one of three nodes or a client of them, checked one
 * by one against a map that does what the spec says: every result, the entries that stay,
 * and the events listeners on a node and on the client hear, each key's in the order its
 * changes were made (some come back with the replies to calls made there, others are
 * delivered from the owners of keys others change). The keys lie on all three
 * nodes, and some values are large enough that batches go in several messages and an
 * update's event takes more than one.
 */
class OperationsAgainstAModelTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    private static final long SEED = 20261128L;
    private static final int OPERATIONS = 3_000;
    private static final int KEYS = 40;
    private static final String CACHES = "caches:\n  model:\n    keyType: java.lang.Integer\n"
            + "    valueType: java.lang.String\n";
    private static final String ALLOW = "serialization:\n  allow:\n    - io.kamacache.jcache.**\n";

    /** Events heard per listener (by the name it was registered with) and key, in the order heard, in this JVM. */
    static final Map<String, Map<Integer, List<String>>> HEARD = new ConcurrentHashMap<>();

    private final List<KamaCacheManager> managers = new ArrayList<>();

    @AfterEach
    void close() {
        managers.forEach(KamaCacheManager::close);
        HEARD.clear();
        STORE.clear();
    }

    @Test
    void everyOperationFromAnyNodeOrClientDoesWhatTheSpecSays() throws InterruptedException {
        List<Cache<Integer, String>> handles = startClusterAndClient(CACHES);
        Random random = new Random(SEED);
        Model model = new Model(0, null);
        for (int i = 0; i < OPERATIONS; i++) {
            int handle = random.nextInt(handles.size());
            model.run(random, handles.get(handle), true, where(i, SEED, handle));
        }
        assertHeld(handles, model.entries);
        assertHeard(model.events);
    }

    /** Four threads at once, each on keys of its own: each sees its own model, and listeners hear them all. */
    @Test
    void operationsOfConcurrentCallersOnTheirOwnKeysEachDoWhatTheSpecSays() throws Exception {
        List<Cache<Integer, String>> handles = startClusterAndClient(CACHES);
        List<Model> models = new ArrayList<>();
        List<CompletableFuture<Integer>> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Model model = new Model(t * KEYS, null);
            models.add(model);
            callers.add(caller(model, SEED + t, handles, OPERATIONS / 2, new AtomicBoolean()));
        }
        for (CompletableFuture<Integer> caller : callers) {
            caller.get(120, TimeUnit.SECONDS);
        }
        Map<Integer, String> entries = new HashMap<>();
        Map<Integer, List<String>> events = new HashMap<>();
        for (Model model : models) {
            entries.putAll(model.entries);
            events.putAll(model.events);
        }
        assertHeld(handles, entries);
        assertHeard(events);
    }

    /**
     * Four callers, one through each node and the client, change the same few keys at once:
     * whatever order the owner ran them in, listeners on a node and on the client hear each
     * key's changes as one history, every event's old value the value of the event before it.
     */
    @Test
    void listenersHearTheChangesOfConcurrentCallersToOneKeyAsOneHistory() throws Exception {
        List<Cache<Integer, String>> handles = startClusterAndClient(CACHES);
        int keys = 6;
        List<CompletableFuture<Integer>> callers = new ArrayList<>();
        for (int t = 0; t < handles.size(); t++) {
            Cache<Integer, String> cache = handles.get(t);
            String name = "t" + t + "-";
            Random random = new Random(SEED + t);
            callers.add(CompletableFuture.supplyAsync(() -> {
                for (int i = 0; i < 1_500; i++) {
                    int key = random.nextInt(keys);
                    String value = name + i;
                    switch (random.nextInt(5)) {
                        case 0 -> cache.put(key, value);
                        case 1 -> cache.remove(key);
                        case 2 -> cache.replace(key, value);
                        case 3 -> cache.getAndPut(key, value);
                        default -> cache.invoke(key, new SetOrRemove(), random.nextBoolean() ? value : null);
                    }
                }
                return 0;
            }, runnable -> daemon(runnable, name)));
        }
        for (CompletableFuture<Integer> caller : callers) {
            caller.get(120, TimeUnit.SECONDS);
        }
        for (String listener : List.of("node", "client")) {
            for (int key = 0; key < keys; key++) {
                String last = handles.get(0).get(key);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!endsAt(heard(listener).get(key), last) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                List<String> history = heard(listener).getOrDefault(key, List.of());
                String value = null;
                for (int i = 0; i < history.size(); i++) {
                    String[] event = history.get(i).split(" ");
                    String type = event[0];
                    String old = type.equals("CREATED") ? null : event[3];
                    assertThat(old).as("the old value of event " + i + " of key " + key + " heard on the " + listener
                            + ", in " + history.subList(Math.max(0, i - 3), i + 1)).isEqualTo(value);
                    value = type.equals("REMOVED") ? null : event[1];
                }
                assertThat(value).as("the last value heard of key " + key + " on the " + listener).isEqualTo(last);
            }
        }
    }

    /** Whether {@code history}, as {@link Noting} notes it, leaves the key with {@code value}. */
    private static boolean endsAt(List<String> history, String value) {
        if (history == null || history.isEmpty()) {
            return value == null;
        }
        String[] event = history.get(history.size() - 1).split(" ");
        return event[0].equals("REMOVED") ? value == null : event[1].equals(value);
    }

    private static void daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Read- and write-through: a miss of {@code get}, {@code getAll} loads from the store the
     * writer writes to, and every change reaches it as the spec says, whichever node or
     * client makes it. (Entry processors, which would load first, are left out.)
     */
    @Test
    void readAndWriteThroughFromAnyNodeOrClientDoWhatTheSpecSays() throws InterruptedException {
        List<Cache<Integer, String>> handles = startClusterAndClient(CACHES
                + "    loader: " + StoreLoader.class.getName() + "\n    writer: " + StoreWriter.class.getName() + "\n");
        Random random = new Random(SEED);
        Model model = new Model(0, new HashMap<>());
        for (int key = 0; key < KEYS; key++) { // the store holds what the cache does not yet
            String value = value(random);
            STORE.put(key, value);
            model.store.put(key, value);
        }
        for (int i = 0; i < OPERATIONS; i++) {
            int handle = random.nextInt(handles.size());
            model.run(random, handles.get(handle), true, where(i, SEED, handle));
            assertThat(STORE).as(where(i, SEED, handle) + ": what the writer wrote").isEqualTo(model.store);
        }
        assertHeld(handles, model.entries);
        assertHeard(model.events);
    }

    /**
     * Two callers on keys of their own, through two nodes and a client, while a fourth node
     * joins and then one of the first three closes: each operation still does what the spec
     * says, and nothing written is lost.
     */
    @Test
    void operationsWhileNodesJoinAndLeaveDoWhatTheSpecSays() throws Exception {
        String etcd = "cluster:\n  etcd:\n    endpoints: [" + ETCD.endpoint() + "]\n    service: model-"
                + System.nanoTime() + "\n    leaseTtl: 2s\n";
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress(),
                FreePorts.loopbackAddress(), FreePorts.loopbackAddress());
        for (String address : addresses.subList(0, 3)) {
            start(KamaConfig.parse(etcd + CACHES + ALLOW, "node").withNodeAddress(address));
        }
        start(KamaConfig.parse("mode: client\n" + etcd + CACHES + ALLOW, "client"));
        awaitRing(addresses.subList(0, 3));
        // the callers go through the nodes that stay and the client; the others own keys meanwhile
        List<Cache<Integer, String>> handles = List.of(managers.get(0).getCache("model", Integer.class, String.class),
                managers.get(2).getCache("model", Integer.class, String.class),
                managers.get(3).getCache("model", Integer.class, String.class));
        managers.get(1).getCache("model", Integer.class, String.class);
        AtomicBoolean changed = new AtomicBoolean();
        List<Model> models = new ArrayList<>();
        List<CompletableFuture<Integer>> callers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Model model = new Model(t * KEYS, null);
            models.add(model);
            callers.add(caller(model, SEED + t, handles, 200_000, changed));
        }
        Thread.sleep(500);
        start(KamaConfig.parse(etcd + CACHES + ALLOW, "node").withNodeAddress(addresses.get(3)));
        managers.get(4).getCache("model", Integer.class, String.class);
        awaitRing(List.of(addresses.get(0), addresses.get(1), addresses.get(2), addresses.get(3)));
        Thread.sleep(500);
        managers.get(1).close();
        awaitRing(List.of(addresses.get(0), addresses.get(2), addresses.get(3)));
        Thread.sleep(500);
        changed.set(true);
        for (CompletableFuture<Integer> caller : callers) {
            assertThat(caller.get(120, TimeUnit.SECONDS)).as("operations run").isGreaterThan(100);
        }
        Map<Integer, String> entries = new HashMap<>();
        models.forEach(model -> entries.putAll(model.entries));
        assertHeld(handles, entries);
    }

    /**
     * Runs {@code model}'s operations through random handles on a thread of its own, until
     * {@code operations} have run or {@code stop} is set; completes with how many ran.
     */
    private static CompletableFuture<Integer> caller(Model model, long seed, List<Cache<Integer, String>> handles,
                                                     int operations, AtomicBoolean stop) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                Random random = new Random(seed);
                int i = 0;
                for (; i < operations && !stop.get(); i++) {
                    int handle = random.nextInt(handles.size());
                    model.run(random, handles.get(handle), false, where(i, seed, handle));
                }
                done.complete(i);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "caller-" + seed);
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    /** Waits until every open manager's ring has exactly {@code members}. */
    private void awaitRing(List<String> members) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        for (KamaCacheManager manager : managers) {
            if (manager.isClosed()) {
                continue;
            }
            while (!manager.ring().members().equals(Set.copyOf(members)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(manager.ring().members()).containsExactlyInAnyOrderElementsOf(members);
        }
    }

    private List<Cache<Integer, String>> startClusterAndClient(String caches) {
        List<String> addresses = List.of(FreePorts.loopbackAddress(), FreePorts.loopbackAddress(),
                FreePorts.loopbackAddress());
        String cluster = "cluster:\n  peers: [" + String.join(", ", addresses) + "]\n  maxMessageBytes: 64KiB\n";
        for (String address : addresses) {
            start(KamaConfig.parse(cluster + caches + ALLOW, "node").withNodeAddress(address));
        }
        start(KamaConfig.parse("mode: client\n" + cluster + caches + ALLOW, "client"));
        List<Cache<Integer, String>> handles = new ArrayList<>();
        for (KamaCacheManager manager : managers) {
            handles.add(manager.getCache("model", Integer.class, String.class));
        }
        listen(handles.get(0), "node");
        listen(handles.get(3), "client");
        return handles;
    }

    private static String where(int operation, long seed, int handle) {
        return "operation " + operation + " (seed " + seed + ") on " + (handle == 3 ? "the client" : "node " + handle);
    }

    private static void assertHeld(List<Cache<Integer, String>> handles, Map<Integer, String> entries) {
        for (Cache<Integer, String> cache : handles) {
            Map<Integer, String> held = new HashMap<>();
            cache.forEach(entry -> held.put(entry.getKey(), entry.getValue()));
            assertThat(held).as("what iteration finds").isEqualTo(entries);
        }
    }

    /** Every listener hears, for each key, the events of its changes in the order they were made. */
    private static void assertHeard(Map<Integer, List<String>> expected) throws InterruptedException {
        for (String listener : List.of("node", "client")) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!heard(listener).equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Map<Integer, List<String>> heard = heard(listener);
            Set<Integer> keys = new HashSet<>(expected.keySet());
            keys.addAll(heard.keySet());
            for (Integer key : keys) {
                assertThat(heard.getOrDefault(key, List.of()))
                        .as("events of key " + key + " heard by the listener on the " + listener)
                        .isEqualTo(expected.getOrDefault(key, List.of()));
            }
        }
    }

    /**
     * What a cache holds by the spec, for keys from {@code base} on, the events it fires, and
     * with read- and write-through what its store holds.
     */
    private static final class Model {
        final Map<Integer, String> entries = new HashMap<>();
        /** The events of each key's changes, in order, as {@link #describe} shows them. */
        final Map<Integer, List<String>> events = new HashMap<>();
        /** What the loader reads and the writer writes; null without read- and write-through. */
        final Map<Integer, String> store;
        private final int base;

        Model(int base, Map<Integer, String> store) {
            this.base = base;
            this.store = store;
        }

        /**
         * One random operation on {@code cache}, its result checked against the model, which it
         * then changes; {@code whole} allows those on the whole cache.
         */
        void run(Random random, Cache<Integer, String> cache, boolean whole, String where) {
            int key = key(random);
            String value = value(random);
            String old = entries.get(key);
            int kinds = store == null ? 16 : 14; // with a loader a processor that reads would load first: left out
            int kind = random.nextInt(whole ? kinds + 1 : kinds);
            switch (kind == kinds ? 16 : kind) {
                case 0 -> assertThat(cache.get(key)).as(where + ": get").isEqualTo(old != null ? old : load(key));
                case 1 -> {
                    Set<Integer> keys = keys(random);
                    keys.stream().filter(each -> !entries.containsKey(each)).forEach(this::load);
                    Map<Integer, String> found = new HashMap<>(entries);
                    found.keySet().retainAll(keys);
                    assertThat(cache.getAll(keys)).as(where + ": getAll").isEqualTo(found);
                }
                case 2 -> assertThat(cache.containsKey(key)).as(where + ": containsKey").isEqualTo(old != null);
                case 3 -> {
                    cache.put(key, value);
                    write(key, value);
                }
                case 4 -> {
                    assertThat(cache.getAndPut(key, value)).as(where + ": getAndPut").isEqualTo(old);
                    write(key, value);
                }
                case 5 -> {
                    Map<Integer, String> batch = new HashMap<>();
                    for (Integer each : keys(random)) {
                        batch.put(each, value(random));
                    }
                    cache.putAll(batch);
                    batch.forEach(this::write);
                }
                case 6 -> {
                    assertThat(cache.putIfAbsent(key, value)).as(where + ": putIfAbsent").isEqualTo(old == null);
                    if (old == null) {
                        write(key, value);
                    }
                }
                case 7 -> {
                    assertThat(cache.remove(key)).as(where + ": remove").isEqualTo(old != null);
                    delete(key);
                }
                case 8 -> {
                    String guess = random.nextBoolean() && old != null ? old : value;
                    assertThat(cache.remove(key, guess)).as(where + ": remove if equal").isEqualTo(guess.equals(old));
                    if (guess.equals(old)) {
                        delete(key);
                    }
                }
                case 9 -> {
                    assertThat(cache.getAndRemove(key)).as(where + ": getAndRemove").isEqualTo(old);
                    delete(key);
                }
                case 10 -> {
                    assertThat(cache.replace(key, value)).as(where + ": replace").isEqualTo(old != null);
                    if (old != null) {
                        write(key, value);
                    }
                }
                case 11 -> {
                    String guess = random.nextBoolean() && old != null ? old : value(random);
                    assertThat(cache.replace(key, guess, value)).as(where + ": replace if equal")
                            .isEqualTo(guess.equals(old));
                    if (guess.equals(old)) {
                        write(key, value);
                    }
                }
                case 12 -> {
                    assertThat(cache.getAndReplace(key, value)).as(where + ": getAndReplace").isEqualTo(old);
                    if (old != null) {
                        write(key, value);
                    }
                }
                case 13 -> {
                    Set<Integer> keys = keys(random);
                    cache.removeAll(keys);
                    keys.forEach(this::delete);
                }
                case 14 -> {
                    String set = random.nextInt(3) == 0 ? null : value;
                    assertThat(cache.invoke(key, new SetOrRemove(), set)).as(where + ": invoke").isEqualTo(old);
                    setOrRemove(key, set);
                }
                case 15 -> {
                    Set<Integer> keys = keys(random);
                    String set = random.nextInt(3) == 0 ? null : value;
                    Map<Integer, String> olds = new HashMap<>(entries);
                    olds.keySet().retainAll(keys);
                    Map<Integer, EntryProcessorResult<String>> results = cache.invokeAll(keys, new SetOrRemove(), set);
                    Map<Integer, String> returned = new HashMap<>();
                    results.forEach((each, result) -> returned.put(each, result.get()));
                    assertThat(returned).as(where + ": invokeAll").isEqualTo(olds);
                    keys.forEach(each -> setOrRemove(each, set));
                }
                default -> {
                    if (random.nextInt(10) == 0) {
                        cache.clear(); // no events
                        entries.clear();
                    } else {
                        cache.removeAll();
                        new HashSet<>(entries.keySet()).forEach(this::delete);
                    }
                }
            }
        }

        private void put(int key, String value) {
            String old = entries.put(key, value);
            events.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(describe(old == null ? EventType.CREATED : EventType.UPDATED, value, old));
        }

        private void remove(int key) {
            String old = entries.remove(key);
            if (old != null) {
                events.computeIfAbsent(key, k -> new ArrayList<>()).add(describe(EventType.REMOVED, old, old));
            }
        }

        private void setOrRemove(int key, String value) {
            if (value == null) {
                delete(key);
            } else {
                write(key, value);
            }
        }

        /** A change an operation makes: through to the store too. */
        private void write(int key, String value) {
            put(key, value);
            if (store != null) {
                store.put(key, value);
            }
        }

        /** A removal an operation asks for: from the store too, whether the cache held the key or not. */
        private void delete(int key) {
            remove(key);
            if (store != null) {
                store.remove(key);
            }
        }

        /** A miss of a read that loads: the store's value, if any, becomes the entry. */
        private String load(int key) {
            String loaded = store == null ? null : store.get(key);
            if (loaded != null) {
                put(key, loaded);
            }
            return loaded;
        }

        private int key(Random random) {
            return base + random.nextInt(KEYS);
        }

        private Set<Integer> keys(Random random) {
            Set<Integer> keys = new HashSet<>();
            int count = 1 + random.nextInt(15);
            while (keys.size() < count) {
                keys.add(key(random));
            }
            return keys;
        }
    }

    /** Mostly short values; one in ten of up to 40 KiB, so that an update's two values exceed a 64 KiB message. */
    private static String value(Random random) {
        int length = random.nextInt(10) == 0 ? random.nextInt(40 << 10) : random.nextInt(20);
        return (char) ('a' + random.nextInt(26)) + "x".repeat(length);
    }

    private void start(KamaConfig config) {
        managers.add(new KamaCacheManager(null, URI.create("kamacache:model-" + managers.size()),
                getClass().getClassLoader(), new Properties(), config, InstantSource.system()));
    }

    private static void listen(Cache<Integer, String> cache, String name) {
        HEARD.put(name, new ConcurrentHashMap<>());
        cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(new Noting(name)), null, true, false));
    }

    private static Map<Integer, List<String>> heard(String listener) {
        Map<Integer, List<String>> heard = new HashMap<>();
        HEARD.get(listener).forEach((key, events) -> {
            synchronized (events) {
                heard.put(key, new ArrayList<>(events));
            }
        });
        return heard;
    }

    /**
     * An event as the model and the listeners note it: its type, its value and, where the
     * spec gives one, its old value, each whole if short, else by first letter and length.
     */
    private static String describe(EventType type, String value, String oldValue) {
        return type + " " + brief(value) + (type == EventType.CREATED ? "" : " was " + brief(oldValue));
    }

    private static String brief(String value) {
        return value == null ? "null" : value.length() <= 12 ? value : value.charAt(0) + "/" + value.length();
    }

    /** Notes the events it hears in {@link #HEARD}, under its name. */
    public static final class Noting implements CacheEntryCreatedListener<Integer, String>,
            CacheEntryUpdatedListener<Integer, String>, CacheEntryRemovedListener<Integer, String>, Serializable {
        private final String name;

        Noting(String name) {
            this.name = name;
        }

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            note(events);
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            note(events);
        }

        @Override
        public void onRemoved(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            note(events);
        }

        private void note(Iterable<CacheEntryEvent<? extends Integer, ? extends String>> events) {
            for (CacheEntryEvent<? extends Integer, ? extends String> event : events) {
                List<String> heard = HEARD.get(name).computeIfAbsent(event.getKey(),
                        key -> Collections.synchronizedList(new ArrayList<>()));
                heard.add(describe(event.getEventType(), event.getValue(), event.getOldValue()));
            }
        }
    }

    /** The store of the read- and write-through test, in this JVM, where every node and the client run. */
    static final Map<Integer, String> STORE = new ConcurrentHashMap<>();

    public static final class StoreLoader implements CacheLoader<Integer, String> {
        @Override
        public String load(Integer key) {
            return STORE.get(key);
        }

        @Override
        public Map<Integer, String> loadAll(Iterable<? extends Integer> keys) {
            Map<Integer, String> loaded = new HashMap<>();
            keys.forEach(key -> {
                if (STORE.containsKey(key)) {
                    loaded.put(key, STORE.get(key));
                }
            });
            return loaded;
        }
    }

    public static final class StoreWriter implements CacheWriter<Integer, String> {
        @Override
        public void write(Cache.Entry<? extends Integer, ? extends String> entry) {
            STORE.put(entry.getKey(), entry.getValue());
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends Integer, ? extends String>> entries) {
            entries.forEach(this::write);
            entries.clear();
        }

        @Override
        public void delete(Object key) {
            STORE.remove(key);
        }

        @Override
        public void deleteAll(Collection<?> keys) {
            keys.forEach(this::delete);
            keys.clear();
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
