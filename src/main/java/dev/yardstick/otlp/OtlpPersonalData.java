package dev.yardstick.otlp;

import dev.yardstick.admin.PersonalData;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The OTLP receiver's part of an erasure: the person's AI activity counts move to the anonymous member. Its metric
 * series and session state hold no identifier of a person (series are keyed by a one-way hash of their attributes,
 * sessions by the tool's session id) and are purged with the raw events.
 */
@ApplicationScoped
public class OtlpPersonalData implements PersonalData {

    @Inject
    DataSource dataSource;

    @Override
    public Map<String, Integer> erase(Subject s) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "update ai_activity_daily set member_id = ? where member_id = ?")) {
            ps.setLong(1, s.anonymousMemberId());
            ps.setLong(2, s.memberId());
            return Map.of("ai_activity_daily", ps.executeUpdate());
        } catch (SQLException e) {
            throw new IllegalStateException("OTLP erasure failed", e);
        }
    }
}
