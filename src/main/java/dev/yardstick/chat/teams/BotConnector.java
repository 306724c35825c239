package dev.yardstick.chat.teams;

import dev.yardstick.chat.OutboxConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Bot Connector REST API (Bot Framework v3), spoken directly: the bot's own access token
 * (client credentials, cached until 5 minutes before it expires), posting and updating activities,
 * creating 1:1 conversations, and reading a conversation member's email. Every call ends within
 * {@code YARDSTICK_OUTBOX_SEND_TIMEOUT}; the JDK client re-sends no POST on its own (unless
 * {@code jdk.httpclient.enableAllMethodRetry} is set, which the service never does), and a 401 is sent
 * again only after the token is renewed (the connector did nothing with it).
 */
@ApplicationScoped
public class BotConnector {

    /** The scope of tokens for the Bot Connector. */
    static final String SCOPE = "https://api.botframework.com/.default";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration EMAIL_TTL = Duration.ofHours(12);

    @Inject
    OutboxConfig outboxSettings;
    @Inject
    TeamsSettings settings;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private volatile Token token;
    private final ConcurrentHashMap<String, Email> emails = new ConcurrentHashMap<>();

    private record Token(String value, Instant refreshAt) {
    }

    private record Email(String address, Instant until) {
    }

    /** An HTTP answer of the connector. */
    public record Answer(int status, JsonNode body, Optional<String> retryAfter) {

        boolean ok() {
            return status / 100 == 2;
        }
    }

    /** The bot's access token, fetched again 5 minutes before it expires. */
    synchronized String token() throws IOException, InterruptedException {
        Token t = token;
        if (t != null && Instant.now().isBefore(t.refreshAt())) {
            return t.value();
        }
        String form = "grant_type=client_credentials&client_id=" + enc(settings.appId().orElseThrow())
                + "&client_secret=" + enc(settings.appPassword().orElseThrow()) + "&scope=" + enc(SCOPE);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(trim(settings.loginUrl()) + "/"
                + enc(settings.tenantId().orElseThrow()) + "/oauth2/v2.0/token")).timeout(outboxSettings.sendTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("token endpoint answered " + r.statusCode());
        }
        JsonNode body = JSON.readTree(r.body());
        long expiresIn = body.path("expires_in").asLong(3600);
        token = new Token(body.path("access_token").asText(),
                Instant.now().plusSeconds(Math.max(0, expiresIn - 300)));
        return token.value();
    }

    /** Forgets the cached token (after a 401). */
    synchronized void forgetToken() {
        token = null;
    }

    /** {@code POST {serviceUrl}/v3/conversations/{id}/activities}. */
    public Answer post(String serviceUrl, String conversationId, ObjectNode activity)
            throws IOException, InterruptedException {
        return call("POST", url(serviceUrl, "v3/conversations/" + enc(conversationId) + "/activities"), activity);
    }

    /** {@code PUT {serviceUrl}/v3/conversations/{id}/activities/{activityId}}. */
    public Answer update(String serviceUrl, String conversationId, String activityId, ObjectNode activity)
            throws IOException, InterruptedException {
        activity.put("id", activityId);
        return call("PUT", url(serviceUrl,
                "v3/conversations/" + enc(conversationId) + "/activities/" + enc(activityId)), activity);
    }

    /** {@code POST {serviceUrl}/v3/conversations}: a 1:1 conversation with a user of a tenant. */
    public Answer createPersonal(String serviceUrl, String tenantId, String userId)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("isGroup", false).put("tenantId", tenantId);
        body.putObject("bot").put("id", "28:" + settings.appId().orElseThrow());
        body.putArray("members").addObject().put("id", userId);
        body.putObject("channelData").putObject("tenant").put("id", tenantId);
        return call("POST", url(serviceUrl, "v3/conversations"), body);
    }

    /**
     * The email (or user principal name) of a conversation member, from
     * {@code GET {serviceUrl}/v3/conversations/{id}/members/{userId}}; cached for 12 hours.
     */
    public Optional<String> email(String serviceUrl, String conversationId, String userId) {
        Email cached = emails.get(userId);
        if (cached != null && Instant.now().isBefore(cached.until())) {
            return Optional.ofNullable(cached.address());
        }
        try {
            Answer a = call("GET", url(serviceUrl,
                    "v3/conversations/" + enc(conversationId) + "/members/" + enc(userId)), null);
            if (!a.ok()) {
                return Optional.empty();
            }
            String email = a.body().path("email").asText(null);
            if (email == null || email.isBlank()) {
                email = a.body().path("userPrincipalName").asText(null);
            }
            emails.put(userId, new Email(email, Instant.now().plus(EMAIL_TTL)));
            return Optional.ofNullable(email);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Posts a message to a Teams Workflows webhook (no token: the URL is the secret). */
    public Answer webhook(String url, ObjectNode activity) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(outboxSettings.sendTimeout())
                        .header("Content-Type", "application/json; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofString(activity.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        return answer(r);
    }

    private Answer call(String method, String url, JsonNode body) throws IOException, InterruptedException {
        Answer a = send(method, url, body);
        if (a.status() == 401) {
            forgetToken();
            a = send(method, url, body);
        }
        return a;
    }

    private Answer send(String method, String url, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(outboxSettings.sendTimeout())
                .header("Authorization", "Bearer " + token());
        if (body == null) {
            b.GET();
        } else {
            b.header("Content-Type", "application/json; charset=utf-8").method(method,
                    HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        return answer(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static Answer answer(HttpResponse<String> r) throws IOException {
        JsonNode body;
        try {
            body = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.createObjectNode();
        }
        return new Answer(r.statusCode(), body, r.headers().firstValue("Retry-After"));
    }

    private static String url(String serviceUrl, String path) {
        return trim(serviceUrl) + "/" + path;
    }

    private static String trim(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
