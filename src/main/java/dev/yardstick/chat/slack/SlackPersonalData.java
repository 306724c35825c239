package dev.yardstick.chat.slack;

import dev.yardstick.admin.PersonalData;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Slack's part of an erasure: the cached Slack user id to email lookups of the person are deleted, and an installation
 * the person made forgets who installed it.
 */
@ApplicationScoped
public class SlackPersonalData implements PersonalData {

    @Inject
    DataSource dataSource;

    @Override
    public Map<String, Integer> erase(Subject s) {
        Map<String, Integer> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement cache = c.prepareStatement(
                        "delete from slack_user_cache where lower(email) = ? or slack_user_id = ?");
                PreparedStatement installer = c.prepareStatement(
                        "update slack_installation set installer_user_id = null where installer_user_id = ?")) {
            cache.setString(1, s.storedEmail());
            cache.setString(2, s.slackUserId());
            out.put("slack_user_cache", cache.executeUpdate());
            installer.setString(1, s.slackUserId());
            out.put("slack_installation.installer_user_id", s.slackUserId() == null ? 0 : installer.executeUpdate());
        } catch (SQLException e) {
            throw new IllegalStateException("Slack erasure failed", e);
        }
        return out;
    }
}
