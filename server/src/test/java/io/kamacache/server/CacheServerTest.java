package io.kamacache.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class CacheServerTest {

    @Test
    void jarsInTheLibraryDirectoryJoinTheClassPath(@TempDir Path lib) throws Exception {
        try (OutputStream file = Files.newOutputStream(lib.resolve("user-code.jar"));
             JarOutputStream jar = new JarOutputStream(file)) {
            jar.putNextEntry(new JarEntry("com/example/loader.properties"));
            jar.write("loader=com.example.UserLoader".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        Files.writeString(lib.resolve("notes.txt"), "not a jar");

        try (URLClassLoader loader = CacheServer.libraries(lib)) {
            assertThat(loader.getURLs()).hasSize(1);
            assertThat(loader.getResource("com/example/loader.properties")).isNotNull();
            assertThat(loader.loadClass(CacheServer.class.getName())).as("the server's own classes stay visible")
                    .isSameAs(CacheServer.class);
        }
    }

    @Test
    void aMissingLibraryDirectoryAddsNothing(@TempDir Path dir) throws IOException {
        try (URLClassLoader loader = CacheServer.libraries(dir.resolve("absent"))) {
            assertThat(loader.getURLs()).isEmpty();
        }
    }
}
