package dev.yardstick.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Dedupe keys as values: their stored form, their children and their kind. */
class MessageKeyTest {

    @Test
    void aKeyIsStoredAsItsPartsAndReadBack() {
        MessageKey digest = MessageKey.of("digest", "payments", "2026-W49");
        MessageKey chart = digest.and("manager", 7).and("chart");
        assertEquals("digest:payments:2026-W49:manager:7:chart", chart.value());
        assertEquals(chart, MessageKey.parse(chart.value()));
        assertEquals("digest", chart.kind());
        assertEquals("manager", chart.part(3));
        assertEquals(null, chart.part(9));
        assertTrue(chart.endsWith("chart"));
        assertEquals(digest.and("manager", 7), chart.parent());
    }

    @Test
    void childrenAreWithinTheirKeyAndOthersAreNot() {
        MessageKey digest = MessageKey.of("digest", "pay", "2026-W49");
        assertTrue(digest.within(digest));
        assertTrue(digest.and("chart").within(digest));
        assertFalse(MessageKey.of("digest", "payments", "2026-W49").within(MessageKey.of("digest", "pay")),
                "a longer team key is not a child of a shorter one");
        assertFalse(digest.within(digest.and("chart")));
    }
}
