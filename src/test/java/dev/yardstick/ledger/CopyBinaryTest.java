package dev.yardstick.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * What the binary COPY writes is what PostgreSQL would have read from the same values as text: every value is
 * COPYed in binary and compared, in PostgreSQL, with the text the ledger used to send.
 */
@QuarkusTest
class CopyBinaryTest {

    @Inject
    DataSource ds;

    @Test
    void decimalsAreWrittenAsTheirDigitsAsTextWouldBe() {
        var r = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            BigDecimal d = BigDecimal.valueOf(r.nextLong() % (long) Math.pow(10, 1 + r.nextInt(17)), r.nextInt(20) - 2);
            CopyBinary fast = new CopyBinary(16).numeric(d);
            CopyBinary text = new CopyBinary(16).numericOfText(d);
            assertEquals(java.util.HexFormat.of().formatHex(text.bytes()),
                    java.util.HexFormat.of().formatHex(fast.bytes()),
                    d.toString());
        }
    }

    @Test
    void numbersTimesDaysAndTextReadAsTheirTextWould() throws Exception {
        List<Long> counts = List.of(0L, 1L, 7L, 9_999L, 10_000L, 10_001L, 2_500L, 35_000L, 100_000_000L,
                999_999_999_999L, 1_000_000_000_000L, -5L, -10_000L, Long.MAX_VALUE, Long.MIN_VALUE);
        List<BigDecimal> costs = List.of(new BigDecimal("0E-8"), new BigDecimal("0.00000001"),
                new BigDecimal("0.01234567"), new BigDecimal("1234.50000000"), new BigDecimal("10000.00010000"),
                new BigDecimal("999999999.99999999"), new BigDecimal("999999999999.00000000"), new BigDecimal("5"),
                new BigDecimal("1E+3"), new BigDecimal("-0.50000000"), new BigDecimal("123456789012.3456"));
        List<Instant> times = List.of(Instant.parse("2026-12-07T11:58:13.123456Z"),
                Instant.parse("2026-12-07T11:58:13.1234565Z"), Instant.parse("2026-12-07T11:58:13.1234575Z"),
                Instant.parse("2026-12-07T11:58:13.123456501Z"), Instant.parse("2026-12-07T11:58:13.999999999Z"),
                Instant.parse("1999-12-31T23:59:59.999999Z"), Instant.parse("1970-01-01T00:00:00Z"),
                Instant.parse("2000-01-01T00:00:00Z"));
        List<String> texts = java.util.Arrays.asList("sess-1-2", "tab\there", "line\nbreak", "back\\slash", "naïve ✓",
                "", null);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("""
                        create temp table copied (n int, count numeric(20, 0), cost numeric(30, 8), time timestamptz,
                            day date, text varchar(200), flag bool, code "char", id uuid, small int4, big int8)
                        on commit drop
                        """);
            }
            int rows = Math.max(Math.max(counts.size(), costs.size()), Math.max(times.size(), texts.size()));
            CopyBinary copy = new CopyBinary(16);
            for (int i = 0; i < rows; i++) {
                copy.row(11).int4(i).numeric(BigDecimal.valueOf(counts.get(i % counts.size())))
                        .numeric(costs.get(i % costs.size()))
                        .timestamptz(times.get(i % times.size()))
                        .date(LocalDate.of(1999, 12, 31).plusDays(i * 40L)).text(texts.get(i % texts.size()))
                        .bool(i % 2 == 0).oneByte("mlpde".charAt(i % 5)).uuid(new UUID(i * 31L, -i))
                        .int4(-i * 1000).int8(i * -1_000_000_000_000L);
            }
            assertEquals(rows, copy.copy(c, "copy copied from stdin with (format binary)"));
            try (PreparedStatement ps = c.prepareStatement("""
                    select count::text, cost::text, time = ?::timestamptz, day::text, text, flag, code::text,
                        id::text, small, big
                    from copied where n = ?
                    """)) {
                for (int i = 0; i < rows; i++) {
                    ps.setString(1, times.get(i % times.size()).toString());
                    ps.setInt(2, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(Long.toString(counts.get(i % counts.size())), rs.getString(1), "count " + i);
                        assertEquals(costs.get(i % costs.size()).setScale(8).toPlainString(), rs.getString(2),
                                "cost " + i);
                        assertEquals(true, rs.getBoolean(3), "time " + times.get(i % times.size()));
                        assertEquals(LocalDate.of(1999, 12, 31).plusDays(i * 40L).toString(), rs.getString(4));
                        String text = texts.get(i % texts.size());
                        if (text == null) {
                            assertNull(rs.getString(5));
                        } else {
                            assertEquals(text, rs.getString(5));
                        }
                        assertEquals(i % 2 == 0, rs.getBoolean(6));
                        assertEquals(String.valueOf("mlpde".charAt(i % 5)), rs.getString(7));
                        assertEquals(new UUID(i * 31L, -i).toString(), rs.getString(8));
                        assertEquals(-i * 1000, rs.getInt(9));
                        assertEquals(i * -1_000_000_000_000L, rs.getLong(10));
                    }
                }
            }
            c.rollback();
        }
    }

    @Test
    void aValueBeyondItsColumnIsRefusedAsInText() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("create temp table tight (cost numeric(20, 8)) on commit drop");
            }
            CopyBinary copy = new CopyBinary(16);
            copy.row(1).numeric(new BigDecimal("1000000000000.00000000"));
            var e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> copy.copy(c, "copy tight from stdin with (format binary)"));
            assertEquals("22003", e.getSQLState());
            c.rollback();
        }
    }

    /**
     * A raw row's figures written by the service read back in SQL as they were, are the bytes SQL's
     * {@code usage_figures} writes for the same numbers, and read back in Java as they were.
     */
    @Test
    void figuresWrittenHereAreThoseSqlWritesAndReadsAndReadBackHere() throws Exception {
        var r = new java.util.Random(11);
        long[] edges = {0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, Integer.MAX_VALUE, Bounds.MAX_COUNT,
                99_999_999_999_999_999L};
        int rows = 5_000;
        long[][] values = new long[rows][];
        for (int i = 0; i < rows; i++) {
            long[] v = new long[UsageFigures.COUNT];
            for (int k = 0; k < v.length; k++) {
                long bound = k == 0 ? Integer.MAX_VALUE : k == 1 ? 99_999_999_999_999_999L : Bounds.MAX_COUNT;
                v[k] = i < edges.length * 2
                        ? Math.min(edges[(i + k) % edges.length], bound)
                        : (long) Math.floor(Math.pow(bound, r.nextDouble()));
            }
            values[i] = v;
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("create temp table figured (n int, figures bytea) on commit drop");
            }
            CopyBinary copy = new CopyBinary(16);
            for (int i = 0; i < rows; i++) {
                long[] v = values[i];
                copy.row(2).int4(i).figures(v[0], v[1], v[2], v[3], v[4], v[5]);
            }
            assertEquals(rows, copy.copy(c, "copy figured from stdin with (format binary)"));
            try (PreparedStatement ps = c.prepareStatement("""
                    select figures = usage_figures(?, ? * 0.00000001, ?, ?, ?, ?), usage_figures_read(figures)::text,
                        usage_cost_usd(figures) = ? * 0.00000001, figures
                    from figured where n = ?
                    """)) {
                for (int i = 0; i < rows; i++) {
                    long[] v = values[i];
                    for (int k = 0; k < v.length; k++) {
                        ps.setLong(k + 1, v[k]);
                    }
                    ps.setLong(7, v[1]);
                    ps.setInt(8, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        String expected = java.util.Arrays.toString(v).replace("[", "{").replace("]", "}")
                                .replace(" ", "");
                        assertEquals(true, rs.getBoolean(1), "bytes of " + expected);
                        assertEquals(expected, rs.getString(2));
                        assertEquals(true, rs.getBoolean(3), "cost of " + expected);
                        assertEquals(expected, java.util.Arrays.toString(UsageFigures.read(rs.getBytes(4)))
                                .replace("[", "{").replace("]", "}").replace(" ", ""));
                    }
                }
            }
            c.rollback();
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CopyBinary(16).figures(1, -1, 0, 0, 0, 0));
        assertEquals(new BigDecimal("0.01234568"), UsageFigures.usd(UsageFigures.units(new BigDecimal("0.012345675"))));
    }
}
