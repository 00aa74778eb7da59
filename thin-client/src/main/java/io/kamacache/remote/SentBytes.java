package io.kamacache.remote;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import java.util.ArrayList;
import java.util.List;

/**
 * The bytes fields of a message to send, wrapped without a copy: what goes into them is a
 * fresh encoding or a stored value, arrays that nobody changes. None is sent as empty,
 * which {@link ReceivedBytes#orNull} reads back as none.
 */
public final class SentBytes {

    private SentBytes() {
    }

    /** {@code bytes} as a field, empty for null. */
    public static ByteString orEmpty(byte[] bytes) {
        return bytes == null ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(bytes);
    }

    /**
     * Each of {@code arrays} (byte arrays or nulls) as a field, for a repeated field's
     * {@code addAll}: that sizes the field's list once, where adding one by one grows and
     * copies it over and over for a batch of a hundred keys.
     */
    public static List<ByteString> allOrEmpty(List<?> arrays) {
        List<ByteString> fields = new ArrayList<>(arrays.size());
        for (Object bytes : arrays) {
            fields.add(orEmpty((byte[]) bytes));
        }
        return fields;
    }
}
