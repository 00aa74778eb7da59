package io.kamacache.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class QuickStartTest {

    @Test
    void theSecondReadOfAKeyIsServedFromTheCache() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        QuickStart.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String[] lines = buffer.toString(StandardCharsets.UTF_8).split("\\R");
        assertThat(lines).startsWith(
                "[SlowDB] search key Tom",
                "Tom -> 630",
                "Tom -> 630",            // no database access the second time
                "[SlowDB] search key Peter",
                "Peter -> 999",
                "[SlowDB] search key Nobody",
                "Nobody -> (no such key)");
        assertThat(lines[lines.length - 1])
                .contains("gets=4", "hits=1", "misses=3", "loads=3", "entries=2");
    }
}
