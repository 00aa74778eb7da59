package io.kamacache.server;

import io.kamacache.config.ConfigException;
import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.configuration.CompleteConfiguration;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The classes a configuration file names for the caches it names, on a server and on a client. */
class NamedClassesTest {

    @Test
    void aServerStartsTheCachesItsFileNamesWithClassesFromItsLibraryAndAClientsLoaderRunsThere(@TempDir Path dir) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        jarOfClasses(dir, lib.resolve("orders.jar"), Map.of(
                "com.example.Order", "package com.example; public class Order implements java.io.Serializable {}",
                "com.example.ReceiptLoader", """
                        package com.example;
                        public class ReceiptLoader implements javax.cache.integration.CacheLoader<String, String> {
                            public String load(String key) { return "receipt " + key; }
                            public java.util.Map<String, String> loadAll(Iterable<? extends String> keys) {
                                java.util.Map<String, String> loaded = new java.util.HashMap<>();
                                keys.forEach(key -> loaded.put(key, load(key)));
                                return loaded;
                            }
                        }
                        """));
        String address = FreePorts.loopbackAddress();
        KamaConfig serverConfig = KamaConfig.parse("node:\n  address: " + address + "\nhttp:\n  port: 0\nserver:\n  lib: "
                + lib + "\ncaches:\n  orders:\n    keyType: java.lang.String\n    valueType: com.example.Order\n", "server");
        KamaConfig clientConfig = KamaConfig.parse("mode: client\ncluster:\n  peers: [" + address + "]\ncaches:\n"
                + "  orders: {}\n  receipts:\n    keyType: java.lang.String\n    valueType: java.lang.String\n"
                + "    loader: com.example.ReceiptLoader\n", "client");
        try (CacheServer server = CacheServer.start(serverConfig);
             KamaCacheManager client = new KamaCacheManager(null, URI.create("kamacache:typed"),
                     getClass().getClassLoader(), new Properties(), clientConfig, InstantSource.system())) {
            assertThat(server.manager().getCacheNames()).as("created as the server started").containsExactly("orders");
            Cache<?, ?> orders = client.getCache("orders");
            assertThat(orders.getConfiguration(CompleteConfiguration.class).getValueType())
                    .as("the client's file names orders with no types").isSameAs(Object.class);
            Class<?> order = server.manager().getCache("orders").getConfiguration(CompleteConfiguration.class)
                    .getValueType();
            assertThat(order.getName()).isEqualTo("com.example.Order");
            assertThat(order.getClassLoader()).as("from the server's lib/, and kept when the client opened it")
                    .isNotSameAs(getClass().getClassLoader());

            Cache<String, String> receipts = client.getCache("receipts", String.class, String.class);
            assertThat(receipts.get("r1")).as("loaded on the server, by a class the client does not have")
                    .isEqualTo("receipt r1");
            assertThat(server.manager().getCache("receipts").get("r1")).as("held by the server").isEqualTo("receipt r1");
        }
    }

    @Test
    void aClientsLoaderTheServersLackFailsGetCacheEachTimeNamingIt() {
        String address = FreePorts.loopbackAddress();
        try (CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address
                + "\nhttp:\n  port: 0\n", "server"));
             KamaCacheManager client = new KamaCacheManager(null, URI.create("kamacache:lacking"),
                     getClass().getClassLoader(), new Properties(), KamaConfig.parse("mode: client\ncluster:\n  peers: ["
                     + address + "]\ncaches:\n  receipts:\n    loader: com.example.NowhereLoader\n", "client"),
                     InstantSource.system())) {
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> client.getCache("receipts")).as("attempt %d", attempt)
                        .isInstanceOf(CacheException.class).hasMessageContaining("com.example.NowhereLoader");
            }
            assertThat(client.getCacheNames()).as("nothing half-made is left").isEmpty();
            assertThat(server.manager().getCacheNames()).isEmpty();
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

    /** Compiles the classes of {@code sources} (binary name to source) into one jar at {@code jar}. */
    private static void jarOfClasses(Path dir, Path jar, Map<String, String> sources) throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<String> arguments = new ArrayList<>(List.of("-d", classes.toString(),
                "-cp", System.getProperty("java.class.path")));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = Files.createDirectories(dir.resolve("src").resolve(source.getKey().replace('.', '/')).getParent())
                    .resolve(source.getKey().substring(source.getKey().lastIndexOf('.') + 1) + ".java");
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, arguments.toArray(String[]::new));
        assertThat(status).as("javac of %s", sources.keySet()).isZero();
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarFile = new JarOutputStream(out)) {
            for (String name : sources.keySet()) {
                String entry = name.replace('.', '/') + ".class";
                jarFile.putNextEntry(new JarEntry(entry));
                jarFile.write(Files.readAllBytes(classes.resolve(entry)));
                jarFile.closeEntry();
            }
        }
    }
}
