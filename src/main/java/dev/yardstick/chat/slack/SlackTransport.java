package dev.yardstick.chat.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.SlackFilesUploadV2Exception;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import com.slack.api.methods.response.conversations.ConversationsHistoryResponse;
import com.slack.api.model.File;
import com.slack.api.model.Message;
import dev.yardstick.chat.ChartPng;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.ChatTransport;
import dev.yardstick.chat.Outgoing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Delivers outbox messages to Slack: {@code chat.postMessage}, {@code chat.update},
 * {@code files.uploadV2}, response URLs and {@code views.publish}.
 *
 * <p>Every post carries message metadata ({@code event_type} {@value #EVENT_TYPE}, the outbox dedupe
 * key in {@code event_payload.key}); every chart upload a file name made from the dedupe key. When an
 * earlier attempt is in doubt (its worker died mid-send), the transport first reads the
 * conversation's history since that attempt ({@code conversations.history} with
 * {@code include_all_metadata}) and, if the message is there, records it as sent instead of posting
 * it again; that needs the history scopes, so it is done only with {@code SLACK_SETTLE_WITH_HISTORY=true}.
 * Without them a message in doubt is sent again: at least once, as on Teams.
 */
@ApplicationScoped
public class SlackTransport implements ChatTransport {

    private static final Logger LOG = Logger.getLogger(SlackTransport.class);
    /** The {@code event_type} of the metadata on every message Yardstick posts. */
    static final String EVENT_TYPE = "yardstick_message";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HISTORY_PAGES = 5;
    private static final Set<String> PERMANENT = Set.of("channel_not_found", "not_in_channel", "is_archived",
            "invalid_auth", "not_authed", "account_inactive", "token_revoked", "user_not_found", "message_not_found",
            "cant_update_message", "invalid_blocks", "msg_too_long", "no_permission", "missing_scope",
            "invalid_metadata_format", "invalid_metadata_schema");
    /** Errors after which Slack may still have carried the call out. */
    private static final Set<String> IN_DOUBT = Set.of("internal_error", "fatal_error", "request_timeout",
            "service_unavailable");

    @Inject
    SlackRuntime slack;
    @Inject
    DataSource dataSource;
    @Inject
    ChartPng charts;
    @Inject
    SlackSettings settings;

    // the JDK client re-sends no POST on its own (unless jdk.httpclient.enableAllMethodRetry is set)
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public String platform() {
        return "slack";
    }

    @Override
    public boolean active() {
        return slack.canSend();
    }

    @Override
    public Optional<Address> member(long memberId) {
        return lookup("select slack_team_id, slack_user_id from member where id = ?", ps -> ps.setLong(1, memberId));
    }

    @Override
    public Optional<Address> teamChannel(String teamKey) {
        return lookup("""
                select (select m.slack_team_id from member m where m.team_key = t.key and m.slack_team_id is not null
                        limit 1),
                       t.slack_channel_id
                from team t where t.key = ?
                """, ps -> ps.setString(1, teamKey));
    }

    private interface Binder {

        void bind(PreparedStatement ps) throws SQLException;
    }

    private Optional<Address> lookup(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(2) != null
                        ? Optional.of(new Address(rs.getString(1), rs.getString(2)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Slack address lookup failed", e);
        }
    }

    @Override
    public Result deliver(Outgoing m, Attempt attempt) {
        if (m.operation() == Outgoing.Operation.RESPOND) {
            return respond(m);
        }
        Optional<MethodsClient> client = slack.client(m.workspace());
        if (client.isEmpty()) {
            return new Failed("no bot token for workspace " + m.workspace(), true);
        }
        try {
            return switch (m.operation()) {
                case POST -> post(client.get(), m, attempt.inDoubtSince());
                case UPDATE -> {
                    Sent previous = attempt.previous();
                    ChatUpdateResponse r = client.get().chatUpdate(req -> req.channel(previous.channel())
                            .ts(previous.id()).text(m.message().text())
                            .blocksAsString(BlockKit.blocksJson(m.message())));
                    yield r.isOk() ? new Sent(r.getTs(), r.getChannel()) : failed(r);
                }
                case HOME -> {
                    var r = client.get().viewsPublish(req -> req.userId(m.target())
                            .viewAsString(BlockKit.homeView(m.message())));
                    yield r.isOk() ? new Sent(r.getView() == null ? null : r.getView().getId(), m.target()) : failed(r);
                }
                case UPLOAD -> upload(client.get(), m, attempt.inDoubtSince());
                default -> new Failed("unsupported operation " + m.operation(), true);
            };
        } catch (SlackApiException e) {
            if (e.getResponse().code() == 429) {
                return new RetryAfter(retryAfter(e.getResponse().header("Retry-After")));
            }
            int code = e.getResponse().code();
            return new Failed("HTTP " + code, code < 500, code >= 500);
        } catch (IOException e) {
            // a timeout or a connection lost after the request went out: Slack may have done it
            return new Failed("I/O: " + e.getMessage(), false, true);
        }
    }

    private Result post(MethodsClient client, Outgoing m, Instant inDoubtSince) throws IOException, SlackApiException {
        if (inDoubtSince != null) {
            Optional<Sent> found = find(client, m.target(), inDoubtSince,
                    msg -> msg.getMetadata() != null && EVENT_TYPE.equals(msg.getMetadata().getEventType())
                            && msg.getMetadata().getEventPayload() != null
                            && m.dedupeKey().equals(msg.getMetadata().getEventPayload().get("key")),
                    msg -> msg.getTs());
            if (found.isPresent()) {
                return found.get();
            }
        }
        ChatPostMessageResponse r = client.chatPostMessage(req -> req.channel(m.target())
                .text(m.message().text()).blocksAsString(BlockKit.blocksJson(m.message()))
                .metadataAsString(metadata(m.dedupeKey())));
        return r.isOk() ? new Sent(r.getTs(), r.getChannel()) : failed(r);
    }

    private Result upload(MethodsClient client, Outgoing m, Instant inDoubtSince)
            throws IOException, SlackApiException {
        String channel = conversationOf(client, m.target());
        if (channel == null) {
            return new Failed("no conversation with " + m.target(), false);
        }
        Sent last = null;
        int n = 0;
        for (ChatMessage.Block b : m.message().blocks()) {
            if (!(b instanceof ChatMessage.Chart chart)) {
                continue;
            }
            String filename = fileName(m.dedupeKey(), n++);
            if (inDoubtSince != null) {
                Optional<Sent> found = find(client, channel, inDoubtSince,
                        msg -> msg.getFiles() != null
                                && msg.getFiles().stream().anyMatch(f -> filename.equals(f.getName())),
                        msg -> msg.getFiles().stream().filter(f -> filename.equals(f.getName())).map(File::getId)
                                .findFirst().orElse(null));
                if (found.isPresent()) {
                    last = found.get();
                    continue;
                }
            }
            try {
                byte[] png = charts.draw(chart);
                var r = client.filesUploadV2(req -> req.channel(channel).title(chart.title()).filename(filename)
                        .altTxt(chart.altText()).fileData(png).requestFileInfo(false));
                if (!r.isOk()) {
                    return new Failed("files.uploadV2: " + r.getError(), PERMANENT.contains(r.getError()),
                            IN_DOUBT.contains(r.getError()));
                }
                last = new Sent(r.getFile() == null ? null : r.getFile().getId(), channel);
            } catch (SlackFilesUploadV2Exception e) {
                return new Failed("files.uploadV2: " + e.getMessage(), false, true);
            }
        }
        return last == null ? new Failed("nothing to upload", true) : last;
    }

    /** A file name that names the logical message, so an upload in doubt can be recognised. */
    static String fileName(String dedupeKey, int index) {
        return dedupeKey.replaceAll("[^A-Za-z0-9-]+", "-") + (index == 0 ? "" : "-" + index) + ".png";
    }

    /**
     * Looks for a message of ours in a conversation since {@code since} (minus a minute of clock
     * skew). Without the history scopes (or on any other error) it says "not found" and logs why:
     * sending again may then duplicate, which is better than losing the message.
     */
    private Optional<Sent> find(MethodsClient client, String target, Instant since,
            java.util.function.Predicate<Message> match, java.util.function.Function<Message, String> idOf)
            throws IOException, SlackApiException {
        if (!settings.settleWithHistory()) {
            LOG.debugf("A message to %s is in doubt; sent again (SLACK_SETTLE_WITH_HISTORY is off)", target);
            return Optional.empty();
        }
        String channel = conversationOf(client, target);
        if (channel == null) {
            return Optional.empty();
        }
        String oldest = Long.toString(since.minusSeconds(60).getEpochSecond());
        String cursor = null;
        for (int page = 0; page < HISTORY_PAGES; page++) {
            String c = cursor;
            ConversationsHistoryResponse r = client.conversationsHistory(req -> req.channel(channel).oldest(oldest)
                    .includeAllMetadata(true).limit(200).cursor(c));
            if (!r.isOk()) {
                LOG.warnf("Could not check %s for a message in doubt (%s); sending it again. Grant the history "
                        + "scopes (" + SlackSettings.HISTORY_SCOPES + ", docs/slack-setup.md) for exactly-once "
                        + "delivery after crashes.", channel,
                        r.getError());
                return Optional.empty();
            }
            for (Message msg : r.getMessages()) {
                if (match.test(msg)) {
                    return Optional.of(new Sent(idOf.apply(msg), channel));
                }
            }
            cursor = r.getResponseMetadata() == null ? null : r.getResponseMetadata().getNextCursor();
            if (cursor == null || cursor.isBlank()) {
                break;
            }
        }
        return Optional.empty();
    }

    /** The conversation id of a target: a channel id as is; a user id becomes the app's DM with them. */
    private static String conversationOf(MethodsClient client, String target) throws IOException, SlackApiException {
        if (!target.startsWith("U") && !target.startsWith("W")) {
            return target;
        }
        var r = client.conversationsOpen(req -> req.users(java.util.List.of(target)));
        return r.isOk() && r.getChannel() != null ? r.getChannel().getId() : null;
    }

    private static String metadata(String dedupeKey) {
        ObjectNode m = JSON.createObjectNode().put("event_type", EVENT_TYPE);
        m.putObject("event_payload").put("key", dedupeKey);
        return m.toString();
    }

    private Result respond(Outgoing m) {
        return respond(m.target(), m.message());
    }

    /**
     * Posts a private reply to a command's response URL once, now, without the outbox: for a reply that holds a
     * secret, which must not be stored. Whether Slack took it; a failure is logged without the message.
     */
    boolean respondOnce(String responseUrl, ChatMessage message) {
        Result r = respond(responseUrl, message);
        if (!(r instanceof Sent)) {
            LOG.warnf("A private reply holding a secret was not delivered (%s); the person can run the command again",
                    r instanceof Failed f ? f.error() : "rate limited");
        }
        return r instanceof Sent;
    }

    private Result respond(String responseUrl, ChatMessage message) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(responseUrl))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(BlockKit.responseBody(message, false)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 429) {
                return new RetryAfter(retryAfter(r.headers().firstValue("Retry-After").orElse(null)));
            }
            if (r.statusCode() / 100 == 2) {
                return new Sent(null, null);
            }
            // response URLs expire after 30 minutes or 5 uses; a 404 will not get better
            return new Failed("response_url answered " + r.statusCode(), r.statusCode() < 500);
        } catch (IOException e) {
            return new Failed("I/O: " + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failed("interrupted", false);
        }
    }

    private static Result failed(SlackApiTextResponse r) {
        return new Failed(r.getError(), PERMANENT.contains(r.getError()), IN_DOUBT.contains(r.getError()));
    }

    private static Duration retryAfter(String header) {
        try {
            return Duration.ofSeconds(Math.max(1, Long.parseLong(header.trim())));
        } catch (RuntimeException e) {
            return Duration.ofSeconds(30);
        }
    }
}
