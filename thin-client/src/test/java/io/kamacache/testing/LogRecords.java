package io.kamacache.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The messages a {@code java.util.logging} logger (and through it {@code System.Logger})
 * writes at a level or above, from {@link #watch} until {@link #close}.
 */
public final class LogRecords extends Handler implements AutoCloseable {

    private final Logger logger;
    private final Level level;
    private final List<String> messages = new CopyOnWriteArrayList<>();

    private LogRecords(Logger logger, Level level) {
        this.logger = logger;
        this.level = level;
    }

    /** Starts noting what the logger {@code name} and those below it write at {@code level} or above. */
    public static LogRecords watch(String name, Level level) {
        LogRecords records = new LogRecords(Logger.getLogger(name), level);
        records.logger.addHandler(records);
        return records;
    }

    /** The messages noted so far, as written (parameters not filled in). */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= level.intValue()) {
            messages.add(record.getMessage());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
