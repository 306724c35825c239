package dev.yardstick.chat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import javax.sql.DataSource;

/**
 * Addresses people and channels on whichever platform knows them, and queues the message in the
 * {@link Outbox}. Features say whom to tell; they never see platform ids.
 */
@ApplicationScoped
public class Messenger {

    @Inject
    Outbox outbox;
    @Inject
    DataSource dataSource;

    /**
     * Sends a direct message to a member. Returns {@code false} when no platform knows the member
     * (for example no Slack user id is linked yet).
     */
    public boolean directMessage(long memberId, String dedupeKey, ChatMessage message) {
        String[] slack = QuarkusTransaction.joiningExisting().call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "select slack_user_id, slack_team_id from member where id = ?")) {
                ps.setLong(1, memberId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1) != null
                            ? new String[]{rs.getString(1), rs.getString(2)}
                            : null;
                }
            }
        });
        if (slack == null) {
            return false;
        }
        outbox.enqueue(new Outgoing(dedupeKey, "slack", Outgoing.Operation.POST, slack[1], slack[0], null, message));
        return true;
    }

    /**
     * Posts to the team's channel. Returns {@code false} when the team has no channel.
     */
    public boolean toTeamChannel(String teamKey, String dedupeKey, ChatMessage message) {
        return toTeamChannel(teamKey, dedupeKey, message, Outgoing.Operation.POST);
    }

    /** Uploads the message's images to the team's channel. Returns {@code false} when it has none. */
    public boolean uploadToTeamChannel(String teamKey, String dedupeKey, ChatMessage images) {
        return toTeamChannel(teamKey, dedupeKey, images, Outgoing.Operation.UPLOAD);
    }

    private boolean toTeamChannel(String teamKey, String dedupeKey, ChatMessage message, Outgoing.Operation op) {
        String[] place = QuarkusTransaction.joiningExisting().call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            """
                                    select t.slack_channel_id,
                                           (select m.slack_team_id from member m where m.team_key = t.key and m.slack_team_id is not null
                                            limit 1)
                                    from team t where t.key = ?
                                    """)) {
                ps.setString(1, teamKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1) != null
                            ? new String[]{rs.getString(1), rs.getString(2)}
                            : null;
                }
            }
        });
        if (place == null) {
            return false;
        }
        outbox.enqueue(new Outgoing(dedupeKey, "slack", op, place[1], place[0], null, message));
        return true;
    }

    /**
     * Replaces every message sent under {@code originalKey} (same platform and place) with a new
     * version, queued under {@code newKey}.
     */
    public void replace(String originalKey, String newKey, ChatMessage message) {
        String[] original = QuarkusTransaction.joiningExisting().call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "select platform, workspace, target from outbox_message where dedupe_key = ?")) {
                ps.setString(1, originalKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new String[]{rs.getString(1), rs.getString(2), rs.getString(3)} : null;
                }
            }
        });
        if (original != null) {
            outbox.enqueue(new Outgoing(newKey, original[0], Outgoing.Operation.UPDATE, original[1], original[2],
                    originalKey, message));
        }
    }

    /** Answers privately through a platform's response URL (a Slack slash command or button). */
    public void respond(String platform, String workspace, String responseUrl, String dedupeKey,
            ChatMessage message) {
        outbox.enqueue(new Outgoing(dedupeKey, platform, Outgoing.Operation.RESPOND, workspace, responseUrl, null,
                message));
    }

    /** Publishes a person's home view (Slack App Home). */
    public void publishHome(String platform, String workspace, String userId, String dedupeKey,
            ChatMessage message) {
        outbox.enqueue(new Outgoing(dedupeKey, platform, Outgoing.Operation.HOME, workspace, userId, null, message));
    }
}
