package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The numbers and text an event may carry, the same for every way in (the ingest API, OTLP,
 * webhooks): counts and costs within what the ledger's columns and their daily sums hold, decimals
 * read without arbitrary-precision work, and text PostgreSQL can store.
 */
public final class Bounds {

    /** The largest token or request count of one event. */
    public static final long MAX_COUNT = 1_000_000_000_000L;
    /** Costs of one event must be below this many US dollars. */
    public static final BigDecimal MAX_COST_USD = BigDecimal.valueOf(1_000_000_000L);
    /** The ledger keeps costs to this many decimals. */
    public static final int COST_SCALE = 8;
    /** The longest decimal text read as a number. */
    public static final int MAX_NUMBER_CHARS = 64;

    private Bounds() {
    }

    /** Whether a count is within {@code 0..MAX_COUNT}. */
    public static boolean isCount(long n) {
        return n >= 0 && n <= MAX_COUNT;
    }

    /**
     * A cost rounded to {@link #COST_SCALE} decimals, or {@code null} when it is negative or not
     * below {@link #MAX_COST_USD}. Cheap whatever the exponent: {@code 1e999999999} and
     * {@code 1e-999999999} are judged by their magnitude before any rounding or plain printing.
     */
    public static BigDecimal cost(BigDecimal d) {
        if (d == null || d.signum() < 0) {
            return null;
        }
        if (d.signum() == 0) {
            return BigDecimal.ZERO.setScale(COST_SCALE);
        }
        long magnitude = (long) d.precision() - d.scale(); // digits before the decimal point
        if (magnitude > 10) {
            return null;
        }
        if (magnitude < -COST_SCALE) {
            return BigDecimal.ZERO.setScale(COST_SCALE);
        }
        BigDecimal rounded = d.setScale(COST_SCALE, RoundingMode.HALF_UP);
        return rounded.compareTo(MAX_COST_USD) < 0 ? rounded : null;
    }

    /** A decimal from text, or {@code null} when it is not one or is longer than {@link #MAX_NUMBER_CHARS}. */
    public static BigDecimal decimal(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        if (t.isEmpty() || t.length() > MAX_NUMBER_CHARS) {
            return null;
        }
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A finite double as a cost ({@link #cost(BigDecimal)}), or {@code null}. */
    public static BigDecimal cost(double d) {
        return Double.isFinite(d) ? cost(BigDecimal.valueOf(d)) : null;
    }

    /** Whether PostgreSQL can store the text: it has no NUL character (U+0000). */
    public static boolean isStorable(String s) {
        return s == null || s.indexOf('\u0000') < 0;
    }
}
