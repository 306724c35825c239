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
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The outbox sends at most one message per channel per second, without holding other channels back. */
@QuarkusTest
class OutboxPacingTest {

    @Inject
    Messenger messenger;
    @Inject
    DataSource ds;

    FakeSlack slack = FakeSlackResource.fake();

    @Test
    void oneChannelGetsOneMessagePerSecondAndOthersAreNotHeldBack() {
        Db.awaitOutboxIdle(ds);
        String busy = "C" + Api.unique().toUpperCase();
        String quiet = "C" + Api.unique().toUpperCase();
        String busyTeam = "pace-" + Api.unique();
        String quietTeam = "pace-" + Api.unique();
        admin().body(Map.of("name", "Busy", "slackChannelId", busy)).put("/api/v1/teams/" + busyTeam).then()
                .statusCode(201);
        admin().body(Map.of("name", "Quiet", "slackChannelId", quiet)).put("/api/v1/teams/" + quietTeam).then()
                .statusCode(201);
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < 3; i++) {
                messenger.toTeamChannel(busyTeam, MessageKey.of("pace", busyTeam, i), message("busy " + i));
            }
            messenger.toTeamChannel(quietTeam, MessageKey.of("pace", quietTeam), message("quiet"));
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(3,
                slack.calls("chat.postMessage", c -> busy.equals(c.param("channel"))).size()));
        List<FakeSlack.Call> posts = slack.calls("chat.postMessage", c -> busy.equals(c.param("channel")));
        for (int i = 1; i < posts.size(); i++) {
            long gap = posts.get(i).at() - posts.get(i - 1).at();
            assertTrue(gap >= 950, "one message per second per channel, but " + gap + " ms apart");
        }
        assertEquals(List.of("busy 0", "busy 1", "busy 2"), posts.stream().map(c -> c.param("text")).toList(),
                "in the order queued");
        FakeSlack.Call other = slack.calls("chat.postMessage", c -> quiet.equals(c.param("channel"))).get(0);
        assertTrue(other.at() - posts.get(0).at() < 900, "another channel does not wait for the busy one");
    }

    private static ChatMessage message(String text) {
        return ChatMessage.builder(text).paragraph(text).build();
    }
}
