package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.admin.Member;
import dev.yardstick.budget.BudgetService;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Outbox;
import dev.yardstick.chat.Outgoing;
import dev.yardstick.personal.AiSpend;
import dev.yardstick.watch.Alerts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * What the Teams bot does with a verified activity: keeps the conversation reference, answers
 * {@code ai-spend} commands privately in a 1:1 chat (in a channel only with a hint to ask in a 1:1
 * chat, never with anyone's figures), and settles card buttons ({@code Action.Execute} invokes and
 * {@code Action.Submit} messages): budget approvals and runaway-alert answers.
 */
@ApplicationScoped
public class TeamsBot {

    /** How people type the command in Teams. */
    public static final String COMMAND = "ai-spend";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TeamsConversations conversations;
    @Inject
    BotConnector connector;
    @Inject
    TeamsSettings settings;
    @Inject
    AiSpend aiSpend;
    @Inject
    BudgetService budgets;
    @Inject
    Alerts alerts;
    @Inject
    Outbox outbox;

    /** Handles an activity; returns the body of the HTTP answer (an invoke response), or null. */
    public JsonNode handle(JsonNode a) {
        String type = a.path("type").asText("");
        TeamsConversations.Ref ref = reference(a);
        if (ref == null) {
            return null;
        }
        conversations.save(ref);
        return switch (type) {
            case "message" -> {
                JsonNode value = a.path("value");
                if (value.isObject() && value.hasNonNull("action")) {
                    yield action(a, ref, value, false);
                }
                command(a, ref);
                yield null;
            }
            case "invoke" -> "adaptiveCard/action".equals(a.path("name").asText())
                    ? action(a, ref, executeData(a.path("value").path("action")), true)
                    : null;
            default -> null;
        };
    }

    /** The conversation reference of an activity, or null when it names no conversation. */
    static TeamsConversations.Ref reference(JsonNode a) {
        JsonNode conversation = a.path("conversation");
        String id = conversation.path("id").asText(null);
        String serviceUrl = a.path("serviceUrl").asText(null);
        if (id == null || serviceUrl == null) {
            return null;
        }
        JsonNode channelData = a.path("channelData");
        String tenant = conversation.path("tenantId").asText(channelData.path("tenant").path("id").asText(null));
        String type = conversation.path("conversationType").asText("personal");
        String aad = lower(a.path("from").path("aadObjectId").asText(null));
        String userId = "personal".equals(type) ? a.path("from").path("id").asText(null) : null;
        return new TeamsConversations.Ref(id, serviceUrl, tenant, type, aad, userId,
                channelData.path("team").path("id").asText(null), channelData.path("channel").path("id").asText(null));
    }

    private void command(JsonNode a, TeamsConversations.Ref ref) {
        String text = stripMentions(a.path("text").asText("")).trim();
        if (text.isEmpty()) {
            return;
        }
        ChatMessage reply;
        if (!"personal".equals(ref.type())) {
            reply = AiSpend.text("Your figures are private, so I answer " + COMMAND
                    + " only in a 1:1 chat: open a chat with me and type **" + COMMAND + "** or **help**.");
        } else {
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.startsWith("/")) {
                text = text.substring(1);
                lower = lower.substring(1);
            }
            if (lower.equals(COMMAND) || lower.startsWith(COMMAND + " ")) {
                String args = text.substring(COMMAND.length()).trim();
                Optional<Member> member = member(a, ref);
                reply = member.isEmpty()
                        ? notLinked()
                        : aiSpend.answer(member.get(), args, COMMAND);
            } else {
                reply = AiSpend.help(COMMAND, false);
            }
        }
        respond(a, ref, reply);
    }

    private static ChatMessage notLinked() {
        return AiSpend.text("I don't know you yet. Ask your Yardstick admin to add you as a member with the email "
                + "address of your Microsoft account (or your Teams user id).");
    }

    private void respond(JsonNode a, TeamsConversations.Ref ref, ChatMessage reply) {
        String key = "respond:teams:" + a.path("id").asText(UUID.randomUUID().toString());
        outbox.enqueue(new Outgoing(key, TeamsTransport.PLATFORM, Outgoing.Operation.RESPOND, ref.tenantId(),
                ref.conversationId(), null, reply));
    }

    /** The {@code data} of an {@code Action.Execute}, with its verb as the action when data has none. */
    private static JsonNode executeData(JsonNode action) {
        ObjectNode data = action.path("data").isObject()
                ? ((ObjectNode) action.path("data")).deepCopy()
                : JSON.createObjectNode();
        if (!data.hasNonNull("action") && action.hasNonNull("verb")) {
            data.put("action", action.path("verb").asText());
        }
        return data;
    }

    private JsonNode action(JsonNode a, TeamsConversations.Ref ref, JsonNode data, boolean invoke) {
        String action = data.path("action").asText("");
        String value = data.path("value").asText("");
        long id;
        try {
            id = Long.parseLong(value);
        } catch (NumberFormatException e) {
            id = -1;
        }
        Optional<Member> clicker = member(a, ref);
        String text;
        ChatMessage card = null;
        if (BudgetService.APPROVE.equals(action) || BudgetService.DENY.equals(action)) {
            boolean approve = BudgetService.APPROVE.equals(action);
            BudgetService.Decision d = clicker.isEmpty() || id < 0
                    ? new BudgetService.NotManager()
                    : budgets.decide(id, clicker.get().id, approve);
            if (d instanceof BudgetService.Decided decided) {
                text = (approve ? "Approved" : "Denied") + " request #" + decided.request().id
                        + ". The requester is told.";
            } else if (d instanceof BudgetService.AlreadyDecided already) {
                text = "expired".equals(already.request().status)
                        ? "This request expired before anyone decided; nothing was changed."
                        : "Already " + already.request().status + " by " + already.request().decidedBy
                                + "; nothing was changed.";
            } else if (d instanceof BudgetService.NotFound) {
                text = "This request no longer exists.";
            } else {
                text = "Only a manager of this team can approve or deny budget requests; nothing was changed.";
            }
            if (invoke && (d instanceof BudgetService.Decided || d instanceof BudgetService.AlreadyDecided)) {
                // the invoke response replaces the card, as the outbox's update of it does: same card
                card = budgets.decidedCard(id);
            }
        } else if (Alerts.INTENDED.equals(action) || Alerts.SNOOZE_ACTION.equals(action)) {
            boolean intended = Alerts.INTENDED.equals(action);
            Alerts.Settled s = clicker.isEmpty() || id < 0
                    ? Alerts.Settled.NOT_YOURS
                    : intended ? alerts.intended(id, clicker.get().id) : alerts.snooze(id, clicker.get().id);
            text = switch (s) {
                case DONE -> intended
                        ? "Noted: no more alerts for this session."
                        : "Snoozed: no runaway alerts for you for the next 24 hours.";
                case NOT_YOURS -> "This alert is about someone else's session; nothing was changed.";
                case NOT_FOUND -> "This alert no longer exists.";
            };
            if (s == Alerts.Settled.DONE && invoke) {
                // the invoke response replaces the alert card, as the outbox's update of it does: same card
                card = alerts.settledMessage(id);
            }
        } else {
            text = "This button is not one of mine; nothing was changed.";
        }
        ChatMessage reply = AiSpend.text(text);
        if (!invoke) {
            respond(a, ref, reply);
            return null;
        }
        ObjectNode response = JSON.createObjectNode().put("statusCode", 200).put("type",
                AdaptiveCards.CONTENT_TYPE);
        response.set("value", AdaptiveCards.card(card == null ? reply : card, null));
        return response;
    }

    /**
     * The member who sent an activity: by their Entra object id ({@code teamsUserId}), else by the
     * email the Bot Connector gives for them (then their object id is linked to the member).
     */
    Optional<Member> member(JsonNode a, TeamsConversations.Ref ref) {
        String aad = lower(a.path("from").path("aadObjectId").asText(null));
        if (aad != null) {
            Optional<Member> linked = QuarkusTransaction.requiringNew()
                    .call(() -> Member.<Member>find("teamsUserId", aad).firstResultOptional());
            if (linked.isPresent()) {
                return linked;
            }
        }
        String fromId = a.path("from").path("id").asText(null);
        if (fromId == null || !settings.outbound()) {
            return Optional.empty();
        }
        Optional<String> email = connector.email(ref.serviceUrl(), ref.conversationId(), fromId);
        if (email.isEmpty()) {
            return Optional.empty();
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Optional<Member> m = Member.byEmail(email.get());
            if (m.isPresent() && aad != null && m.get().teamsUserId == null
                    && Member.count("teamsUserId", aad) == 0) {
                m.get().teamsUserId = aad;
                m.get().updatedAt = java.time.Instant.now();
            }
            return m;
        });
    }

    static String stripMentions(String text) {
        return text.replaceAll("(?s)<at>.*?</at>", " ").replace("&nbsp;", " ").trim();
    }

    private static String lower(String s) {
        return s == null || s.isBlank() ? null : s.toLowerCase(Locale.ROOT);
    }
}
