package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.AskButtons;
import dev.yardstick.budget.Budgets;
import dev.yardstick.budget.Weeks;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Format;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.ledger.LedgerQueries;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * LiteLLM's budget alerts ({@code POST /webhooks/litellm}): the person a cap stopped, or is about to stop, gets a
 * private message with the figures and one-tap asks for more ({@link AskButtons}); an alert about a team with no
 * person tells the team's managers. Nothing goes to a channel. The same body again within 24 hours counts once.
 *
 * <p>Who is concerned: the member whose email is {@code user_email}, else the member whose email is {@code user_id}
 * (LiteLLM user ids are often emails); with neither, the team linked to {@code team_id} ({@code litellm} cap).
 */
@ApplicationScoped
public class LiteLlmAlerts {

    /** The alerts that concern a budget. */
    static final Set<String> EVENTS = Set.of("budget_crossed", "threshold_crossed", "soft_budget_crossed");

    @Inject
    EntityManager em;
    @Inject
    Messenger messenger;
    @Inject
    Budgets budgets;
    @Inject
    LedgerQueries ledger;

    /** What became of one delivery: {@code notified}, {@code duplicate} or {@code ignored}, and why. */
    public record Outcome(String status, int notified, String reason) {
    }

    /** Handles an authenticated delivery: its raw body (for the dedupe) and the parsed alert. */
    public Outcome receive(byte[] body, JsonNode alert) {
        String event = alert.path("event").asText("");
        if (!EVENTS.contains(event)) {
            return new Outcome("ignored", 0, "event '" + event + "' is not a budget alert");
        }
        String hash = sha256(body);
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("delete from litellm_alert where received_at < now() - interval '24 hours'")
                    .executeUpdate();
            @SuppressWarnings("unchecked")
            List<Object> received = em.createNativeQuery("""
                    insert into litellm_alert (body_sha256, received_at) values (?1, now())
                    on conflict (body_sha256) do nothing returning received_at
                    """).setParameter(1, hash).getResultList();
            if (received.isEmpty()) {
                return new Outcome("duplicate", 0, "the same alert arrived within 24 hours");
            }
            MessageKey key = MessageKey.of("litellm-alert", hash.substring(0, 24),
                    Limits.instant(received.get(0)).toEpochMilli());
            return tell(alert, event, key);
        });
    }

    private Outcome tell(JsonNode alert, String event, MessageKey key) {
        Optional<Member> person = member(text(alert, "user_email")).or(() -> member(text(alert, "user_id")));
        if (person.isPresent()) {
            Team team = Team.live(person.get().teamKey).orElseThrow();
            boolean sent = messenger.directMessage(person.get().id, key.and("member", person.get().id),
                    toPerson(alert, event, team));
            return sent
                    ? new Outcome("notified", 1, null)
                    : new Outcome("ignored", 0, "the person cannot be reached in chat");
        }
        String litellmTeam = text(alert, "team_id");
        @SuppressWarnings("unchecked")
        List<String> linked = litellmTeam == null
                ? List.of()
                : em.createNativeQuery(
                        "select team_key from team_limit where source = 'litellm' and target = ?1")
                        .setParameter(1, litellmTeam).getResultList();
        Optional<Team> team = linked.isEmpty() ? Optional.empty() : Team.live(linked.get(0));
        if (team.isEmpty()) {
            return new Outcome("ignored", 0, "no member matches user_email or user_id, and no team is linked to "
                    + "team_id");
        }
        ChatMessage message = toManagers(alert, event, team.get());
        int notified = 0;
        for (Member manager : team.get().managerMembers()) {
            notified += messenger.directMessage(manager.id, key.and("manager", manager.id), message) ? 1 : 0;
        }
        return notified > 0
                ? new Outcome("notified", notified, null)
                : new Outcome("ignored", 0, "no manager of the team can be reached in chat");
    }

    /** A live member in a team with this email. */
    private static Optional<Member> member(String email) {
        return email == null || !email.contains("@")
                ? Optional.empty()
                : Member.byEmail(email).filter(m -> m.leftAt == null && m.teamKey != null
                        && Team.live(m.teamKey).isPresent());
    }

    private ChatMessage toPerson(JsonNode alert, String event, Team team) {
        String budget = switch (alert.path("event_group").asText("")) {
            case "team" -> "your team's LiteLLM budget";
            case "key" -> "the LiteLLM budget of your key" + Optional.ofNullable(text(alert, "key_alias"))
                    .map(a -> " " + a).orElse("");
            default -> "your LiteLLM budget";
        };
        String what = switch (event) {
            case "budget_crossed" -> "Your AI requests are stopped: " + budget + " is used up.";
            case "threshold_crossed" -> "Your AI requests will stop soon: " + budget + " is nearly used up.";
            default -> "You passed the soft limit of " + budget + "; requests still work until the budget is used up.";
        };
        return ChatMessage.builder(what)
                .header(what)
                .facts(facts(alert, team))
                .paragraph("Ask your managers for more with one tap; when one of them approves, the cap is raised.")
                .buttons(AskButtons.buttons().toArray(ChatMessage.Button[]::new))
                .note("From LiteLLM: " + Optional.ofNullable(text(alert, "event_message")).orElse(event))
                .build();
    }

    private ChatMessage toManagers(JsonNode alert, String event, Team team) {
        String what = switch (event) {
            case "budget_crossed" -> "The LiteLLM budget of " + team.name + " is used up: its requests are stopped.";
            case "threshold_crossed" -> "The LiteLLM budget of " + team.name + " is nearly used up.";
            default -> team.name + " passed the soft limit of its LiteLLM budget.";
        };
        return ChatMessage.builder(what)
                .header(what)
                .facts(facts(alert, team))
                .paragraph("To raise the cap, raise the team's budget in Yardstick (team settings); the LiteLLM cap "
                        + "follows.")
                .note("From LiteLLM: " + Optional.ofNullable(text(alert, "event_message")).orElse(event))
                .build();
    }

    private List<ChatMessage.Fact> facts(JsonNode alert, Team team) {
        List<ChatMessage.Fact> facts = new ArrayList<>();
        BigDecimal spend = number(alert, "spend");
        BigDecimal max = number(alert, "max_budget");
        if (spend != null) {
            facts.add(new ChatMessage.Fact("At LiteLLM", Format.usd(spend) + " spent"
                    + (max == null ? "" : " of " + Format.usd(max))));
        }
        LocalDate week = Weeks.start(Instant.now(), team.zone());
        BigDecimal teamSpend = ledger.summary(team.key, week, LocalDate.now(team.zone())).costUsd();
        BigDecimal effective = budgets.effective(team.key, week);
        facts.add(new ChatMessage.Fact(team.name + " this week", effective == null
                ? Format.usd(teamSpend) + " spent (no budget set)"
                : Format.usd(teamSpend) + " of " + Format.usd(effective)));
        return facts;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isBlank() ? v.asText().trim() : null;
    }

    private static BigDecimal number(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isNumber() ? v.decimalValue() : null;
    }

    static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
