package dev.yardstick.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PricingTest {

    @TempDir
    Path dir;

    private static Pricing load(Path file) {
        Pricing pricing = new Pricing();
        pricing.mapper = new ObjectMapper();
        pricing.load(Optional.ofNullable(file));
        return pricing;
    }

    @Test
    void shippedTableMatchesIdsAliasesAndDatedNames() {
        Pricing pricing = load(null);
        Pricing.Price sonnet = pricing.lookup("claude-sonnet-4-5").orElseThrow();
        assertEquals(0, new BigDecimal("3").compareTo(sonnet.input()));
        assertEquals(sonnet, pricing.lookup("claude-sonnet-4-5-20250929").orElseThrow());
        assertEquals(sonnet, pricing.lookup("Claude-Sonnet-4-5@20250929").orElseThrow());
        assertEquals(sonnet, pricing.lookup("claude-sonnet-4-5-2099-01-01").orElseThrow());
        assertTrue(pricing.lookup("gpt-5").isPresent());
        assertTrue(pricing.lookup("gemini-2.5-flash").isPresent());
        assertEquals("efficient", pricing.lookup("claude-haiku-4-5").orElseThrow().tier());
        assertEquals("premium", pricing.lookup("claude-opus-4-1").orElseThrow().tier());
        assertTrue(pricing.lookup("homegrown-llm").isEmpty());
    }

    @Test
    void costIsTokensTimesPricePerMillion() {
        Pricing.Price p = new Pricing.Price("m", new BigDecimal("3"), new BigDecimal("15"), new BigDecimal("0.30"),
                new BigDecimal("3.75"), "premium");
        assertEquals(new BigDecimal("6.60000000"), p.cost(1_000_000, 100_000, 2_000_000, 400_000));
        assertEquals(new BigDecimal("0.00000300"), p.cost(1, 0, 0, 0));
    }

    @Test
    void aTableInYardsticksFormatMayNameEachModelsCheaperModel() throws IOException {
        Path file = dir.resolve("routing.json");
        Files.writeString(file, """
                {"models": [
                  {"model": "in-house-405b", "tier": "premium", "input": 4, "output": 12, "cacheRead": 0.4,
                   "cacheWrite": 4, "cheaper": "In-House-8B"},
                  {"model": "in-house-8b", "tier": "efficient", "input": 0.2, "output": 0.6, "cacheRead": 0.02,
                   "cacheWrite": 0.2},
                  {"model": "claude-opus-4-5", "tier": "premium", "input": 5, "output": 25, "cacheRead": 0.5,
                   "cacheWrite": 6.25}]}
                """);
        ModelRouting routing = new ModelRouting();
        routing.pricing = load(file);
        assertEquals("in-house-8b", routing.cheaper("in-house-405b").orElseThrow().model());
        assertTrue(routing.cheaper("in-house-8b").isEmpty(), "already efficient");
        assertTrue(routing.cheaper("claude-opus-4-5").isEmpty(), "the rule's claude-haiku-4-5 is not in this table");
    }

    @Test
    void fileReplacesTheShippedTable() throws IOException {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {"models": [{"model": "in-house-70b", "tier": "efficient", "input": 0.5, "output": 1,
                             "cacheRead": 0.05, "cacheWrite": 0.5, "aliases": ["ih70"]}]}
                """);
        Pricing pricing = load(file);
        assertEquals(new BigDecimal("1.50000000"),
                pricing.lookup("ih70").orElseThrow().cost(1_000_000, 1_000_000, 0, 0));
        assertTrue(pricing.lookup("claude-sonnet-4-5").isEmpty(), "the file replaces the table, it does not extend it");
    }

    /**
     * An excerpt of LiteLLM's model_prices_and_context_window.json as published in BerriAI/litellm (entries copied
     * verbatim), priced by hand from the entries' per-token prices.
     */
    @Test
    void liteLlmsSharedFileIsReadWithLongContextTiersAndOneHourCacheWrites() throws Exception {
        Path file = dir.resolve("model_prices_and_context_window.json");
        try (var in = PricingTest.class.getResourceAsStream("/pricing/model_prices_and_context_window.json")) {
            Files.copy(in, file);
        }
        Pricing pricing = load(file);
        Pricing.Price sonnet = pricing.lookup("claude-sonnet-4-5-20250929").orElseThrow();
        assertEquals(0, new BigDecimal("3").compareTo(sonnet.input()));
        assertEquals(0, new BigDecimal("6").compareTo(sonnet.cacheWrite1h()));
        assertEquals("premium", sonnet.tier());

        // 180k-token prompt, at the base tier: $3 input, $15 output, $0.30 read, $3.75 5-minute write, $6 1-hour
        // write. 10,000 x 3 + 2,000 x 15 + 150,000 x 0.30 + 12,000 x 3.75 + 8,000 x 6 = 198,000 / 1e6
        UsageRecord below = event("claude-sonnet-4-5-20250929", 10_000, 2_000, 150_000, 20_000, 8_000, 1);
        assertEquals(new BigDecimal("0.19800000"), below.cost(sonnet));
        // 210k-token prompt, above 200k: $6 input, $22.50 output, $0.60 read, $7.50 5-minute write, $12 1-hour
        // write, for the whole request. 50,000 x 6 + 4,000 x 22.50 + 150,000 x 0.60 + 6,000 x 7.50 + 4,000 x 12
        // = 573,000 / 1e6
        UsageRecord above = event("claude-sonnet-4-5-20250929", 50_000, 4_000, 150_000, 10_000, 4_000, 1);
        assertEquals(new BigDecimal("0.57300000"), above.cost(sonnet));
        // The same counts over three requests: no request is known to be long, so the base tier.
        // 50,000 x 3 + 4,000 x 15 + 150,000 x 0.30 + 6,000 x 3.75 + 4,000 x 6 = 301,500 / 1e6
        assertEquals(new BigDecimal("0.30150000"),
                event("claude-sonnet-4-5", 50_000, 4_000, 150_000, 10_000, 4_000, 3).cost(sonnet));
        // Exactly 200k is not above 200k.
        assertEquals(new BigDecimal("0.60000000"), sonnet.cost(200_000, 0, 0, 0, 0, 1));

        // No 1-hour price at all: 1-hour writes at the 5-minute price, in the long-context tier too.
        // 190,000 x 6 + 20,000 x 7.50 = 1,290,000 / 1e6
        Pricing.Price sonnet4 = pricing.lookup("claude-4-sonnet-20250514").orElseThrow();
        assertEquals(new BigDecimal("1.29000000"), sonnet4.cost(190_000, 0, 0, 20_000, 0, 1));
        assertEquals(new BigDecimal("1.29000000"), sonnet4.cost(190_000, 0, 0, 20_000, 20_000, 1));

        Pricing.Price haiku = pricing.lookup("claude-haiku-4-5").orElseThrow();
        assertEquals("efficient", haiku.tier());
        // 1,000 x 1 + 1,000 x 5 + 1,000 x 0.10 + 1,000 x 2 (1-hour) = 8,100 / 1e6
        assertEquals(new BigDecimal("0.00810000"), haiku.cost(1_000, 1_000, 1_000, 1_000, 1_000, 1));
        assertTrue(haiku.longContext().isEmpty());

        assertTrue(pricing.lookup("sample_spec").isEmpty(), "sample_spec describes the format");
        assertTrue(pricing.lookup("gpt-4o-transcribe-diarize").isEmpty(), "audio transcription is not chat");
        assertTrue(pricing.lookup("1024-x-1024/dall-e-2").isEmpty(), "images are not priced by the token");
        Pricing.Price bedrockHaiku = pricing.lookup("us.anthropic.claude-3-5-haiku-20241022-v1:0").orElseThrow();
        assertEquals(bedrockHaiku, pricing.lookup("bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0").orElseThrow());
        assertEquals(0, new BigDecimal("0.8").compareTo(bedrockHaiku.input()));
        assertEquals(0, new BigDecimal("0.08").compareTo(bedrockHaiku.cacheRead()));
        assertTrue(pricing.lookup("gpt-5").isEmpty(), "the file replaces the shipped table");
    }

    @Test
    void ownFormatCarriesOneHourWritesAndLongContextTiers() throws IOException {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {"models": [{"model": "m", "input": 2, "output": 10, "cacheRead": 0.2, "cacheWrite": 2.5,
                             "cacheWrite1h": 4, "longContext": [{"above": 100000, "input": 4, "output": 15}]}]}
                """);
        Pricing.Price m = load(file).lookup("m").orElseThrow();
        // base: 1,000 x 2 + 1,000 x 10 + 1,000 x 0.2 + 1,000 x 2.5 + 1,000 x 4 = 18,700 / 1e6
        assertEquals(new BigDecimal("0.01870000"), m.cost(1_000, 1_000, 1_000, 2_000, 1_000, 1));
        // above 100k: 100,000 x 4 + 1,000 x 15 + 1,000 x 0.2 + 1,000 x 2.5 + 1,000 x 4 = 421,700 / 1e6
        assertEquals(new BigDecimal("0.42170000"), m.cost(100_000, 1_000, 1_000, 2_000, 1_000, 1));
        Files.writeString(file, """
                {"models": [{"model": "m", "input": 2, "output": 10, "cacheRead": 0.2, "cacheWrite": 2.5,
                             "cacheWrite1h": 4, "longContext": [{"above": 100000, "input": 4, "cacheWrite": 5}]}]}
                """);
        // A tier's 1-hour write without a price of its own keeps the base ratio: 5 x 4 / 2.5 = 8 per million.
        // 100,000 x 4 + 1,000 x 5 + 1,000 x 8 = 413,000 / 1e6
        assertEquals(new BigDecimal("0.41300000"), load(file).lookup("m").orElseThrow()
                .cost(100_000, 0, 0, 2_000, 1_000, 1));
        assertEquals(0, new BigDecimal("6").compareTo(load(null).lookup("claude-sonnet-4-5").orElseThrow()
                .cacheWrite1h()), "the shipped table: Anthropic's 1-hour write is 2 x input");
    }

    private static UsageRecord event(String model, long in, long out, long cacheRead, long cacheWrite,
            long cacheWrite1h, int requests) {
        return new UsageRecord("e", Instant.now(), "a@example.com", null, "claude_code", model, in, out, cacheRead,
                cacheWrite, null, requests, null, cacheWrite1h);
    }
}
