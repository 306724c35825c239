package dev.yardstick.chat.preview;

import dev.yardstick.chat.ChatTransport;
import dev.yardstick.chat.Messenger;
import dev.yardstick.chat.Outgoing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The local preview: with no chat platform configured, messages "go" here and stay in the outbox
 * for {@code GET /preview}. Every member can be reached (a DM to {@code member:<id>}); a team has a
 * channel ({@code team:<key>}) when a chat channel is configured for it, as on the real platforms.
 */
@ApplicationScoped
public class PreviewTransport implements ChatTransport {

    /** Target prefix of a member's DM. */
    static final String MEMBER = "member:";
    /** Target prefix of a team's channel. */
    static final String TEAM = "team:";

    @Inject
    PreviewConfig previewSettings;
    @Inject
    DataSource dataSource;

    @Override
    public String platform() {
        return Messenger.PREVIEW;
    }

    @Override
    public boolean active() {
        return previewSettings.enabled();
    }

    @Override
    public Optional<Address> member(long memberId) {
        return exists("select 1 from member where id = ?", memberId)
                ? Optional.of(new Address(null, MEMBER + memberId))
                : Optional.empty();
    }

    @Override
    public Optional<Address> teamChannel(String teamKey) {
        return exists(
                "select 1 from team where key = ? and (slack_channel_id is not null or teams_channel_id is not null)",
                teamKey)
                        ? Optional.of(new Address(null, TEAM + teamKey))
                        : Optional.empty();
    }

    @Override
    public Duration pace() {
        return Duration.ZERO;
    }

    @Override
    public Result deliver(Outgoing message, Attempt attempt) {
        if (message.operation() == Outgoing.Operation.UPDATE) {
            return attempt.previous();
        }
        return new Sent(message.dedupeKey(), message.target());
    }

    private boolean exists(String sql, Object key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("preview address lookup failed", e);
        }
    }
}
