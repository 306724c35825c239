package dev.yardstick.ingest;

import static dev.yardstick.Api.ingest;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.yardstick.Api;
import dev.yardstick.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plausibility limits are settings: here the cost limit is raised to just below the field's range and the
 * token limit lowered, so events the defaults refuse are kept and the other way round; and with such a cost
 * limit a batch can still take a daily total past what the ledger holds, which is a 400 that keeps nothing.
 */
@QuarkusTest
@TestProfile(RaisedLimitsTest.Limits.class)
class RaisedLimitsTest {

    /** YARDSTICK_INGEST_MAX_EVENT_COST_USD and YARDSTICK_INGEST_MAX_TOKENS_PER_REQUEST set. */
    public static class Limits implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("yardstick.ingest.max-event-cost-usd", "999999999.99",
                    "yardstick.ingest.max-tokens-per-request", "1000");
        }
    }

    @Inject
    DataSource ds;

    String token;
    String user;

    @BeforeEach
    void setUp() {
        token = Api.ingestToken();
        user = Api.member(Api.team("raised", "UTC"));
    }

    private String event(String id, String extra) {
        return "{\"id\":\"" + id + "\",\"time\":\"" + Instant.now().minusSeconds(60) + "\",\"user\":\"" + user
                + "\",\"tool\":\"codex\",\"model\":\"gpt-5\"" + extra + "}";
    }

    /** Raw rows keep their id's hash: the stored events among the ids {@code prefix + suffix}, suffix 0 to 1000. */
    private long stored(String prefix, String... suffixes) {
        return Db.scalar(ds,
                "select count(*) from usage_event where id_key in (select usage_id_key(md5(? || s)::uuid) from "
                        + "unnest(string_to_array(?, ',')) s)",
                prefix, String.join(",", suffixes));
    }

    @Test
    void theLimitsAreTheOperatorsSettings() {
        String p = "set-" + Api.unique() + "-";
        ingest(token).body("[" + event(p + "dear", ",\"costUsd\":500000") + ","
                + event(p + "1000", ",\"inputTokens\":600,\"outputTokens\":400") + ","
                + event(p + "1001", ",\"inputTokens\":600,\"outputTokens\":401") + "]")
                .post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(2))
                .body("rejected", hasSize(1)).body("rejected[0].id", equalTo(p + "1001"))
                .body("rejected[0].error", containsString("more than the limit of 1000 per request"));
        assertEquals(2, stored(p, "dear", "1000", "1001"));
    }

    @Test
    void aBatchWhoseDailySumOverflowsIs400AndKeepsNothing() {
        String p = "sum-" + Api.unique() + "-";
        StringBuilder nd = new StringBuilder();
        for (int i = 0; i < 1001; i++) {
            nd.append(event(p + i, ",\"costUsd\":999999999.99")).append('\n');
        }
        Api.ndjson(token, "/api/v1/usage-events", nd.toString()).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("daily total"));
        assertEquals(0, stored(p, java.util.stream.IntStream.range(0, 1001).mapToObj(Integer::toString)
                .toArray(String[]::new)));
    }
}
