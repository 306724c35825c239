package dev.yardstick.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
