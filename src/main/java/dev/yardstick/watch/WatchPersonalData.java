package dev.yardstick.watch;

import dev.yardstick.admin.PersonalData;
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
 * The watch's part of an erasure: the person's alerts and live session figures move to the anonymous member, and the
 * alert messages that named them (the managers' escalations) name the anonymous id instead.
 */
@ApplicationScoped
public class WatchPersonalData implements PersonalData {

    @Inject
    DataSource dataSource;
    @Inject
    Messenger messenger;

    @Override
    public Map<String, Integer> erase(Subject s) {
        Map<String, Integer> out = new LinkedHashMap<>();
        List<Long> alerts = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "update alert set member_id = ? where member_id = ? returning id")) {
                ps.setLong(1, s.anonymousMemberId());
                ps.setLong(2, s.memberId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        alerts.add(rs.getLong(1));
                    }
                }
            }
            out.put("alert", alerts.size());
            for (String table : new String[]{"usage_session_minute", "watch_session"}) {
                try (PreparedStatement ps = c.prepareStatement(
                        "update " + table + " set member_id = ? where member_id = ?")) {
                    ps.setLong(1, s.anonymousMemberId());
                    ps.setLong(2, s.memberId());
                    out.put(table, ps.executeUpdate());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("watch erasure failed", e);
        }
        int messages = 0;
        for (long id : alerts) {
            messages += messenger.rewrite(RunawayAlerts.key(id), s::anonymise);
        }
        out.put("outbox_message.body", messages);
        return out;
    }
}
