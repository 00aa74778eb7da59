package io.kamacache.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns keys and values into bytes and back. The first byte of an encoding is a type tag.
 * Strings, the boxed primitives and {@code byte[]} have fast paths that use neither Java
 * serialization nor reflection, and equal values of them encode to equal bytes, so keys can be
 * compared as bytes. Every other value must be {@link Serializable} and is written with Java
 * serialization, restricted to the classes of {@link #allowList()} both when it is written
 * and when it is read. Thread-safe and immutable.
 */
public final class Codec {

    /**
     * The classes Java serialization may always read: the plain data classes of
     * {@code java.lang}, {@code java.util}, {@code java.time} and {@code java.math}, and
     * {@code java.net.URI}. Arrays of them and of primitives are allowed too. Subpackages are
     * not ({@code java.lang.reflect}, {@code java.util.concurrent}, ...), nor is
     * {@code java.net.URL}, whose {@code hashCode} resolves host names while a map is read.
     */
    public static final List<String> DEFAULT_ALLOW_LIST =
            List.of("java.lang.*", "java.util.*", "java.time.*", "java.math.*", "java.net.URI");

    private final AllowList allowList;
    private final ClassLoader classLoader;

    private Codec(AllowList allowList, ClassLoader classLoader) {
        this.allowList = allowList;
        this.classLoader = classLoader;
    }

    /**
     * A codec whose Java serialization may handle {@link #DEFAULT_ALLOW_LIST} plus
     * {@code extraPatterns}, in {@link java.io.ObjectInputFilter} syntax: {@code com.x.Foo},
     * {@code com.x.*} (a package), {@code com.x.**} (a package and its subpackages).
     *
     * @param classLoader resolves classes when reading; {@code null} leaves it to
     *                    {@link ObjectInputStream}'s default
     * @throws IllegalArgumentException if a pattern is not a usable class pattern (see {@link #checkPattern})
     */
    public static Codec create(List<String> extraPatterns, ClassLoader classLoader) {
        List<String> patterns = new ArrayList<>(DEFAULT_ALLOW_LIST);
        for (String pattern : Objects.requireNonNull(extraPatterns, "extraPatterns")) {
            patterns.add(checkPattern(pattern));
        }
        return new Codec(new AllowList(patterns), classLoader);
    }

    /**
     * Returns {@code pattern} if it is a usable allow-list pattern: one class, package or
     * name prefix, not a rejection ({@code !...}), not a limit ({@code maxdepth=...}) and not
     * one that allows every class ({@code *}).
     *
     * @throws IllegalArgumentException saying what is wrong with the pattern
     */
    public static String checkPattern(String pattern) {
        return AllowList.checkPattern(pattern);
    }

    /**
     * Whether {@code value} is a String or a boxed primitive: immutable, so that it may be
     * kept as it is where a copy would otherwise be (store-by-value means nothing for an
     * object nobody can change), and encoded alike by every codec ({@link #encodeImmutable}).
     */
    public static boolean isImmutable(Object value) {
        return value instanceof String || value instanceof Integer || value instanceof Long
                || value instanceof Short || value instanceof Byte || value instanceof Character
                || value instanceof Boolean || value instanceof Float || value instanceof Double;
    }

    /**
     * The bytes of an immutable value ({@link #isImmutable}), as {@link #encode} gives them:
     * its fast path, the same in every codec since no allow-list is involved.
     *
     * @throws IllegalArgumentException if the value is not immutable
     */
    public static byte[] encodeImmutable(Object value) {
        if (!isImmutable(value)) {
            throw new IllegalArgumentException("not a String or a boxed primitive: "
                    + (value == null ? "null" : value.getClass().getName()));
        }
        return FastPath.encode(value);
    }

    /** The patterns Java serialization may handle: {@link #DEFAULT_ALLOW_LIST}, then the extra ones. */
    public List<String> allowList() {
        return allowList.patterns();
    }

    /**
     * The bytes of {@code value}.
     *
     * @throws NullPointerException if value is null
     * @throws CodecException if the value, or an object inside it, is not serializable or
     *         is of a class outside the allow-list
     */
    public byte[] encode(Object value) {
        Objects.requireNonNull(value, "value");
        byte[] fast = FastPath.encode(value);
        return fast != null ? fast : serialize(value);
    }

    private byte[] serialize(Object value) {
        String type = value.getClass().getName();
        if (!(value instanceof Serializable)) {
            throw new CodecException("class " + type + " does not implement java.io.Serializable; make it Serializable");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(TypeTag.SERIALIZED);
        try (CheckingObjectOutputStream objects = new CheckingObjectOutputStream(out, allowList, type)) {
            objects.writeObject(value);
        } catch (IOException e) {
            throw new CodecException("cannot serialize a value of class " + type + ": " + e, e);
        } catch (StackOverflowError e) {
            // Serialization recurses once per nesting level; the stream is abandoned, so the
            // unwound stack leaves nothing half-done behind and the caller gets a reason.
            throw new CodecException("a value of class " + type + " is nested too deeply to serialize;"
                    + " store a flatter value", e);
        }
        return out.toByteArray();
    }

    /**
     * The encoding of {@code bytes} that also keeps their media type (such as
     * {@code image/png}), for a face that serves bytes with one, as HTTP does. It decodes to
     * the bytes alone, so a cache of {@code byte[]} values reads it like any other.
     *
     * @throws IllegalArgumentException if the media type is longer than 255 characters or not US-ASCII
     */
    public byte[] encodeTyped(byte[] bytes, String mediaType) {
        return FastPath.typedBytes(Objects.requireNonNull(bytes, "bytes"), Objects.requireNonNull(mediaType, "mediaType"));
    }

    /** The media type {@code encoded} keeps ({@link #encodeTyped}), or null when it keeps none. */
    public static String mediaType(byte[] encoded) {
        return FastPath.mediaType(Objects.requireNonNull(encoded, "encoded"));
    }

    /**
     * The value encoded in {@code bytes}, a fresh object on every call (boxed primitives may
     * be the JDK's shared instances, which are immutable).
     *
     * <p>A serialized value is read with limits: at most {@value AllowList#MAX_DEPTH} nested
     * objects, {@value AllowList#MAX_REFERENCES} references and
     * {@value AllowList#MAX_ARRAY_LENGTH} elements per object array. Writing cannot check
     * the nesting depth, but a value that deep rarely serializes on a default thread stack
     * either, and fails with a {@link CodecException} when it does not.
     *
     * @throws CodecException if the bytes are truncated or corrupt, name a class outside the
     *         allow-list, or name a class the class loader cannot find
     */
    public Object decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new CodecException("corrupt bytes: empty, while every encoding starts with a type tag");
        }
        byte tag = bytes[0];
        if (FastPath.handles(tag)) {
            return FastPath.decode(bytes);
        }
        if (tag != TypeTag.SERIALIZED) {
            throw new CodecException("corrupt bytes: unknown type tag " + tag
                    + "; they were not written by this codec, or by a newer version of it");
        }
        return deserialize(bytes);
    }

    /**
     * Checks that {@code bytes} decode, as {@link #decode} would, without copying them
     * when they are a byte array: for bytes from elsewhere that are kept without being read.
     *
     * @throws CodecException as {@link #decode} does
     */
    public void check(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0 || bytes[0] != TypeTag.BYTES) {
            decode(bytes);
        }
    }

    private Object deserialize(byte[] bytes) {
        AllowList.ReadFilter filter = allowList.readFilter(bytes.length);
        try (ObjectInputStream objects =
                     new LoaderObjectInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1), classLoader)) {
            objects.setObjectInputFilter(filter);
            return objects.readObject();
        } catch (ClassNotFoundException e) {
            throw new CodecException("class " + e.getMessage() + " of a stored value is not visible to the cache's"
                    + " class loader; deploy it with the application that reads the cache", e);
        } catch (IOException | RuntimeException e) {
            // A refusal surfaces as whatever the stream or a readObject method made of it; the filter knows why.
            if (filter.refusal() != null) {
                throw filter.refusal();
            }
            throw new CodecException("corrupt bytes: not a readable serialized value (" + e + ")", e);
        } catch (StackOverflowError e) {
            // Reached before MAX_DEPTH on small thread stacks; hostile bytes must not kill the reading thread.
            throw new CodecException("corrupt or hostile bytes: the serialized value nests too deeply to read"
                    + " on this thread's stack", e);
        }
    }

    @Override
    public String toString() {
        return "Codec[allowList=" + allowList.patterns() + "]";
    }
}
