package io.kamacache.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The eviction policies a store can be configured with, by their configuration names. */
public enum PolicyKind {
    /** Least recently used; the default. */
    LRU("lru"),
    /** Johnson and Shasha's full 2Q. */
    TWO_QUEUE("2q"),
    /** Clock, also called second chance. */
    CLOCK("clock");

    private final String configName;

    PolicyKind(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration files and APIs: {@code lru}, {@code 2q} or {@code clock}. */
    public String configName() {
        return configName;
    }

    /**
     * The kind with this configuration name, ignoring case.
     *
     * @throws IllegalArgumentException naming the bad value and the valid ones
     */
    public static PolicyKind fromName(String name) {
        for (PolicyKind kind : values()) {
            if (kind.configName.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return kind;
            }
        }
        String valid = Arrays.stream(values()).map(PolicyKind::configName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown eviction policy '" + name + "'; valid policies are: " + valid);
    }

    @Override
    public String toString() {
        return configName.toUpperCase(Locale.ROOT);
    }
}
