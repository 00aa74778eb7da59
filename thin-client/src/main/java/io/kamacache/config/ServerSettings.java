package io.kamacache.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What only the server program reads.
 *
 * @param lib      the directory whose jars join the server's class path: the home of the loaders,
 *                 writers, expiry policies and entry processors that caches created elsewhere name
 * @param httpPort the port of the HTTP API, health checks and metrics ({@code http.port}), on the
 *                 host of the node's address; 0 for any free port
 */
public record ServerSettings(Path lib, int httpPort) {

    /** The HTTP port when the configuration names none. */
    public static final int DEFAULT_HTTP_PORT = 8080;

    public ServerSettings {
        Objects.requireNonNull(lib, "lib");
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("expected a port from 0 to 65535, got " + httpPort);
        }
    }

    /** {@code lib}, relative to the working directory, and HTTP on port 8080. */
    public static ServerSettings defaults() {
        return new ServerSettings(Path.of("lib"), DEFAULT_HTTP_PORT);
    }

    public ServerSettings withLib(Path lib) {
        return new ServerSettings(lib, httpPort);
    }

    public ServerSettings withHttpPort(int port) {
        return new ServerSettings(lib, port);
    }
}
