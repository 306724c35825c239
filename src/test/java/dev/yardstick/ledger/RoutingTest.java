package dev.yardstick.ledger;

import static dev.yardstick.Api.admin;
import static dev.yardstick.Api.ingest;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.Api;
import dev.yardstick.Db;
import dev.yardstick.admin.Member;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.digest.DigestService;
import dev.yardstick.personal.PersonalFigures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Routing advice in dollars: short requests on a premium model set against the same provider's efficient model.
 * Expected dollars are worked out here from the per-million prices listed in docs/pricing.md, not by the code under
 * test.
 */
@QuarkusTest
class RoutingTest {

    @Inject
    ModelRouting routing;
    @Inject
    Pricing pricing;
    @Inject
    PersonalFigures personal;
    @Inject
    DataSource ds;

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** Tokens times USD per million tokens, for pairs of (tokens, price). */
    private static BigDecimal usd(Object... tokensAndPrices) {
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < tokensAndPrices.length; i += 2) {
            sum = sum.add(BigDecimal.valueOf(((Number) tokensAndPrices[i]).longValue())
                    .multiply(new BigDecimal((String) tokensAndPrices[i + 1])));
        }
        return sum.divide(MILLION, 8, RoundingMode.UNNECESSARY);
    }

    @Test
    void eachPremiumFamilyHasTheSameProvidersEfficientModel() {
        assertEquals(Optional.of("claude-haiku-4-5"), cheaper("claude-opus-4-5-20251101"));
        assertEquals(Optional.of("claude-haiku-4-5"), cheaper("claude-sonnet-4-5[1m]"));
        assertEquals(Optional.of("claude-haiku-5-5"), cheaper("claude-opus-5-5"));
        assertEquals(Optional.of("gpt-4o-mini"), cheaper("gpt-4o-2024-08-06"));
        assertEquals(Optional.of("gpt-5-mini"), cheaper("gpt-5"));
        assertEquals(Optional.of("gpt-5.1-codex-mini"), cheaper("gpt-5.2-codex"));
        assertEquals(Optional.of("gpt-6-luna"), cheaper("gpt-6.2-astra"));
        assertEquals(Optional.of("gemini-2.5-flash"), cheaper("gemini-2.5-pro"));
        assertEquals(Optional.of("gemini-3-flash-preview"), cheaper("gemini-3.1-pro-preview"));
        assertEquals(Optional.empty(), cheaper("gpt-5-pro"), "the -pro models are chosen for hard problems");
        assertEquals(Optional.empty(), cheaper("claude-haiku-4-5"), "already efficient");
        assertEquals(Optional.empty(), cheaper("homegrown-llm"));
        for (ModelRouting.Rule r : ModelRouting.RULES) {
            assertEquals("efficient", pricing.lookup(r.efficient()).orElseThrow().tier(), r.efficient());
        }
        assertTrue(ModelRouting.isShort(6000, 4000, 4000, 2000, 1));
        assertFalse(ModelRouting.isShort(6000, 4000, 4001, 2000, 1), "16,001 tokens");
        assertFalse(ModelRouting.isShort(100, 100, 0, 0, 2), "two requests' totals");
    }

    private Optional<String> cheaper(String model) {
        return routing.cheaper(model).map(Pricing.Price::model);
    }

    @Test
    void shortRequestsAreSetAgainstTheCheaperModelsListPricesPrivately() {
        String team = Api.team("route", "UTC");
        String ana = Api.member(team);
        String token = Api.ingestToken();
        Instant t = Instant.now().minus(1, ChronoUnit.MINUTES);
        List<Map<String, Object>> events = new ArrayList<>();
        List<String> opusIds = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Map<String, Object> e = event(ana, t, "claude-opus-4-5", 6000, 4000, 4000, 2000, 1);
            opusIds.add((String) e.get("id"));
            events.add(e);
        }
        events.add(event(ana, t, "claude-opus-4-5", 6000, 4000, 4001, 2000, 1)); // 16,001 tokens: not short
        events.add(event(ana, t, "claude-opus-4-5", 100, 100, 0, 0, 2)); // two requests: not short
        events.add(event(ana, t, "gpt-4o", 1000, 500, 0, 0, 1));
        events.add(event(ana, t, "claude-haiku-4-5", 1000, 500, 0, 0, 1)); // efficient already
        ingest(token).body(events).post("/api/v1/usage-events").then().statusCode(202).body("accepted", equalTo(14));

        // Opus 4.5: $5 input, $25 output, $0.50 cache read, $6.25 cache write; Haiku 4.5: $1, $5, $0.10, $1.25
        BigDecimal opus = usd(6000, "5.00", 4000, "25.00", 4000, "0.50", 2000, "6.25").multiply(BigDecimal.TEN);
        BigDecimal haiku = usd(6000, "1.00", 4000, "5.00", 4000, "0.10", 2000, "1.25").multiply(BigDecimal.TEN);
        assertEquals(0, new BigDecimal("1.445").compareTo(opus));
        assertEquals(0, new BigDecimal("0.289").compareTo(haiku));
        // GPT-4o: $2.50 input, $10 output; GPT-4o mini: $0.15, $0.60
        BigDecimal gpt4o = usd(1000, "2.50", 500, "10.00"), mini = usd(1000, "0.15", 500, "0.60");

        long id = Db.scalar(ds, "select id from member where email = ?", ana);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<ModelRouting.Advice> advice = routing.ofMember(id, today.minusDays(7), today);
        assertEquals(2, advice.size(), advice.toString());
        assertAdvice(advice.get(0), "claude-opus-4-5", "claude-haiku-4-5", 10, opus, haiku);
        assertAdvice(advice.get(1), "gpt-4o", "gpt-4o-mini", 1, gpt4o, mini);
        assertEquals(0, opus.subtract(haiku).add(gpt4o).subtract(mini)
                .compareTo(ModelRouting.total(routing.ofTeam(team, today.minusDays(7), today))));

        // 1.445 − 0.289 = 1.156 → $1.16; GPT-4o's $0.00705 is under the personal line's $1
        String mine = myWeek(ana);
        assertTrue(mine.contains("**Routing:** Your 10 short requests on claude-opus-4-5 would have cost $1.16 less "
                + "on claude-haiku-4-5.\n_Short: one request of at most 16,000 tokens"), mine);
        assertFalse(mine.contains("gpt-4o would"), mine);
        String home = QuarkusTransaction.requiringNew().call(() -> text(personal.home(
                Member.find("email", ana).firstResult(), Instant.now(), List.of())));
        assertTrue(home.contains("Your 10 short requests on claude-opus-4-5 would have cost $1.16 less"), home);
        String bo = Api.member(team);
        assertFalse(myWeek(bo).contains("Routing"), "only the person's own requests");

        // the team's $1.16 is under the digest's $5: no routing line
        String digest = admin().get("/api/v1/teams/" + team + "/digest?week=" + DigestService.isoWeek(today))
                .then().statusCode(200).extract().asString();
        assertFalse(digest.contains("short request"), digest);

        // voided usage leaves the estimate too: 5 of the 10 left, $0.578, under the personal line's $1
        admin().body(Map.of("ids", opusIds.subList(0, 5), "reason", "test")).post("/api/v1/usage-events/void")
                .then().statusCode(200);
        List<ModelRouting.Advice> after = routing.ofMember(id, today.minusDays(7), today);
        assertAdvice(after.get(0), "claude-opus-4-5", "claude-haiku-4-5", 5,
                opus.divide(BigDecimal.valueOf(2)), haiku.divide(BigDecimal.valueOf(2)));
        assertFalse(myWeek(ana).contains("Routing"));
    }

    @Test
    void theDigestGivesTheTeamsPossibleSavingAboveItsMinimumNamingNobody() {
        String team = Api.team("routed", "UTC");
        String ana = Api.member(team);
        Instant t = Instant.now().minus(1, ChronoUnit.MINUTES);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            events.add(event(ana, t, "claude-opus-4-5", 6000, 4000, 4000, 2000, 1));
        }
        ingest(Api.ingestToken()).body(events).post("/api/v1/usage-events").then().statusCode(202);
        // 60 × (0.1445 − 0.0289) = $6.936 of $8.67 spent (80%): above $5 and 5%
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String digest = admin().get("/api/v1/teams/" + team + "/digest?week=" + DigestService.isoWeek(today))
                .then().statusCode(200).extract().asString();
        assertTrue(digest.contains("60 short requests on premium models would have cost $6.94 less (80% of spend) "
                + "on the same provider's efficient models"), digest);
        assertFalse(digest.contains(ana), digest);
    }

    private static void assertAdvice(ModelRouting.Advice a, String model, String cheaper, long requests,
            BigDecimal cost, BigDecimal cheaperCost) {
        assertEquals(model, a.model());
        assertEquals(cheaper, a.cheaperModel());
        assertEquals(requests, a.requests());
        assertEquals(0, cost.compareTo(a.costUsd()), a.toString());
        assertEquals(0, cheaperCost.compareTo(a.cheaperCostUsd()), a.toString());
    }

    private String myWeek(String email) {
        return QuarkusTransaction.requiringNew().call(() -> text(
                personal.myWeek(Member.find("email", email).firstResult(), Instant.now())));
    }

    private static String text(ChatMessage m) {
        return m.blocks().stream().filter(ChatMessage.Paragraph.class::isInstance)
                .map(b -> ((ChatMessage.Paragraph) b).text()).collect(Collectors.joining("\n"));
    }

    private static Map<String, Object> event(String user, Instant time, String model, long in, long out, long read,
            long write, int requests) {
        Map<String, Object> e = new HashMap<>();
        e.put("id", "r-" + UUID.randomUUID());
        e.put("time", time.toString());
        e.put("user", user);
        e.put("tool", "claude-code");
        e.put("model", model);
        e.put("inputTokens", in);
        e.put("outputTokens", out);
        e.put("cacheReadTokens", read);
        e.put("cacheWriteTokens", write);
        e.put("requests", requests);
        return e;
    }
}
