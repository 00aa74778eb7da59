package io.kamacache.config;

import io.kamacache.ring.HashFunction;
import io.kamacache.ring.HashRing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.cache.integration.CacheLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class KamaConfigTest {

    private static final ClassLoader LOADER = KamaConfigTest.class.getClassLoader();

    private static KamaConfig load(String resource) {
        return KamaConfig.load(URI.create("classpath:config/" + resource), LOADER);
    }

    private static ConfigException loadFailure(String resource) {
        return catchThrowableOfType(ConfigException.class, () -> load(resource));
    }

    private static ConfigException parseFailure(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> KamaConfig.parse(yaml, "test.yaml"));
    }

    private static String resourceText(String resource) throws IOException {
        try (InputStream in = LOADER.getResourceAsStream("config/" + resource)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void defaultsAreEmbeddedWithDefaultNodeAndCacheSettings() {
        KamaConfig config = KamaConfig.defaults();

        assertThat(config.source()).isEqualTo("built-in defaults");
        assertThat(config.mode()).isEmpty();
        assertThat(config.node()).isEqualTo(
                new NodeSettings("127.0.0.1:8001", HashFunction.DEFAULT, HashRing.DEFAULT_VIRTUAL_NODES));
        assertThat(config.serializationAllowList()).isEmpty();
        assertThat(config.cacheDefaults()).isEqualTo(
                new CacheSettings(PolicyKind.LRU, 0, 0, ExpirySettings.ETERNAL, false, false));
        assertThat(config.caches()).isEmpty();
        assertThat(config.cache("anything")).isSameAs(config.cacheDefaults());
    }

    @Test
    void fullFileSetsEveryKeyAndMergesCachesOverTheDefaults() {
        KamaConfig config = load("full.yaml");

        assertThat(config.source()).isEqualTo("classpath:config/full.yaml");
        assertThat(config.mode()).contains(Mode.EMBEDDED);
        assertThat(config.node()).isEqualTo(new NodeSettings("10.0.0.7:9100", HashFunction.XXHASH64, 512));
        assertThat(config.serializationAllowList())
                .containsExactly("com.example.model.*", "com.example.dto.**", "com.example.Money");

        ExpirySettings defaultExpiry =
                new ExpirySettings(Duration.ofMinutes(10), Duration.ofHours(2), Duration.ofMillis(500));
        CacheSettings defaults = new CacheSettings(PolicyKind.CLOCK, 256L << 20, 100_000, defaultExpiry, true, true);
        assertThat(config.cacheDefaults()).isEqualTo(defaults);

        assertThat(config.caches().keySet()).containsExactly("users", "sessions", "forever", "plain");
        assertThat(config.cache("users")).isEqualTo(
                new CacheSettings(PolicyKind.TWO_QUEUE, 64L << 20, 100_000, defaultExpiry, true, true));
        assertThat(config.cache("sessions")).isEqualTo(new CacheSettings(PolicyKind.CLOCK, 256L << 20, 5000,
                new ExpirySettings(Duration.ofMinutes(10), null, Duration.ofSeconds(30)), false, true));
        assertThat(config.cache("forever")).isEqualTo(new CacheSettings(PolicyKind.CLOCK, 256L << 20, 100_000,
                new ExpirySettings(null, Duration.ofHours(2), Duration.ofMillis(500)), true, false));
        assertThat(config.cache("plain")).isEqualTo(defaults);
        assertThat(config.cache("not-in-the-file")).isSameAs(config.cacheDefaults());
        assertThatThrownBy(() -> config.caches().put("x", defaults)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void classpathUriMayStartWithASlash() {
        KamaConfig config = KamaConfig.load(URI.create("classpath:/config/full.yaml"), LOADER);

        assertThat(config.source()).isEqualTo("classpath:/config/full.yaml");
        assertThat(config.cache("users").policy()).isEqualTo(PolicyKind.TWO_QUEUE);
    }

    @Test
    void loadsFromFileUris(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("kamacache.yaml");
        Files.writeString(file, resourceText("full.yaml"));

        KamaConfig fromToUri = KamaConfig.load(file.toUri(), null);
        KamaConfig fromShortForm = KamaConfig.load(URI.create("file:" + file.toAbsolutePath()), null);

        assertThat(fromToUri.source()).isEqualTo(file.toUri().toString());
        assertThat(fromToUri.node().address()).isEqualTo("10.0.0.7:9100");
        assertThat(fromShortForm.caches()).isEqualTo(fromToUri.caches());
    }

    @Test
    void loadsFromAFileInsideAnArchiveAsFrameworksNameClassPathResources(@TempDir Path dir) throws IOException {
        Path archive = dir.resolve("app.jar");
        try (OutputStream out = Files.newOutputStream(archive); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("BOOT-INF/classes/kamacache.yaml"));
            jar.write(resourceText("full.yaml").getBytes(StandardCharsets.UTF_8));
            jar.putNextEntry(new JarEntry("bad.yaml"));
            jar.write("node:\n  adress: 127.0.0.1:9000\n".getBytes(StandardCharsets.UTF_8));
        }
        URI inside = URI.create("jar:" + archive.toUri() + "!/BOOT-INF/classes/kamacache.yaml");

        KamaConfig config = KamaConfig.load(inside, null);
        assertThat(config.source()).isEqualTo(inside.toString());
        assertThat(config.node().address()).isEqualTo("10.0.0.7:9100");
        assertThat(config.caches()).isEqualTo(load("full.yaml").caches());

        URI bad = URI.create("jar:" + archive.toUri() + "!/bad.yaml");
        assertThatThrownBy(() -> KamaConfig.load(bad, null)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(bad + ":2: node.adress: unknown key 'adress'");
        URI missing = URI.create("jar:" + archive.toUri() + "!/missing.yaml");
        assertThatThrownBy(() -> KamaConfig.load(missing, null)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(missing + ": not found: ")
                .hasMessageContaining("missing.yaml");
        URI noArchive = URI.create("jar:" + dir.resolve("none.jar").toUri() + "!/kamacache.yaml");
        assertThatThrownBy(() -> KamaConfig.load(noArchive, null)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(noArchive + ": not found: ");
        assertThatThrownBy(() -> KamaConfig.load(URI.create("jar:kamacache.yaml"), null)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("jar:kamacache.yaml: not a usable jar URI (");
        Files.delete(archive);
        assertThat(dir).as("nothing keeps the archive open").isEmptyDirectory();
    }

    @Test
    void clusterSectionNamesPeersDeadlineAndMessageLimit() {
        KamaConfig config = KamaConfig.parse("""
                cluster:
                  peers: [127.0.0.1:7001, 127.0.0.1:7002]
                  rpcTimeout: 2s
                  maxMessageBytes: 8MiB
                  replySpin: 100us
                """, "test");

        assertThat(config.cluster().peers()).containsExactly("127.0.0.1:7001", "127.0.0.1:7002");
        assertThat(config.cluster().rpcTimeout()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(config.cluster().maxMessageBytes()).isEqualTo(8 << 20);
        assertThat(config.cluster().replySpin()).isEqualTo(java.time.Duration.ofNanos(100_000));
        assertThat(KamaConfig.defaults().cluster().replySpin()).isEqualTo(ClusterSettings.DEFAULT_REPLY_SPIN);

        KamaConfig ports = KamaConfig.parse("node:\n  address: 10.0.0.5:8001\nhttp:\n  port: 9080\ngrpc:\n  port: 9001\n", "test");
        assertThat(ports.node().address()).as("grpc.port replaces the port of node.address").isEqualTo("10.0.0.5:9001");
        assertThat(ports.server().httpPort()).isEqualTo(9080);
        assertThat(KamaConfig.defaults().server().httpPort()).isEqualTo(ServerSettings.DEFAULT_HTTP_PORT);
        assertThat(config.cluster().isClustered()).isTrue();
        assertThat(KamaConfig.defaults().cluster().isClustered()).isFalse();
        assertThat(config.withNodeAddress("127.0.0.1:7002").node().address()).isEqualTo("127.0.0.1:7002");

        KamaConfig etcd = KamaConfig.parse("""
                cluster:
                  etcd:
                    endpoints: [http://10.0.0.5:2379, http://10.0.0.6:2379]
                    service: shop
                    leaseTtl: 4s
                    username: kama
                    password: secret
                """, "test");
        assertThat(etcd.cluster().etcd().endpoints()).containsExactly("http://10.0.0.5:2379", "http://10.0.0.6:2379");
        assertThat(etcd.cluster().etcd().service()).isEqualTo("shop");
        assertThat(etcd.cluster().etcd().leaseTtl()).isEqualTo(java.time.Duration.ofSeconds(4));
        assertThat(etcd.cluster().etcd().toString()).doesNotContain("secret");
        assertThat(etcd.cluster().membership().toString()).contains("10.0.0.5:2379", "shop");
    }

    @Test
    void environmentVariablesOverrideTheFileByOneRule() {
        assertThat(EnvironmentOverrides.variable("node.address")).isEqualTo("KAMACACHE_NODE_ADDRESS");
        assertThat(EnvironmentOverrides.variable("cluster.etcd.leaseTtl")).isEqualTo("KAMACACHE_CLUSTER_ETCD_LEASE_TTL");
        assertThat(EnvironmentOverrides.variable("caches.users.maxBytes")).isEqualTo("KAMACACHE_CACHES_USERS_MAX_BYTES");

        KamaConfig config = KamaConfig.load(URI.create("classpath:config/full.yaml"), LOADER, Map.of(
                "KAMACACHE_NODE_ADDRESS", "10.1.1.1:9000",
                "KAMACACHE_CLUSTER_ETCD_ENDPOINTS", "http://e1:2379, http://e2:2379",
                "KAMACACHE_CACHES_USERS_MAX_BYTES", "1MiB",
                "KAMACACHE_SERVER_LIB", "/opt/kamacache/lib",
                "UNRELATED", "x"));

        assertThat(config.node().address()).as("replaces the file's value").isEqualTo("10.1.1.1:9000");
        assertThat(config.cluster().etcd().endpoints()).as("adds a key the file lacks")
                .containsExactly("http://e1:2379", "http://e2:2379");
        assertThat(config.cache("users").maxBytes()).isEqualTo(1 << 20);
        assertThat(config.cache("users").policy()).as("the rest of the file stays").isEqualTo(PolicyKind.TWO_QUEUE);
        assertThat(config.server().lib()).isEqualTo(java.nio.file.Path.of("/opt/kamacache/lib"));
        assertThat(KamaConfig.fromEnvironment(Map.of("KAMACACHE_NODE_ADDRESS", "127.0.0.1:7000")).node().address())
                .as("without a file").isEqualTo("127.0.0.1:7000");
    }

    @Test
    void aBadEnvironmentVariableIsNamed() {
        assertThatThrownBy(() -> KamaConfig.fromEnvironment(Map.of("KAMACACHE_NODE_VIRTUAL_NODES", "lots")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("environment variable KAMACACHE_NODE_VIRTUAL_NODES: node.virtualNodes: ")
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("node.virtualNodes"));
    }

    @Test
    void aNamedCacheNamesItsClassesByNameToBeLoadedWhereTheCacheManagerIs() {
        KamaConfig config = KamaConfig.parse("""
                caches:
                  orders:
                    keyType: java.lang.String
                    valueType: com.example.Order$Line
                    loader: com.example.OrderLoader
                    writer: com.example.OrderWriter
                  plain:
                    policy: clock
                """, "test.yaml");

        ClassName keyType = config.cache("orders").classes().keyType();
        assertThat(keyType).isEqualTo(new ClassName("java.lang.String", "test.yaml", 3, "caches.orders.keyType"));
        assertThat(keyType.load(LOADER)).isSameAs(String.class);
        assertThat(config.cache("orders").classes().loader())
                .isEqualTo(new ClassName("com.example.OrderLoader", "test.yaml", 5, "caches.orders.loader"));
        assertThat(config.cache("orders").classes().writer().name()).isEqualTo("com.example.OrderWriter");
        assertThatThrownBy(() -> config.cache("orders").classes().valueType().load(LOADER))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yaml:4: caches.orders.valueType: no class com.example.Order$Line on the cache "
                        + "manager's class path");
        assertThat(config.cache("plain").classes()).as("a cache that names no classes").isEqualTo(CacheClasses.NONE);
        assertThat(config.cacheDefaults().classes()).isEqualTo(CacheClasses.NONE);

        KamaConfig fromVariable = KamaConfig.load(URI.create("classpath:config/full.yaml"), LOADER,
                Map.of("KAMACACHE_CACHES_USERS_VALUE_TYPE", "java.lang.Long"));
        assertThat(fromVariable.cache("users").classes().valueType()).isEqualTo(new ClassName("java.lang.Long",
                "environment variable KAMACACHE_CACHES_USERS_VALUE_TYPE", 0, "caches.users.valueType"));
        assertThat(KamaConfig.load(URI.create("classpath:config/full.yaml"), LOADER,
                Map.of("KAMACACHE_CACHE_DEFAULTS_KEY_TYPE", "java.lang.Long")).cacheDefaults().classes())
                .as("cacheDefaults has no classes, and no variable for them").isEqualTo(CacheClasses.NONE);
    }

    @Test
    void aLoaderOrWriterMustBeAClassThatCanBeMade() {
        String prefix = "test.yaml:5: caches.orders.loader: ";
        assertThatThrownBy(() -> loaderNamed("java.lang.String").checkMakeable(LOADER, CacheLoader.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage(prefix + "java.lang.String is not a javax.cache.integration.CacheLoader");
        assertThatThrownBy(() -> loaderNamed(AbstractLoader.class.getName()).checkMakeable(LOADER, CacheLoader.class))
                .hasMessage(prefix + AbstractLoader.class.getName() + " is abstract: name a class that can be made");
        assertThatThrownBy(() -> loaderNamed(ConfiguredLoader.class.getName()).checkMakeable(LOADER, CacheLoader.class))
                .hasMessage(prefix + ConfiguredLoader.class.getName() + " has no public constructor without arguments");
        assertThatThrownBy(() -> loaderNamed("com.example.Gone").checkMakeable(LOADER, CacheLoader.class))
                .hasMessage(prefix + "no class com.example.Gone on the cache manager's class path");
        loaderNamed(PlainLoader.class.getName()).checkMakeable(LOADER, CacheLoader.class);
    }

    private static ClassName loaderNamed(String name) {
        return new ClassName(name, "test.yaml", 5, "caches.orders.loader");
    }

    public abstract static class AbstractLoader implements CacheLoader<Object, Object> {
    }

    public static class ConfiguredLoader extends AbstractLoader {
        public ConfiguredLoader(String source) {
        }

        @Override
        public Object load(Object key) {
            return null;
        }

        @Override
        public Map<Object, Object> loadAll(Iterable<?> keys) {
            return Map.of();
        }
    }

    public static class PlainLoader extends ConfiguredLoader {
        public PlainLoader() {
            super("nothing");
        }
    }

    @Test
    void missingFileSaysWhichFile(@TempDir Path dir) {
        URI uri = dir.resolve("absent.yaml").toUri();

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> KamaConfig.load(uri, null));

        assertThat(e.source()).isEqualTo(uri.toString());
        assertThat(e.line()).isZero();
        assertThat(e.key()).isEmpty();
        assertThat(e.getMessage()).isEqualTo(uri + ": file '" + dir.resolve("absent.yaml") + "' not found");
    }

    @Test
    void missingClasspathResourceSaysWhichResource() {
        ConfigException e = loadFailure("absent.yaml");

        assertThat(e.source()).isEqualTo("classpath:config/absent.yaml");
        assertThat(e.getMessage())
                .isEqualTo("classpath:config/absent.yaml: classpath resource 'config/absent.yaml' not found");
    }

    @Test
    void otherSchemesAreRefusedListingTheSupportedOnes() {
        assertThatThrownBy(() -> KamaConfig.load(URI.create("https://example.com/kamacache.yaml"), LOADER))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unsupported URI scheme 'https'")
                .hasMessageContaining("classpath:")
                .hasMessageContaining("file:")
                .hasMessageContaining("jar:");
        assertThatThrownBy(() -> KamaConfig.load(URI.create("kamacache.yaml"), LOADER))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the URI has no scheme");
    }

    @Test
    void unknownKeySaysWhereAndListsTheValidKeys() {
        ConfigException e = loadFailure("unknown-key.yaml");

        assertThat(e.source()).isEqualTo("classpath:config/unknown-key.yaml");
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.key()).isEqualTo("caches.users.maxByte");
        assertThat(e.getMessage()).isEqualTo("classpath:config/unknown-key.yaml:5: caches.users.maxByte: "
                + "unknown key 'maxByte'; valid keys under caches.users are: "
                + "policy, maxBytes, maxEntries, expiry, statistics, management, keyType, valueType, loader, writer");
    }

    @Test
    void badSize() {
        ConfigException e = loadFailure("bad-size.yaml");

        assertThat(e.source()).isEqualTo("classpath:config/bad-size.yaml");
        assertThat(e.line()).isEqualTo(8);
        assertThat(e.key()).isEqualTo("caches.users.maxBytes");
        assertThat(e.getMessage()).isEqualTo("classpath:config/bad-size.yaml:8: caches.users.maxBytes: "
                + "expected a size such as 64MiB or 1000000, got 'lots'");
    }

    @Test
    void badDuration() {
        ConfigException e = loadFailure("bad-duration.yaml");

        assertThat(e.line()).isEqualTo(4);
        assertThat(e.key()).isEqualTo("cacheDefaults.expiry.access");
        assertThat(e.getMessage()).isEqualTo("classpath:config/bad-duration.yaml:4: cacheDefaults.expiry.access: "
                + "expected a duration such as 250us, 500ms, 30s, 10m, 2h, 1d or PT10M or unchanged, got '5 minutes'");
    }

    @Test
    void unknownPolicyListsTheValidOnes() {
        ConfigException e = loadFailure("unknown-policy.yaml");

        assertThat(e.line()).isEqualTo(3);
        assertThat(e.key()).isEqualTo("caches.users.policy");
        assertThat(e.getMessage()).isEqualTo("classpath:config/unknown-policy.yaml:3: caches.users.policy: "
                + "unknown eviction policy 'lfu'; valid policies are: lru, 2q, clock");
    }

    @Test
    void negativeMaxEntries() {
        ConfigException e = loadFailure("negative-max-entries.yaml");

        assertThat(e.line()).isEqualTo(3);
        assertThat(e.key()).isEqualTo("cacheDefaults.maxEntries");
        assertThat(e.getMessage()).isEqualTo("classpath:config/negative-max-entries.yaml:3: cacheDefaults.maxEntries: "
                + "must not be negative, got -5");
    }

    @Test
    void wrongType() {
        ConfigException e = loadFailure("wrong-type.yaml");

        assertThat(e.line()).isEqualTo(4);
        assertThat(e.key()).isEqualTo("cacheDefaults.expiry");
        assertThat(e.getMessage()).isEqualTo("classpath:config/wrong-type.yaml:4: cacheDefaults.expiry: "
                + "expected a mapping (key: value lines), got the single value '10m'");
    }

    @Test
    void syntaxErrorCarriesTheLineSnakeYamlReports() {
        ConfigException e = loadFailure("syntax-error.yaml");

        assertThat(e.source()).isEqualTo("classpath:config/syntax-error.yaml");
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.key()).isEmpty();
        assertThat(e.getMessage()).isEqualTo("classpath:config/syntax-error.yaml:5: YAML syntax error: "
                + "while parsing a flow sequence: expected ',' or ']', but got :");
        assertThat(e.getCause()).isInstanceOf(org.snakeyaml.engine.v2.exceptions.YamlEngineException.class);
    }

    @Test
    void duplicateKeyNamesBothLines() {
        ConfigException e = loadFailure("duplicate-key.yaml");

        assertThat(e.line()).isEqualTo(5);
        assertThat(e.key()).isEqualTo("caches.users.maxBytes");
        assertThat(e.getMessage()).isEqualTo("classpath:config/duplicate-key.yaml:5: caches.users.maxBytes: "
                + "duplicate key 'maxBytes' (first given at line 3)");
    }

    @Test
    void emptyDocumentGivesTheDefaults() {
        KamaConfig config = KamaConfig.parse("# nothing configured yet\n", "empty.yaml");

        assertThat(config.source()).isEqualTo("empty.yaml");
        assertThat(config.node()).isEqualTo(NodeSettings.defaults());
        assertThat(config.cacheDefaults()).isEqualTo(CacheSettings.defaults());
        assertThat(KamaConfig.parse("", "empty.yaml").caches()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0", "1000000, 1000000", "17B, 17", "2KB, 2000", "3MB, 3000000", "4GB, 4000000000",
            "2KiB, 2048", "3MiB, 3145728", "4GiB, 4294967296", "64 MiB, 67108864", "5mb, 5000000"})
    void sizes(String text, long bytes) {
        assertThat(KamaConfig.parse("cacheDefaults:\n  maxBytes: " + text + "\n", "t").cacheDefaults().maxBytes())
                .isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({
            "0, PT0S", "500ms, PT0.5S", "30s, PT30S", "10m, PT10M", "2h, PT2H", "1d, PT24H", "PT10M, PT10M", "P1D, PT24H"})
    void durations(String text, String iso) {
        assertThat(KamaConfig.parse("cacheDefaults:\n  expiry:\n    creation: " + text + "\n", "t")
                .cacheDefaults().expiry().creation()).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "cacheDefaults:\\n  maxBytes: 9999999999GiB | 2 | cacheDefaults.maxBytes | size '9999999999GiB' is too large",
            "cacheDefaults:\\n  maxBytes: -1MB | 2 | cacheDefaults.maxBytes | a size must not be negative, got '-1MB'",
            "cacheDefaults:\\n  maxBytes: 12TB | 2 | cacheDefaults.maxBytes | expected a size such as 64MiB or 1000000, got '12TB'",
            "cacheDefaults:\\n  expiry:\\n    update: -5s | 3 | cacheDefaults.expiry.update | a duration must not be negative, got '-5s'",
            "cacheDefaults:\\n  expiry:\\n    access: 30 | 3 | cacheDefaults.expiry.access | expected a duration such as 250us, 500ms, 30s, 10m, 2h, 1d or PT10M or unchanged, got '30'",
            "cacheDefaults:\\n  expiry:\\n    creation: PT-5M | 3 | cacheDefaults.expiry.creation | a duration must not be negative, got 'PT-5M'",
            "cacheDefaults:\\n  statistics: yes | 2 | cacheDefaults.statistics | expected true or false, got 'yes'",
            "cacheDefaults:\\n  policy: | 2 | cacheDefaults.policy | a value is required",
            "cacheDefaults:\\n  policy: [lru, clock] | 2 | cacheDefaults.policy | expected a single value, got a list",
            "mode: cluster | 1 | mode | unknown mode 'cluster'; valid modes are: embedded, client",
            "mode: client | 1 | mode | mode client needs servers to talk to: give cluster.peers or cluster.etcd",
            "node:\\n  hashFunction: md5 | 2 | node.hashFunction | unknown hash function 'md5'; valid functions are: murmur3, crc32, xxhash64",
            "node:\\n  virtualNodes: 0 | 2 | node.virtualNodes | virtual nodes must be between 1 and 10000, got 0",
            "node:\\n  virtualNodes: 10001 | 2 | node.virtualNodes | virtual nodes must be between 1 and 10000, got 10001",
            "node:\\n  address: localhost | 2 | node.address | expected host:port such as 127.0.0.1:8001 or [::1]:8001, got 'localhost'",
            "node:\\n  address: localhost:70000 | 2 | node.address | port must be between 0 and 65535, got 70000",
            "node: 127.0.0.1:8001 | 1 | node | expected a mapping (key: value lines), got the single value '127.0.0.1:8001'",
            "serialization:\\n  allow: com.example.* | 2 | serialization.allow | expected a list (lines starting with '- '), got the single value 'com.example.*'",
            "serialization:\\n  allow:\\n    - com.example.*\\n    - '*' | 4 | serialization.allow[1] | '*' would allow every class, which defeats the allow-list; name packages or classes",
            "serialization:\\n  allow:\\n    - '!com.example.*' | 3 | serialization.allow[0] | '!com.example.*' is a rejection; the allow-list only names classes to allow, everything else is refused already",
            "caches:\\n  '': {} | 2 | caches | a cache name must not be empty",
            "caches:\\n  ~: {} | 2 | caches | a cache name must not be empty",
            "cacheDefaults:\\n  policy: ~ | 2 | cacheDefaults.policy | a value is required",
            "caches:\\n  users: lru | 2 | caches.users | expected a mapping (key: value lines), got the single value 'lru'",
            "caches:\\n  - users | 2 | caches | expected a mapping (key: value lines), got a list",
            "- mode | 1 | \"\" | expected a mapping (key: value lines), got a list",
            "cacheDefaults:\\n  policy: !!binary bHJ1 | 2 | cacheDefaults.policy | YAML tag 'tag:yaml.org,2002:binary' is not supported; configuration values are plain text, lists and mappings",
            "node: !!javax.script.ScriptEngineManager [x] | 1 | node | YAML tag 'tag:yaml.org,2002:javax.script.ScriptEngineManager' is not supported; configuration values are plain text, lists and mappings",
            "defaults: &d\\n  policy: lru | 1 | defaults | unknown key 'defaults'; valid keys at the top level are: mode, node, cluster, server, http, grpc, serialization, cacheDefaults, caches",
            "cacheDefaults:\\n  <<: {policy: lru} | 2 | cacheDefaults | YAML merge keys (<<) are not supported; write the keys out",
            "cluster:\\n  peers: [127.0.0.1:1, nowhere] | 2 | cluster.peers[1] | expected host:port such as 127.0.0.1:8001 or [::1]:8001, got 'nowhere'",
            "cluster:\\n  rpcTimeout: 5 | 2 | cluster.rpcTimeout | expected a duration such as 250us, 500ms, 30s, 10m, 2h, 1d or PT10M, got '5'",
            "cluster:\\n  maxMessageBytes: 1KiB | 2 | cluster | max message size must be at least 64KiB, got 1024",
            "node:\\n  address: 127.0.0.1:0\\ncluster:\\n  peers: [127.0.0.1:7001] | 2 | node.address | port 0 (any free port) needs cluster.etcd: with static peers every member's port must be known",
            "cluster:\\n  peers: [127.0.0.1:0] | 2 | cluster.peers[0] | port must be between 1 and 65535, got 0",
            "cluster:\\n  seeds: [] | 2 | cluster.seeds | unknown key 'seeds'; valid keys under cluster are: peers, etcd, rpcTimeout, maxMessageBytes, replySpin, token, tls",
            "cluster:\\n  replySpin: 10s | 2 | cluster | reply spin must be between 0 and the rpc timeout, got PT10S",
            "http:\\n  port: 70000 | 2 | http.port | expected a port from 0 to 65535, got '70000'",
            "cluster:\\n  token: two words | 2 | cluster | a token must be printable ASCII without spaces",
            "grpc:\\n  port: web | 2 | grpc.port | expected a port from 0 to 65535, got 'web'",
            "http:\\n  host: x | 2 | http.host | unknown key 'host'; valid keys under http are: port, tls",
            "http:\\n  tls:\\n    cert: /no/such.pem | 3 | http.tls | give both cert and key, or neither",
            "cluster:\\n  etcd:\\n    service: shop | 3 | cluster.etcd.endpoints | etcd needs endpoints, such as [http://127.0.0.1:2379]",
            "cluster:\\n  etcd:\\n    endpoints: [http://e:2379]\\n    leaseTtl: 1s | 3 | cluster.etcd | lease TTL must be at least 2 s, got 1000 ms",
            "cluster:\\n  etcd:\\n    endpoints: [http://e:2379]\\n    username: kama | 3 | cluster.etcd | give both username and password, or neither",
            "node:\\n  address: ${HOST} | 2 | node.address | environment variables (${...}) are not substituted in configuration files",
            "caches:\\n  orders:\\n    keyType: java lang String | 3 | caches.orders.keyType | expected a class name such as java.lang.String or com.example.Order$Line, got 'java lang String'",
            "caches:\\n  orders:\\n    valueType: com.example. | 3 | caches.orders.valueType | expected a class name such as java.lang.String or com.example.Order$Line, got 'com.example.'",
            "caches:\\n  orders:\\n    keyType: long | 3 | caches.orders.keyType | long is a primitive type, not a class: name java.lang.Long",
            "cacheDefaults:\\n  keyType: java.lang.String | 2 | cacheDefaults.keyType | unknown key 'keyType'; valid keys under cacheDefaults are: policy, maxBytes, maxEntries, expiry, statistics, management",
    })
    void badValuesAreReportedWithLineKeyAndReason(String yaml, int line, String key, String problem) {
        ConfigException e = parseFailure(yaml.replace("\\n", "\n"));

        assertThat(e).as("yaml %s", yaml).isNotNull();
        assertThat(e.source()).isEqualTo("test.yaml");
        assertThat(e.problem()).isEqualTo(problem);
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.key()).isEqualTo(key);
    }

    @Test
    void severalDocumentsAreASyntaxError() {
        ConfigException e = parseFailure("mode: embedded\n---\nmode: embedded\n");

        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo(
                "test.yaml:2: YAML syntax error: expected a single document in the stream: but found another document");
    }

    @Test
    void aliasesResolveButCannotExplode() {
        KamaConfig config = KamaConfig.parse(
                "cacheDefaults: &base\n  policy: clock\ncaches:\n  a: *base\n  b: *base\n", "t");
        assertThat(config.cache("a").policy()).isEqualTo(PolicyKind.CLOCK);

        StringBuilder bomb = new StringBuilder("a0: &a0 [x]\n");
        for (int i = 1; i < 60; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
                    .append(i - 1).append("]\n");
        }
        assertThatThrownBy(() -> KamaConfig.parse(bomb.toString(), "bomb.yaml")).isInstanceOf(ConfigException.class);
    }

    @Test
    void settingsRecordsValidateWhenBuiltInCode() {
        assertThatThrownBy(() -> new CacheSettings(PolicyKind.LRU, -1, 0, ExpirySettings.ETERNAL, false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> new CacheSettings(PolicyKind.LRU, 0, -1, ExpirySettings.ETERNAL, false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxEntries");
        assertThatThrownBy(() -> new ExpirySettings(Duration.ofSeconds(-1), null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("creation");
        assertThatThrownBy(() -> new NodeSettings("h:65536", HashFunction.CRC32, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThat(new NodeSettings("h:0", HashFunction.CRC32, 1).anyPort()).as("port 0: any free port").isTrue();
        assertThatThrownBy(() -> new NodeSettings("h:1", HashFunction.CRC32, HashRing.MAX_VIRTUAL_NODES + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new NodeSettings("[::1]:8001", HashFunction.CRC32, 1).address()).isEqualTo("[::1]:8001");
        assertThat(new ExpirySettings(Duration.ZERO, null, null).creation()).isZero();
    }

    @Test
    void modeNames() {
        assertThat(Mode.fromName(" EMBEDDED ")).isEqualTo(Mode.EMBEDDED);
        assertThat(Mode.EMBEDDED.configName()).isEqualTo("embedded");
        assertThat(Mode.fromName("Client")).isEqualTo(Mode.CLIENT);
        assertThat(List.of(Mode.values())).containsExactly(Mode.EMBEDDED, Mode.CLIENT);
    }
}
