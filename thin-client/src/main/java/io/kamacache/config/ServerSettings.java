package io.kamacache.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What only the server program reads.
 *
 * @param lib      the directory whose jars join the server's class path: the home of the loaders,
 *                 writers, expiry policies and entry processors that caches created elsewhere name
 * @param httpPort the port of the HTTP API, health checks and metrics ({@code http.port}), on the
 *                 host of the node's address; 0 for any free port
 * @param httpCert PEM file of the HTTP port's certificate chain ({@code http.tls.cert}): with it
 *                 the port speaks HTTPS only; null for plain HTTP
 * @param httpKey  PEM file of its PKCS#8 private key ({@code http.tls.key}), with httpCert
 */
public record ServerSettings(Path lib, int httpPort, Path httpCert, Path httpKey) {

    /** The HTTP port when the configuration names none. */
    public static final int DEFAULT_HTTP_PORT = 8080;

    /** @throws IllegalArgumentException naming a bad port, a missing file or a certificate without its key */
    public ServerSettings {
        Objects.requireNonNull(lib, "lib");
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("expected a port from 0 to 65535, got " + httpPort);
        }
        if ((httpCert == null) != (httpKey == null)) {
            throw new IllegalArgumentException("give both cert and key, or neither");
        }
        for (Path file : new Path[] {httpCert, httpKey}) {
            if (file != null && !Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file.toAbsolutePath());
            }
        }
    }

    /** {@code lib}, relative to the working directory, and plain HTTP on port 8080. */
    public static ServerSettings defaults() {
        return new ServerSettings(Path.of("lib"), DEFAULT_HTTP_PORT, null, null);
    }

    public ServerSettings withLib(Path lib) {
        return new ServerSettings(lib, httpPort, httpCert, httpKey);
    }

    public ServerSettings withHttp(int port, Path cert, Path key) {
        return new ServerSettings(lib, port, cert, key);
    }
}
