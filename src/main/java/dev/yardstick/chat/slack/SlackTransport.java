package dev.yardstick.chat.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackFilesUploadV2Exception;
import dev.yardstick.chat.ChatMessage;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import dev.yardstick.chat.ChatTransport;
import dev.yardstick.chat.Outgoing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/** Delivers outbox messages to Slack: {@code chat.postMessage}, {@code chat.update}, response URLs, {@code views.publish}. */
@ApplicationScoped
public class SlackTransport implements ChatTransport {

    private static final Set<String> PERMANENT = Set.of("channel_not_found", "not_in_channel", "is_archived",
            "invalid_auth", "not_authed", "account_inactive", "token_revoked", "user_not_found", "message_not_found",
            "cant_update_message", "invalid_blocks", "msg_too_long", "no_permission", "missing_scope");

    @Inject
    SlackRuntime slack;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public String platform() {
        return "slack";
    }

    @Override
    public Result deliver(Outgoing m, Sent previous) {
        if (m.operation() == Outgoing.Operation.RESPOND) {
            return respond(m);
        }
        Optional<MethodsClient> client = slack.client(m.workspace());
        if (client.isEmpty()) {
            return new Failed("no bot token for workspace " + m.workspace(), true);
        }
        try {
            return switch (m.operation()) {
                case POST -> {
                    ChatPostMessageResponse r = client.get().chatPostMessage(req -> req.channel(m.target())
                            .text(m.message().text()).blocksAsString(BlockKit.blocksJson(m.message())));
                    yield r.isOk() ? new Sent(r.getTs(), r.getChannel()) : failed(r);
                }
                case UPDATE -> {
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
                case UPLOAD -> upload(client.get(), m);
                default -> new Failed("unsupported operation " + m.operation(), true);
            };
        } catch (SlackApiException e) {
            if (e.getResponse().code() == 429) {
                return new RetryAfter(retryAfter(e.getResponse().header("Retry-After")));
            }
            return new Failed("HTTP " + e.getResponse().code(), e.getResponse().code() < 500);
        } catch (IOException e) {
            return new Failed("I/O: " + e.getMessage(), false);
        }
    }

    private Result upload(MethodsClient client, Outgoing m) throws IOException, SlackApiException {
        Sent last = null;
        for (ChatMessage.Block b : m.message().blocks()) {
            if (b instanceof ChatMessage.Image image) {
                try {
                    var r = client.filesUploadV2(req -> req.channel(m.target()).title(image.title())
                            .filename(image.title().replaceAll("[^A-Za-z0-9-]+", "-") + ".png").altTxt(image.altText())
                            .fileData(Base64.getDecoder().decode(image.png())).requestFileInfo(false));
                    if (!r.isOk()) {
                        return new Failed("files.uploadV2 failed", false);
                    }
                    last = new Sent(r.getFile() == null ? null : r.getFile().getId(), m.target());
                } catch (SlackFilesUploadV2Exception e) {
                    return new Failed("files.uploadV2: " + e.getMessage(), false);
                }
            }
        }
        return last == null ? new Failed("nothing to upload", true) : last;
    }

    private Result respond(Outgoing m) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(m.target()))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(BlockKit.responseBody(m.message(), false)))
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
        return new Failed(r.getError(), PERMANENT.contains(r.getError()));
    }

    private static Duration retryAfter(String header) {
        try {
            return Duration.ofSeconds(Math.max(1, Long.parseLong(header.trim())));
        } catch (RuntimeException e) {
            return Duration.ofSeconds(30);
        }
    }
}
