package io.kamacache.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.function.LongConsumer;

/** How a trace file lists the keys it accesses. */
public enum TraceFormat {
    /** The LIRS traces: one integer key per line; lines holding only {@code *} are skipped. */
    LIRS {
        @Override
        void parseLine(String line, long lineNumber, LongConsumer keys) {
            if (!line.equals("*")) {
                keys.accept(parseNumber(line, lineNumber));
            }
        }
    },
    /** The ARC traces: each line {@code start count ...} accesses blocks start .. start+count-1. */
    ARC {
        @Override
        void parseLine(String line, long lineNumber, LongConsumer keys) {
            String[] fields = line.split("\\s+");
            if (fields.length < 2) {
                throw new TraceException("line " + lineNumber + ": expected 'start count', got '" + line + "'");
            }
            long start = parseNumber(fields[0], lineNumber);
            long count = parseNumber(fields[1], lineNumber);
            for (long i = 0; i < count; i++) {
                keys.accept(start + i);
            }
        }
    };

    /** Hands every key the trace accesses, in order, to {@code keys}. */
    public void forEachKey(BufferedReader reader, LongConsumer keys) throws IOException {
        long lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            String trimmed = line.trim();
            if (!trimmed.isEmpty()) {
                parseLine(trimmed, lineNumber, keys);
            }
        }
    }

    abstract void parseLine(String line, long lineNumber, LongConsumer keys);

    private static long parseNumber(String text, long lineNumber) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new TraceException("line " + lineNumber + ": '" + text + "' is not an integer key");
        }
    }

    /** A trace line that does not fit its format. */
    public static final class TraceException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TraceException(String message) {
            super(message);
        }
    }
}
