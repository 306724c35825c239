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
 * The watch's part of an erasure: the person's alerts move to the anonymous member, their live session figures and
 * learned baselines ({@code runaway_intended}) are deleted, and the alert messages that named them (the managers' escalations) name the anonymous id instead.
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
            // live figures for runaway detection (kept two days, no totals read them): gone, so that no alert is
            // ever raised about the anonymous member
            // and what their answers "It's intended" taught the watcher about them
            for (String table : new String[]{"usage_session_minute", "watch_session", "runaway_intended"}) {
                try (PreparedStatement ps = c.prepareStatement("delete from " + table + " where member_id = ?")) {
                    ps.setLong(1, s.memberId());
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
