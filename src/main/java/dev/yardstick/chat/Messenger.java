package dev.yardstick.chat;

import dev.yardstick.admin.Member;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Addresses people and channels on whichever platforms know them, and queues the message in the
 * {@link Outbox}. Features say whom to tell; they never see platform ids.
 *
 * <p>Messages go to every configured platform (Slack first, then Teams); with none configured they
 * go to the local preview ({@code chat.preview}, {@code GET /preview}), so a service without chat
 * credentials still shows what it would have said.
 */
@ApplicationScoped
public class Messenger {

    /** The platform name of the local preview. */
    public static final String PREVIEW = "preview";
    private static final List<String> ORDER = List.of("slack", "teams");

    @Inject
    Outbox outbox;
    @Inject
    Instance<ChatTransport> transports;
    @Inject
    DataSource dataSource;
    @Inject
    com.fasterxml.jackson.databind.ObjectMapper mapper;

    /** The platforms messages go to now: the configured ones in order, else the preview when it is on. */
    public List<ChatTransport> platforms() {
        List<ChatTransport> active = new ArrayList<>();
        ChatTransport preview = null;
        for (ChatTransport t : transports) {
            if (PREVIEW.equals(t.platform())) {
                preview = t;
            } else if (t.active()) {
                active.add(t);
            }
        }
        active.sort(Comparator.comparingInt((ChatTransport t) -> ORDER.contains(t.platform())
                ? ORDER.indexOf(t.platform())
                : ORDER.size()).thenComparing(ChatTransport::platform));
        if (active.isEmpty() && preview != null && preview.active()) {
            return List.of(preview);
        }
        return active;
    }

    /** Whether messages go to the local preview (no chat platform configured). */
    public boolean previewing() {
        List<ChatTransport> p = platforms();
        return p.size() == 1 && PREVIEW.equals(p.get(0).platform());
    }

    /**
     * Sends a direct message to a member, on the first platform that knows them. Returns
     * {@code false} when none does (for example no Slack user id is linked yet), and for a member who left.
     */
    public boolean directMessage(long memberId, MessageKey dedupeKey, ChatMessage message) {
        return toMember(memberId, dedupeKey, message, Outgoing.Operation.POST);
    }

    /** Posts to the team's channel on every platform where it has one. Returns {@code false} when it has none. */
    public boolean toTeamChannel(String teamKey, MessageKey dedupeKey, ChatMessage message) {
        return toTeam(teamKey, dedupeKey, message, Outgoing.Operation.POST);
    }

    private boolean toMember(long memberId, MessageKey dedupeKey, ChatMessage message, Outgoing.Operation op) {
        if (!QuarkusTransaction.joiningExisting().call(() -> Member.reachable(memberId))) {
            return false; // left (or erased): no more direct messages
        }
        for (ChatTransport t : platforms()) {
            Optional<ChatTransport.Address> to = inTransaction(t, x -> x.member(memberId));
            if (to.isPresent()) {
                enqueue(t, to.get(), dedupeKey, message, op);
                return true;
            }
        }
        return false;
    }

    private boolean toTeam(String teamKey, MessageKey dedupeKey, ChatMessage message, Outgoing.Operation op) {
        boolean any = false;
        for (ChatTransport t : platforms()) {
            Optional<ChatTransport.Address> to = inTransaction(t, x -> x.teamChannel(teamKey));
            if (to.isPresent()) {
                enqueue(t, to.get(), dedupeKey, message, op);
                any = true;
            }
        }
        return any;
    }

    private void enqueue(ChatTransport t, ChatTransport.Address to, MessageKey dedupeKey, ChatMessage message,
            Outgoing.Operation op) {
        outbox.enqueue(new Outgoing(dedupeKey.value(), t.platform(), op, to.workspace(), to.target(), null, message));
    }

    private static Optional<ChatTransport.Address> inTransaction(ChatTransport t,
            Function<ChatTransport, Optional<ChatTransport.Address>> lookup) {
        return QuarkusTransaction.joiningExisting().call(() -> lookup.apply(t));
    }

    /**
     * Replaces every message sent under {@code originalKey} (on each platform, in the same place)
     * with a new version, queued under {@code newKey}.
     */
    public void replace(MessageKey originalKey, MessageKey newKey, ChatMessage message) {
        List<String[]> originals = QuarkusTransaction.joiningExisting().call(() -> {
            List<String[]> out = new ArrayList<>();
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "select platform, workspace, target from outbox_message where dedupe_key = ? order by id")) {
                ps.setString(1, originalKey.value());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
            return out;
        });
        for (String[] o : originals) {
            outbox.enqueue(
                    new Outgoing(newKey.value(), o[0], Outgoing.Operation.UPDATE, o[1], o[2], originalKey.value(),
                            message));
        }
    }

    /**
     * Rewrites the text of every message queued under {@code key} or its children, sent or not (each string of the
     * message goes through {@code text}), in the caller's transaction; for the erasure of a person a feature's
     * messages name. Returns how many messages changed.
     */
    public int rewrite(MessageKey key, UnaryOperator<String> text) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            int changed = 0;
            try (Connection c = dataSource.getConnection();
                    PreparedStatement select = c.prepareStatement("""
                            select id, body from outbox_message where dedupe_key = ? or dedupe_key like ? escape '\\'
                            order by id for update
                            """);
                    PreparedStatement update = c.prepareStatement("update outbox_message set body = ? where id = ?")) {
                select.setString(1, key.value());
                select.setString(2, key.value().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ":%");
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        String body = rs.getString(2);
                        String rewritten = OutboxPersonalData.rewriteBody(mapper, body, text);
                        if (!rewritten.equals(body)) {
                            update.setString(1, rewritten);
                            update.setLong(2, rs.getLong(1));
                            update.addBatch();
                            changed++;
                        }
                    }
                }
                update.executeBatch();
            }
            return changed;
        });
    }

    /** Answers privately through a platform's response URL (a Slack slash command or button). */
    public void respond(String platform, String workspace, String responseUrl, MessageKey dedupeKey,
            ChatMessage message) {
        outbox.enqueue(
                new Outgoing(dedupeKey.value(), platform, Outgoing.Operation.RESPOND, workspace, responseUrl, null,
                        message));
    }

    /** Publishes a person's home view (Slack App Home). */
    public void publishHome(String platform, String workspace, String userId, MessageKey dedupeKey,
            ChatMessage message) {
        outbox.enqueue(
                new Outgoing(dedupeKey.value(), platform, Outgoing.Operation.HOME, workspace, userId, null, message));
    }
}
