package io.kamacache.eviction;

import io.kamacache.config.PolicyKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvictionPolicyTest {

    private final Map<String, PolicyTestNode> nodes = new LinkedHashMap<>();

    private PolicyTestNode node(String name) {
        return nodes.computeIfAbsent(name, PolicyTestNode::new);
    }

    private void insert(EvictionPolicy policy, String... names) {
        for (String name : names) {
            PolicyTestNode fresh = new PolicyTestNode(name); // a re-inserted key is a new entry
            nodes.put(name, fresh);
            policy.onInsert(fresh);
        }
    }

    private void access(EvictionPolicy policy, String... names) {
        for (String name : names) {
            policy.onAccess(node(name));
        }
    }

    private static List<String> evict(EvictionPolicy policy, int count) {
        List<String> victims = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            EvictionNode victim = policy.evict();
            assertThat(victim).as("victim %d", i).isNotNull();
            assertThat(victim.isTracked()).isFalse();
            victims.add(victim.toString());
        }
        return victims;
    }

    @Test
    void lruEvictsLeastRecentlyUsedFirst() {
        EvictionPolicy lru = new LruPolicy();
        insert(lru, "a", "b", "c", "d");
        access(lru, "a", "c");
        assertThat(evict(lru, 4)).containsExactly("b", "d", "a", "c");
        assertThat(lru.evict()).isNull();
    }

    @Test
    void lruUpdateCountsAsUseAndRemoveForgets() {
        EvictionPolicy lru = new LruPolicy();
        insert(lru, "a", "b", "c");
        lru.onUpdate(node("a"));
        lru.onRemove(node("b"));
        assertThat(node("b").isTracked()).isFalse();
        assertThat(evict(lru, 2)).containsExactly("c", "a");
    }

    @Test
    void clockGivesReferencedEntriesASecondChance() {
        EvictionPolicy clock = new ClockPolicy();
        insert(clock, "a", "b", "c");
        access(clock, "a");
        // a is referenced: the hand clears its bit and passes it to the back; b is the victim.
        assertThat(evict(clock, 1)).containsExactly("b");
        assertThat(node("a").referenced).isFalse();
        assertThat(evict(clock, 2)).containsExactly("c", "a");
    }

    @Test
    void clockWithEveryEntryReferencedEvictsTheOldestAfterOnePass() {
        EvictionPolicy clock = new ClockPolicy();
        insert(clock, "a", "b", "c");
        access(clock, "a", "b", "c");
        assertThat(evict(clock, 1)).containsExactly("a");
        access(clock, "c");
        assertThat(evict(clock, 2)).containsExactly("b", "c");
    }

    @Test
    void clockRecordsHitsWithoutTheLock() {
        assertThat(new ClockPolicy().concurrentAccess()).isTrue();
        assertThat(new LruPolicy().concurrentAccess()).isFalse();
    }

    @Test
    void twoQueueEvictsNewEntriesFifoAndRemembersThemAsGhosts() {
        // Capacity 4 entries: A1in holds 1 (25 %), A1out remembers 2 keys (50 %).
        TwoQueuePolicy twoQ = new TwoQueuePolicy(new Capacity(0, 4), 0.25, 0.5);
        insert(twoQ, "a", "b", "c", "d");
        access(twoQ, "a"); // a hit in A1in does not reorder
        assertThat(evict(twoQ, 3)).containsExactly("a", "b", "c");
        // The ghost queue keeps only the two most recent keys: b and c; a was forgotten.
        assertThat(twoQ.ghostCount()).isEqualTo(2);

        insert(twoQ, "a", "b"); // a is new again (A1in); b is a ghost hit and goes to Am
        assertThat(node("b").queue).isNotSameAs(node("a").queue);
        // A1in = [d, a] is over its share of 1: d goes first, and is remembered.
        assertThat(evict(twoQ, 1)).containsExactly("d");
        // A1in = [a] is within its share: now Am's LRU entry is the victim, and is not remembered.
        int ghostsBefore = twoQ.ghostCount();
        assertThat(evict(twoQ, 1)).containsExactly("b");
        assertThat(twoQ.ghostCount()).isEqualTo(ghostsBefore);
        assertThat(evict(twoQ, 1)).containsExactly("a");
        assertThat(twoQ.evict()).isNull();
    }

    @Test
    void twoQueueHotSetIsLruAndSurvivesAScan() {
        TwoQueuePolicy twoQ = new TwoQueuePolicy(new Capacity(0, 8), 0.25, 0.5);
        // Make p and q hot: insert, evict to ghosts, insert again (promoted to Am).
        insert(twoQ, "p", "q", "x", "y");
        assertThat(evict(twoQ, 2)).containsExactly("p", "q");
        insert(twoQ, "p", "q");
        access(twoQ, "p");
        // A scan of one-time keys only cycles through A1in while A1in is over its share (2).
        insert(twoQ, "s1", "s2", "s3");
        assertThat(evict(twoQ, 3)).containsExactly("x", "y", "s1");
        // With A1in back within its share, Am gives up its least recently used entry: q.
        assertThat(evict(twoQ, 1)).containsExactly("q");
    }

    @Test
    void twoQueueMeasuresSharesInBytesWhenBoundedByBytes() {
        TwoQueuePolicy twoQ = new TwoQueuePolicy(new Capacity(1000, 0), 0.25, 0.5);
        PolicyTestNode big = new PolicyTestNode("big", 300);
        PolicyTestNode small = new PolicyTestNode("small", 10);
        PolicyTestNode hot = new PolicyTestNode("hot", 10);
        twoQ.onInsert(hot);
        assertThat(twoQ.evict()).isSameAs(hot);
        PolicyTestNode hotAgain = new PolicyTestNode("hot", 10);
        twoQ.onInsert(hotAgain); // ghost hit: Am
        twoQ.onInsert(big);
        twoQ.onInsert(small);
        // A1in weighs 310 > 250: its head goes even though it holds only two entries.
        assertThat(twoQ.evict()).isSameAs(big);
        // A1in weighs 10, within its share: Am's entry goes.
        assertThat(twoQ.evict()).isSameAs(hotAgain);
    }

    @Test
    void updatesReweighTheEntry() {
        TwoQueuePolicy twoQ = new TwoQueuePolicy(new Capacity(100, 0), 0.25, 0.5);
        PolicyTestNode a = new PolicyTestNode("a", 10);
        PolicyTestNode b = new PolicyTestNode("b", 10);
        twoQ.onInsert(a);
        twoQ.onInsert(b);
        twoQ.onInsert(new PolicyTestNode("c", 5));
        // A1in = 25 bytes, exactly its share: not over, and Am is empty, so A1in's head goes.
        assertThat(twoQ.evict()).isSameAs(a);
        b.weight = 40;
        twoQ.onUpdate(b);
        assertThat(b.trackedWeight).isEqualTo(40);
    }

    @Test
    void policyKindsParseTheirConfigNames() {
        assertThat(PolicyKind.fromName("LRU")).isEqualTo(PolicyKind.LRU);
        assertThat(PolicyKind.fromName("2q")).isEqualTo(PolicyKind.TWO_QUEUE);
        assertThat(PolicyKind.fromName(" clock ")).isEqualTo(PolicyKind.CLOCK);
        assertThatThrownBy(() -> PolicyKind.fromName("lfu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'lfu'").hasMessageContaining("lru, 2q, clock");
    }

    @Test
    void badCapacitiesAndSharesAreRefused() {
        assertThatThrownBy(() -> new Capacity(-1, 0)).hasMessageContaining("maxBytes").hasMessageContaining("-1");
        assertThatThrownBy(() -> new Capacity(0, -5)).hasMessageContaining("maxEntries");
        assertThatThrownBy(() -> new TwoQueuePolicy(new Capacity(0, 10), 0, 0.5)).hasMessageContaining("a1in");
        assertThatThrownBy(() -> new TwoQueuePolicy(new Capacity(0, 10), 0.25, 1.5)).hasMessageContaining("a1out");
    }
}
