package dev.yardstick.ledger;

import java.time.LocalDate;
import java.util.UUID;

/**
 * An id's row in {@code usage_event_id} (V31): one uuid holding the month the id was first received (bytes 0-1,
 * months from January 2000: the partition key), the UTC day of the event's time (bytes 2-3, days from 1970-01-01)
 * and the first 96 bits of the id's MD5 (bytes 4-15: each month's unique key, {@value #KEY_SQL}).
 */
final class IdRow {

    /** The unique key of a row in SQL, as each month's index has it. */
    static final String KEY_SQL = "substring(uuid_send(id) from 5)";

    private IdRow() {
    }

    /** The 96 bits of an id's MD5 that count: equal keys are one id. */
    record Key(long high, int low) implements Comparable<Key> {

        static Key of(UUID hash) {
            return new Key(hash.getMostSignificantBits(), (int) (hash.getLeastSignificantBits() >>> 32));
        }

        static Key of(byte[] twelve) {
            long high = 0;
            int low = 0;
            for (int i = 0; i < 8; i++) {
                high = (high << 8) | (twelve[i] & 0xff);
            }
            for (int i = 8; i < 12; i++) {
                low = (low << 8) | (twelve[i] & 0xff);
            }
            return new Key(high, low);
        }

        byte[] bytes() {
            byte[] b = new byte[12];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (high >>> (56 - 8 * i));
            }
            for (int i = 0; i < 4; i++) {
                b[8 + i] = (byte) (low >>> (24 - 8 * i));
            }
            return b;
        }

        @Override
        public int compareTo(Key o) {
            int c = Long.compareUnsigned(high, o.high);
            return c != 0 ? c : Integer.compareUnsigned(low, o.low);
        }
    }

    /** The row of an id whose MD5 is {@code hash}, first received on {@code receivedOn}, of an event on {@code day}. */
    static UUID of(UUID hash, LocalDate receivedOn, LocalDate day) {
        long month = monthNumber(receivedOn) & 0xffff;
        long days = day.toEpochDay() & 0xffff;
        long h = hash.getMostSignificantBits();
        long l = hash.getLeastSignificantBits();
        return new UUID((month << 48) | (days << 32) | (h >>> 32), (h << 32) | (l >>> 32));
    }

    /** The lowest row of a month: the month partition's lower bound. */
    static UUID monthStart(LocalDate month) {
        return new UUID((monthNumber(month) & 0xffff) << 48, 0L);
    }

    /** The UTC day of the event a row names. */
    static LocalDate day(UUID row) {
        return LocalDate.ofEpochDay((row.getMostSignificantBits() >>> 32) & 0xffff);
    }

    private static long monthNumber(LocalDate d) {
        return (d.getYear() - 2000) * 12L + d.getMonthValue() - 1;
    }
}
