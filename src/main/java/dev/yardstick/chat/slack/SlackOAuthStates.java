package dev.yardstick.chat.slack;

import com.slack.api.bolt.service.OAuthStateService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/** OAuth {@code state} values in PostgreSQL (table {@code slack_oauth_state}), valid for 10 minutes, used once. */
@ApplicationScoped
public class SlackOAuthStates implements OAuthStateService {

    @Inject
    DataSource dataSource;

    @Override
    public void addNewStateToDatastore(String state) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement purge = c.prepareStatement(
                    "delete from slack_oauth_state where created_at < now() - interval '1 day'")) {
                purge.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("insert into slack_oauth_state (state) values (?)")) {
                ps.setString(1, state);
                ps.executeUpdate();
            }
        }
    }

    @Override
    public boolean isAvailableInDatabase(String state) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select 1 from slack_oauth_state where state = ? and created_at > now() - make_interval(secs => ?)")) {
            ps.setString(1, state);
            ps.setLong(2, getExpirationInSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void deleteStateFromDatastore(String state) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("delete from slack_oauth_state where state = ?")) {
            ps.setString(1, state);
            ps.executeUpdate();
        }
    }
}
