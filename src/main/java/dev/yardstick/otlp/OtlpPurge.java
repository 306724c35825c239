package dev.yardstick.otlp;

import dev.yardstick.ledger.StatePurge;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;

/** The OTLP receiver's metric series and session state not seen within the raw-event retention. */
@ApplicationScoped
public class OtlpPurge implements StatePurge {

    @Inject
    DataSource dataSource;

    @Override
    public void purge(Instant rawCutoff) {
        for (String table : new String[]{"otlp_series", "otlp_session"}) {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement("delete from " + table + " where seen_at < ?")) {
                ps.setTimestamp(1, Timestamp.from(rawCutoff));
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("OTLP state purge failed", e);
            }
        }
    }
}
