package dev.yardstick.budget;

import dev.yardstick.admin.PersonalData;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
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
 * The budget feature's part of an erasure: requests the person made move to the anonymous member, requests they
 * decided name the anonymous id as decider, reasons that named them name the anonymous id, and so do the request
 * messages to managers and requesters (which show names and reasons). Amounts, decisions and approved increases
 * stay.
 */
@ApplicationScoped
public class BudgetPersonalData implements PersonalData {

    @Inject
    DataSource dataSource;
    @Inject
    Messenger messenger;

    @Override
    public Map<String, Integer> erase(Subject s) {
        record Row(long id, long requester, String reason, String decidedBy) {
        }
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    select id, requester_id, reason, decided_by from budget_request
                    where requester_id = ? or lower(decided_by) = ? or reason ilike any(?)
                    order by id for update
                    """)) {
                ps.setLong(1, s.memberId());
                ps.setString(2, s.storedEmail());
                ps.setArray(3, c.createArrayOf("text", s.likePatterns()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "update budget_request set requester_id = ?, reason = ?, decided_by = ? where id = ?")) {
                for (Row r : rows) {
                    ps.setLong(1, r.requester() == s.memberId() ? s.anonymousMemberId() : r.requester());
                    ps.setString(2, s.anonymise(r.reason(), 1000));
                    ps.setString(3, r.decidedBy() != null && r.decidedBy().equalsIgnoreCase(s.storedEmail())
                            ? s.anonymousId()
                            : r.decidedBy());
                    ps.setLong(4, r.id());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("budget erasure failed", e);
        }
        int messages = 0;
        for (Row r : rows) {
            messages += messenger.rewrite(MessageKey.of("budget-request", r.id()), s::anonymise);
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put("budget_request", rows.size());
        out.put("outbox_message.body", messages);
        return out;
    }
}
