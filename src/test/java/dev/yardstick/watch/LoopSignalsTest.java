package dev.yardstick.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The loop signatures on their own, in event time: each class of loop alerted, healthy sessions left alone. */
class LoopSignalsTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    /** A Tuesday, 14:00 UTC. */
    private static final long DAY = Instant.parse("2026-12-01T14:00:00Z").getEpochSecond();
    /** The same Tuesday, 01:00 UTC. */
    private static final long NIGHT = Instant.parse("2026-12-01T01:00:00Z").getEpochSecond();

    private static final String OPUS = "claude-opus-4-5";
    private static final String HAIKU = "claude-haiku-4-5";

    /**
     * A session's usage and signals as they arrive, in event time: {@link #firstFinding} feeds them minute by minute
     * and checks each minute once it is complete, as the watcher does with usage that arrives as it happens.
     */
    private static final class Feed {

        final LoopSignals l = new LoopSignals();
        final java.util.TreeMap<Long, java.util.List<Runnable>> byTime = new java.util.TreeMap<>();

        void at(long t, Runnable r) {
            byTime.computeIfAbsent(t, x -> new java.util.ArrayList<>()).add(r);
        }

        Feed request(long t, String model, long tokens, long out, double usd) {
            at(t, () -> l.request(t, model, tokens, out, usd));
            return this;
        }

        Feed prompt(long t) {
            at(t, () -> l.prompt(t));
            return this;
        }

        Feed failure(long t) {
            at(t, () -> l.failure(t));
            return this;
        }

        Feed toolOk(long t) {
            at(t, () -> l.toolOk(t));
            return this;
        }
    }

    /** The first minute a signature holds, checking every minute as usage comes in; null when none does. */
    private static LoopSignals.Finding firstFinding(Feed f, java.util.function.ToDoubleFunction<String> intended) {
        long first = Math.floorDiv(f.byTime.firstKey(), 60), last = Math.floorDiv(f.byTime.lastKey(), 60);
        for (long m = first; m <= last; m++) {
            for (var e : f.byTime.subMap(m * 60, (m + 1) * 60).values()) {
                e.forEach(Runnable::run);
            }
            LoopSignals.Finding found = f.l.check(m, UTC, intended);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static LoopSignals.Finding firstFinding(Feed f) {
        return firstFinding(f, p -> 0);
    }

    @Test
    void aTightRetryLoopIsFoundWithinMinutesAndNamed() {
        Feed l = new Feed();
        l.prompt(DAY - 600);
        for (int i = 0; i < 212; i++) {
            l.request(DAY + i * 2L, OPUS, 48_117, 182, 0.33);
            l.failure(DAY + i * 2L + 1);
        }
        LoopSignals.Finding f = firstFinding(l);
        assertNotNull(f);
        assertEquals(LoopSignals.REPEAT, f.pattern());
        assertEquals(48_117, f.evidence().tokens());
        assertEquals(DAY, f.evidence().since());
        assertEquals(DAY - 600, f.evidence().lastPrompt());
    }

    @Test
    void aLoopRightAfterBusyWorkIsFoundWithinFiveMinutes() {
        Feed l = heavy(DAY, 12, true); // a busy quarter hour of real work, then the step that keeps failing
        long start = DAY + 13 * 60;
        for (int i = 0; i < 150; i++) {
            l.request(start + i * 4L, OPUS, 106_433, 40 + i % 300, 0.06);
            l.failure(start + i * 4L + 1);
        }
        LoopSignals.Finding f = firstFinding(l);
        assertNotNull(f);
        assertTrue(f.evidence().until() - start <= 5 * 60, "found " + (f.evidence().until() - start) + " s in");
    }

    @Test
    void aSlowHaikuLoopAllNightIsFoundAndSoIsAnOvernightCycle() {
        Feed slow = new Feed();
        slow.prompt(NIGHT - 60);
        for (int i = 0; i < 480; i++) { // every minute, all night, a cent each
            slow.request(NIGHT + i * 60L, HAIKU, 9_400 + (i % 2), 60, 0.012);
        }
        LoopSignals.Finding f = firstFinding(slow);
        assertNotNull(f);
        assertEquals(LoopSignals.REPEAT, f.pattern());

        Feed cycle = new Feed(); // five steps over and over, no prompt since 23:00
        cycle.prompt(NIGHT - 7_200);
        for (int i = 0; i < 300; i++) {
            cycle.request(NIGHT + i * 40L, OPUS, 60_000 + (i % 5) * 3_000, 400, 0.11);
        }
        assertNotNull(firstFinding(cycle));
    }

    @Test
    void failuresRetriedOverAndOverAreARetryLoop() {
        Feed l = new Feed();
        l.prompt(DAY - 60);
        Random r = new Random(7);
        for (int i = 0; i < 120; i++) { // the context grows a little each time, the tool fails each time
            l.request(DAY + i * 6L, OPUS, 30_000 + i * 900L + r.nextInt(300), 2_000 + r.nextInt(500), 0.25);
            l.failure(DAY + i * 6L + 3);
        }
        LoopSignals.Finding f = firstFinding(l);
        assertNotNull(f);
        assertEquals(LoopSignals.RETRY, f.pattern());
    }

    /** A long Opus refactor: prompts every few minutes, the context growing, $60 in a busy quarter hour. */
    private static Feed heavy(long start, int minutes, boolean prompts) {
        Feed l = new Feed();
        Random r = new Random(start);
        long context = 20_000;
        for (int s = 0; s < minutes * 60; s += 8 + r.nextInt(10)) {
            if (prompts && s % 240 < 12) {
                l.prompt(start + s);
            }
            context += 300 + r.nextInt(4_000);
            if (context > 180_000) {
                context = 30_000 + r.nextInt(5_000); // compacted
            }
            l.request(start + s, OPUS, context, 100 + r.nextInt(3_000), 0.5 + r.nextDouble());
            l.toolOk(start + s + 4);
            if (r.nextInt(6) == 0) { // Haiku side calls, small and alike
                l.request(start + s + 1, HAIKU, 400 + r.nextInt(600), 20, 0.001);
            }
            if (r.nextInt(10) == 0) {
                l.failure(start + s + 5);
            }
        }
        return l;
    }

    @Test
    void heavyButHealthySessionsAreLeftAlone() {
        for (int k = 0; k < 20; k++) {
            long start = DAY + k * 86_400L * 7;
            assertNull(firstFinding(heavy(start, 180, true)), "heavy session " + k);
        }
    }

    @Test
    void nightAloneIsNoLoop() {
        // a person prompting at 02:00 (a night shift, another time zone): healthy
        assertNull(firstFinding(heavy(NIGHT, 240, true)));
        // an autonomous session working all night without a prompt, but productive: its context grows
        Feed l = heavy(NIGHT, 300, false);
        l.prompt(NIGHT - 60);
        assertNull(firstFinding(l));
    }

    @Test
    void itsIntendedRaisesTheBarForThatKindOfSession() {
        java.util.function.Supplier<Feed> loop = () -> {
            Feed l = new Feed();
            for (int i = 0; i < 200; i++) {
                l.request(DAY + i * 4L, OPUS, 48_117, 182, 0.33);
            }
            return l;
        };
        // the person said a like session at $30 a quarter hour was intended: $66 in 15 minutes is over twice that
        assertNotNull(firstFinding(loop.get(), p -> LoopSignals.REPEAT.equals(p) ? 30 : 0));
        // at $40 intended, this one (at most $66) stays under twice it
        assertNull(firstFinding(loop.get(), p -> LoopSignals.REPEAT.equals(p) ? 40 : 0));
        // another pattern learned says nothing about this one
        assertNotNull(firstFinding(loop.get(), p -> LoopSignals.RETRY.equals(p) ? 40 : 0));
    }

    /**
     * Counting a window's repeats only when its cost could reach a rule's floor changes no finding: random sessions
     * (loops and varied work, prompts, failures, day and night, costs around every floor), each minute checked both
     * ways.
     */
    @Test
    void skippingRepeatsThatCannotMatterChangesNoFinding() {
        Random r = new Random(23);
        ZoneId[] zones = {UTC, ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata")};
        String[] models = {OPUS, HAIKU, "gpt-5.5"};
        int checks = 0, found = 0, foundPruned = 0;
        java.util.Map<String, Integer> patterns = new java.util.TreeMap<>();
        for (int s = 0; s < 400; s++) {
            LoopSignals l = new LoopSignals();
            ZoneId zone = zones[r.nextInt(zones.length)];
            long start = (r.nextBoolean() ? DAY : NIGHT) + r.nextInt(7) * 86_400L + r.nextInt(3600);
            int minutes = 30 + r.nextInt(150);
            double perRequest = 0.002 + r.nextDouble() * (r.nextInt(4) == 0 ? 0.4 : 0.08);
            double loopShare = r.nextDouble();
            long loopSize = 2_000 + r.nextInt(100_000);
            double promptRate = r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.3;
            double failRate = r.nextDouble() * 0.8;
            int perMinute = 1 + r.nextInt(6);
            for (int m = 0; m < minutes; m++) {
                long minuteStart = start + m * 60L;
                for (int k = 0; k < perMinute; k++) {
                    long t = minuteStart + r.nextInt(60);
                    boolean loop = r.nextDouble() < loopShare;
                    l.request(t, loop ? models[0] : models[r.nextInt(models.length)],
                            loop ? loopSize + r.nextInt(20) : 1_000 + r.nextInt(200_000),
                            loop ? 50 + r.nextInt(400) : r.nextInt(4_000), perRequest * (0.5 + r.nextDouble()));
                    if (r.nextDouble() < failRate) {
                        l.failure(t);
                    } else if (r.nextBoolean()) {
                        l.toolOk(t);
                    }
                }
                if (r.nextDouble() < promptRate) {
                    l.prompt(minuteStart + r.nextInt(60));
                }
                long minute = Math.floorDiv(minuteStart, 60);
                l.countAllRepeats = true;
                LoopSignals.Finding all = l.check(minute, zone, p -> 0);
                l.countAllRepeats = false;
                LoopSignals.Finding pruned = l.check(minute, zone, p -> 0);
                assertEquals(all, pruned, "session " + s + ", minute " + m);
                checks++;
                if (all != null) {
                    found++;
                    patterns.merge(all.pattern(), 1, Integer::sum);
                }
                if (pruned != null) {
                    foundPruned++;
                }
            }
        }
        assertEquals(found, foundPruned);
        assertTrue(found > checks / 20 && found < checks / 2, found + " findings in " + checks + " checks");
        assertEquals(java.util.Set.of(LoopSignals.REPEAT, LoopSignals.RETRY, LoopSignals.NIGHT), patterns.keySet(),
                patterns.toString());
    }

    @Test
    void theEvidenceIsOneSentence() {
        Alert a = new Alert();
        a.reason = LoopSignals.REPEAT;
        RunawayDetector.Thresholds t = new RunawayDetector.Thresholds(new BigDecimal("100"), 1000, UTC);
        long since = Instant.parse("2026-12-01T01:14:00Z").getEpochSecond();
        long prompt = Instant.parse("2026-12-01T01:12:30Z").getEpochSecond();
        LoopSignals.Evidence e = new LoopSignals.Evidence(LoopSignals.REPEAT, 48_117, 212, since, since + 540, prompt,
                true, 69.96, 69.96, 212);
        assertEquals("the same 48k-token request 212 times in 9 min overnight, no prompt from you since 01:12;"
                + " $69.96 since it began at 01:14", AlertMessages.evidence(a, null, t, e));
        LoopSignals.Evidence never = new LoopSignals.Evidence(LoopSignals.RETRY, 0, 31, DAY, DAY + 300,
                Long.MIN_VALUE, false, 4.5, 4.5, 40);
        assertEquals("31 failed tool calls or API errors in 5 min, no prompt from you in this session;"
                + " $4.50 since it began at 14:00", AlertMessages.evidence(a, null, t, never));
        LoopSignals.Evidence ceiling = new LoopSignals.Evidence("cost", 0, 0, DAY, DAY + 899, -1, false, 120, 120,
                300);
        assertEquals("$120 within 15 minutes, past your team's ceiling of $100; $120 since it began at 14:00",
                AlertMessages.evidence(a, null, t, ceiling));
    }
}
