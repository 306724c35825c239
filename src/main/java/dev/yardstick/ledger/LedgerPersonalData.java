package dev.yardstick.ledger;

import dev.yardstick.admin.PersonalData;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The ledger's part of an erasure: raw events and the per-member rollups move to the anonymous member, so that team
 * totals and active-member counts of every day stay exactly as they were; the titles and links of the person's
 * outcome events lose their identifiers. Team rollups ({@code usage_team_daily}) name nobody and are not touched.
 */
@ApplicationScoped
public class LedgerPersonalData implements PersonalData {

    @Inject
    DataSource dataSource;
    @Inject
    RollupFold fold;

    @Override
    public Map<String, Integer> erase(Subject s) {
        Map<String, Integer> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            // the person's pending usage is folded first, and no fold runs until this commits: one between moving
            // the kinds and rekeying the rollups would write the person's member id back
            fold.foldWithin(c);
            out.put("usage_event", rawEvents(c, s));
            for (String table : new String[]{"usage_daily", "team_member_day", "outcome_daily", "ai_activity_daily"}) {
                out.put(table, rekey(c, table, s));
            }
            out.put("outcome_event", outcomeEvents(c, s));
            // a void by person names them in its selector: the anonymous id takes their place
            try (PreparedStatement ps = c.prepareStatement("update event_void set member = ? where member = ?")) {
                ps.setString(1, s.anonymousId());
                ps.setString(2, s.email());
                out.put("event_void", ps.executeUpdate());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("ledger erasure failed", e);
        }
        return out;
    }

    private static int rekey(Connection c, String table, Subject s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update " + table + " set member_id = ? where member_id = ?")) {
            ps.setLong(1, s.anonymousMemberId());
            ps.setLong(2, s.memberId());
            return ps.executeUpdate();
        }
    }

    /**
     * Raw events name their member through their kind ({@code usage_kind}): the person's kinds move to the anonymous
     * member (a new member per erasure, so no kind of theirs can collide), and with them every raw event of theirs,
     * voided ones too ({@code usage_event_voided}). Returns how many raw events moved (a scan of the raw events kept: they have no index by kind).
     */
    private static int rawEvents(Connection c, Subject s) throws SQLException {
        int events;
        try (PreparedStatement ps = c.prepareStatement("select (select count(*) from usage_event e join usage_kind k"
                + " on k.id = e.kind where k.member_id = ?) + (select count(*) from usage_event_voided e join usage_kind k"
                + " on k.id = e.kind where k.member_id = ?)")) {
            ps.setLong(1, s.memberId());
            ps.setLong(2, s.memberId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                events = rs.getInt(1);
            }
        }
        rekey(c, "usage_kind", s);
        return events;
    }

    private static int outcomeEvents(Connection c, Subject s) throws SQLException {
        record Row(String id, String title, String url) {
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "update outcome_event set member_id = ? where member_id = ? returning id, title, url")) {
            ps.setLong(1, s.anonymousMemberId());
            ps.setLong(2, s.memberId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("update outcome_event set title = ?, url = ? where id = ?")) {
            for (Row r : rows) {
                String title = s.anonymise(r.title(), 500);
                String url = s.anonymise(r.url(), 2048);
                if (!java.util.Objects.equals(title, r.title()) || !java.util.Objects.equals(url, r.url())) {
                    ps.setString(1, title);
                    ps.setString(2, url);
                    ps.setString(3, r.id());
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
        return rows.size();
    }
}
