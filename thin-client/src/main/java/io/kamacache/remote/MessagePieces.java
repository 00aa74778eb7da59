package io.kamacache.remote;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.kamacache.proto.v1.Event;
import io.kamacache.proto.v1.OperationReply;
import io.kamacache.proto.v1.OperationRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * What is too large for one message between nodes, cut into pieces that each fit. A
 * message over the receiver's limit (cluster.maxMessageBytes) fails the call it belongs
 * to, and on an operation stream every call in flight on it. So a batch goes to each
 * owner as runs of keys that fit ({@link #runs}), events go to a listening node in runs
 * too, and a JCache reply that grew with its values (a {@code getAll} of many large
 * values, the events of a {@code putAll}) goes as pieces ({@link #reply}). A reply's
 * pieces each hold a run of its repeated fields' elements, the last also its single
 * fields, and all but the last are marked {@code OperationResult.more}: the caller merges
 * them in order, which appends repeated fields and sets single ones, and has the reply
 * back exactly. One value or result larger than a message cannot be cut.
 *
 * <p>Two things may take more than a message: an event, which carries a value and its old
 * value, and {@code replace(key, old, new)}, which carries the value to compare with and
 * the new one. Each value fits in a message by itself, so together they may need up to
 * twice the room: such an event goes in a message of its own, and every node and client
 * takes in messages of up to twice its limit ({@link #inbound}) for them.
 */
public final class MessagePieces {

    /** Room in a message for what travels beside its keys and values: header, names, ids, framing. */
    public static final int ENVELOPE_BYTES = 1024;

    private MessagePieces() {
    }

    /**
     * The largest message a receiver whose limit is {@code maxMessageBytes} takes in: twice
     * that, so that an event with a value and its old value always arrives.
     */
    public static int inbound(int maxMessageBytes) {
        return (int) Math.min(Integer.MAX_VALUE, 2L * maxMessageBytes);
    }

    /**
     * The largest message {@code request} may be for a receiver whose limit is {@code
     * limit}: the limit, and the value it compares with on top ({@code replace(key, old,
     * new)} carries two values, as an event does).
     */
    public static int requestLimit(int limit, OperationRequest request) {
        return (int) Math.min(inbound(limit), (long) limit + request.getExpected().size());
    }

    /**
     * The largest event a message carries alone, when it has {@code room} for its content and
     * goes to a receiver whose limit is {@code limit}: the room and one limit more. With the
     * message's envelope that is within {@link #inbound}, and it holds an event whose value
     * and old value are each as large as fits in a message with its key.
     */
    public static long eventRoom(long room, int limit) {
        return room + limit;
    }

    /**
     * What a bytes or message field of {@code length} bytes takes in a message, at most: a
     * tag and a length of up to five bytes more.
     */
    public static long fieldSize(long length) {
        return length + 6;
    }

    /**
     * The largest message to send to a receiver that said it takes {@code theirs} (0: it did
     * not say) from a sender whose own limit is {@code own}: the smaller of the two.
     */
    public static int limit(int own, int theirs) {
        return theirs == 0 ? own : Math.min(own, theirs);
    }

    /**
     * {@code elements} in order, cut into runs whose sizes add up to at most {@code room}
     * each; an element larger than {@code room} makes a run of its own.
     */
    public static <T> List<List<T>> runs(List<T> elements, ToLongFunction<T> size, long room) {
        List<List<T>> runs = new ArrayList<>(1);
        List<T> run = new ArrayList<>();
        long filled = 0;
        for (T element : elements) {
            long bytes = size.applyAsLong(element);
            if (!run.isEmpty() && filled + bytes > room) {
                runs.add(run);
                run = new ArrayList<>();
                filled = 0;
            }
            run.add(element);
            filled += bytes;
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    /**
     * {@code reply} as pieces of at most {@code maxMessageBytes} less the envelope each, in
     * the order to send them; the reply itself when it fits.
     *
     * @throws TooLarge naming what alone is larger than a message
     */
    public static List<OperationReply> reply(OperationReply reply, int maxMessageBytes) {
        long room = maxMessageBytes - ENVELOPE_BYTES;
        if (reply.getSerializedSize() <= room) {
            return List.of(reply);
        }
        List<Part> parts = new ArrayList<>();
        for (ByteString value : reply.getValuesList()) {
            parts.add(new Part(CodedOutputStream.computeBytesSize(OperationReply.VALUES_FIELD_NUMBER, value), room,
                    "a value", piece -> piece.addValues(value)));
        }
        for (ByteString result : reply.getResultsList()) {
            parts.add(new Part(CodedOutputStream.computeBytesSize(OperationReply.RESULTS_FIELD_NUMBER, result), room,
                    "an entry processor's result", piece -> piece.addResults(result)));
        }
        for (ByteString failure : reply.getFailuresList()) {
            parts.add(new Part(CodedOutputStream.computeBytesSize(OperationReply.FAILURES_FIELD_NUMBER, failure), room,
                    "an exception", piece -> piece.addFailures(failure)));
        }
        for (Event event : reply.getEventsList()) {
            parts.add(new Part(CodedOutputStream.computeMessageSize(OperationReply.EVENTS_FIELD_NUMBER, event),
                    eventRoom(room, maxMessageBytes), "an event", piece -> piece.addEvents(event)));
        }
        OperationReply singles = reply.toBuilder().clearValues().clearResults().clearFailures().clearEvents().build();
        parts.add(new Part(singles.getSerializedSize(), room, "a value, result or exception",
                piece -> piece.mergeFrom(singles)));
        List<OperationReply> pieces = new ArrayList<>();
        for (List<Part> run : runs(parts, Part::size, room)) {
            OperationReply.Builder piece = OperationReply.newBuilder();
            for (Part part : run) {
                if (part.size > part.max) {
                    throw new TooLarge(part.what + " of " + part.size + " bytes", part.max);
                }
                part.into.accept(piece);
            }
            pieces.add(piece.build());
        }
        return pieces;
    }

    /** An element of a reply, the most it may take, and how to add it to a piece. */
    private record Part(long size, long max, String what, Consumer<OperationReply.Builder> into) {
    }

    /** A reply with an element that alone does not fit in a message. */
    public static final class TooLarge extends RuntimeException {
        TooLarge(String what, long max) {
            super("the reply holds " + what + ", more than a message between nodes carries (" + max
                    + " bytes for it, by cluster.maxMessageBytes); what the operation changed stands");
        }
    }
}
