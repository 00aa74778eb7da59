package io.kamacache.jcache;

import io.kamacache.proto.v1.Event;

import java.util.List;

/**
 * What an {@link Operation} did at the key's owner: its answer, and what it counts for the
 * caller's statistics (the caller keeps JCache statistics, the owner does not).
 */
final class Outcome {

    /**
     * The value read, or the previous value of a get-and-x; null when there was none. Its
     * bytes, or for a caller on this JVM the immutable object the entry keeps (never a
     * {@code byte[]}); a caller on another node is always answered bytes.
     */
    Object value;
    /** The answer of a boolean operation: stored, removed, replaced, present. */
    boolean flag;
    /** What an entry processor returned (at a remote owner: its encoded bytes). */
    Object result;
    /** Batch answers, index by index with the keys: the value found or loaded, or null; each as {@link #value}. */
    List<Object> values;
    /** {@code INVOKE_ALL}, index by index with the keys: what each processor returned. */
    List<Object> results;
    /** {@code INVOKE_ALL}, index by index: the failure of each key whose processor failed, else null. */
    List<RuntimeException> failures;
    /** A batch's writer or loader failure, raised after the rest of the batch was applied. */
    RuntimeException failure;
    /** The events a remote owner reported, for the caller's listeners; null when it ran here. */
    List<Event> events;
    int hits;
    int misses;
    int puts;
    int removals;

    void countGet(boolean hit) {
        if (hit) {
            hits++;
        } else {
            misses++;
        }
    }
}
