package dev.yardstick.chat.slack;

import dev.yardstick.admin.Roster;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.users.UsersInfoResponse;
import com.slack.api.methods.response.users.UsersLookupByEmailResponse;
import dev.yardstick.admin.Member;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Who a Slack user is: the member whose {@code slackUserId} matches, else the member whose email is
 * the user's Slack profile email ({@code users.info}, cached for a day in {@code slack_user_cache}),
 * who is then linked to the Slack user.
 */
@ApplicationScoped
public class SlackIdentity {

    private static final Logger LOG = Logger.getLogger(SlackIdentity.class);
    private static final long CACHE_SECONDS = 24 * 3600;

    @Inject
    SlackRuntime slack;
    @Inject
    Roster roster;
    @Inject
    EntityManager em;

    /** The member already linked to this Slack user; no Slack call. */
    public Optional<Member> linked(String userId) {
        return QuarkusTransaction.joiningExisting()
                .call(() -> Member.find("slackUserId", userId).firstResultOptional());
    }

    /** The member for this Slack user, linking them by profile email when needed. */
    public Optional<Member> resolve(String teamId, String userId) {
        Optional<Member> linked = linked(userId);
        if (linked.isPresent()) {
            return linked;
        }
        String email = email(teamId, userId);
        if (email == null) {
            return Optional.empty();
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Optional<Member> byEmail = Member.byEmail(email);
            byEmail.ifPresent(m -> {
                if (m.slackUserId == null) {
                    m.slackUserId = userId;
                    m.slackTeamId = teamId;
                    m.updatedAt = Instant.now();
                }
            });
            return byEmail.filter(m -> userId.equals(m.slackUserId));
        });
    }

    /**
     * Makes sure each of these people can be reached in Slack: links members by email through
     * {@code users.lookupByEmail}, creating a member without a team for an email Yardstick has not seen.
     */
    public void linkByEmail(String teamId, List<String> emails) {
        for (String email : emails) {
            Optional<Member> existing = QuarkusTransaction.requiringNew().call(() -> Member.byEmail(email));
            if (existing.isPresent() && existing.get().slackUserId != null) {
                continue;
            }
            Optional<MethodsClient> client = slack.client(teamId);
            if (client.isEmpty()) {
                return;
            }
            try {
                UsersLookupByEmailResponse r = client.get().usersLookupByEmail(req -> req.email(email));
                if (!r.isOk() || r.getUser() == null) {
                    continue;
                }
                String userId = r.getUser().getId();
                QuarkusTransaction.requiringNew().run(() -> roster.linkSlackUser(email, userId, teamId));
            } catch (Exception e) {
                LOG.warnf("Could not look up a Slack user by email: %s", e.toString());
            }
        }
    }

    private String email(String teamId, String userId) {
        Object[] cached = QuarkusTransaction.requiringNew().call(() -> {
            List<?> rows = em.createNativeQuery(
                    "select email, extract(epoch from now() - fetched_at) from slack_user_cache where slack_user_id = ?1")
                    .setParameter(1, userId).getResultList();
            return rows.isEmpty() ? null : (Object[]) rows.get(0);
        });
        if (cached != null && ((Number) cached[1]).longValue() < CACHE_SECONDS) {
            return (String) cached[0];
        }
        Optional<MethodsClient> client = slack.client(teamId);
        if (client.isEmpty()) {
            return null;
        }
        String email = null;
        try {
            UsersInfoResponse r = client.get().usersInfo(req -> req.user(userId));
            if (r.isOk() && r.getUser() != null && r.getUser().getProfile() != null
                    && r.getUser().getProfile().getEmail() != null) {
                email = r.getUser().getProfile().getEmail().trim().toLowerCase(Locale.ROOT);
            }
        } catch (Exception e) {
            LOG.warnf("users.info failed: %s", e.toString());
            return cached == null ? null : (String) cached[0];
        }
        String found = email;
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into slack_user_cache (slack_user_id, email, fetched_at) values (?1, ?2, now())
                on conflict (slack_user_id) do update set email = excluded.email, fetched_at = now()
                """).setParameter(1, userId).setParameter(2, found).executeUpdate());
        return email;
    }
}
