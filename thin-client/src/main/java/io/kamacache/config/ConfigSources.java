package io.kamacache.config;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads configuration text from {@code classpath:}, {@code file:} and {@code jar:} URIs, as
 * UTF-8. A {@code jar:} URI names a file inside an archive, as frameworks give the location of
 * a class path resource of a packaged application (Spring's {@code Resource.getURI()}).
 */
final class ConfigSources {

    private static final String SUPPORTED = "classpath: (e.g. classpath:kamacache.yaml), file: (e.g. "
            + "file:/etc/kamacache.yaml) and jar: (e.g. jar:file:/opt/app.jar!/kamacache.yaml)";

    private ConfigSources() {
    }

    static String read(URI uri, ClassLoader classLoader) {
        Objects.requireNonNull(uri, "uri");
        String source = uri.toString();
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        byte[] bytes = switch (scheme) {
            case "classpath" -> classpath(uri, source, classLoader);
            case "file" -> file(uri, source);
            case "jar" -> jar(uri, source);
            default -> throw new ConfigException(source, 0, "", (scheme.isEmpty() ? "the URI has no scheme"
                    : "unsupported URI scheme '" + uri.getScheme() + "'") + "; supported schemes are " + SUPPORTED);
        };
        return utf8(bytes, source);
    }

    private static byte[] classpath(URI uri, String source, ClassLoader classLoader) {
        String path = uri.getSchemeSpecificPart() == null ? "" : uri.getSchemeSpecificPart();
        // ClassLoader resource names never start with '/', but people write them as Class.getResource would.
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (path.isEmpty()) {
            throw new ConfigException(source, 0, "", "the URI names no classpath resource");
        }
        ClassLoader loader = classLoader != null ? classLoader : defaultLoader();
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new ConfigException(source, 0, "", "classpath resource '" + path + "' not found");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ConfigException(source, 0, "", "cannot read classpath resource '" + path + "': " + e, e);
        }
    }

    private static ClassLoader defaultLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ConfigSources.class.getClassLoader();
    }

    private static byte[] file(URI uri, String source) {
        Path path;
        try {
            path = Path.of(uri);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, 0, "", "not a usable file URI (" + e.getMessage()
                    + "); write an absolute one such as file:/etc/kamacache.yaml", e);
        }
        if (Files.isDirectory(path)) {
            throw new ConfigException(source, 0, "", "'" + path + "' is a directory, not a configuration file");
        }
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source, 0, "", "file '" + path + "' not found", e);
        } catch (IOException e) {
            throw new ConfigException(source, 0, "", "cannot read file '" + path + "': " + e, e);
        }
    }

    private static byte[] jar(URI uri, String source) {
        URLConnection connection;
        try {
            connection = uri.toURL().openConnection();
        } catch (IllegalArgumentException | IOException e) {
            throw new ConfigException(source, 0, "", "not a usable jar URI (" + e.getMessage()
                    + "); write one such as jar:file:/opt/app.jar!/kamacache.yaml", e);
        }
        connection.setUseCaches(false); // a shared cached archive would stay open, and stale, after this read
        try (InputStream in = connection.getInputStream()) {
            return in.readAllBytes();
        } catch (FileNotFoundException | NoSuchFileException e) {
            throw new ConfigException(source, 0, "", "not found: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(source, 0, "", "cannot read it: " + e, e);
        }
    }

    private static String utf8(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(source, 0, "", "the file is not valid UTF-8", e);
        }
    }
}
