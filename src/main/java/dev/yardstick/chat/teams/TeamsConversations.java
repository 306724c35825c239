package dev.yardstick.chat.teams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Conversation references of the bot ({@code teams_conversation}): where it can post, kept from
 * {@code conversationUpdate}, {@code installationUpdate} and every message it receives.
 */
@ApplicationScoped
public class TeamsConversations {

    /**
     * A conversation the bot can post to.
     *
     * @param type      {@code personal}, {@code channel} or {@code groupChat}
     * @param aadObjectId the user's Entra object id in a personal chat (else the sender's), or null
     * @param userId    the user's Teams id ({@code 29:...}) in a personal chat, or null
     * @param teamId    the team's id, in a channel
     * @param channelId the channel's id, in a channel
     */
    public record Ref(String conversationId, String serviceUrl, String tenantId, String type, String aadObjectId,
            String userId, String teamId, String channelId) {
    }

    @Inject
    DataSource dataSource;

    /** Stores or refreshes a reference. */
    public void save(Ref r) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into teams_conversation (conversation_id, service_url, tenant_id, conversation_type,
                    aad_object_id, user_id, team_id, channel_id)
                values (?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (conversation_id) do update set service_url = excluded.service_url,
                    tenant_id = coalesce(excluded.tenant_id, teams_conversation.tenant_id),
                    aad_object_id = case when teams_conversation.conversation_type = 'personal'
                        then coalesce(teams_conversation.aad_object_id, excluded.aad_object_id)
                        else excluded.aad_object_id end,
                    user_id = case when teams_conversation.conversation_type = 'personal'
                        then coalesce(teams_conversation.user_id, excluded.user_id) else excluded.user_id end,
                    team_id = coalesce(excluded.team_id, teams_conversation.team_id),
                    channel_id = coalesce(excluded.channel_id, teams_conversation.channel_id),
                    updated_at = now()
                """)) {
            ps.setString(1, r.conversationId());
            ps.setString(2, r.serviceUrl());
            ps.setString(3, r.tenantId());
            ps.setString(4, r.type());
            ps.setString(5, r.aadObjectId());
            ps.setString(6, r.userId());
            ps.setString(7, r.teamId());
            ps.setString(8, r.channelId());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the Teams conversation reference", e);
        }
    }

    /** A conversation by its id (a channel's id also finds its threads' references). */
    public Optional<Ref> byId(String conversationId) {
        return one("""
                select * from teams_conversation where conversation_id = ? or channel_id = ?
                order by (conversation_id = channel_id) desc, updated_at desc limit 1
                """, conversationId, conversationId);
    }

    /** A user's 1:1 chat with the bot, by their Entra object id. */
    public Optional<Ref> personal(String aadObjectId) {
        return one("""
                select * from teams_conversation where conversation_type = 'personal' and aad_object_id = ?
                order by updated_at desc limit 1
                """, aadObjectId);
    }

    /** The most recent reference of a tenant (any tenant when null): its service URL reaches the tenant. */
    public Optional<Ref> anyIn(String tenantId) {
        return tenantId == null
                ? one("select * from teams_conversation order by updated_at desc limit 1")
                : one("select * from teams_conversation where tenant_id = ? order by updated_at desc limit 1",
                        tenantId);
    }

    /**
     * The Teams user ids of these members, for a card's refresh: the {@code 29:...} id of their 1:1 chat with the bot
     * when known, else {@code 8:orgid:<Entra object id>}; members without a Teams id are left out.
     */
    public List<String> userIds(List<Long> memberIds) {
        if (memberIds.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select coalesce((select t.user_id from teams_conversation t where t.conversation_type = 'personal'
                        and t.aad_object_id = m.teams_user_id and t.user_id is not null
                        order by t.updated_at desc limit 1), '8:orgid:' || m.teams_user_id)
                from member m where m.id = any(?) and m.teams_user_id is not null order by m.id
                """)) {
            ps.setArray(1, c.createArrayOf("bigint", memberIds.toArray()));
            List<String> out = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("Teams user id lookup failed", e);
        }
    }

    private Optional<Ref> one(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Ref(rs.getString("conversation_id"), rs.getString("service_url"),
                        rs.getString("tenant_id"), rs.getString("conversation_type"), rs.getString("aad_object_id"),
                        rs.getString("user_id"), rs.getString("team_id"), rs.getString("channel_id")));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Teams conversation lookup failed", e);
        }
    }
}
