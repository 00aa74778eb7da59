package io.kamacache.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How a JVM takes part in a cache. */
public enum Mode {
    /**
     * The cache lives in the application's own JVM, which is a full node; the default when
     * the provider module is on the class path.
     */
    EMBEDDED("embedded"),
    /**
     * The cache lives on server nodes; this JVM owns nothing, watches the members (static
     * peers or etcd) and sends every operation to the owner of its key; the default when
     * only the thin client is on the class path.
     */
    CLIENT("client");

    private final String configName;

    Mode(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration files: {@code embedded} or {@code client}. */
    public String configName() {
        return configName;
    }

    /**
     * The mode with this configuration name, ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException naming the bad value and the valid ones
     */
    public static Mode fromName(String name) {
        for (Mode mode : values()) {
            if (mode.configName.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return mode;
            }
        }
        String valid = Arrays.stream(values()).map(Mode::configName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown mode '" + name + "'; valid modes are: " + valid);
    }

    @Override
    public String toString() {
        return configName;
    }
}
