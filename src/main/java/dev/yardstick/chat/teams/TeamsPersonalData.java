package dev.yardstick.chat.teams;

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
 * Teams' part of an erasure: the person's 1:1 conversations with the bot are forgotten, and references to channels
 * or group chats they last wrote in lose their user ids.
 */
@ApplicationScoped
public class TeamsPersonalData implements PersonalData {

    @Inject
    DataSource dataSource;

    @Override
    public Map<String, Integer> erase(Subject s) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (s.teamsUserId() == null) {
            out.put("teams_conversation", 0);
            return out;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement personal = c.prepareStatement("""
                        delete from teams_conversation where conversation_type = 'personal' and lower(aad_object_id) = ?
                        """);
                PreparedStatement others = c.prepareStatement("""
                        update teams_conversation set aad_object_id = null, user_id = null
                        where conversation_type <> 'personal' and lower(aad_object_id) = ?
                        """)) {
            personal.setString(1, s.teamsUserId().toLowerCase(java.util.Locale.ROOT));
            others.setString(1, s.teamsUserId().toLowerCase(java.util.Locale.ROOT));
            out.put("teams_conversation", personal.executeUpdate() + others.executeUpdate());
        } catch (SQLException e) {
            throw new IllegalStateException("Teams erasure failed", e);
        }
        return out;
    }
}
