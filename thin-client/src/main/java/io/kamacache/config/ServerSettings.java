package io.kamacache.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What only the server program reads.
 *
 * @param lib the directory whose jars join the server's class path: the home of the loaders,
 *            writers, expiry policies and entry processors that caches created elsewhere name
 */
public record ServerSettings(Path lib) {

    public ServerSettings {
        Objects.requireNonNull(lib, "lib");
    }

    /** {@code lib}, relative to the working directory. */
    public static ServerSettings defaults() {
        return new ServerSettings(Path.of("lib"));
    }
}
