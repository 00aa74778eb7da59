package io.kamacache.codec;

import java.util.Arrays;

/**
 * A String key as byte keys see it, without encoding it, for the common case of ASCII
 * characters: the hash of its encoding as {@link Arrays#hashCode(byte[])} computes it, and a
 * test whether some bytes are that encoding. An ASCII String encodes to a tag and one byte
 * per character, so both follow from the String itself (the hash from its cached
 * {@link String#hashCode()}), which saves a lookup the allocation and copy of encoding.
 * A String with other characters encodes otherwise and is never found this way: look it up
 * by its encoding.
 */
public final class AsciiKey {

    /** 31^n for the key lengths most keys have, so the hash costs one lookup. */
    private static final int[] POWERS_OF_31 = new int[128];

    static {
        POWERS_OF_31[0] = 1;
        for (int n = 1; n < POWERS_OF_31.length; n++) {
            POWERS_OF_31[n] = POWERS_OF_31[n - 1] * 31;
        }
    }

    private AsciiKey() {
    }

    /**
     * {@link Arrays#hashCode(byte[])} of the key's encoding if it is ASCII: with {@code n}
     * characters that is {@code 31^(n+1) + tag * 31^n + key.hashCode()}.
     */
    public static int hash(String key) {
        return power31(key.length()) * (31 + TypeTag.STRING_UTF8) + key.hashCode();
    }

    /**
     * {@link Arrays#hashCode(byte[])} of {@code encoding}, which must be the encoding of
     * {@code key}: from the String's cached hash when the key is ASCII (its encoding is then
     * one byte per character after the tag), else computed from the bytes.
     */
    public static int hash(String key, byte[] encoding) {
        return encoding.length == key.length() + 1 && encoding[0] == TypeTag.STRING_UTF8 ? hash(key)
                : Arrays.hashCode(encoding);
    }

    /** Whether {@code bytes} are the encoding of {@code key} as an ASCII String. */
    public static boolean isEncodedIn(String key, byte[] bytes) {
        int length = key.length();
        if (bytes.length != length + 1 || bytes[0] != TypeTag.STRING_UTF8) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            // a byte of a non-ASCII encoding is negative, so it never equals a character
            if (bytes[i + 1] != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int power31(int n) {
        if (n < POWERS_OF_31.length) {
            return POWERS_OF_31[n];
        }
        int result = 1;
        int base = 31;
        while (n > 0) {
            if ((n & 1) != 0) {
                result *= base;
            }
            base *= base;
            n >>>= 1;
        }
        return result;
    }
}
