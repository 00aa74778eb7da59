package io.kamacache.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecTest {

    /** A value class of this package: allowed once "io.kamacache.codec.*" is on the list. */
    record Money(String currency, long cents) implements Serializable {
    }

    /** Serializable, but holding a field whose class is not. */
    record Holder(Object inside) implements Serializable {
    }

    static final class NotSerializable {
    }

    private static final Codec DEFAULT = Codec.create(List.of(), null);
    private static final Codec WITH_PACKAGE = Codec.create(List.of("io.kamacache.codec.*"), CodecTest.class.getClassLoader());

    static Stream<Object> fastPathValues() {
        return Stream.of("", "Tom", "é漢字 😀 \u0000 tab\t", "x".repeat(100_000),
                "unpaired \uD800 high", "unpaired \uDC00 low", "\uDC00\uD800",
                0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE,
                0L, Long.MIN_VALUE, Long.MAX_VALUE,
                (short) 0, Short.MIN_VALUE, Short.MAX_VALUE,
                (byte) 0, Byte.MIN_VALUE, Byte.MAX_VALUE,
                'a', '\u0000', '\uFFFF', '漢',
                true, false,
                0.0f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY, 3.14f,
                0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Math.PI);
    }

    @ParameterizedTest
    @MethodSource("fastPathValues")
    void anAsciiKeyFindsExactlyTheEncodingOfItsString(Object value) {
        if (!(value instanceof String s)) {
            return;
        }
        byte[] encoded = DEFAULT.encode(s);
        boolean ascii = s.chars().allMatch(c -> c < 0x80);
        assertThat(AsciiKey.isEncodedIn(s, encoded)).as("finds %s", s).isEqualTo(ascii);
        if (ascii) {
            assertThat(AsciiKey.hash(s)).isEqualTo(Arrays.hashCode(encoded));
        }
        // with the encoding at hand, every String's hash is its encoding's, ASCII or not
        assertThat(AsciiKey.hash(s, encoded)).as("hash of %s", s).isEqualTo(Arrays.hashCode(encoded));
        // never the encoding of another value: the other fast-path values, or this one changed by a character
        for (Object other : fastPathValues().toList()) {
            if (!other.equals(value)) {
                assertThat(AsciiKey.isEncodedIn(s, DEFAULT.encode(other))).as("%s finds %s", s, other).isFalse();
            }
        }
        assertThat(AsciiKey.isEncodedIn(s, DEFAULT.encode(s + "x"))).isFalse();
        if (!s.isEmpty()) {
            assertThat(AsciiKey.isEncodedIn(s, DEFAULT.encode(s.substring(1)))).isFalse();
        }
    }

    @Test
    void anAsciiKeyHashIsTheHashOfItsEncodingAtEveryLength() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int length = 0; length < 600; length++) {
            char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = (char) random.nextInt(0x80);
            }
            String s = new String(chars);
            byte[] encoded = DEFAULT.encode(s);
            assertThat(AsciiKey.hash(s)).as("length %d", length).isEqualTo(Arrays.hashCode(encoded));
            assertThat(AsciiKey.isEncodedIn(s, encoded)).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("fastPathValues")
    void fastPathsRoundTripExactly(Object value) {
        byte[] bytes = DEFAULT.encode(value);
        Object decoded = DEFAULT.decode(bytes);

        assertThat(decoded).isInstanceOf(value.getClass()).isEqualTo(value);
        assertThat(DEFAULT.encode(decoded)).isEqualTo(bytes);
    }

    @Test
    void fastPathsUseNoSerialization() {
        assertThat(DEFAULT.encode(42)).hasSize(5);
        assertThat(DEFAULT.encode(42L)).hasSize(9);
        assertThat(DEFAULT.encode((short) 42)).hasSize(3);
        assertThat(DEFAULT.encode((byte) 42)).hasSize(2);
        assertThat(DEFAULT.encode('x')).hasSize(3);
        assertThat(DEFAULT.encode(true)).hasSize(2);
        assertThat(DEFAULT.encode(1.5f)).hasSize(5);
        assertThat(DEFAULT.encode(1.5)).hasSize(9);
        assertThat(DEFAULT.encode("Tom")).hasSize(4);
        assertThat(DEFAULT.encode("é")).hasSize(3);
        assertThat(DEFAULT.encode(new byte[] {1, 2, 3})).hasSize(4);
        // Big-endian after the tag, so the bytes are readable and stable across platforms.
        assertThat(Arrays.copyOfRange(DEFAULT.encode(0x01020304), 1, 5)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void equalValuesEncodeToEqualBytesAndDifferentValuesToDifferentBytes() {
        assertThat(DEFAULT.encode(new String("key-1"))).isEqualTo(DEFAULT.encode("key-" + 1));
        assertThat(DEFAULT.encode(Integer.valueOf(1000))).isEqualTo(DEFAULT.encode(Integer.valueOf(1000)));
        assertThat(DEFAULT.encode(Double.longBitsToDouble(0x7ff8000000000001L))).isEqualTo(DEFAULT.encode(Double.NaN));
        assertThat(DEFAULT.encode(new byte[] {9, 8})).isEqualTo(DEFAULT.encode(new byte[] {9, 8}));

        assertThat(DEFAULT.encode(1)).isNotEqualTo(DEFAULT.encode(1L));
        assertThat(DEFAULT.encode("1")).isNotEqualTo(DEFAULT.encode(1));
        assertThat(DEFAULT.encode(0.0)).isNotEqualTo(DEFAULT.encode(-0.0));
        assertThat(DEFAULT.encode("a\uD800")).isNotEqualTo(DEFAULT.encode("a\uDC00")).isNotEqualTo(DEFAULT.encode("a?"));
    }

    @Test
    void byteArraysAreCopiedBothWays() {
        byte[] original = {1, 2, 3};
        byte[] encoded = DEFAULT.encode(original);
        original[0] = 99;

        byte[] first = (byte[]) DEFAULT.decode(encoded);
        byte[] second = (byte[]) DEFAULT.decode(encoded);
        first[1] = 77;

        assertThat(first).containsExactly(1, 77, 3);
        assertThat(second).containsExactly(1, 2, 3).isNotSameAs(first);
        assertThat((byte[]) DEFAULT.decode(DEFAULT.encode(new byte[0]))).isEmpty();
    }

    @Test
    void jdkDataClassesWorkWithTheDefaultList() {
        ArrayList<String> list = new ArrayList<>(List.of("a", "b", "é"));
        HashMap<String, Integer> map = new HashMap<>(Map.of("Tom", 630, "Jack", 589));
        List<Object> values = List.of(list, map, new TreeMap<>(map), List.of(1, 2), Map.of("k", List.of(1L)),
                Optional.of("x").orElseThrow(), new BigDecimal("12345.6789"), BigInteger.TWO.pow(200),
                LocalDate.of(2026, 11, 25), Instant.ofEpochSecond(1_800_000_000L), Duration.ofMinutes(10),
                ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneId.of("Europe/Paris")), URI.create("https://example.com/x"),
                new int[] {1, 2, 3}, new long[0], new String[] {"x", null}, new Object[] {1, "two", 3.0},
                new IllegalStateException("boom"));

        for (Object value : values) {
            byte[] bytes = DEFAULT.encode(value);
            Object decoded = DEFAULT.decode(bytes);
            if (value instanceof Throwable t) {
                assertThat(decoded).isInstanceOf(IllegalStateException.class);
                assertThat(((Throwable) decoded).getMessage()).isEqualTo(t.getMessage());
            } else {
                assertThat(decoded).as("%s", value.getClass()).usingRecursiveComparison().isEqualTo(value);
                assertThat(decoded).isNotSameAs(value);
            }
        }
        assertThat(DEFAULT.decode(DEFAULT.encode(list))).isEqualTo(list).isInstanceOf(ArrayList.class);
        assertThat(DEFAULT.decode(DEFAULT.encode(map))).isEqualTo(map);
    }

    @Test
    void aClassInsideTheAllowListRoundTrips() {
        Money money = new Money("EUR", 1234);
        List<Money> wallet = new ArrayList<>(List.of(money, new Money("USD", 1)));

        assertThat(WITH_PACKAGE.decode(WITH_PACKAGE.encode(money))).isEqualTo(money);
        assertThat(WITH_PACKAGE.decode(WITH_PACKAGE.encode(wallet))).isEqualTo(wallet);
        assertThat(Codec.create(List.of("io.kamacache.codec.CodecTest$Money"), null)
                .decode(WITH_PACKAGE.encode(money))).isEqualTo(money);
        assertThat(Codec.create(List.of("io.kamacache.**"), null).decode(WITH_PACKAGE.encode(money))).isEqualTo(money);
    }

    @Test
    void aClassOutsideTheAllowListIsRefusedWhenEncoded() {
        String expected = "class io.kamacache.codec.CodecTest$Money is not in the serialization allow-list "
                + "[java.lang.*, java.util.*, java.time.*, java.math.*, java.net.URI]; add it, or a pattern that covers it, "
                + "under serialization.allow in the cache configuration";

        assertThatThrownBy(() -> DEFAULT.encode(new Money("EUR", 1))).isInstanceOf(CodecException.class).hasMessage(expected);
        // Nested anywhere, in a collection or an array, it is found all the same.
        assertThatThrownBy(() -> DEFAULT.encode(new ArrayList<>(List.of("ok", new Money("EUR", 1)))))
                .isInstanceOf(CodecException.class).hasMessage(expected);
        assertThatThrownBy(() -> DEFAULT.encode(new Money[0])).isInstanceOf(CodecException.class).hasMessage(expected);
        assertThatThrownBy(() -> DEFAULT.encode(new AtomicLong(1)))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith("class java.util.concurrent.atomic.AtomicLong is not in the serialization allow-list");
    }

    @Test
    void aCraftedStreamOfARefusedClassIsRefusedWhenDecoded() throws IOException {
        byte tag = DEFAULT.encode(new ArrayList<>())[0];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(new HashMap<>(Map.of("k", new Money("EUR", 1))));
        }
        byte[] crafted = out.toByteArray();

        assertThatThrownBy(() -> DEFAULT.decode(crafted))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith("class io.kamacache.codec.CodecTest$Money is not in the serialization allow-list [")
                .hasMessageEndingWith("under serialization.allow in the cache configuration");
        assertThat(WITH_PACKAGE.decode(crafted)).isEqualTo(Map.of("k", new Money("EUR", 1)));
    }

    @Test
    void aCraftedArrayLengthIsRefusedBeforeItIsAllocated() throws IOException {
        byte[] honest = DEFAULT.encode(new int[] {7});
        // An int[] ends with its 4-byte length and then its elements; claim two billion elements.
        byte[] crafted = Arrays.copyOf(honest, honest.length);
        int lengthAt = crafted.length - 8;
        crafted[lengthAt] = 0x7f;

        assertThatThrownBy(() -> DEFAULT.decode(crafted))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("claims 2130706433 elements");
    }

    private static Object nested(int depth) {
        Object value = "leaf";
        for (int i = 0; i < depth; i++) {
            ArrayList<Object> list = new ArrayList<>();
            list.add(value);
            value = list;
        }
        return value;
    }

    private static Throwable onThreadWithStack(long stackBytes, Runnable task) throws InterruptedException {
        Throwable[] thrown = new Throwable[1];
        Thread thread = new Thread(null, () -> {
            try {
                task.run();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        }, "codec-stack-test", stackBytes);
        thread.start();
        thread.join();
        return thrown[0];
    }

    @Test
    void valuesNestedBeyondTheDepthLimitAreRefusedWhenRead() throws InterruptedException {
        byte[][] encoded = new byte[1][];
        assertThat(onThreadWithStack(256L << 20, () -> encoded[0] = DEFAULT.encode(nested(1500)))).isNull();

        Throwable thrown = onThreadWithStack(256L << 20, () -> DEFAULT.decode(encoded[0]));

        assertThat(thrown).isInstanceOf(CodecException.class)
                .hasMessage("corrupt or hostile bytes: the serialized value nests deeper than 1000 objects, the codec's limit");
    }

    @Test
    void valuesTooDeepForTheStackFailWithACodecException() throws InterruptedException {
        Throwable thrown = onThreadWithStack(256L << 10, () -> DEFAULT.encode(nested(5000)));

        assertThat(thrown).isInstanceOf(CodecException.class).hasMessageContaining("nested too deeply to serialize");
    }

    static final class FailingWriter implements Serializable {
        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new IOException("disk full");
        }
    }

    @Test
    void anIOExceptionFromAWriteObjectMethodStaysVisible() {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> WITH_PACKAGE.encode(new FailingWriter()));

        assertThat(thrown).isInstanceOf(CodecException.class)
                .hasMessage("cannot serialize a value of class io.kamacache.codec.CodecTest$FailingWriter:"
                        + " java.io.IOException: disk full");
        // A Throwable that is part of the value is judged by the allow-list like anything else.
        assertThatThrownBy(() -> DEFAULT.encode(new java.io.UncheckedIOException(new IOException("x"))))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith("class java.io.UncheckedIOException is not in the serialization allow-list");
    }

    @Test
    void nonSerializableValuesAreRefusedNamingTheClass() {
        assertThatThrownBy(() -> DEFAULT.encode(new NotSerializable()))
                .isInstanceOf(CodecException.class)
                .hasMessage("class io.kamacache.codec.CodecTest$NotSerializable does not implement java.io.Serializable;"
                        + " make it Serializable");
        assertThatThrownBy(() -> WITH_PACKAGE.encode(new Holder(new NotSerializable())))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith("class io.kamacache.codec.CodecTest$NotSerializable, inside a value of class "
                        + "io.kamacache.codec.CodecTest$Holder, does not implement java.io.Serializable");
        assertThatThrownBy(() -> DEFAULT.encode(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void garbageAndTruncatedBytesAreRefused() {
        assertThatThrownBy(() -> DEFAULT.decode(new byte[0])).isInstanceOf(CodecException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> DEFAULT.decode(new byte[] {(byte) 0xEE, 1, 2}))
                .isInstanceOf(CodecException.class).hasMessageContaining("unknown type tag -18");

        byte[] integer = DEFAULT.encode(42);
        assertThatThrownBy(() -> DEFAULT.decode(Arrays.copyOf(integer, 3)))
                .isInstanceOf(CodecException.class)
                .hasMessage("corrupt bytes: an encoded Integer has 4 bytes after the type tag, these have 2");
        assertThatThrownBy(() -> DEFAULT.decode(Arrays.copyOf(integer, 6))).isInstanceOf(CodecException.class);

        byte[] string = DEFAULT.encode("é");
        assertThatThrownBy(() -> DEFAULT.decode(Arrays.copyOf(string, 2)))
                .isInstanceOf(CodecException.class).hasMessageContaining("not valid UTF-8");

        byte[] bool = DEFAULT.encode(true);
        bool[1] = 2;
        assertThatThrownBy(() -> DEFAULT.decode(bool)).isInstanceOf(CodecException.class).hasMessageContaining("0 or 1");

        byte[] serialized = DEFAULT.encode(new ArrayList<>(List.of("a", "b")));
        assertThatThrownBy(() -> DEFAULT.decode(Arrays.copyOf(serialized, serialized.length - 3)))
                .isInstanceOf(CodecException.class).hasMessageStartingWith("corrupt bytes: not a readable serialized value");
        byte[] noise = new byte[40];
        noise[0] = serialized[0];
        Arrays.fill(noise, 1, noise.length, (byte) 0x5a);
        assertThatThrownBy(() -> DEFAULT.decode(noise))
                .isInstanceOf(CodecException.class).hasMessageStartingWith("corrupt bytes: not a readable serialized value");
    }

    @Test
    void checkRefusesWhatDecodeRefusesAndAcceptsTheRest() {
        List<byte[]> refused = new ArrayList<>(List.of(new byte[0], new byte[] {(byte) 0xEE, 1, 2},
                Arrays.copyOf(DEFAULT.encode(42), 3), Arrays.copyOf(DEFAULT.encode("é"), 2),
                WITH_PACKAGE.encode(new Money("EUR", 100))));
        for (byte[] bytes : refused) {
            CodecException decoding = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> DEFAULT.decode(bytes), CodecException.class);
            assertThatThrownBy(() -> DEFAULT.check(bytes)).isInstanceOf(CodecException.class)
                    .hasMessage(decoding.getMessage());
        }
        for (Object value : fastPathValues().toList()) {
            DEFAULT.check(DEFAULT.encode(value));
        }
        DEFAULT.check(DEFAULT.encode(new byte[] {1, 2, 3}));
        DEFAULT.check(DEFAULT.encodeTyped(new byte[] {1}, "image/png"));
        DEFAULT.check(DEFAULT.encode(new ArrayList<>(List.of("a", "b"))));
    }

    @Test
    void allowListIsTheDefaultThenTheExtras() {
        assertThat(DEFAULT.allowList()).isEqualTo(Codec.DEFAULT_ALLOW_LIST);
        assertThat(WITH_PACKAGE.allowList()).containsExactly(
                "java.lang.*", "java.util.*", "java.time.*", "java.math.*", "java.net.URI", "io.kamacache.codec.*");
        assertThatThrownBy(() -> WITH_PACKAGE.allowList().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void defaultListLeavesOutReflectionAndUrl() throws Exception {
        assertThatThrownBy(() -> DEFAULT.encode(new java.net.URL("https://example.com")))
                .isInstanceOf(CodecException.class).hasMessageStartingWith("class java.net.URL is not in");
        Object proxy = java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Runnable.class}, (InvocationHandlerSerializable) (p, m, a) -> null);
        assertThatThrownBy(() -> DEFAULT.encode(proxy)).isInstanceOf(CodecException.class);
    }

    interface InvocationHandlerSerializable extends java.lang.reflect.InvocationHandler, Serializable {
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "*", "**", ".*", "!com.x.*", "maxdepth=5", "com.x.*;java.**", "com x", "com..x", "*.x"})
    void unusablePatternsAreRefused(String pattern) {
        assertThatThrownBy(() -> Codec.create(List.of(pattern), null)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"com.x.Foo", "com.x.*", "com.x.**", "com.x.Foo*", "com.x.Outer$Inner", "java.base/java.util.*"})
    void usablePatternsAreAccepted(String pattern) {
        assertThat(Codec.checkPattern(pattern)).isEqualTo(pattern);
        assertThat(Codec.create(List.of(pattern), null).allowList()).endsWith(pattern);
    }

    @Test
    void typedBytesDecodeToTheBytesAndKeepTheirMediaType() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        byte[] typed = DEFAULT.encodeTyped(png, "image/png");
        assertThat(DEFAULT.decode(typed)).isEqualTo(png);
        assertThat(Codec.mediaType(typed)).isEqualTo("image/png");
        assertThat(Codec.mediaType(DEFAULT.encode(png))).as("plain bytes keep no type").isNull();
        assertThat(Codec.mediaType(DEFAULT.encode("text"))).isNull();
        assertThat(DEFAULT.decode(DEFAULT.encodeTyped(new byte[0], ""))).isEqualTo(new byte[0]);

        assertThatThrownBy(() -> DEFAULT.encodeTyped(png, "x/" + "y".repeat(254)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255");
        assertThatThrownBy(() -> DEFAULT.encodeTyped(png, "image/\u00e9")).isInstanceOf(IllegalArgumentException.class);
        byte[] truncated = Arrays.copyOf(typed, 5); // the type says 9 characters, 3 follow
        assertThatThrownBy(() -> DEFAULT.decode(truncated)).isInstanceOf(CodecException.class)
                .hasMessageContaining("corrupt");
        assertThatThrownBy(() -> Codec.mediaType(truncated)).isInstanceOf(CodecException.class);
    }

    @Test
    void immutableValuesAreStringsAndBoxedPrimitivesEncodedAsEveryCodecEncodesThem() {
        Codec other = Codec.create(List.of("com.example.*"), null);
        for (Object immutable : List.of("s", "ünïcode", 1, 1L, (short) 1, (byte) 1, 'c', true, 1.0f, 1.0)) {
            assertThat(Codec.isImmutable(immutable)).as("%s", immutable.getClass()).isTrue();
            assertThat(Codec.encodeImmutable(immutable)).isEqualTo(DEFAULT.encode(immutable)).isEqualTo(other.encode(immutable));
        }
        for (Object mutable : List.of(new byte[1], new ArrayList<>(), new StringBuilder("s"), new AtomicLong(),
                new BigDecimal("1"))) {
            assertThat(Codec.isImmutable(mutable)).as("%s", mutable.getClass()).isFalse();
            assertThatThrownBy(() -> Codec.encodeImmutable(mutable)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(mutable.getClass().getName());
        }
        assertThat(Codec.isImmutable(null)).isFalse();
    }
}
