package dev.yardstick.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The record of each void ({@code event_void}): who, when, why, what it selected and what it took out. */
@ApplicationScoped
public class VoidRecords {

    /** Usage events were voided. */
    public static final String USAGE = "usage";
    /** Outcome events were voided. */
    public static final String OUTCOME = "outcome";

    /**
     * A void as recorded.
     *
     * @param kind     {@link #USAGE} or {@link #OUTCOME}
     * @param selector what it selected
     * @param costUsd  usage only: the cost of the events it voided
     */
    public record VoidRecord(long id, String kind, String by, Instant at, String reason, VoidSelector selector,
            int idCount, int events, BigDecimal costUsd) {
    }

    @Inject
    DataSource dataSource;

    /** Starts a void's record (its figures follow with {@link #finish}); returns its id. */
    static long start(Connection c, String kind, String by, String reason, VoidSelector s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into event_void (kind, voided_by, reason, id_count, member, from_time, to_time, tool, events)
                values (?, ?, ?, ?, ?, ?, ?, ?, 0) returning id
                """)) {
            ps.setString(1, kind);
            ps.setString(2, by);
            ps.setString(3, reason);
            if (s.ids() != null) {
                ps.setInt(4, s.ids().size());
            } else {
                ps.setNull(4, Types.INTEGER);
            }
            ps.setString(5, s.member());
            ps.setTimestamp(6, s.from() == null ? null : Timestamp.from(s.from()));
            ps.setTimestamp(7, s.to() == null ? null : Timestamp.from(s.to()));
            ps.setString(8, s.tool());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Completes a void's record with what it took out, or drops it when it voided nothing. */
    static void finish(Connection c, long id, int events, BigDecimal costUsd) throws SQLException {
        if (events == 0) {
            try (PreparedStatement ps = c.prepareStatement("delete from event_void where id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("update event_void set events = ?, cost_usd = ? where id = ?")) {
            ps.setInt(1, events);
            ps.setBigDecimal(2, costUsd);
            ps.setLong(3, id);
            ps.executeUpdate();
        }
    }

    /** The latest {@code limit} voids, newest first. */
    public List<VoidRecord> latest(int limit) {
        List<VoidRecord> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select id, kind, voided_by, voided_at, reason, id_count, member, from_time, to_time, tool, events,
                    cost_usd
                from event_void order by voided_at desc, id desc limit ?
                """)) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp from = rs.getTimestamp(8), to = rs.getTimestamp(9);
                    VoidSelector s = new VoidSelector(null, rs.getString(7), from == null ? null : from.toInstant(),
                            to == null ? null : to.toInstant(), rs.getString(10));
                    out.add(new VoidRecord(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getTimestamp(4).toInstant(), rs.getString(5), s, rs.getInt(6), rs.getInt(11),
                            rs.getBigDecimal(12)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading voids failed", e);
        }
        return out;
    }
}
