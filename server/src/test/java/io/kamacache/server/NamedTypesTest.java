package io.kamacache.server;

import io.kamacache.config.ConfigException;
import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.configuration.CompleteConfiguration;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key and value types a configuration file gives the caches it names, on a server and on a client. */
class NamedTypesTest {

    @Test
    void aServerLoadsTheTypesItsFileNamesFromItsLibraryAndAClientUsesItsOwn(@TempDir Path dir) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        jarOfOneClass(dir, lib.resolve("orders.jar"), "com.example.Order",
                "package com.example; public class Order implements java.io.Serializable { public int lines; }");
        String address = FreePorts.loopbackAddress();
        KamaConfig serverConfig = KamaConfig.parse("node:\n  address: " + address + "\nhttp:\n  port: 0\nserver:\n  lib: "
                + lib + "\ncaches:\n  orders:\n    keyType: java.lang.String\n    valueType: com.example.Order\n", "server");
        try (CacheServer server = CacheServer.start(serverConfig);
             KamaCacheManager client = new KamaCacheManager(null, URI.create("kamacache:typed"),
                     getClass().getClassLoader(), new Properties(), KamaConfig.parse("mode: client\ncluster:\n  peers: ["
                     + address + "]\ncaches:\n  counts:\n    keyType: java.lang.String\n    valueType: java.lang.Integer\n",
                     "client"), InstantSource.system())) {
            Class<?> order = server.manager().getCache("orders").getConfiguration(CompleteConfiguration.class)
                    .getValueType();
            assertThat(order.getName()).isEqualTo("com.example.Order");
            assertThat(order.getClassLoader()).as("from the server's lib/").isNotSameAs(getClass().getClassLoader());

            Cache<String, Integer> counts = client.getCache("counts", String.class, Integer.class);
            counts.put("visits", 7);
            assertThat(counts.get("visits")).isEqualTo(7);
            assertThat(server.manager().getCache("counts").get("visits")).as("held by the server").isEqualTo(7);
        }
    }

    @Test
    void aTypeNeitherTheServerNorItsLibraryHasStopsItWithFileLineAndKey(@TempDir Path dir) {
        KamaConfig config = KamaConfig.parse("node:\n  address: " + FreePorts.loopbackAddress() + "\nhttp:\n  port: 0\n"
                + "server:\n  lib: " + dir + "\ncaches:\n  orders:\n    valueType: com.example.Missing\n", "server.yaml");
        assertThatThrownBy(() -> CacheServer.start(config))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.yaml:9: caches.orders.valueType: no class com.example.Missing on the cache "
                        + "manager's class path");
    }

    /** Compiles {@code source}, the class {@code name}, into a jar of its own at {@code jar}. */
    private static void jarOfOneClass(Path dir, Path jar, String name, String source) throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path file = sources.resolve(name.substring(name.lastIndexOf('.') + 1) + ".java");
        Files.writeString(file, source);
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), file.toString());
        assertThat(status).as("javac of %s", name).isZero();
        String entry = name.replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarFile = new JarOutputStream(out)) {
            jarFile.putNextEntry(new JarEntry(entry));
            jarFile.write(Files.readAllBytes(classes.resolve(entry)));
            jarFile.closeEntry();
        }
    }
}
