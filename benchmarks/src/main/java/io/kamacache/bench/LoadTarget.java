package io.kamacache.bench;

import java.util.Set;

/**
 * One system under load in {@link ClientServerLoad}: its servers, already running, and the
 * client the harness calls from many threads at once. Every call has a deadline, so a
 * server that stops answering fails the call instead of blocking the harness. {@link
 * #close()} closes the client and stops the servers.
 */
interface LoadTarget extends AutoCloseable {

    /** What runs, with versions, for the report's header. */
    String describe();

    /** The value of {@code key}, or null if the system does not have it. */
    byte[] get(String key);

    /** Stores {@code value} under {@code key}, replacing any value it had. */
    void put(String key, byte[] value);

    /** Reads every key of {@code keys} in one call and returns how many were found. */
    int getAll(KeyBatch keys);

    @Override
    void close();

    /** The same keys as a set and as an array, made before the load so no call builds them. */
    record KeyBatch(Set<String> set, String[] array) {
    }
}
