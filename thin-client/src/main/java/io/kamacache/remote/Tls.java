package io.kamacache.remote;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.kamacache.config.TlsSettings;

import javax.net.ssl.SSLException;

/**
 * The TLS contexts of {@code cluster.tls}: a caller trusts the CA and shows its certificate
 * when it has one; a node serves with its certificate and, with {@code clientAuth}, accepts
 * only callers whose certificate chains to the CA. A bad file is an error naming it.
 */
public final class Tls {

    private Tls() {
    }

    /** What a caller (client or node) connects with. */
    public static SslContext forCalls(TlsSettings tls) {
        try {
            SslContextBuilder builder = GrpcSslContexts.forClient().trustManager(tls.ca().toFile());
            if (tls.cert() != null) {
                builder.keyManager(tls.cert().toFile(), tls.key().toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the TLS files " + files(tls) + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a node serves with.
     *
     * @throws IllegalArgumentException when the settings have no certificate to serve with
     */
    public static SslContext forServing(TlsSettings tls) {
        if (tls.cert() == null) {
            throw new IllegalArgumentException("a node serving TLS needs cluster.tls.cert and cluster.tls.key");
        }
        try {
            return GrpcSslContexts.forServer(tls.cert().toFile(), tls.key().toFile())
                    .trustManager(tls.ca().toFile())
                    .clientAuth(tls.clientAuth() ? ClientAuth.REQUIRE : ClientAuth.NONE)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the TLS files " + files(tls) + ": " + e.getMessage(), e);
        }
    }

    private static String files(TlsSettings tls) {
        return tls.ca() + (tls.cert() == null ? "" : ", " + tls.cert() + ", " + tls.key());
    }
}
