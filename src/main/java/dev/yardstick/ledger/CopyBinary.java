package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.UUID;

/**
 * Rows in PostgreSQL's binary COPY format ({@code COPY ... FROM STDIN WITH (FORMAT binary)}: a header, per row a
 * field count and per field its length and bytes in the types' send formats, a trailer). PostgreSQL reads them
 * without parsing text: in psql, 200,000 raw usage rows went in in 378–412 ms in binary against 565–580 ms as text
 * (600 ms as CSV). Only the types the ledger COPYs are written: {@code uuid}, {@code "char"}, {@code timestamptz},
 * {@code date}, {@code int4}, {@code int8}, {@code bool}, {@code numeric}, text
 * and a raw usage row's figures ({@code bytea}).
 */
final class CopyBinary {

    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0,
            0, 0, 0, 0};
    /** 2000-01-01, PostgreSQL's epoch, in the Unix epoch's seconds and days. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    private static final long PG_EPOCH_DAYS = 10_957L;

    private byte[] buf;
    private int len;
    private int rows;

    CopyBinary(int capacity) {
        buf = new byte[Math.max(64, capacity)];
        System.arraycopy(HEADER, 0, buf, 0, HEADER.length);
        len = HEADER.length;
    }

    /** Rows written so far. */
    int rows() {
        return rows;
    }

    /** Starts a row of {@code fields} fields. */
    CopyBinary row(int fields) {
        rows++;
        return int16(fields);
    }

    CopyBinary uuid(UUID u) {
        int32(16);
        int64(u.getMostSignificantBits());
        return int64(u.getLeastSignificantBits());
    }

    /** A {@code "char"}: one byte. */
    CopyBinary oneByte(char ch) {
        int32(1);
        ensure(1);
        buf[len++] = (byte) ch;
        return this;
    }

    /** A {@code timestamptz}: microseconds since 2000-01-01 UTC, rounded as PostgreSQL rounds a text time's fraction. */
    CopyBinary timestamptz(Instant t) {
        long micros = Math.multiplyExact(t.getEpochSecond() - PG_EPOCH_SECONDS, 1_000_000L);
        int nanos = t.getNano();
        long us = nanos / 1000;
        int rest = nanos % 1000;
        if (rest > 500 || rest == 500 && (us & 1) == 1) {
            us++;
        }
        int32(8);
        return int64(micros + us);
    }

    CopyBinary date(LocalDate d) {
        int32(4);
        return int32((int) (d.toEpochDay() - PG_EPOCH_DAYS));
    }

    CopyBinary int4(int v) {
        int32(4);
        return int32(v);
    }

    CopyBinary int8(long v) {
        int32(8);
        return int64(v);
    }

    CopyBinary bool(boolean v) {
        int32(1);
        ensure(1);
        buf[len++] = (byte) (v ? 1 : 0);
        return this;
    }

    /** Text (UTF-8), or null. */
    CopyBinary text(String s) {
        if (s == null) {
            return nul();
        }
        int n = s.length();
        int start = len;
        int32(n); // one byte a character while it is ASCII
        ensure(n);
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch >= 0x80) { // not ASCII: encoded as a whole
                len = start;
                return utf8(s);
            }
            buf[len++] = (byte) ch;
        }
        return this;
    }

    private CopyBinary utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int32(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    /**
     * A raw usage row's figures ({@link UsageFigures}), as a {@code bytea}: requests, the cost in units of
     * 10<sup>-8</sup> USD and the four token counts, each at least 0.
     */
    CopyBinary figures(long requests, long costUnits, long in, long out, long cacheRead, long cacheWrite) {
        int n = UsageFigures.size(requests) + UsageFigures.size(costUnits) + UsageFigures.size(in)
                + UsageFigures.size(out) + UsageFigures.size(cacheRead) + UsageFigures.size(cacheWrite);
        int32(n);
        ensure(n);
        int at = UsageFigures.write(buf, len, requests);
        at = UsageFigures.write(buf, at, costUnits);
        at = UsageFigures.write(buf, at, in);
        at = UsageFigures.write(buf, at, out);
        at = UsageFigures.write(buf, at, cacheRead);
        len = UsageFigures.write(buf, at, cacheWrite);
        return this;
    }

    CopyBinary nul() {
        return int32(-1);
    }

    private static final long[] POWERS = {1, 10, 100, 1000};

    /** A {@code numeric} with the decimal's scale as its display scale. */
    CopyBinary numeric(BigDecimal d) {
        int scale = d.scale();
        if (scale < 1 || scale > 16 || d.precision() > 15) {
            return numericOfText(d);
        }
        // the unscaled value with the fraction padded to whole base-10000 groups: fits a long at these sizes
        long v = Math.abs(d.scaleByPowerOfTen(scale).longValue()) * POWERS[(4 - scale % 4) % 4];
        int fractionGroups = (scale + 3) / 4;
        long[] groups = new long[fractionGroups + 5];
        int n = 0;
        while (n < fractionGroups || v > 0) {
            groups[n++] = v % 10_000;
            v /= 10_000;
        }
        int32(8 + 2 * n);
        int16(n);
        int16(n - fractionGroups - 1);
        int16(d.signum() < 0 ? 0x4000 : 0);
        int16(scale);
        for (int i = n - 1; i >= 0; i--) {
            int16((int) groups[i]);
        }
        return this;
    }

    /** {@link #numeric(BigDecimal)} by way of the decimal's digits as text: any scale and size. */
    CopyBinary numericOfText(BigDecimal d) {
        String plain = d.abs().toPlainString();
        int dot = plain.indexOf('.');
        String whole = dot < 0 ? plain : plain.substring(0, dot);
        String fraction = dot < 0 ? "" : plain.substring(dot + 1);
        if (whole.equals("0")) {
            whole = "";
        }
        int wholeGroups = (whole.length() + 3) / 4;
        int fractionGroups = (fraction.length() + 3) / 4;
        int n = wholeGroups + fractionGroups;
        int32(8 + 2 * n);
        int16(n);
        int16(wholeGroups - 1);
        int16(d.signum() < 0 ? 0x4000 : 0);
        int16(fraction.length());
        int pad = wholeGroups * 4 - whole.length();
        for (int g = 0; g < wholeGroups; g++) {
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int i = g * 4 + k - pad;
                v = v * 10 + (i < 0 ? 0 : whole.charAt(i) - '0');
            }
            int16(v);
        }
        for (int g = 0; g < fractionGroups; g++) {
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int i = g * 4 + k;
                v = v * 10 + (i < fraction.length() ? fraction.charAt(i) - '0' : 0);
            }
            int16(v);
        }
        return this;
    }

    /** The bytes written so far (tests). */
    byte[] bytes() {
        return Arrays.copyOf(buf, len);
    }

    /** COPYs the rows written ({@code sql} is a {@code copy ... from stdin with (format binary)}); returns the rows. */
    long copy(Connection c, String sql) throws SQLException {
        int16(-1);
        try {
            var in = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(sql);
            try {
                in.writeToCopy(buf, 0, len);
                return in.endCopy();
            } finally {
                if (in.isActive()) {
                    in.cancelCopy();
                }
            }
        } finally {
            len -= 2;
        }
    }

    private CopyBinary int16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    private CopyBinary int32(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    private CopyBinary int64(long v) {
        int32((int) (v >>> 32));
        return int32((int) v);
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
