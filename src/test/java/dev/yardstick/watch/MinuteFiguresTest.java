package dev.yardstick.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
