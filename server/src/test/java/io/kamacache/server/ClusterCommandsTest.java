package io.kamacache.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kamacache.config.CacheSettings;
import io.kamacache.config.KamaConfig;
import io.kamacache.config.PolicyKind;
import io.kamacache.testing.EtcdExtension;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code kamacache} client commands against two real server nodes on loopback. */
class ClusterCommandsTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    private CacheServer first;
    private CacheServer second;
    private String servers;

    @BeforeEach
    void startCluster() {
        String a = FreePorts.loopbackAddress();
        String b = FreePorts.loopbackAddress();
        servers = a + "," + b;
        String cluster = "cluster:\n  peers: [" + a + ", " + b + "]\nhttp:\n  port: 0\n";
        first = CacheServer.start(KamaConfig.parse("node:\n  address: " + a + "\n" + cluster, "a"));
        second = CacheServer.start(KamaConfig.parse("node:\n  address: " + b + "\n" + cluster, "b"));
        first.manager().createCache("pictures",
                new MutableConfiguration<String, byte[]>().setTypes(String.class, byte[].class),
                new CacheSettings(PolicyKind.TWO_QUEUE, 1 << 20, 0, CacheSettings.defaults().expiry(), false, false));
        first.manager().createCache("names", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    }

    @AfterEach
    void stopCluster() {
        second.close();
        first.close();
    }

    @Test
    void putGetOwnerAndDeleteAKeyFromTheCommandLine() throws Exception {
        ok("put", "--server", servers, "--group", "pictures", "tom", "630");
        Result got = ok("get", "--server", servers, "--group", "pictures", "tom");
        assertThat(got.lastLine()).isEqualTo("630");
        @SuppressWarnings("unchecked")
        Cache<String, byte[]> pictures = second.manager().getCache("pictures");
        assertThat(pictures.get("tom")).as("stored as bytes in a group of bytes").isEqualTo("630".getBytes(StandardCharsets.UTF_8));

        ok("put", "--server", servers, "--group", "names", "tom", "Tom Sawyer");
        @SuppressWarnings("unchecked")
        Cache<String, String> names = first.manager().getCache("names");
        assertThat(names.get("tom")).as("stored as text in a group of String values").isEqualTo("Tom Sawyer");
        assertThat(ok("get", "--server", servers.split(",")[1], "--group", "names", "tom").lastLine())
                .isEqualTo("Tom Sawyer");

        JsonNode json = new ObjectMapper().readTree(ok("get", "--server", servers, "--group", "pictures", "tom", "--json").out);
        assertThat(json.get("value").asText()).isEqualTo("630");

        String owner = ok("owner", "--server", servers, "tom").lastLine();
        assertThat(owner).isIn((Object[]) servers.split(","));

        ok("delete", "--server", servers, "--group", "pictures", "tom");
        Result missing = run("get", "--server", servers, "--group", "pictures", "tom");
        assertThat(missing.status).isEqualTo(1);
        assertThat(missing.err).contains("no key 'tom' in group 'pictures'");
    }

    @Test
    void groupsAndNodesAreListedAsTablesOrJson() throws Exception {
        Result groups = ok("groups", "--server", servers);
        assertThat(groups.out).contains("NAME").contains("POLICY").contains("pictures").contains("2q").contains("1048576")
                .contains("names");
        JsonNode listed = new ObjectMapper().readTree(ok("groups", "--server", servers, "--json").out);
        assertThat(listed).hasSize(2);

        Result nodes = ok("nodes", "--server", servers, "--json");
        JsonNode members = new ObjectMapper().readTree(nodes.out);
        assertThat(members).hasSize(2);
        assertThat(List.of(members.get(0).get("address").asText(), members.get(1).get("address").asText()))
                .containsExactlyInAnyOrder(servers.split(","));
        assertThat(ok("nodes", "--server", servers).out).contains("ADDRESS").contains("SHARE").contains("%");
    }

    @Test
    void statsSumWhatEveryServerCounted() throws Exception {
        Cache<String, String> names = first.manager().getCache("names", String.class, String.class);
        for (int i = 0; i < 10; i++) {
            names.put("k" + i, "v" + i);
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 10; i++) {
                assertThat(names.get("k" + i)).isEqualTo("v" + i);
            }
        }
        assertThat(names.get("absent")).isNull();

        JsonNode stats = new ObjectMapper().readTree(ok("stats", "--server", servers, "--group", "names", "--json").out);
        assertThat(stats).hasSize(1);
        JsonNode row = stats.get(0);
        assertThat(row.get("name").asText()).isEqualTo("names");
        assertThat(row.get("entries").asLong()).as("each key held once, at its owner").isEqualTo(10);
        assertThat(row.get("gets").asLong()).isEqualTo(21);
        assertThat(row.get("hits").asLong()).isEqualTo(20);
        assertThat(row.get("misses").asLong()).isEqualTo(1);
        assertThat(row.get("bytes").asLong()).isPositive();
        assertThat(ok("stats", "--server", servers).out).contains("HITRATIO").contains("95.2%").contains("pictures");
        assertThat(run("stats", "--server", servers, "--group", "nope").err).contains("no group 'nope'");
    }

    @Test
    void etcdFindsTheServersInPlaceOfAnAddress() {
        String service = "cli-" + System.nanoTime();
        try (CacheServer registered = CacheServer.start(KamaConfig.parse("node:\n  address: 127.0.0.1:0\n"
                + "cluster:\n  etcd:\n    endpoints: [" + ETCD.endpoint() + "]\n    service: " + service
                + "\n    connectTimeout: 15s\nhttp:\n  port: 0\n", "etcd"))) {
            registered.manager().createCache("scores",
                    new MutableConfiguration<String, String>().setTypes(String.class, String.class));
            ok("put", "--etcd", ETCD.endpoint(), "--service", service, "--group", "scores", "tom", "630");
            assertThat(ok("get", "--etcd", ETCD.endpoint(), "--service", service, "--group", "scores", "tom").lastLine())
                    .isEqualTo("630");
            assertThat(ok("nodes", "--etcd", ETCD.endpoint(), "--service", service).out).contains(registered.address());
        }
    }

    @Test
    void aTokenIsSentWhenTheClusterAsksForOne() {
        String a = FreePorts.loopbackAddress();
        try (CacheServer guarded = CacheServer.start(KamaConfig.parse("node:\n  address: " + a + "\ncluster:\n  peers: ["
                + a + "]\n  token: s3cret-t0ken\nhttp:\n  port: 0\n", "guarded"))) {
            guarded.manager().createCache("names", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
            Result refused = run("groups", "--server", a);
            assertThat(refused.status).isEqualTo(1);
            assertThat(refused.err).contains("UNAUTHENTICATED").doesNotContain("s3cret-t0ken");
            ok("put", "--server", a, "--token", "s3cret-t0ken", "--group", "names", "tom", "630");
            assertThat(ok("get", "--server", a, "--token", "s3cret-t0ken", "--group", "names", "tom").lastLine())
                    .isEqualTo("630");
        }
    }

    @Test
    void errorsSayWhatWasWrongAndExitNonZero() {
        Result unknownGroup = run("get", "--server", servers, "--group", "nope", "k");
        assertThat(unknownGroup.status).isEqualTo(1);
        assertThat(unknownGroup.err).contains("no group 'nope'");

        Result noTarget = run("get", "--group", "pictures", "k");
        assertThat(noTarget.status).isEqualTo(1);
        assertThat(noTarget.err).contains("--server").contains("--etcd");

        String nobody = FreePorts.loopbackAddress();
        Result unreachable = run("get", "--server", nobody, "--timeout", "2", "--group", "pictures", "k");
        assertThat(unreachable.status).isEqualTo(1);
        assertThat(unreachable.err).contains(nobody).contains("UNAVAILABLE");

        Result badAddress = run("get", "--server", "nowhere", "--group", "pictures", "k");
        assertThat(badAddress.status).isEqualTo(1);
        assertThat(badAddress.err).contains("'nowhere'");

        Result usage = run("get", "--server", servers);
        assertThat(usage.status).isEqualTo(2);
        assertThat(usage.err).contains("--group");
    }

    @Test
    void everyCommandsHelpNamesWhatEachOptionTakes() {
        for (String command : List.of("server", "get", "put", "delete", "owner", "groups", "nodes", "stats")) {
            Result help = ok(command, "--help");
            assertThat(help.out).as(command + " --help").contains("Usage: kamacache " + command)
                    .doesNotContainPattern("<arg\\d+>|<[a-z]+>"); // picocli's stand-ins for a missing label
        }
        assertThat(ok("get", "--help").out).contains("--group=GROUP").contains("--service=NAME");
    }

    private record Result(int status, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Result ok(String... args) {
        Result result = run(args);
        assertThat(result.status).as("exit status; it printed: " + result.err).isZero();
        return result;
    }

    /** Runs the command in this JVM, as the launcher would, and captures what it prints. */
    private static synchronized Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try (PrintStream capturedOut = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
             PrintStream capturedErr = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capturedOut);
            System.setErr(capturedErr);
            int status = KamacacheCommand.commandLine().execute(args);
            return new Result(status, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
