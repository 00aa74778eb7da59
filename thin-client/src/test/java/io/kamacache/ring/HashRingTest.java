package io.kamacache.ring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HashRingTest {

    private static final List<String> THREE = List.of("10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000");
    private static final List<String> PINNED_KEYS =
            List.of("Tom", "Jack", "Sam", "Peter", "user:42", "order/2026/11/25", "é漢字", "key-0", "key-9999");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Integer> ownedCounts(HashRing ring, int keys) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            counts.merge(ring.ownerOf("key-" + i), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void hashFunctionsMatchPublishedVectors() {
        // MurmurHash3 x64 128 (seed 0), low 64 bits: Guava's murmur3_128 of this sentence is
        // 6c1b07bc7bbc4be347939ac4a93c437a, whose first eight bytes, little-endian, are h1.
        assertThat(HashFunction.MURMUR3.hash(utf8("The quick brown fox jumps over the lazy dog")))
                .isEqualTo(0xe34bbc7bbc071b6cL);
        assertThat(HashFunction.MURMUR3.hash(new byte[0])).isZero();
        assertThat(HashFunction.CRC32.hash(utf8("123456789"))).isEqualTo(0xCBF43926L);
        assertThat(HashFunction.XXHASH64.hash(new byte[0])).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(HashFunction.XXHASH64.hash(utf8("abc"))).isEqualTo(0x44BC2CF5AD770999L);
    }

    /**
     * Owners pinned for fixed members and keys: every JVM and every version must agree on
     * them, or nodes and clients would route one key to different owners.
     */
    @Test
    void placementIsPinned() {
        Map<HashFunction, String> expected = new LinkedHashMap<>();
        expected.put(HashFunction.MURMUR3, PINNED_MURMUR3);
        expected.put(HashFunction.CRC32, PINNED_CRC32);
        expected.put(HashFunction.XXHASH64, PINNED_XXHASH64);
        expected.forEach((function, owners) -> {
            HashRing ring = HashRing.of(THREE, function, HashRing.DEFAULT_VIRTUAL_NODES);
            StringBuilder actual = new StringBuilder();
            for (String key : PINNED_KEYS) {
                actual.append(ring.ownerOf(key).charAt(7));
            }
            assertThat(actual).as(function.configName()).hasToString(owners);
        });
    }

    /**
     * A key belongs to the member of the first virtual node at or after the key's hash,
     * wrapping past the last, ties to the smaller name: checked against a scan of every
     * virtual node, on rings of one point to thousands, with keys that hash exactly onto a
     * virtual node (its own name) as well as random ones.
     */
    @ParameterizedTest
    @CsvSource({"1, 1", "2, 1", "3, 3", "3, 2048", "7, 100", "5, 777"})
    void theOwnerIsTheFirstVirtualNodeAtOrAfterTheKeysHash(int memberCount, int virtualNodes) {
        List<String> members = new ArrayList<>();
        for (int m = 0; m < memberCount; m++) {
            members.add("10.0.0." + m + ":7000");
        }
        List<byte[]> keys = new ArrayList<>();
        for (int k = 0; k < 2000; k++) {
            keys.add(utf8("key-" + k));
        }
        for (String member : members) {
            for (int v = 0; v < Math.min(virtualNodes, 10); v++) {
                keys.add(utf8(member + "#" + v));
            }
        }
        for (HashFunction function : HashFunction.values()) {
            HashRing ring = HashRing.of(members, function, virtualNodes);
            for (byte[] key : keys) {
                long hash = ring.position(key);
                String atOrAfter = null;
                long atOrAfterPosition = 0;
                String first = null;
                long firstPosition = 0;
                for (String member : members) { // members ascend, so a tie keeps the smaller name
                    for (int v = 0; v < virtualNodes; v++) {
                        long position = ring.position(utf8(member + "#" + v));
                        if (position >= hash && (atOrAfter == null || position < atOrAfterPosition)) {
                            atOrAfter = member;
                            atOrAfterPosition = position;
                        }
                        if (first == null || position < firstPosition) {
                            first = member;
                            firstPosition = position;
                        }
                    }
                }
                assertThat(ring.ownerOf(key)).as("%s on %s", new String(key, StandardCharsets.UTF_8), ring)
                        .isEqualTo(atOrAfter != null ? atOrAfter : first);
            }
        }
    }

    // The last digit of the owner's address for each of PINNED_KEYS, in order.
    private static final String PINNED_MURMUR3 = "323232222";
    private static final String PINNED_CRC32 = "222232132";
    private static final String PINNED_XXHASH64 = "322212331";

    @Test
    void membersOrderDoesNotMatter() {
        List<String> reversed = new ArrayList<>(THREE);
        java.util.Collections.reverse(reversed);
        HashRing a = HashRing.of(THREE);
        HashRing b = HashRing.of(reversed);
        assertThat(a).isEqualTo(b);
        for (int i = 0; i < 10_000; i++) {
            assertThat(a.ownerOf("key-" + i)).isEqualTo(b.ownerOf("key-" + i));
        }
    }

    @Test
    void ringsThatPlaceKeysAlikeShareAFingerprintAndNoOtherDoes() {
        List<String> reversed = new ArrayList<>(THREE);
        java.util.Collections.reverse(reversed);
        HashRing ring = HashRing.of(THREE);
        assertThat(HashRing.of(reversed).fingerprint()).isEqualTo(ring.fingerprint());
        assertThat(HashRing.forMember(THREE.get(0), THREE.subList(1, 3), HashFunction.DEFAULT,
                HashRing.DEFAULT_VIRTUAL_NODES).fingerprint()).isEqualTo(ring.fingerprint());
        assertThat(List.of(ring.withMember("10.0.0.4:7000"), ring.withoutMember(THREE.get(0)),
                HashRing.of(THREE, HashFunction.XXHASH64, HashRing.DEFAULT_VIRTUAL_NODES),
                HashRing.of(THREE, HashFunction.DEFAULT, HashRing.DEFAULT_VIRTUAL_NODES + 1),
                HashRing.of(List.of())))
                .extracting(HashRing::fingerprint)
                .doesNotContain(ring.fingerprint(), 0L)
                .doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @EnumSource(HashFunction.class)
    void threeMembersShareTenThousandKeysEvenly(HashFunction function) {
        List<List<String>> memberSets = List.of(
                THREE,
                List.of("127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003"),
                List.of("cache-0.cache.svc:9090", "cache-1.cache.svc:9090", "cache-2.cache.svc:9090"),
                List.of("node-a", "node-b", "node-c"),
                List.of("192.168.7.20:50051", "192.168.7.21:50051", "192.168.7.22:50051"));
        for (List<String> members : memberSets) {
            HashRing ring = HashRing.of(members, function, HashRing.DEFAULT_VIRTUAL_NODES);
            Map<String, Integer> counts = ownedCounts(ring, 10_000);
            assertThat(counts).as("%s", members).hasSize(3);
            counts.forEach((member, count) -> assertThat((double) count)
                    .as("%s's share of 10 000 keys with %s", member, function)
                    .isCloseTo(10_000 / 3.0, within(10_000 / 3.0 * 0.10)));
            Map<String, Double> shares = ring.shares();
            assertThat(shares.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-9));
            shares.forEach((member, share) -> assertThat(share)
                    .as("ring share of %s", member)
                    .isCloseTo(counts.get(member) / 10_000.0, within(0.03)));
        }
    }

    @Test
    void aJoinMovesAboutAQuarterOfTheKeysAndOnlyToTheNewMember() {
        HashRing before = HashRing.of(THREE);
        HashRing after = before.withMember("10.0.0.4:7000");
        int moved = 0;
        for (int i = 0; i < 10_000; i++) {
            String key = "key-" + i;
            String was = before.ownerOf(key);
            String is = after.ownerOf(key);
            if (!was.equals(is)) {
                moved++;
                assertThat(is).as("a key may only move to the joining member").isEqualTo("10.0.0.4:7000");
            }
        }
        assertThat(moved / 10_000.0).isBetween(0.20, 0.30);
    }

    @Test
    void aLeaveMovesOnlyTheLeaversKeys() {
        HashRing before = HashRing.of(List.of("a:1", "b:1", "c:1", "d:1"));
        HashRing after = before.withoutMember("b:1");
        for (int i = 0; i < 10_000; i++) {
            String key = "key-" + i;
            if (!before.ownerOf(key).equals("b:1")) {
                assertThat(after.ownerOf(key)).isEqualTo(before.ownerOf(key));
            }
        }
        assertThat(after.members()).containsExactly("a:1", "c:1", "d:1");
    }

    @Test
    void aMemberIsAlwaysOnItsOwnRing() {
        HashRing ring = HashRing.forMember("self:1", List.of("a:1", "b:1"), HashFunction.MURMUR3, 16);
        assertThat(ring.members()).containsExactly("a:1", "b:1", "self:1");
        assertThat(HashRing.forMember("self:1", List.of(), HashFunction.MURMUR3, 16).ownerOf("x")).isEqualTo("self:1");
        assertThat(HashRing.forMember("a:1", List.of("a:1", "b:1"), HashFunction.MURMUR3, 16).size()).isEqualTo(2);
    }

    @Test
    void aSingleMemberOwnsEverythingAndTheWholeRing() {
        HashRing ring = HashRing.of(List.of("only:1"), HashFunction.CRC32, 1);
        assertThat(ring.ownerOf("anything")).isEqualTo("only:1");
        assertThat(ring.shares()).containsExactly(Map.entry("only:1", 1.0));
    }

    @Test
    void badInputIsRefusedClearly() {
        assertThatThrownBy(() -> HashRing.of(List.of()).ownerOf("k"))
                .isInstanceOf(IllegalStateException.class).hasMessage("hash ring has no members");
        assertThatThrownBy(() -> HashRing.of(List.of("a", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("member name must not be blank");
        assertThatThrownBy(() -> HashRing.of(THREE, HashFunction.MURMUR3, 0))
                .hasMessageContaining("virtual nodes per member must be between 1 and 10000, was 0");
        assertThatThrownBy(() -> HashRing.of(THREE).ownerOf((String) null)).hasMessageContaining("key");
        assertThatThrownBy(() -> HashFunction.fromName("md5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'md5'").hasMessageContaining("murmur3, crc32, xxhash64");
        assertThat(HashFunction.fromName("XXHash64")).isEqualTo(HashFunction.XXHASH64);
    }
}
