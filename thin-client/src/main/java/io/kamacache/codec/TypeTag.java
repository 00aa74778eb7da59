package io.kamacache.codec;

/**
 * The first byte of every encoding, saying how the rest is to be read. The values are part of
 * the stored format: never renumber one, only add.
 */
final class TypeTag {

    static final byte STRING_UTF8 = 1;
    /** A string that is not well-formed Unicode (an unpaired surrogate), kept exactly as UTF-16 chars. */
    static final byte STRING_UTF16 = 2;
    static final byte INTEGER = 3;
    static final byte LONG = 4;
    static final byte SHORT = 5;
    static final byte BYTE = 6;
    static final byte CHARACTER = 7;
    static final byte BOOLEAN = 8;
    static final byte FLOAT = 9;
    static final byte DOUBLE = 10;
    static final byte BYTES = 11;
    /**
     * Bytes with their media type (such as {@code image/png}): the tag, the type's length in
     * one unsigned byte, its US-ASCII characters, then the bytes. It decodes to the bytes.
     */
    static final byte TYPED_BYTES = 12;
    static final byte SERIALIZED = 20;

    private TypeTag() {
    }
}
