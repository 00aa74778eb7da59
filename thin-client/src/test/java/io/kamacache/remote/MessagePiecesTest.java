package io.kamacache.remote;

import com.google.protobuf.ByteString;
import io.kamacache.proto.v1.Event;
import io.kamacache.proto.v1.OperationReply;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessagePiecesTest {

    private static final int MAX = 64 << 10;

    @Test
    void aReplyLargerThanAMessageIsCutIntoPiecesThatEachFitAndMergeBackExactly() {
        Random random = new Random(7);
        OperationReply.Builder reply = OperationReply.newBuilder()
                .setFlag(true).setHits(300).setMisses(2).setPuts(5).setRemovals(1)
                .setFailure(bytes(random, 100));
        for (int i = 0; i < 300; i++) {
            reply.addValues(i % 7 == 0 ? ByteString.EMPTY : bytes(random, 1 + random.nextInt(2000)));
            reply.addResults(bytes(random, random.nextInt(300)));
            reply.addFailures(ByteString.EMPTY);
            reply.addEvents(Event.newBuilder().setType(i % 4).setKey(bytes(random, 10))
                    .setHasValue(true).setValue(bytes(random, random.nextInt(1500))));
        }
        OperationReply whole = reply.build();
        assertThat(whole.getSerializedSize()).isGreaterThan(5 * MAX);

        List<OperationReply> pieces = MessagePieces.reply(whole, MAX);

        assertThat(pieces).hasSizeGreaterThan(5)
                .allSatisfy(piece -> assertThat(piece.getSerializedSize())
                        .isLessThanOrEqualTo(MAX - MessagePieces.ENVELOPE_BYTES));
        OperationReply.Builder merged = OperationReply.newBuilder();
        pieces.forEach(merged::mergeFrom);
        assertThat(merged.build()).isEqualTo(whole);
    }

    @Test
    void aReplyThatFitsIsSentAsItIs() {
        OperationReply reply = OperationReply.newBuilder().setValue(ByteString.copyFromUtf8("v")).setHits(1).build();
        assertThat(MessagePieces.reply(reply, MAX)).containsExactly(reply);
    }

    @Test
    void oneElementLargerThanAMessageCannotBeCut() {
        OperationReply values = OperationReply.newBuilder().addValues(ByteString.copyFrom(new byte[100]))
                .addValues(ByteString.copyFrom(new byte[MAX])).build();
        assertThatThrownBy(() -> MessagePieces.reply(values, MAX)).isInstanceOf(MessagePieces.TooLarge.class)
                .hasMessageContaining("a value of " + (MAX + 4) + " bytes")
                .hasMessageContaining("more than a message between nodes carries");
        OperationReply single = OperationReply.newBuilder().setValue(ByteString.copyFrom(new byte[MAX])).build();
        assertThatThrownBy(() -> MessagePieces.reply(single, MAX)).isInstanceOf(MessagePieces.TooLarge.class)
                .hasMessageContaining("what the operation changed stands");
    }

    @Test
    void anEventWithAValueAndAnOldValueThatEachFitGoesInAPieceOfItsOwn() {
        int half = MAX - MessagePieces.ENVELOPE_BYTES - 1; // each value as large as fits a message with its key
        Event update = Event.newBuilder().setType(1).setKey(ByteString.copyFromUtf8("k"))
                .setHasValue(true).setValue(ByteString.copyFrom(new byte[half]))
                .setHasOldValue(true).setOldValue(ByteString.copyFrom(new byte[half])).build();
        OperationReply reply = OperationReply.newBuilder().addValues(ByteString.copyFromUtf8("v")).addEvents(update)
                .setPuts(1).build();

        List<OperationReply> pieces = MessagePieces.reply(reply, MAX);

        assertThat(pieces).hasSize(3);
        assertThat(pieces.get(1).getEventsList()).containsExactly(update);
        assertThat(pieces.get(1).getSerializedSize()).as("within what every receiver takes in, with its envelope")
                .isLessThanOrEqualTo(MessagePieces.inbound(MAX) - MessagePieces.ENVELOPE_BYTES);
        OperationReply.Builder merged = OperationReply.newBuilder();
        pieces.forEach(merged::mergeFrom);
        assertThat(merged.build()).isEqualTo(reply);

        Event tooLarge = update.toBuilder().setOldValue(ByteString.copyFrom(new byte[MAX])).build();
        assertThatThrownBy(() -> MessagePieces.reply(OperationReply.newBuilder().addEvents(tooLarge).build(), MAX))
                .isInstanceOf(MessagePieces.TooLarge.class).hasMessageContaining("an event of");
    }

    @Test
    void runsKeepTheOrderAndStayWithinTheirRoom() {
        List<Integer> sizes = IntStream.range(0, 100).map(i -> 1 + i % 13).boxed().toList();
        List<List<Integer>> runs = MessagePieces.runs(sizes, Integer::longValue, 30);
        assertThat(runs.stream().flatMap(List::stream).toList()).isEqualTo(sizes);
        assertThat(runs).allSatisfy(run -> assertThat(run.stream().mapToInt(Integer::intValue).sum()).isLessThanOrEqualTo(30));
        assertThat(MessagePieces.runs(List.of(5, 50, 5), Integer::longValue, 30))
                .as("one element over the room makes a run of its own").containsExactly(List.of(5), List.of(50), List.of(5));
        assertThat(MessagePieces.runs(List.<Integer>of(), Integer::longValue, 30)).isEmpty();
    }

    private static ByteString bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return ByteString.copyFrom(bytes);
    }
}
