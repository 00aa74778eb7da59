package io.kamacache.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS on the cluster's gRPC calls ({@code cluster.tls}): between nodes and from clients.
 *
 * @param ca         PEM file of the CA whose certificates this JVM trusts; servers' and, with
 *                   {@code clientAuth}, callers' certificates must chain to it
 * @param cert       PEM file of this JVM's certificate chain: a node serves with it and shows
 *                   it when it calls; a client shows it to servers that ask. Null for a client
 *                   that shows none
 * @param key        PEM file of its PKCS#8 private key, with {@code cert}
 * @param clientAuth whether a node asks every caller for a certificate (mutual TLS)
 */
public record TlsSettings(Path ca, Path cert, Path key, boolean clientAuth) {

    /** @throws IllegalArgumentException naming a missing file or a certificate without its key */
    public TlsSettings {
        if (ca == null) {
            throw new IllegalArgumentException("TLS needs ca: the CA certificate that peers' certificates chain to");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("give both cert and key, or neither");
        }
        for (Path file : new Path[] {ca, cert, key}) {
            if (file != null && !Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file.toAbsolutePath());
            }
        }
    }
}
