package io.kamacache.examples;

import io.kamacache.testing.EtcdExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterQuickStartTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    @Test
    void everyNodeAnswersEveryKeyAndEachKeyIsLoadedOnce() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        String summary = ClusterQuickStart.run(ETCD.endpoint(), new PrintStream(buffer, true, StandardCharsets.UTF_8));
        List<String> lines = Arrays.asList(buffer.toString(StandardCharsets.UTF_8).split("\\R"));

        assertThat(lines.get(0)).startsWith("3 nodes registered in etcd at " + ETCD.endpoint());
        assertThat(lines).filteredOn(l -> l.startsWith("[SlowDB]"))
                .containsExactly("[SlowDB] search key Tom", "[SlowDB] search key Jack", "[SlowDB] search key Sam");
        assertThat(lines).filteredOn(l -> l.startsWith("Tom -> 630 (asked ")).hasSize(3);
        assertThat(lines).filteredOn(l -> l.startsWith("Jack -> 589 (asked ")).hasSize(3);
        assertThat(lines).filteredOn(l -> l.startsWith("Sam -> 567 (asked ")).hasSize(3);
        assertThat(summary).isEqualTo("database loads per key: {Jack=1, Sam=1, Tom=1}");
        assertThat(lines.get(lines.size() - 1)).isEqualTo(summary);
    }
}
