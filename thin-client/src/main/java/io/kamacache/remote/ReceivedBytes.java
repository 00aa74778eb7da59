package io.kamacache.remote;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The bytes of a field of a received message, without a copy where that is safe. gRPC's
 * parser copies every bytes field out of the network buffer into an array of exactly its
 * bytes, which only the parsed message holds and nobody changes: that array is the
 * field's bytes, and handing it on instead of {@link ByteString#toByteArray()}'s copy saves
 * a copy of every key and value a node or a client receives. Anything else (a slice of a
 * larger array, a buffer, bytes in pieces) is copied.
 */
public final class ReceivedBytes {

    private ReceivedBytes() {
    }

    /**
     * The bytes of a field that sends an encoding or a serialized exception, empty for none:
     * no encoding is empty (it starts with its type tag), so empty reads as null.
     */
    public static byte[] orNull(ByteString field) {
        return field.isEmpty() ? null : of(field);
    }

    /** The bytes of {@code field}: its own array when it wraps exactly one, else a copy. */
    public static byte[] of(ByteString field) {
        WholeArray whole = new WholeArray();
        try {
            UnsafeByteOperations.unsafeWriteTo(field, whole);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // WholeArray throws none
        }
        return whole.array != null && whole.array.length == field.size() ? whole.array : field.toByteArray();
    }

    /** Catches the one array a ByteString hands over whole, and notes anything else. */
    private static final class WholeArray extends ByteOutput {
        byte[] array;
        private boolean other;

        @Override
        public void writeLazy(byte[] value, int offset, int length) {
            if (array == null && !other && offset == 0 && length == value.length) {
                array = value;
            } else {
                notWhole();
            }
        }

        @Override
        public void write(byte value) {
            notWhole();
        }

        @Override
        public void write(byte[] value, int offset, int length) {
            notWhole();
        }

        @Override
        public void write(ByteBuffer value) {
            notWhole();
        }

        @Override
        public void writeLazy(ByteBuffer value) {
            notWhole();
        }

        private void notWhole() {
            array = null;
            other = true;
        }
    }
}
