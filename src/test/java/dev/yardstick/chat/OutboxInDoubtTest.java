package dev.yardstick.chat;

import static dev.yardstick.Api.admin;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.chat.slack.FakeSlack;
import dev.yardstick.chat.slack.FakeSlackResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A post whose outcome is unknown (the connection dropped after Slack posted it, or Slack answered
 * after the send timeout, 2 s in tests) is neither re-sent by the HTTP client nor by the outbox
 * before the channel's history was checked: it appears once.
 */
@QuarkusTest
class OutboxInDoubtTest {

    @Inject
    Messenger messenger;
    @Inject
    DataSource ds;

    FakeSlack slack = FakeSlackResource.fake();

    @Test
    void aPostWhoseConnectionDroppedAfterPostingIsPostedOnce() {
        Db.awaitOutboxIdle(ds);
        // a first post leaves a pooled connection, the one an HTTP client would retry on
        String warm = send("warm");
        awaitSent(warm);
        slack.nextPost(Duration.ZERO, true);
        String channel = channel("drop");
        String key = send("drop", channel);
        awaitSent(key);
        assertPostedOnce(channel);
    }

    @Test
    void aPostAnsweredAfterTheSendTimeoutIsPostedOnce() {
        Db.awaitOutboxIdle(ds);
        slack.nextPost(Duration.ofSeconds(3), false);
        String channel = channel("slow");
        String key = send("slow", channel);
        awaitSent(key);
        assertPostedOnce(channel);
    }

    private void assertPostedOnce(String channel) {
        assertEquals(1, slack.calls("chat.postMessage", c -> channel.equals(c.param("channel"))).size(),
                "one chat.postMessage: nothing re-sent it on its own");
        assertEquals(1, slack.history(channel).size(), "posted once");
        assertTrue(slack.calls("conversations.history", c -> channel.equals(c.param("channel"))).size() >= 1,
                "the history was checked before the next attempt");
    }

    private static String channel(String what) {
        return "C" + what.toUpperCase() + Api.unique().toUpperCase();
    }

    private String send(String what) {
        return send(what, channel(what));
    }

    private String send(String what, String channel) {
        String team = "doubt-" + Api.unique();
        admin().body(Map.of("name", what, "slackChannelId", channel)).put("/api/v1/teams/" + team).then()
                .statusCode(201);
        MessageKey key = MessageKey.of("doubt", team);
        QuarkusTransaction.requiringNew().run(() -> messenger.toTeamChannel(team, key,
                ChatMessage.builder(what).paragraph(what).build()));
        return key.value();
    }

    private void awaitSent(String key) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> "sent".equals(
                Db.string(ds, "select status from outbox_message where dedupe_key = ?", key)));
    }
}
