package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.admin.Member;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Form;
import dev.yardstick.chat.Inbound;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Outbox;
import dev.yardstick.chat.Outgoing;
import dev.yardstick.chat.Reply;
import dev.yardstick.chat.Welcome;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * What the Teams bot does with a verified activity: keeps the conversation reference, answers
 * {@code ai-spend} commands privately in a 1:1 chat (in a channel only with a hint to ask in a 1:1
 * chat, never with anyone's figures; in the 1:1 chat the {@code ai-spend} prefix is optional), and passes card
 * buttons ({@code Action.Execute} invokes and {@code Action.Submit} messages) to the features through
 * {@link Inbound}; an {@code adaptiveCard/action} invoke with trigger {@code automatic} (a card's refresh) is answered
 * with the card as it reads now. Installed in a team, a group chat or a 1:1 chat, it says its {@link Welcome} once
 * per conversation. A reply that holds a secret ({@code connect}'s token) is sent once, directly, never queued.
 */
@ApplicationScoped
public class TeamsBot {

    /** How people type the command in Teams. */
    public static final String COMMAND = "ai-spend";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(TeamsBot.class);

    @Inject
    TeamsConversations conversations;
    @Inject
    BotConnector connector;
    @Inject
    TeamsSettings settings;
    @Inject
    Inbound inbound;
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
            case "conversationUpdate" -> {
                if (botAdded(a)) {
                    welcome(ref);
                }
                yield null;
            }
            case "installationUpdate" -> {
                if ("add".equals(a.path("action").asText())) {
                    welcome(ref);
                }
                yield null;
            }
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

    /**
     * Whether a {@code conversationUpdate} says the bot itself joined (it is among {@code membersAdded}, by the
     * activity's {@code recipient.id}): the app was installed in a team, a group chat or a 1:1 chat. People added to
     * a conversation the bot is already in are not the bot, and get nothing.
     */
    static boolean botAdded(JsonNode a) {
        String bot = a.path("recipient").path("id").asText(null);
        if (bot == null) {
            return false;
        }
        for (JsonNode m : a.path("membersAdded")) {
            if (bot.equals(m.path("id").asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The welcome, once per conversation: Teams tells an installation both with {@code installationUpdate} (add) and
     * with a {@code conversationUpdate} adding the bot; both queue the same outbox key, which sends once.
     */
    private void welcome(TeamsConversations.Ref ref) {
        outbox.enqueue(new Outgoing(MessageKey.of("welcome", "teams", ref.conversationId()).value(),
                TeamsTransport.PLATFORM, Outgoing.Operation.RESPOND, ref.tenantId(), ref.conversationId(), null,
                Welcome.of(COMMAND, "personal".equals(ref.type()))));
    }

    /** Where a member acted in Teams: forms are shown in the answer's card ({@code ChatMessage.Inputs}). */
    private static Origin origin(Optional<Member> member) {
        return new Origin(TeamsTransport.PLATFORM, member, true, emails -> {
        });
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
            reply = ChatMessage.text("Your figures are private, so I answer " + COMMAND
                    + " only in a 1:1 chat: open a chat with me and type **" + COMMAND + "** or **help**.");
        } else {
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.startsWith("/")) {
                text = text.substring(1);
                lower = lower.substring(1);
            }
            boolean prefixed = lower.equals(COMMAND) || lower.startsWith(COMMAND + " ");
            if (prefixed || !inbound.help(text)) {
                // in a 1:1 chat the ai-spend is optional: "connect" is "ai-spend connect"
                String args = prefixed ? text.substring(COMMAND.length()).trim() : text;
                Optional<Member> member = inbound.help(args) ? Optional.empty() : member(a, ref);
                if (inbound.help(args) || member.isPresent()) {
                    Reply answer = inbound.command(origin(member), args, COMMAND);
                    if (answer.secret()) {
                        once(ref, answer.note());
                        return;
                    }
                    reply = answer.form() != null ? ChatMessage.form(answer.form(), Map.of()) : answer.note();
                } else {
                    reply = notLinked();
                }
            } else {
                reply = inbound.help(origin(Optional.empty()), COMMAND);
            }
        }
        respond(a, ref, reply);
    }

    /**
     * Sends a reply that holds a secret once, now, to the person's 1:1 chat, without the outbox (which stores what it
     * sends); a failure is logged without the message, and the person can ask again.
     */
    private void once(TeamsConversations.Ref ref, ChatMessage note) {
        if (!settings.outbound()) {
            LOG.warn("A private reply holding a secret was not delivered: the bot cannot send (TEAMS_APP_PASSWORD)");
            return;
        }
        try {
            BotConnector.Answer sent = connector.post(ref.serviceUrl(), ref.conversationId(),
                    AdaptiveCards.activity(AdaptiveCards.card(note, null), note.text()));
            if (!sent.ok()) {
                LOG.warnf("A private reply holding a secret was not delivered (Bot Connector answered %d); the person "
                        + "can ask again", sent.status());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("A private reply holding a secret was not delivered (%s); the person can ask again",
                    e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ChatMessage notLinked() {
        return ChatMessage.text("I don't know you yet. Ask your Yardstick admin to add you as a member with the email "
                + "address of your Microsoft account (or your Teams user id).");
    }

    private void respond(JsonNode a, TeamsConversations.Ref ref, ChatMessage reply) {
        String key = MessageKey.of("respond", "teams", a.path("id").asText(UUID.randomUUID().toString())).value();
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
        if (data.hasNonNull(AdaptiveCards.FORM_ID)) {
            return form(a, ref, data, invoke);
        }
        Reply reply = inbound.click(origin(member(a, ref)), data.path("action").asText(""),
                data.path("value").asText(""));
        ChatMessage note = reply.note() == null ? ChatMessage.text("Done.") : reply.note();
        if (!invoke) {
            respond(a, ref, note);
            return null;
        }
        // the invoke response replaces the card, as the outbox's update of it does: same card
        ObjectNode response = JSON.createObjectNode().put("statusCode", 200).put("type",
                AdaptiveCards.CONTENT_TYPE);
        response.set("value",
                AdaptiveCards.card(reply.card() == null ? note : reply.card(), null, conversations::userIds));
        return response;
    }

    /**
     * A form's card submitted: checked, and either shown again with what is wrong under each field (values as typed)
     * or carried out, the card then saying what happened. An invoke is answered with that card (replacing the form);
     * an {@code Action.Submit} message gets it as a reply.
     */
    private JsonNode form(JsonNode a, TeamsConversations.Ref ref, JsonNode data, boolean invoke) {
        String formId = data.path(AdaptiveCards.FORM_ID).asText();
        Map<String, String> fields = new HashMap<>();
        data.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("action") && !e.getKey().equals(AdaptiveCards.FORM_ID)
                    && e.getValue().isValueNode()) {
                fields.put(e.getKey(), e.getValue().asText());
            }
        });
        Optional<Member> member = member(a, ref);
        Origin origin = origin(member);
        Optional<Form> form = inbound.form(origin, formId);
        ChatMessage card;
        if (member.isEmpty() || form.isEmpty()) {
            card = member.isEmpty()
                    ? notLinked()
                    : ChatMessage.text("This form is not one of mine; nothing was changed.");
        } else {
            Form shown = new Form(form.get().id(), form.get().title(), form.get().submit(), form.get().fields(),
                    fields.get(Form.CONTEXT)).withValues(fields);
            Map<String, String> errors = inbound.check(formId, fields);
            Reply reply = errors.isEmpty() ? inbound.submit(origin, formId, fields) : Reply.errors(errors);
            card = !reply.errors().isEmpty()
                    ? ChatMessage.form(shown, reply.errors())
                    : reply.note() == null ? ChatMessage.text("Done.") : reply.note();
        }
        if (!invoke) {
            respond(a, ref, card);
            return null;
        }
        ObjectNode response = JSON.createObjectNode().put("statusCode", 200).put("type",
                AdaptiveCards.CONTENT_TYPE);
        response.set("value", AdaptiveCards.card(card, null));
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
