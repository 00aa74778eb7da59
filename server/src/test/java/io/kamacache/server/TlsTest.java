package io.kamacache.server;

import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.FreePorts;
import io.kamacache.testing.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.configuration.MutableConfiguration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS on the cluster's gRPC port, with and without client certificates, with real certificates. */
class TlsTest {

    @TempDir
    static Path certificates;
    @TempDir
    static Path strangers;

    @BeforeAll
    static void makeCertificates() throws Exception {
        TestCertificates.generate(certificates);
        TestCertificates.generate(strangers); // another CA: nothing it signed is trusted
    }

    @Test
    void mutualTlsServesOnlyCallersWithACertificateFromTheCa() {
        String address = FreePorts.loopbackAddress();
        String tls = "  tls:\n    ca: " + certificates.resolve("ca.pem") + "\n    cert: " + certificates.resolve("server.pem")
                + "\n    key: " + certificates.resolve("server.key") + "\n    clientAuth: true\n";
        try (CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address + "\ncluster:\n  peers: ["
                + address + "]\n" + tls + "http:\n  port: 0\n", "server"))) {
            server.manager().createCache("names", new MutableConfiguration<String, String>().setTypes(String.class, String.class));

            try (KamaCacheManager client = client(address, "  tls:\n    ca: " + certificates.resolve("ca.pem")
                    + "\n    cert: " + certificates.resolve("client.pem") + "\n    key: " + certificates.resolve("client.key") + "\n")) {
                Cache<Object, Object> names = client.getCache("names");
                names.put("tom", "630");
                assertThat(names.get("tom")).isEqualTo("630");
            }
            String[] refused = {
                "", // plain text
                "  tls:\n    ca: " + certificates.resolve("ca.pem") + "\n", // no client certificate
                "  tls:\n    ca: " + strangers.resolve("ca.pem") + "\n    cert: " + strangers.resolve("client.pem")
                        + "\n    key: " + strangers.resolve("client.key") + "\n", // another CA's
                "  tls:\n    ca: " + certificates.resolve("ca.pem") + "\n    cert: " + certificates.resolve("expired-client.pem")
                        + "\n    key: " + certificates.resolve("expired-client.key") + "\n", // the CA's, expired
            };
            for (String settings : refused) {
                try (KamaCacheManager client = client(address, settings)) {
                    assertThatThrownBy(() -> client.getCache("names").get("tom")).as(settings)
                            .isInstanceOf(CacheException.class).hasMessageContaining(address);
                }
            }
        }
    }

    @Test
    void aServerWithAnExpiredCertificateIsRefusedOnGrpcAndHttps() throws Exception {
        String address = FreePorts.loopbackAddress();
        Path cert = certificates.resolve("expired-server.pem");
        Path key = certificates.resolve("expired-server.key");
        try (CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address + "\ncluster:\n  peers: ["
                + address + "]\n  tls:\n    ca: " + certificates.resolve("ca.pem") + "\n    cert: " + cert + "\n    key: " + key
                + "\nhttp:\n  port: 0\n  tls:\n    cert: " + cert + "\n    key: " + key + "\n", "expired"))) {
            server.manager().createCache("names", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
            try (KamaCacheManager client = client(address, "  tls:\n    ca: " + certificates.resolve("ca.pem") + "\n")) {
                assertThatThrownBy(() -> client.getCache("names").get("tom")).as("a client that trusts the CA")
                        .isInstanceOf(CacheException.class).hasMessageContaining(address);
            }
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(certificates.resolve("ca.pem")))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.httpPort() + "/health/live")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString())).as("HTTPS with the expired certificate")
                    .isInstanceOf(IOException.class).hasStackTraceContaining("validity check failed");
        }
    }

    @Test
    void nodesTalkToEachOtherOverTls() {
        String a = FreePorts.loopbackAddress();
        String b = FreePorts.loopbackAddress();
        String cluster = "cluster:\n  peers: [" + a + ", " + b + "]\n  tls:\n    ca: " + certificates.resolve("ca.pem")
                + "\n    cert: " + certificates.resolve("server.pem") + "\n    key: " + certificates.resolve("server.key")
                + "\nhttp:\n  port: 0\n";
        try (CacheServer first = CacheServer.start(KamaConfig.parse("node:\n  address: " + a + "\n" + cluster, "a"));
             CacheServer second = CacheServer.start(KamaConfig.parse("node:\n  address: " + b + "\n" + cluster, "b"))) {
            Cache<String, String> names = first.manager().createCache("names",
                    new MutableConfiguration<String, String>().setTypes(String.class, String.class));
            for (int i = 0; i < 20; i++) {
                names.put("k" + i, "v" + i); // half of them go to the second node
            }
            Cache<Object, Object> onSecond = second.manager().getCache("names");
            for (int i = 0; i < 20; i++) {
                assertThat(onSecond.get("k" + i)).isEqualTo("v" + i);
            }
        }
    }

    @Test
    void theHttpPortSpeaksHttpsWithTheSameFiles() throws Exception {
        String address = FreePorts.loopbackAddress();
        try (CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address + "\ncluster:\n  peers: ["
                + address + "]\nhttp:\n  port: 0\n  tls:\n    cert: " + certificates.resolve("server.pem") + "\n    key: "
                + certificates.resolve("server.key") + "\n", "https"))) {
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(certificates.resolve("ca.pem")))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> live = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.httpPort() + "/health/live")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int plainStatus;
            try {
                plainStatus = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/health/live"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (IOException refused) {
                plainStatus = -1;
            }
            assertThat(plainStatus).as("plain HTTP on the HTTPS port").isNotEqualTo(200);
            HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.httpPort() + "/health/live")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString())).as("a client that does not trust the CA")
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void aMissingFileIsNamed() {
        Path absent = certificates.resolve("absent.pem");
        assertThat(Files.exists(absent)).isFalse();
        assertThatThrownBy(() -> KamaConfig.parse("cluster:\n  peers: [127.0.0.1:1]\n  tls:\n    ca: " + absent + "\n", "bad"))
                .hasMessageContaining("cluster.tls").hasMessageContaining(absent.toString());
    }

    private static KamaCacheManager client(String address, String tls) {
        KamaConfig config = KamaConfig.parse("mode: client\ncluster:\n  peers: [" + address + "]\n  rpcTimeout: 5s\n" + tls
                + "caches:\n  names: {}\n", "client");
        return new KamaCacheManager(null, URI.create("kamacache:tls-client-" + System.nanoTime()),
                TlsTest.class.getClassLoader(), new Properties(), config, InstantSource.system());
    }

    /** A TLS context that trusts the certificates {@code caFile}'s CA signed. */
    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream ca = Files.newInputStream(caFile)) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trust.getTrustManagers(), null);
        return ssl;
    }
}
