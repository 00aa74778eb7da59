package io.kamacache.server;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;

/**
 * HTTPS for the server's HTTP port from the same PEM files gRPC TLS takes: a certificate
 * chain and its PKCS#8 key (RSA or EC), turned into the key store Jetty wants. A file that
 * cannot be read or used is an error naming it.
 */
final class Https {

    private static final char[] PASSWORD = "kamacache".toCharArray(); // of an in-memory key store only

    private Https() {
    }

    static SslContextFactory.Server context(Path certPem, Path keyPem) {
        try {
            Collection<? extends Certificate> chain;
            try (InputStream in = Files.newInputStream(certPem)) {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + certPem);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", privateKey(keyPem), PASSWORD, chain.toArray(Certificate[]::new));
            SslContextFactory.Server context = new SslContextFactory.Server();
            context.setKeyStore(store);
            context.setKeyStorePassword(new String(PASSWORD));
            return context;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot serve HTTPS with " + certPem + " and " + keyPem + ": " + e.getMessage(), e);
        }
    }

    static Connector connector(Server server, HttpConfiguration http, SslContextFactory.Server context, String host, int port) {
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // clients reach a node by address as often as by name
        https.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(context, "http/1.1"),
                new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException(pem + " is not a PKCS#8 key (-----BEGIN PRIVATE KEY-----); convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt");
        }
        String base64 = text.substring(text.indexOf("-----BEGIN PRIVATE KEY-----") + 27, text.indexOf("-----END PRIVATE KEY-----"))
                .replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // the next algorithm
            }
        }
        throw new IllegalArgumentException(pem + " holds a key that is neither RSA, EC nor Ed25519");
    }
}
