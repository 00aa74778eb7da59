package io.kamacache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with the
 * {@code openssl} command (keys in PKCS#8, which both etcd and Netty read).
 */
public final class TestCertificates {

    private TestCertificates() {
    }

    /**
     * Writes ca.pem, server.pem/server.key and client.pem/client.key into {@code dir}, and
     * expired-server.pem/.key and expired-client.pem/.key: from the same CA, but no longer
     * valid (they ended the day before they began).
     */
    public static void generate(Path dir) throws IOException {
        if (EtcdExtension.findOnPath("openssl") == null) {
            throw new IllegalStateException("TLS tests need the openssl command (Debian/Ubuntu: apt-get install openssl)");
        }
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "extendedKeyUsage=serverAuth\n");
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=kamacache test CA", "-keyout", "ca.key", "-out", "ca.pem");
        for (String name : List.of("server", "client")) {
            certificate(dir, name, name, "2");
            certificate(dir, "expired-" + name, name, "-1");
        }
    }

    /** A key and a certificate of the CA's for {@code name}, with the extensions of {@code kind}, valid {@code days}. */
    private static void certificate(Path dir, String name, String kind, String days) throws IOException {
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kamacache test " + name,
                "-keyout", name + ".key", "-out", name + ".csr");
        run(dir, "openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", days, "-extfile", kind + ".ext", "-out", name + ".pem");
    }

    private static void run(Path dir, String... command) throws IOException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running openssl", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with status " + process.exitValue()
                    + ":\n" + output);
        }
    }
}
