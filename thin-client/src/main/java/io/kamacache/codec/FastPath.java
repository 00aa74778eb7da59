package io.kamacache.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodings of the common key and value types without Java serialization: a tag and the
 * value's natural bytes, numbers fixed-width and big-endian. Each value has exactly one
 * encoding, so equal values give equal bytes and keys can be compared as bytes.
 */
final class FastPath {

    /** The longest media type {@link #typedBytes} keeps: its length travels in one byte. */
    static final int MAX_MEDIA_TYPE = 255;

    private FastPath() {
    }

    /** The encoding of {@code value}, or {@code null} when its type has no fast path. */
    static byte[] encode(Object value) {
        // small enough for the JIT to inline into each caller, the common types first
        if (value instanceof String s) {
            return string(s);
        } else if (value instanceof byte[] bytes) {
            return bytes(bytes);
        }
        return boxed(value);
    }

    private static byte[] bytes(byte[] bytes) {
        byte[] out = new byte[bytes.length + 1];
        // the copy first, straight after the allocation: the JIT then zeroes only the tag's byte
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        out[0] = TypeTag.BYTES;
        return out;
    }

    private static byte[] boxed(Object value) {
        if (value instanceof Integer i) {
            return ByteBuffer.allocate(5).put(TypeTag.INTEGER).putInt(i).array();
        } else if (value instanceof Long l) {
            return ByteBuffer.allocate(9).put(TypeTag.LONG).putLong(l).array();
        } else if (value instanceof Short s) {
            return ByteBuffer.allocate(3).put(TypeTag.SHORT).putShort(s).array();
        } else if (value instanceof Byte b) {
            return new byte[] {TypeTag.BYTE, b};
        } else if (value instanceof Character c) {
            return ByteBuffer.allocate(3).put(TypeTag.CHARACTER).putChar(c).array();
        } else if (value instanceof Boolean b) {
            return new byte[] {TypeTag.BOOLEAN, (byte) (b ? 1 : 0)};
        } else if (value instanceof Float f) {
            // floatToIntBits, not the raw bits: it folds every NaN into one, as Float.equals does.
            return ByteBuffer.allocate(5).put(TypeTag.FLOAT).putInt(Float.floatToIntBits(f)).array();
        } else if (value instanceof Double d) {
            return ByteBuffer.allocate(9).put(TypeTag.DOUBLE).putLong(Double.doubleToLongBits(d)).array();
        }
        return null;
    }

    private static byte[] string(String s) {
        // Most keys are ASCII: encode them in one pass into one array.
        int length = s.length();
        byte[] ascii = new byte[length + 1];
        ascii[0] = TypeTag.STRING_UTF8;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return nonAscii(s);
            }
            ascii[i + 1] = (byte) c;
        }
        return ascii;
    }

    private static byte[] nonAscii(String s) {
        if (wellFormed(s)) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[utf8.length + 1];
            out[0] = TypeTag.STRING_UTF8;
            System.arraycopy(utf8, 0, out, 1, utf8.length);
            return out;
        }
        // UTF-8 would replace an unpaired surrogate with '?', making different strings equal bytes.
        ByteBuffer out = ByteBuffer.allocate(1 + 2 * s.length()).put(TypeTag.STRING_UTF16);
        for (int i = 0; i < s.length(); i++) {
            out.putChar(s.charAt(i));
        }
        return out.array();
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code tag} is one of the fast paths. */
    static boolean handles(byte tag) {
        return tag >= TypeTag.STRING_UTF8 && tag <= TypeTag.TYPED_BYTES;
    }

    /** The encoding of {@code bytes} with {@code mediaType}, at most 255 US-ASCII characters. */
    static byte[] typedBytes(byte[] bytes, String mediaType) {
        byte[] type = mediaType.getBytes(StandardCharsets.US_ASCII);
        if (type.length > MAX_MEDIA_TYPE || !StandardCharsets.US_ASCII.newEncoder().canEncode(mediaType)) {
            throw new IllegalArgumentException("a media type is at most " + MAX_MEDIA_TYPE
                    + " US-ASCII characters, got '" + mediaType + "'");
        }
        byte[] out = new byte[2 + type.length + bytes.length];
        out[0] = TypeTag.TYPED_BYTES;
        out[1] = (byte) type.length;
        System.arraycopy(type, 0, out, 2, type.length);
        System.arraycopy(bytes, 0, out, 2 + type.length, bytes.length);
        return out;
    }

    /** The media type of bytes encoded by {@link #typedBytes}, or null for any other encoding. */
    static String mediaType(byte[] encoded) {
        if (encoded.length == 0 || encoded[0] != TypeTag.TYPED_BYTES) {
            return null;
        }
        return new String(encoded, 2, typedHeader(encoded) - 2, StandardCharsets.US_ASCII);
    }

    /** Where the bytes of a typed encoding start. */
    private static int typedHeader(byte[] encoded) {
        int start = encoded.length < 2 ? -1 : 2 + (encoded[1] & 0xFF);
        if (start < 0 || start > encoded.length) {
            throw new CodecException("corrupt bytes: typed bytes shorter than their media type says");
        }
        return start;
    }

    /** The value encoded in {@code bytes}, whose first byte is a fast-path tag. */
    static Object decode(byte[] bytes) {
        ByteBuffer body = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        return switch (bytes[0]) {
            case TypeTag.STRING_UTF8 -> utf8(bytes);
            case TypeTag.STRING_UTF16 -> utf16(body);
            case TypeTag.INTEGER -> fixed(body, 4, "Integer").getInt();
            case TypeTag.LONG -> fixed(body, 8, "Long").getLong();
            case TypeTag.SHORT -> fixed(body, 2, "Short").getShort();
            case TypeTag.BYTE -> fixed(body, 1, "Byte").get();
            case TypeTag.CHARACTER -> fixed(body, 2, "Character").getChar();
            case TypeTag.BOOLEAN -> bool(fixed(body, 1, "Boolean").get());
            case TypeTag.FLOAT -> Float.intBitsToFloat(fixed(body, 4, "Float").getInt());
            case TypeTag.DOUBLE -> Double.longBitsToDouble(fixed(body, 8, "Double").getLong());
            case TypeTag.BYTES -> Arrays.copyOfRange(bytes, 1, bytes.length);
            case TypeTag.TYPED_BYTES -> Arrays.copyOfRange(bytes, typedHeader(bytes), bytes.length);
            default -> throw new IllegalStateException("not a fast-path tag: " + bytes[0]);
        };
    }

    private static ByteBuffer fixed(ByteBuffer body, int width, String type) {
        if (body.remaining() != width) {
            throw new CodecException("corrupt bytes: an encoded " + type + " has " + width
                    + " bytes after the type tag, these have " + body.remaining());
        }
        return body;
    }

    private static Boolean bool(byte b) {
        if (b != 0 && b != 1) {
            throw new CodecException("corrupt bytes: an encoded Boolean is 0 or 1, got " + b);
        }
        return b == 1;
    }

    private static String utf8(byte[] bytes) {
        String decoded = new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
        // The lenient decoder turns malformed input into U+FFFD; only then is a strict pass worth its cost.
        if (decoded.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 1, bytes.length - 1));
            } catch (CharacterCodingException e) {
                throw new CodecException("corrupt bytes: an encoded String is not valid UTF-8", e);
            }
        }
        return decoded;
    }

    private static String utf16(ByteBuffer body) {
        if (body.remaining() % 2 != 0) {
            throw new CodecException("corrupt bytes: an encoded UTF-16 String has an odd number of bytes");
        }
        char[] chars = new char[body.remaining() / 2];
        body.asCharBuffer().get(chars);
        return new String(chars);
    }
}
