package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A raw usage row's figures (V32's {@code usage_event.figures}): requests, the cost in units of 10<sup>-8</sup> USD,
 * input, output, cache-read and cache-write tokens, as six unsigned LEB128 varints (7 bits a byte, the high bit set
 * on every byte but a number's last). About 14 bytes on the bench's events where V30's integer and five numerics took
 * about 32; the SQL functions {@code usage_figures}, {@code usage_figures_read} and {@code usage_cost_usd} write and
 * read the same bytes.
 */
final class UsageFigures {

    /** How many numbers a row's figures hold. */
    static final int COUNT = 6;

    private UsageFigures() {
    }

    /** A cost (at least 0, below {@link Bounds#MAX_COST_USD}) in units of 10<sup>-8</sup> USD. */
    static long units(BigDecimal costUsd) {
        BigDecimal d = costUsd.scale() == Bounds.COST_SCALE
                ? costUsd
                : costUsd.setScale(Bounds.COST_SCALE, RoundingMode.HALF_UP);
        return d.movePointRight(Bounds.COST_SCALE).longValueExact(); // no BigInteger on the way
    }

    /** The cost of {@link #units} units. */
    static BigDecimal usd(long units) {
        return BigDecimal.valueOf(units, Bounds.COST_SCALE);
    }

    /** The bytes {@code v} (at least 0) takes. */
    static int size(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("a usage figure is negative: " + v);
        }
        return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
    }

    /** Writes {@code v} (at least 0) at {@code at}; returns the position after it. */
    static int write(byte[] buf, int at, long v) {
        while (v >= 0x80) {
            buf[at++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        buf[at++] = (byte) v;
        return at;
    }

    /** The six numbers of a row's figures, in the order they are written. */
    static long[] read(byte[] figures) {
        long[] out = new long[COUNT];
        int k = 0;
        int shift = 0;
        long v = 0;
        for (byte b : figures) {
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                if (k == COUNT) {
                    throw new IllegalArgumentException("more than " + COUNT + " usage figures");
                }
                out[k++] = v;
                v = 0;
                shift = 0;
            } else {
                shift += 7;
            }
        }
        if (k != COUNT || shift != 0) {
            throw new IllegalArgumentException("usage figures end early: " + k + " of " + COUNT);
        }
        return out;
    }
}
