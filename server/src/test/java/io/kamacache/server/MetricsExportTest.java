package io.kamacache.server;

import io.kamacache.config.KamaConfig;
import io.kamacache.testing.FreePorts;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The metrics of real server nodes as operators read them: Prometheus' text format, checked
 * by Prometheus' own parser ({@code promtool check metrics}), the MBeans, and the JCache
 * statistics MXBean, which must all tell the same counts.
 */
class MetricsExportTest {

    private static final int KEYS = 30;
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A read-through loader that derives a value from its key. */
    public static final class Loader implements CacheLoader<String, String>, Serializable {
        @Override
        public String load(String key) {
            return "value of " + key;
        }

        @Override
        public Map<String, String> loadAll(Iterable<? extends String> keys) {
            Map<String, String> values = new HashMap<>();
            keys.forEach(key -> values.put(key, load(key)));
            return values;
        }
    }

    @Test
    void prometheusJmxAndJCacheStatisticsAgree() throws Exception {
        String a = FreePorts.loopbackAddress();
        String b = FreePorts.loopbackAddress();
        String cluster = "cluster:\n  peers: [" + a + ", " + b + "]\nhttp:\n  port: 0\n";
        try (CacheServer first = CacheServer.start(KamaConfig.parse("node:\n  address: " + a + "\n" + cluster, "a"));
             CacheServer second = CacheServer.start(KamaConfig.parse("node:\n  address: " + b + "\n" + cluster, "b"))) {
            Cache<String, String> scores = first.manager().createCache("scores", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class).setStatisticsEnabled(true).setReadThrough(true)
                    .setCacheLoaderFactory(FactoryBuilder.factoryOf(Loader.class)));
            for (int round = 0; round < 2; round++) { // misses that load, then hits
                for (int i = 0; i < KEYS; i++) {
                    assertThat(scores.get("k" + i)).isEqualTo("value of k" + i);
                }
            }

            String onFirst = scrape(first.httpPort());
            String onSecond = scrape(second.httpPort());
            assertParsedByPrometheus(onFirst);
            assertParsedByPrometheus(onSecond);

            Map<String, Double> a1 = samples(onFirst, "group=\"scores\"");
            Map<String, Double> b1 = samples(onSecond, "group=\"scores\"");
            assertThat(a1.get("kamacache_group_loads_total") + b1.get("kamacache_group_loads_total"))
                    .as("each key loaded once, at its owner").isEqualTo(KEYS);
            assertThat(a1.get("kamacache_group_entries") + b1.get("kamacache_group_entries")).isEqualTo(KEYS);
            assertThat(a1.get("kamacache_group_remote_sent_total")).as("keys the second member owns were asked of it")
                    .isPositive().isEqualTo(b1.get("kamacache_group_remote_served_total"));
            assertThat(a1.get("kamacache_group_load_seconds_total") + b1.get("kamacache_group_load_seconds_total"))
                    .isPositive();
            assertThat(samples(onSecond, "method=\"jcache.get\"").get("kamacache_rpc_served_seconds_count"))
                    .as("the second member timed the gets it served")
                    .isEqualTo(a1.get("kamacache_group_remote_sent_total"));

            // the first node's view: Prometheus, its MBeans and the JCache statistics MXBean tell the same counts
            MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
            ObjectName statistics = new ObjectName("javax.cache:type=CacheStatistics,CacheManager="
                    + CacheServer.MANAGER_URI.toString().replace(':', '.') + ",Cache=scores");
            long jcacheHits = (Long) mbeans.getAttribute(statistics, "CacheHits");
            long jcacheMisses = (Long) mbeans.getAttribute(statistics, "CacheMisses");
            long jcacheGets = (Long) mbeans.getAttribute(statistics, "CacheGets");
            assertThat(jcacheGets).isEqualTo(2L * KEYS);
            assertThat(a1.get("kamacache_group_hits_total")).isEqualTo(jcacheHits);
            assertThat(a1.get("kamacache_group_misses_total")).isEqualTo(jcacheMisses);
            assertThat(a1.get("kamacache_group_gets_total")).isEqualTo(jcacheGets);
            assertThat(mbean(mbeans, a, "hits")).isEqualTo(jcacheHits);
            assertThat(mbean(mbeans, a, "misses")).isEqualTo(jcacheMisses);
            assertThat(mbean(mbeans, a, "gets")).isEqualTo(jcacheGets);
            assertThat(mbean(mbeans, b, "entries")).isEqualTo(b1.get("kamacache_group_entries"));

            first.manager().destroyCache("scores");
            assertThat(scrape(first.httpPort())).as("a destroyed group leaves the metrics")
                    .doesNotContain("group=\"scores\"");
            assertThat(mbeans.queryNames(new ObjectName("kamacache:type=Group,node=" + ObjectName.quote(a) + ",*"), null))
                    .isEmpty();
        }
        assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("kamacache:*"), null))
                .as("a stopped node leaves no MBean behind").isEmpty();
    }

    @Test
    void aGroupNameOfAnyCharactersIsOneLabel() throws Exception {
        String address = FreePorts.loopbackAddress();
        try (CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address
                + "\nhttp:\n  port: 0\n", "test"))) {
            String name = "odd.name with spaces/dashes-and {braces}";
            server.manager().createCache(name, new MutableConfiguration<String, String>()).put("k", "v");
            String text = scrape(server.httpPort());
            assertParsedByPrometheus(text);
            assertThat(text).contains("kamacache_group_entries{group=\"" + name + "\"} 1");
            assertThat(mbean(ManagementFactory.getPlatformMBeanServer(), address, name, "entries")).isEqualTo(1.0);
        }
    }

    private String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + HttpApi.METRICS)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        return response.body();
    }

    /** Prometheus' own parser and linter: a format error, or a lint problem, fails. */
    static void assertParsedByPrometheus(String text) throws IOException, InterruptedException {
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("promtool (Prometheus' own exposition-format parser) is needed: apt-get install prometheus "
                    + "(scripts/verify installs it): " + e.getMessage());
            return;
        }
        promtool.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(promtool.exitValue()).as("promtool check metrics says:\n%s\nof:\n%s", output, text).isZero();
    }

    /** The samples whose labels include {@code label}, by metric name. */
    private static Map<String, Double> samples(String text, String label) {
        Map<String, Double> samples = new HashMap<>();
        Matcher matcher = SAMPLE.matcher(text);
        while (matcher.find()) {
            if (matcher.group(2).contains(label)) {
                samples.put(matcher.group(1), Double.parseDouble(matcher.group(3)));
            }
        }
        return samples;
    }

    private static double mbean(MBeanServer mbeans, String node, String metric) throws Exception {
        return mbean(mbeans, node, "scores", metric);
    }

    private static double mbean(MBeanServer mbeans, String node, String group, String metric) throws Exception {
        ObjectName name = new ObjectName("kamacache:type=Group,node=" + ObjectName.quote(node) + ",group="
                + ObjectName.quote(group) + ",name=" + metric);
        return ((Number) mbeans.getAttribute(name, "Value")).doubleValue();
    }
}
