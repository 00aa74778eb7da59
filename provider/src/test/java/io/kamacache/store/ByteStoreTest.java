package io.kamacache.store;

import io.kamacache.codec.AsciiKey;
import io.kamacache.codec.Codec;
import io.kamacache.config.PolicyKind;
import io.kamacache.eviction.Capacity;
import io.kamacache.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteStoreTest {

    private final ManualClock clock = new ManualClock();
    private final List<String> removals = Collections.synchronizedList(new ArrayList<>());

    private ByteStore store(StoreOptions options) {
        return ByteStore.builder(options)
                .clock(clock)
                .maintenanceExecutor(Runnable::run) // hits replayed in order, none dropped
                .removalListener((key, value, cause) -> removals.add(cause + ":" + text(key)))
                .build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static StoredValue value(String s) {
        return StoredValue.of(bytes(s));
    }

    private static String get(ByteStore store, String key) {
        StoredValue v = store.get(bytes(key));
        return v == null ? null : text(v.value());
    }

    @Test
    void putGetRemove() {
        ByteStore store = store(StoreOptions.defaults());
        assertThat(store.put(bytes("k"), value("v1"))).isNull();
        assertThat(text(store.put(bytes("k"), value("v2")).value())).isEqualTo("v1");
        assertThat(get(store, "k")).isEqualTo("v2");
        assertThat(text(store.remove(bytes("k")).value())).isEqualTo("v2");
        assertThat(store.remove(bytes("k"))).isNull();
        assertThat(get(store, "k")).isNull();
        assertThat(store.size()).isZero();
        assertThat(store.weightedSize()).isZero();
        assertThat(removals).as("explicit writes are not reported").isEmpty();
    }

    /** An LRU store of three entries, a=1, b=2 and c=3, written in that order. */
    private ByteStore fullLruStoreOfThree() {
        ByteStore store = store(StoreOptions.builder().maxEntries(3).build());
        store.put(bytes("a"), value("1"));
        store.put(bytes("b"), value("2"));
        store.put(bytes("c"), value("3"));
        return store;
    }

    @Test
    void lruStoreEvictsLeastRecentlyReadEntry() {
        ByteStore store = fullLruStoreOfThree();
        get(store, "a");
        store.put(bytes("d"), value("4"));
        assertThat(removals).containsExactly("EVICTED:b");
        assertThat(get(store, "b")).isNull();
        assertThat(store.size()).isEqualTo(3);
    }

    @Test
    void aReplacedValueCountsAsARecentUseWhetherItsWeightChangesOrNot() {
        ByteStore store = fullLruStoreOfThree();
        store.put(bytes("a"), value("9")); // the same weight
        store.put(bytes("b"), value("longer")); // another weight
        store.put(bytes("d"), value("4"));
        assertThat(removals).containsExactly("EVICTED:c");
        assertThat(get(store, "a")).isEqualTo("9");
        assertThat(get(store, "b")).isEqualTo("longer");
        assertThat(store.weightedSize()).isEqualTo(ByteStore.weightOf(bytes("a"), bytes("9"))
                + ByteStore.weightOf(bytes("b"), bytes("longer")) + ByteStore.weightOf(bytes("d"), bytes("4")));
    }

    @Test
    void bufferedReadsKeepTheirOrderAcrossManyDrains() {
        int n = 100;
        ByteStore store = store(StoreOptions.builder().maxEntries(n).build());
        for (int i = 0; i < n; i++) {
            store.put(bytes("k" + i), value("v"));
        }
        for (int i = 0; i < n / 2; i++) { // far more hits than one read-buffer stripe holds
            assertThat(get(store, "k" + i)).isEqualTo("v");
        }
        for (int i = 0; i < n / 2; i++) {
            store.put(bytes("new" + i), value("v"));
        }
        List<String> expected = new ArrayList<>();
        for (int i = n / 2; i < n; i++) {
            expected.add("EVICTED:k" + i);
        }
        assertThat(removals).containsExactlyElementsOf(expected);
    }

    @Test
    void readersThatDrainReplayEveryFullStripeThemselvesAndDropNoHit() {
        int reads = 2 * ReadBuffer.STRIPE_CAPACITY;
        List<Runnable> handedOff = Collections.synchronizedList(new ArrayList<>());
        ByteStore store = ByteStore.builder(StoreOptions.builder().maxEntries(2 * reads).build())
                .maintenanceExecutor(handedOff::add) // never runs: a drain handed off would be lost
                .drainReadsOnReader()
                .removalListener((key, value, cause) -> removals.add(cause + ":" + text(key)))
                .build();
        for (int i = 0; i < 2 * reads; i++) {
            store.put(bytes("k" + i), value("v"));
        }
        for (int i = 0; i < reads; i++) { // twice what one stripe holds, all from this thread
            assertThat(get(store, "k" + i)).isEqualTo("v");
        }
        for (int i = 0; i < reads; i++) {
            store.put(bytes("new" + i), value("v"));
        }
        List<String> neverRead = new ArrayList<>();
        for (int i = reads; i < 2 * reads; i++) {
            neverRead.add("EVICTED:k" + i);
        }
        assertThat(handedOff).isEmpty();
        assertThat(removals).as("every key read outlives every key never read").containsExactlyElementsOf(neverRead);
    }

    @Test
    void maxBytesCountsKeysValuesAndOverhead() {
        long oneEntry = ByteStore.weightOf(bytes("k1"), bytes("0123456789"));
        assertThat(oneEntry).isEqualTo(2 + 10 + ByteStore.ENTRY_OVERHEAD);
        ByteStore store = store(StoreOptions.builder().maxBytes(3 * oneEntry).build());
        for (int i = 1; i <= 3; i++) {
            store.put(bytes("k" + i), value("0123456789"));
        }
        assertThat(store.weightedSize()).isEqualTo(3 * oneEntry);
        assertThat(removals).isEmpty();
        store.put(bytes("k4"), value("0123456789"));
        assertThat(removals).containsExactly("EVICTED:k1");
        assertThat(store.weightedSize()).isEqualTo(3 * oneEntry);
        // A heavier replacement pushes out another entry.
        store.put(bytes("k2"), value("0123456789".repeat(2)));
        assertThat(store.weightedSize()).isLessThanOrEqualTo(3 * oneEntry);
        assertThat(removals).hasSize(2);
    }

    @Test
    void valueHeavierThanTheWholeCapacityIsNotKept() {
        ByteStore store = store(StoreOptions.builder().maxBytes(1000).build());
        store.put(bytes("small"), value("x"));
        store.put(bytes("big"), value("old"));
        StoredValue huge = StoredValue.of(new byte[2000]);
        assertThat(store.compute(bytes("big"), v -> huge)).isSameAs(huge);
        assertThat(get(store, "big")).as("the old value must not be served either").isNull();
        assertThat(get(store, "small")).isEqualTo("x");
        assertThat(removals).containsExactly("EVICTED:big");
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void entriesExpireOnReadAndAreReported() {
        ByteStore store = store(StoreOptions.defaults());
        store.put(bytes("k"), StoredValue.of(bytes("v"), clock.millis() + 100));
        clock.advance(Duration.ofMillis(99));
        assertThat(get(store, "k")).isEqualTo("v");
        clock.advance(Duration.ofMillis(1));
        assertThat(get(store, "k")).isNull();
        assertThat(removals).containsExactly("EXPIRED:k");
        assertThat(store.size()).isZero();
        assertThat(store.weightedSize()).isZero();
    }

    @Test
    void peekReadsLiveEntriesAndLeavesExpiredOnesForGetToReport() {
        ByteStore store = store(StoreOptions.defaults());
        store.put(bytes("k"), StoredValue.of(bytes("v"), clock.millis() + 100));
        assertThat(text(store.peek(bytes("k")).value())).isEqualTo("v");
        byte[] k = bytes("k");
        assertThat(text((byte[]) store.peekPayload(java.util.Arrays.hashCode(k), null, (o, b) -> java.util.Arrays.equals(b, k))))
                .isEqualTo("v");
        assertThat(store.peekPayload(java.util.Arrays.hashCode(k), null, (o, b) -> false)).isNull();
        assertThat(store.peek(bytes("other"))).isNull();

        clock.advance(Duration.ofMillis(100));
        assertThat(store.peek(bytes("k"))).isNull();
        assertThat(store.peekPayload(java.util.Arrays.hashCode(k), null, (o, b) -> java.util.Arrays.equals(b, k))).isNull();
        assertThat(removals).isEmpty();
        assertThat(store.size()).isEqualTo(1);
        assertThat(get(store, "k")).isNull();
        assertThat(removals).containsExactly("EXPIRED:k");
    }

    @Test
    void peekPayloadReadsWhatTheLastWriteLeftWhetherItExpiresOrNot() {
        ByteStore store = store(StoreOptions.defaults());
        byte[] k = bytes("k");
        store.put(k, value("eternal"));
        assertThat(text((byte[]) store.peekPayload(k))).isEqualTo("eternal");

        String object = new String("kept as object");
        store.put(bytes("k"), StoredValue.of(null, StoredValue.ETERNAL, object));
        assertThat(store.peekPayload(k)).isSameAs(object);

        // a value that expires is read through its holder, live until its time and not after
        store.put(bytes("k"), StoredValue.of(bytes("expiring"), clock.millis() + 100));
        assertThat(text((byte[]) store.peekPayload(k))).isEqualTo("expiring");
        clock.advance(Duration.ofMillis(100));
        assertThat(store.peekPayload(k)).isNull();

        store.put(bytes("k"), value("eternal again"));
        assertThat(text((byte[]) store.peekPayload(k))).isEqualTo("eternal again");
        store.put(bytes("k"), value("eternal again").withExpiresAt(clock.millis() + 1));
        clock.advance(Duration.ofMillis(1));
        assertThat(store.peekPayload(k)).isNull();

        store.put(bytes("k"), value("last"));
        store.remove(bytes("k"));
        assertThat(store.peekPayload(k)).isNull();
    }

    @Test
    void aKeyObjectFindsItsEntryByReferenceAndWeighsIn() {
        ByteStore store = store(StoreOptions.defaults());
        byte[] k = bytes("k");
        int hash = java.util.Arrays.hashCode(k);
        String keyObject = new String("k");
        store.compute(k, keyObject, current -> value("v1"));
        long plain = ByteStore.weightOf(k, bytes("v1"));
        assertThat(store.weightedSize()).isEqualTo(plain + StoredValue.weightOfObject(keyObject)).isGreaterThan(plain);

        // the very object finds it without its bytes being tested; an equal one by its bytes only
        assertThat(text((byte[]) store.peekPayload(hash, keyObject, (o, b) -> false))).isEqualTo("v1");
        assertThat(store.peekPayload(hash, new String("k"), (o, b) -> false)).isNull();
        assertThat(text((byte[]) store.peekPayload(hash, new String("k"), (o, b) -> java.util.Arrays.equals(b, k)))).isEqualTo("v1");

        // writes with another object, or none, reach the same entry, which keeps its first object
        store.compute(bytes("k"), new String("k"), current -> value("v2"));
        store.compute(bytes("k"), current -> value("v3"));
        assertThat(store.size()).isEqualTo(1);
        assertThat(text((byte[]) store.peekPayload(hash, keyObject, (o, b) -> false))).isEqualTo("v3");
        assertThat(store.weightedSize()).isEqualTo(plain + StoredValue.weightOfObject(keyObject));

        store.compute(bytes("k"), keyObject, current -> null);
        assertThat(store.size()).isZero();
        assertThat(store.weightedSize()).isZero();

        // a write that brings the hash: the entry is the same one a write that hashes the bytes finds
        store.compute(hash, bytes("k"), keyObject, current -> value("v4"));
        assertThat(text(store.get(bytes("k")).value())).isEqualTo("v4");
        assertThat(text((byte[]) store.peekPayload(hash, keyObject, (o, b) -> false))).isEqualTo("v4");
        store.compute(bytes("k"), current -> null);
        assertThat(store.size()).isZero();

        assertThatThrownBy(() -> store.compute(k, new StringBuilder("k"), current -> value("v")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.StringBuilder");
        assertThat(store.size()).isZero();
    }

    @Test
    void aValueKeptAsItsObjectWeighsTheObjectAndIsEncodedWhenItsBytesAreAskedFor() {
        ByteStore store = store(StoreOptions.defaults());
        byte[] encoded = Codec.create(List.of(), null).encode("value");
        StoredValue kept = StoredValue.of(encoded, StoredValue.ETERNAL, "value");
        store.put(bytes("k"), kept);
        // the object alone: the bytes given are not kept beside it
        long objectOnly = bytes("k").length + ByteStore.ENTRY_OVERHEAD + StoredValue.weightOfObject("value");
        assertThat(store.weightedSize()).isEqualTo(objectOnly);
        assertThat(store.get(bytes("k")).object()).isSameAs(kept.object());
        assertThat(store.get(bytes("k")).value()).isEqualTo(encoded).isNotSameAs(encoded);
        assertThat(StoredValue.of(null, StoredValue.ETERNAL, "value").value()).isEqualTo(encoded);
        store.put(bytes("k"), value("value"));
        assertThat(store.weightedSize()).isEqualTo(ByteStore.weightOf(bytes("k"), bytes("value")));
        assertThat(store.get(bytes("k")).object()).isNull();
        assertThat(StoredValue.of(null, 5, 42L).withExpiresAt(7).object()).isEqualTo(42L);
        assertThat(StoredValue.of(null, 5, 42L).withExpiresAt(7).value()).isEqualTo(Codec.encodeImmutable(42L));

        for (Object notKept : List.of(new byte[1], new ArrayList<>(), new StringBuilder("s"),
                new java.util.concurrent.atomic.AtomicLong(), new java.math.BigDecimal("1"))) {
            assertThatThrownBy(() -> StoredValue.of(bytes("v"), 1, notKept))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(notKept.getClass().getName());
        }
        assertThatThrownBy(() -> StoredValue.of(null, 1, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anExpiredEntryIsAbsentToCompute() {
        ByteStore store = store(StoreOptions.defaults());
        store.put(bytes("k"), StoredValue.of(bytes("old"), clock.millis() + 10));
        clock.advance(Duration.ofMillis(10));
        StoredValue[] seen = {value("marker")};
        store.compute(bytes("k"), current -> {
            seen[0] = current;
            return value("new");
        });
        assertThat(seen[0]).isNull();
        assertThat(get(store, "k")).isEqualTo("new");
        assertThat(removals).containsExactly("EXPIRED:k");
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void anExpiredEntryWrittenAgainIsANewEntryToThePolicyAndIsEvictedAsOne() {
        ByteStore store = store(StoreOptions.builder().maxEntries(2).build()); // LRU
        store.put(bytes("a"), StoredValue.of(bytes("old"), clock.millis() + 10));
        store.put(bytes("b"), value("b"));
        clock.advance(Duration.ofMillis(10));
        store.put(bytes("a"), value("new")); // now the most recent
        store.put(bytes("c"), value("c"));
        assertThat(removals).containsExactly("EXPIRED:a", "EVICTED:b");
        store.put(bytes("d"), value("d"));
        assertThat(removals).containsExactly("EXPIRED:a", "EVICTED:b", "EVICTED:a");
        assertThat(get(store, "a")).isNull();
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.weightedSize()).isEqualTo(2 * ByteStore.weightOf(bytes("c"), bytes("c")));
    }

    @Test
    void sweepRemovesExpiredEntriesWithoutReads() {
        ByteStore store = store(StoreOptions.defaults());
        store.put(bytes("short"), StoredValue.of(bytes("v"), clock.millis() + 50));
        store.put(bytes("long"), StoredValue.of(bytes("v"), clock.millis() + 5000));
        store.put(bytes("forever"), value("v"));
        clock.advance(Duration.ofMillis(60));
        store.sweepExpired();
        assertThat(removals).containsExactly("EXPIRED:short");
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void backgroundSweepRunsUntilClose() throws Exception {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            ByteStore store = ByteStore.builder(StoreOptions.defaults())
                    .clock(clock)
                    .removalListener((key, value, cause) -> removals.add(cause + ":" + text(key)))
                    .sweepExpired(scheduler, Duration.ofMillis(10))
                    .build();
            store.put(bytes("k"), StoredValue.of(bytes("v"), clock.millis() + 1));
            clock.advance(Duration.ofMillis(5));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (removals.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(removals).containsExactly("EXPIRED:k");
            // The sweep that reported the expiry may still be running; it is queued again when it ends.
            while (scheduler.getQueue().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(scheduler.getQueue()).hasSize(1);
            store.close();
            assertThat(scheduler.getQueue()).as("close cancels the sweep").isEmpty();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void computeReturningTheSameInstanceChangesNothing() {
        ByteStore store = store(StoreOptions.builder().maxEntries(1).build());
        store.put(bytes("a"), value("1"));
        StoredValue before = store.get(bytes("a"));
        assertThat(store.compute(bytes("a"), v -> v)).isSameAs(before);
        assertThat(store.compute(bytes("absent"), v -> v)).isNull();
        assertThat(store.size()).isEqualTo(1);
        assertThat(removals).isEmpty();
    }

    @Test
    void clearRemovesEverything() {
        ByteStore store = store(StoreOptions.defaults());
        for (int i = 0; i < 50; i++) {
            store.put(bytes("k" + i), value("v"));
        }
        store.clear();
        assertThat(store.size()).isZero();
        assertThat(store.weightedSize()).isZero();
        List<String> seen = new ArrayList<>();
        store.forEach((k, v) -> seen.add(text(k)));
        assertThat(seen).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PolicyKind.class)
    void everyPolicyStaysWithinItsBound(PolicyKind kind) {
        ByteStore store = store(StoreOptions.builder().policy(kind).maxEntries(50).build());
        for (int i = 0; i < 1000; i++) {
            store.put(bytes("k" + i), value("v"));
            get(store, "k" + (i / 2));
            assertThat(store.size()).isLessThanOrEqualTo(50);
        }
        assertThat(removals).hasSize(950).allMatch(r -> r.startsWith("EVICTED:"));
    }

    @Test
    void aPolicyChangeKeepsEveryEntryAndTheEvictionOrder() {
        ByteStore store = store(StoreOptions.builder().maxEntries(3).build());
        store.put(bytes("a"), value("1"));
        store.put(bytes("b"), value("2"));
        store.put(bytes("c"), value("3"));
        get(store, "a"); // LRU order now b, c, a
        long weight = store.weightedSize();

        for (PolicyKind kind : List.of(PolicyKind.TWO_QUEUE, PolicyKind.CLOCK, PolicyKind.LRU)) {
            store.reconfigure(kind, store.capacity());
            assertThat(contents(store)).as("after %s", kind).isEqualTo(Map.of("a", "1", "b", "2", "c", "3"));
            assertThat(store.size()).isEqualTo(3);
            assertThat(store.weightedSize()).isEqualTo(weight);
        }
        assertThat(removals).isEmpty();

        store.put(bytes("d"), value("4"));
        assertThat(removals).as("the least recently read entry before the changes goes first")
                .containsExactly("EVICTED:b");
        assertThat(contents(store)).containsOnlyKeys("a", "c", "d");
    }

    /** The entries, read without touching them. */
    private static Map<String, String> contents(ByteStore store) {
        Map<String, String> contents = new HashMap<>();
        store.forEach((key, value) -> contents.put(text(key), text(value.value())));
        return contents;
    }

    @ParameterizedTest
    @EnumSource(PolicyKind.class)
    void theNewPolicyTracksEveryEntryItWasHanded(PolicyKind kind) {
        ByteStore store = store(StoreOptions.builder().maxEntries(50).build());
        for (int i = 0; i < 50; i++) {
            store.put(bytes("old" + i), value("v"));
        }
        store.reconfigure(kind, store.capacity());
        for (int i = 0; i < 200; i++) {
            store.put(bytes("new" + i), value("v"));
        }
        assertThat(store.size()).as("the old entries are evictable too").isEqualTo(50);
        assertThat(removals).hasSize(200);
        assertThat(removals).as("every old entry left before the newest did")
                .filteredOn(removal -> removal.startsWith("EVICTED:old")).hasSize(50);
    }

    @Test
    void aSmallerCapacityEvictsTheColdestDownToIt() {
        ByteStore store = store(StoreOptions.builder().maxEntries(10).build());
        for (int i = 0; i < 10; i++) {
            store.put(bytes("k" + i), value("v" + i));
        }
        for (int i = 9; i >= 0; i--) {
            get(store, "k" + i); // k0 is now the most recently read
        }
        long oneEntry = ByteStore.weightOf(bytes("k0"), bytes("v0"));
        store.reconfigure(PolicyKind.TWO_QUEUE, new Capacity(4 * oneEntry, 0));
        assertThat(store.size()).isEqualTo(4);
        assertThat(store.weightedSize()).isEqualTo(4 * oneEntry);
        assertThat(removals).containsExactlyInAnyOrder("EVICTED:k4", "EVICTED:k5", "EVICTED:k6", "EVICTED:k7",
                "EVICTED:k8", "EVICTED:k9");
        assertThat(List.of(get(store, "k0"), get(store, "k1"), get(store, "k2"), get(store, "k3")))
                .containsExactly("v0", "v1", "v2", "v3");
    }

    @Test
    void anUnboundedStoreCanBeBoundedAndFreedAgain() {
        ByteStore store = store(StoreOptions.defaults());
        for (int i = 0; i < 20; i++) {
            store.put(bytes("k" + i), value("v"));
        }
        store.reconfigure(PolicyKind.LRU, new Capacity(0, 10_000));
        assertThat(store.size()).isEqualTo(20);
        assertThat(removals).isEmpty();

        store.reconfigure(PolicyKind.CLOCK, new Capacity(0, 8));
        assertThat(store.size()).isEqualTo(8);
        assertThat(removals).hasSize(12).allMatch(removal -> removal.startsWith("EVICTED:"));

        store.reconfigure(PolicyKind.LRU, Capacity.UNBOUNDED);
        for (int i = 0; i < 100; i++) {
            store.put(bytes("more" + i), value("v"));
        }
        assertThat(store.size()).isEqualTo(108);
        assertThat(removals).hasSize(12);
        assertThat(store.capacity()).isEqualTo(Capacity.UNBOUNDED);

        store.reconfigure(PolicyKind.TWO_QUEUE, new Capacity(0, 5));
        assertThat(store.size()).isEqualTo(5);
        assertThat(removals).hasSize(115);
    }

    @Test
    void aKeyGivenAsItsObjectIsEncodedOnlyWhenNoEntryIsHeldForIt() {
        ByteStore store = store(StoreOptions.defaults());
        Codec codec = Codec.create(List.of(), getClass().getClassLoader());
        BiPredicate<Object, byte[]> ascii = (key, bytes) -> AsciiKey.isEncodedIn((String) key, bytes);
        List<Object> encoded = new ArrayList<>();
        Function<Object, byte[]> encoder = key -> {
            encoded.add(key);
            return codec.encode(key);
        };
        String key = "user-7";
        store.compute(AsciiKey.hash(key), key, ascii, encoder, current -> value("v1"));
        assertThat(encoded).containsExactly(key);
        byte[] k = codec.encode(key);
        assertThat(text(store.get(k).value())).isEqualTo("v1");

        String equalKey = new String("user-7".toCharArray()); // equal, not the same object
        for (String writer : List.of(key, equalKey)) {
            store.compute(AsciiKey.hash(writer), writer, ascii, encoder, current -> value(text(current.value()) + "+"));
        }
        assertThat(encoded).hasSize(1);
        assertThat(text((byte[]) store.peekPayload(AsciiKey.hash(equalKey), equalKey, ascii))).isEqualTo("v1++");
        assertThat(store.size()).isEqualTo(1);

        // an expired entry is replaced under the key bytes it has, and reported as expired
        store.compute(AsciiKey.hash(key), key, ascii, encoder, current -> StoredValue.of(bytes("w"), clock.millis() + 10));
        clock.advance(Duration.ofMillis(10));
        StoredValue[] seen = {value("not called")};
        store.compute(AsciiKey.hash(equalKey), equalKey, ascii, encoder, current -> {
            seen[0] = current;
            return value("v2");
        });
        assertThat(seen[0]).isNull();
        assertThat(encoded).hasSize(1);
        assertThat(text(store.get(k).value())).isEqualTo("v2");
        assertThat(removals).containsExactly("EXPIRED:" + text(k));
        assertThat(store.size()).isEqualTo(1);
    }
}
