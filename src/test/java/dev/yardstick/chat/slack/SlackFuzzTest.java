package dev.yardstick.chat.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.Db;
import dev.yardstick.fuzz.Mutator;
import dev.yardstick.fuzz.StackTraces;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of {@code POST /slack/events}: unsigned bodies are 401 before any parsing, signed ones from the
 * future are 401, and signed mutations of every payload Slack sends (slash commands, button clicks, modal
 * submissions, events) are never a 5xx, never name a Java class and never log a stack trace.
 */
@QuarkusTest
@WithTestResource(value = FakeSlackResource.class, scope = TestResourceScope.GLOBAL)
class SlackFuzzTest {

    private static final long SEED = 20261206L;
    private static final String[] ODD = {"\u0000", "1e999999999", "-1e309", "99999999999999999999999999", "null",
            "[]", "{}", "\"", "\\", "%", "%zz", "&", "=", "\uD800", "[".repeat(2000), "\u202e", "true"};

    FakeSlack slack = FakeSlackResource.fake();
    @Inject
    DataSource ds;

    @Test
    void noBodyCrashesOrLeaks() {
        Random random = new Random(SEED);
        List<String> seeds = seeds();
        List<String> failures = new ArrayList<>();
        TreeMap<Integer, Integer> statuses = new TreeMap<>();
        long before = Db.scalar(ds, "select coalesce(max(id), 0) from outbox_message");
        List<String> traces;
        try (StackTraces logged = new StackTraces()) {
            for (int i = 0; i < 300; i++) {
                String body = mutate(seeds.get(random.nextInt(seeds.size())), random);
                Response r = SlackRequests.post("application/x-www-form-urlencoded", body, "not-the-secret",
                        Instant.now().getEpochSecond());
                expect(401, r, "unsigned", body, failures, statuses);
            }
            for (int i = 0; i < 100; i++) {
                String body = seeds.get(random.nextInt(seeds.size()));
                long future = Instant.now().plusSeconds(6 * 60 + random.nextInt(100_000)).getEpochSecond();
                Response r = SlackRequests.post(contentType(body), body, FakeSlackResource.SIGNING_SECRET, future);
                expect(401, r, "future", body, failures, statuses);
            }
            for (int i = 0; i < 2000; i++) {
                String body = mutate(seeds.get(random.nextInt(seeds.size())), random);
                Response r = SlackRequests.post(contentType(body), body);
                int status = r.statusCode();
                statuses.merge(status, 1, Integer::sum);
                if (status >= 500 || Mutator.JAVA_NAMES.matcher(r.asString()).find()) {
                    failures.add(status + " for signed " + abbreviate(body) + ": " + abbreviate(r.asString()));
                }
            }
            traces = logged.logged();
        } finally {
            // replies to the mangled response URLs of this test would be retried for a long time: give them up
            Db.update(ds, "update outbox_message set status = 'failed' where status = 'pending' and id > ?", before);
        }
        System.out.println("Slack fuzz: " + statuses.values().stream().mapToInt(Integer::intValue).sum()
                + " bodies, statuses " + statuses);
        assertEquals(List.of(), failures.stream().limit(10).toList(), "statuses " + statuses);
        assertEquals(List.of(), traces.stream().limit(3).toList(), "stack traces logged");
    }

    private static void expect(int status, Response r, String what, String body, List<String> failures,
            TreeMap<Integer, Integer> statuses) {
        statuses.merge(r.statusCode(), 1, Integer::sum);
        if (r.statusCode() != status || Mutator.JAVA_NAMES.matcher(r.asString()).find()) {
            failures.add(r.statusCode() + " for " + what + " " + abbreviate(body));
        }
    }

    private List<String> seeds() {
        String url = slack.responseUrl("fuzz");
        String command = SlackRequests.commandBody("UFUZZ", "team", url);
        String click = """
                {"type":"block_actions","user":{"id":"UFUZZ","username":"u","name":"u","team_id":"T0001"},
                 "api_app_id":"A0001","token":"legacy","trigger_id":"1.2.3","team":{"id":"T0001","domain":"acme"},
                 "container":{"type":"message","message_ts":"1700000000.000100","channel_id":"D0001"},
                 "channel":{"id":"D0001","name":"directmessage"},"response_url":"%s",
                 "actions":[{"action_id":"budget-approve","block_id":"b1","value":"12345","type":"button",
                             "action_ts":"1700000001.000200"}]}""".formatted(url);
        String submission = """
                {"type":"view_submission","team":{"id":"T0001","domain":"acme"},
                 "user":{"id":"UFUZZ","username":"u","name":"u","team_id":"T0001"},"api_app_id":"A0001",
                 "view":{"id":"V0001","team_id":"T0001","type":"modal","callback_id":"budget-request",
                         "state":{"values":{"amount":{"value":{"type":"plain_text_input","value":"150"}},
                           "reason":{"value":{"type":"plain_text_input","value":"a launch"}}}}}}""";
        String event = """
                {"token":"legacy","team_id":"T0001","api_app_id":"A0001","type":"event_callback","event_id":"Ev1",
                 "event_time":1700000000,"event":{"type":"app_home_opened","user":"UFUZZ","channel":"D0001",
                 "tab":"home","event_ts":"1700000000.000100"}}""";
        String challenge = "{\"token\":\"legacy\",\"challenge\":\"abc\",\"type\":\"url_verification\"}";
        return List.of(command, "payload=" + URLEncoder.encode(click, StandardCharsets.UTF_8),
                "payload=" + URLEncoder.encode(submission, StandardCharsets.UTF_8), event.replace("\n", ""),
                challenge, click, submission);
    }

    private static String contentType(String body) {
        return body.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded";
    }

    private static String mutate(String seed, Random random) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && s.length() > 0; e++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(6)) {
                case 0 -> s.setCharAt(at, (char) random.nextInt(0x80));
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(20)));
                case 2 -> s.insert(at, ODD[random.nextInt(ODD.length)]);
                case 3 -> s.setLength(at);
                case 4 -> s.insert(at, s.substring(at, Math.min(s.length(), at + random.nextInt(40))));
                default -> s.replace(at, Math.min(s.length(), at + 3), URLEncoder.encode(ODD[random.nextInt(
                        ODD.length)], StandardCharsets.UTF_8));
            }
        }
        return s.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
