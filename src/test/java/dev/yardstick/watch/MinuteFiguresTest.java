package dev.yardstick.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MinuteFiguresTest {

    @Test
    void lateEventsAreInsertedInPlaceAndAddedToTheirMinute() {
        MinuteFigures m = new MinuteFigures();
        for (long minute : new long[]{10, 12, 11, 30, 5, 12, 40, 20, 1, 50}) {
            m.add(minute, 1.5, 2);
        }
        long[] expected = {1, 5, 10, 11, 12, 20, 30, 40, 50};
        assertEquals(expected.length, m.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], m.minute(i));
        }
        assertEquals(3.0, m.cost(4), 1e-12);
        assertEquals(4, m.requests(4));
        m.dropBefore(12);
        assertEquals(12, m.minute(0));
        assertEquals(5, m.size());
    }

    @Test
    void peakIsTheLargestFifteenMinuteWindowEndingAtOrAfterFrom() {
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            MinuteFigures m = new MinuteFigures();
            double[] cost = new double[300];
            long[] reqs = new long[300];
            for (int e = 0; e < 150; e++) {
                int minute = r.nextInt(300);
                double c = r.nextInt(100) / 100.0;
                long q = 1 + r.nextInt(3);
                m.add(1_000_000 + minute, c, q);
                cost[minute] += c;
                reqs[minute] += q;
            }
            int from = r.nextInt(300);
            double bestCost = 0;
            long bestReqs = 0;
            for (int end = from; end < 300; end++) { // windows ending at minutes with usage, as in SQL
                if (reqs[end] == 0) {
                    continue;
                }
                double c = 0;
                long q = 0;
                for (int k = Math.max(0, end - 14); k <= end; k++) {
                    c += cost[k];
                    q += reqs[k];
                }
                bestCost = Math.max(bestCost, c);
                bestReqs = Math.max(bestReqs, q);
            }
            MinuteFigures.Peak peak = m.peak(1_000_000 + from);
            assertEquals(bestCost, peak.costUsd(), 1e-9);
            assertEquals(bestReqs, peak.requests());
        }
    }

    @Test
    void runEndsAtTheLastMinuteAndStopsAtTheFirstLongPause() {
        MinuteFigures m = new MinuteFigures();
        for (long minute : new long[]{0, 100, 140, 170, 200, 230, 260}) {
            m.add(minute, 0.05, 1);
        }
        assertEquals(120, m.run(0, 30), "260 back to 140; the 40-minute pause before 140 ends it");
        assertEquals(160, m.run(0, 40));
        assertEquals(60, m.run(200, 30), "only minutes from 200 on count");
        assertEquals(0, m.run(300, 30));
    }

    @Test
    void aStoppingReplicaHandsOverWhatCouldStillDecideAnAlert() {
        RunawayDetector.Thresholds line = new RunawayDetector.Thresholds(new BigDecimal("20"), 300, ZoneOffset.UTC);
        long noon = ZonedDateTime.of(2026, 11, 30, 12, 0, 0, 0, ZoneOffset.UTC).toEpochSecond() / 60;

        MinuteFigures busy = new MinuteFigures(); // 75 requests (a quarter of 300) in the last 15 minutes
        for (int i = 0; i < 15; i++) {
            busy.add(noon - i, 0.01, 5);
        }
        assertTrue(HandOver.worthHandingOver(busy, line, 1, noon));
        busy.dropBefore(noon - 13); // 70: under a quarter
        assertFalse(HandOver.worthHandingOver(busy, line, 1, noon));

        MinuteFigures part = new MinuteFigures(); // 40 requests: under a quarter of the line, over an eighth
        part.add(noon, 0.01, 40);
        assertFalse(HandOver.worthHandingOver(part, line, 1, noon));
        assertTrue(HandOver.worthHandingOver(part, line, 2, noon), "with two replicas: over an eighth");

        MinuteFigures costly = new MinuteFigures(); // $5 of $20: a quarter
        costly.add(noon - 14, 5, 1);
        assertTrue(HandOver.worthHandingOver(costly, line, 1, noon));
        assertFalse(HandOver.worthHandingOver(costly, line, 1, noon + 1), "out of every window still to come");

        long night = noon + 14 * 60; // 02:00 the next morning, UTC
        MinuteFigures owl = new MinuteFigures(); // a cheap call every 10 minutes since 01:20
        for (long m = night - 40; m <= night; m += 10) {
            owl.add(m, 0.01, 1);
        }
        assertTrue(HandOver.worthHandingOver(owl, line, 1, night + 5), "over 30 minutes tonight, and recent");
        assertFalse(HandOver.worthHandingOver(owl, line, 1, night + 31), "stopped over 30 minutes ago");
        MinuteFigures shortOwl = new MinuteFigures();
        shortOwl.add(night - 20, 0.01, 1);
        shortOwl.add(night, 0.01, 1);
        assertFalse(HandOver.worthHandingOver(shortOwl, line, 1, night), "20 minutes tonight");
        assertFalse(HandOver.worthHandingOver(new MinuteFigures(), line, 1, noon));
    }
}
