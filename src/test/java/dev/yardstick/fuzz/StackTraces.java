package dev.yardstick.fuzz;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects, while open, every log record at WARN or above that carries a throwable (a stack trace
 * in the log), through a handler on the root java.util.logging logger, which Quarkus' log manager
 * feeds. For fuzz runs: a client error must never log one.
 */
public final class StackTraces implements AutoCloseable {

    private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
    private final Handler handler = new Handler() {

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue() && r.getThrown() != null) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** Starts collecting. */
    public StackTraces() {
        Logger.getLogger("").addHandler(handler);
    }

    /** The records collected so far, as {@code logger: message (throwable)}. */
    public List<String> logged() {
        synchronized (records) {
            return records.stream().map(r -> r.getLoggerName() + ": " + r.getMessage() + " (" + r.getThrown() + ")")
                    .toList();
        }
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(handler);
    }
}
