package dev.yardstick.chat.slack;

import static io.restassured.RestAssured.given;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.response.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Requests to {@code /slack/events}, signed exactly as Slack signs them (v0, HMAC-SHA256). */
public final class SlackRequests {

    private SlackRequests() {
    }

    /** {@code v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))}. */
    public static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Posts a body signed with the given secret and timestamp. */
    public static Response post(String contentType, String body, String secret, long timestamp) {
        return given().config(RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
                .defaultContentCharset(StandardCharsets.UTF_8)
                .appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .contentType(contentType)
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", sign(secret, timestamp, body))
                .body(body)
                .post("/slack/events");
    }

    /** Posts a correctly signed, current request. */
    public static Response post(String contentType, String body) {
        return post(contentType, body, FakeSlackResource.SIGNING_SECRET, Instant.now().getEpochSecond());
    }

    /** The form body of a slash command, as Slack sends it. */
    public static String commandBody(String userId, String text, String responseUrl) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("token", "legacy-verification-token");
        f.put("team_id", "T0001");
        f.put("team_domain", "acme");
        f.put("channel_id", "C0GENERAL");
        f.put("channel_name", "general");
        f.put("user_id", userId);
        f.put("user_name", "someone");
        f.put("command", "/ai-spend");
        f.put("text", text);
        f.put("api_app_id", "A0001");
        f.put("is_enterprise_install", "false");
        f.put("response_url", responseUrl);
        f.put("trigger_id", "13345224609.738474920.8088930838d88f008e0");
        return form(f);
    }

    /** Runs {@code /ai-spend <text>} as the given Slack user. */
    public static Response command(String userId, String text, String responseUrl) {
        return post("application/x-www-form-urlencoded", commandBody(userId, text, responseUrl));
    }

    /** A {@code block_actions} click on a button, as the form field {@code payload}. */
    public static Response click(String userId, String actionId, String value, String responseUrl) {
        String payload = """
                {"type":"block_actions","user":{"id":"%s","username":"u","name":"u","team_id":"T0001"},
                 "api_app_id":"A0001","token":"legacy","trigger_id":"1.2.3",
                 "team":{"id":"T0001","domain":"acme"},
                 "container":{"type":"message","message_ts":"1700000000.000100","channel_id":"D0001","is_ephemeral":false},
                 "channel":{"id":"D0001","name":"directmessage"},
                 "response_url":"%s",
                 "actions":[{"action_id":"%s","block_id":"b1","text":{"type":"plain_text","text":"Approve"},
                             "value":"%s","type":"button","action_ts":"1700000001.000200"}]}
                """
                .formatted(userId, responseUrl, actionId, value);
        return post("application/x-www-form-urlencoded",
                "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8));
    }

    /** A {@code view_submission} of the budget-request modal. */
    public static Response submitRequestModal(String userId, String amount, String reason, String scope) {
        String payload = """
                {"type":"view_submission","team":{"id":"T0001","domain":"acme"},
                 "user":{"id":"%s","username":"u","name":"u","team_id":"T0001"},
                 "api_app_id":"A0001","token":"legacy","trigger_id":"1.2.3",
                 "view":{"id":"V0001","team_id":"T0001","type":"modal","callback_id":"budget-request",
                         "title":{"type":"plain_text","text":"More AI budget"},"hash":"h1","blocks":[],
                         "state":{"values":{
                           "amount":{"value":{"type":"plain_text_input","value":"%s"}},
                           "reason":{"value":{"type":"plain_text_input","value":"%s"}},
                           "scope":{"value":{"type":"radio_buttons","selected_option":
                                    {"text":{"type":"plain_text","text":"x"},"value":"%s"}}}}}},
                 "response_urls":[]}
                """.formatted(userId, amount, reason, scope);
        return post("application/x-www-form-urlencoded",
                "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8));
    }

    /** An Events API {@code app_home_opened} callback. */
    public static Response homeOpened(String userId) {
        String body = """
                {"token":"legacy","team_id":"T0001","api_app_id":"A0001","type":"event_callback",
                 "event_id":"Ev%d","event_time":1700000000,
                 "event":{"type":"app_home_opened","user":"%s","channel":"D0001","tab":"home","event_ts":"%d.000100"}}
                """.formatted(System.nanoTime(), userId, System.nanoTime());
        // Slack sends compact JSON, without a trailing newline
        return post("application/json", body.replace("\n", ""));
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
