package dev.yardstick.watch;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;

/**
 * The shape of one session's recent requests, and what its tool reported beside them (prompts, tool results, API
 * errors), in memory on one replica, and the loop signatures read from them (see {@code docs/alerts.md}). Each check
 * reads only what happened up to the minute it checks, in event time, so a batch of old-but-live usage is judged
 * minute by minute as if it had arrived as it happened. Used on the watcher's thread only.
 */
final class LoopSignals {

    /** Requests kept per session (the newest; a loop of more repeats the same ones). */
    static final int REQUESTS = 512;
    /** Failures and tool successes kept per session. */
    static final int OUTCOMES = 256;
    /** Outputs up to this many tokens are "short": a loop's answers are. */
    static final int SHORT_OUTPUT = 1_500;
    /** Two requests are near-identical when their sizes differ by at most this many tokens... */
    static final long SAME_TOKENS = 16;
    /** ...or this fraction of their size, whichever is more. */
    static final double SAME_SHARE = 0.001;
    /** A prompt this recent (minutes) means a person is at the session: no tight-loop signature. */
    static final long PROMPTED_LATELY = 5;
    /** A session without a prompt for this long (and repeating) is a slow loop; at night, quiet enough. */
    static final long QUIET_MINUTES = 30;
    /** Night or weekend, with repetition: a session quiet for this long. */
    static final long NIGHT_QUIET_MINUTES = 60;
    /** How much higher than the peak of a session answered "It's intended" a like session must go to alert again. */
    static final double INTENDED_FACTOR = 2.0;

    /** The loop patterns, as recorded in an alert's {@code reason} and in learned baselines. */
    static final String REPEAT = "repeat";
    static final String RETRY = "retry";
    static final String NIGHT = "night";
    /** Far above the person's own history (see {@code Watcher}). */
    static final String BASELINE = "baseline";

    private final long[] at = new long[REQUESTS];
    private final long[] size = new long[REQUESTS];
    private final int[] output = new int[REQUESTS];
    private final double[] cost = new double[REQUESTS];
    private final String[] model = new String[REQUESTS];
    /** Each request's model as its index in {@link #models} (the session's 128th and later models share 127). */
    private final byte[] modelOf = new byte[REQUESTS];
    /** The session's models, in the order they first came (at most 127). */
    private String[] models = new String[2];
    private int modelCount;
    private int head;
    private int count;
    private final long[] failedAt = new long[OUTCOMES];
    private int failedHead;
    private int failed;
    private final long[] okAt = new long[OUTCOMES];
    private int okHead;
    private int ok;
    /** Epoch seconds of the latest prompt, or {@link Long#MIN_VALUE} when none was seen. */
    long lastPrompt = Long.MIN_VALUE;
    /** The latest prompts' times, so that a check of an earlier minute sees only the prompts before it. */
    private final long[] promptAt = new long[64];
    private int promptHead;
    private int prompts;
    /** Whether the tool reported anything beyond usage for this session (so "no prompt" means something). */
    boolean reports;
    long firstAt = Long.MAX_VALUE;
    /** The minutes that got requests or failures since the last check (the latest {@link #TOUCHED}, unsorted). */
    private final long[] touched = new long[TOUCHED];
    private int touchedCount;
    private int touchedHead;
    static final int TOUCHED = 32;
    /** When (wall clock) this replica last raised an alert on the session's signatures. */
    Instant alertedAt;

    /** Requests taken in since the last check. */
    int sinceCheck;
    /** Count repeats in every window, whatever its cost (the checks' reference, for tests). */
    boolean countAllRepeats;

    void request(long epochSecond, String m, long tokens, long out, double usd) {
        firstAt = Math.min(firstAt, epochSecond);
        sinceCheck++;
        touch(epochSecond);
        if (tokens <= 0) {
            return; // usage without token counts tells nothing of its shape
        }
        at[head] = epochSecond;
        size[head] = tokens;
        output[head] = (int) Math.min(Integer.MAX_VALUE, out);
        cost[head] = usd;
        model[head] = m;
        modelOf[head] = modelIndex(m);
        head = (head + 1) % REQUESTS;
        count = Math.min(REQUESTS, count + 1);
    }

    private byte modelIndex(String m) {
        for (int x = 0; x < modelCount; x++) {
            if (models[x].equals(m)) {
                return (byte) x;
            }
        }
        if (modelCount == 127) {
            return 127;
        }
        if (modelCount == models.length) {
            models = Arrays.copyOf(models, modelCount * 2);
        }
        models[modelCount] = m;
        return (byte) modelCount++;
    }

    void prompt(long epochSecond) {
        reports = true;
        lastPrompt = Math.max(lastPrompt, epochSecond);
        promptAt[promptHead] = epochSecond;
        promptHead = (promptHead + 1) % promptAt.length;
        prompts = Math.min(promptAt.length, prompts + 1);
    }

    /**
     * The latest prompt before {@code end}: epoch seconds, {@link Long#MIN_VALUE} when the tool reported none before
     * it, or -1 when it reports no prompts for this session at all.
     */
    long promptBefore(long end) {
        long best = Long.MIN_VALUE;
        for (int i = 0; i < prompts; i++) {
            if (promptAt[i] < end) {
                best = Math.max(best, promptAt[i]);
            }
        }
        if (best == Long.MIN_VALUE && prompts == promptAt.length) {
            return lastPrompt < end ? lastPrompt : end - 1; // older than the prompts kept: long ago
        }
        return best != Long.MIN_VALUE || reports ? best : -1;
    }

    void failure(long epochSecond) {
        reports = true;
        failedAt[failedHead] = epochSecond;
        failedHead = (failedHead + 1) % OUTCOMES;
        failed = Math.min(OUTCOMES, failed + 1);
        touch(epochSecond);
    }

    void toolOk(long epochSecond) {
        reports = true;
        okAt[okHead] = epochSecond;
        okHead = (okHead + 1) % OUTCOMES;
        ok = Math.min(OUTCOMES, ok + 1);
    }

    /** Takes in what another holder of this session's signals collected (signals that came before its usage). */
    void adopt(LoopSignals other) {
        reports |= other.reports;
        for (int i = 0; i < other.prompts; i++) {
            prompt(other.promptAt[i]);
        }
        for (int i = 0; i < other.failed; i++) {
            failure(other.failedAt[i]);
        }
        for (int i = 0; i < other.ok; i++) {
            toolOk(other.okAt[i]);
        }
    }

    private void touch(long epochSecond) {
        long minute = Math.floorDiv(epochSecond, 60);
        for (int i = 0; i < touchedCount; i++) {
            if (touched[i] == minute) {
                return;
            }
        }
        touched[touchedHead] = minute;
        touchedHead = (touchedHead + 1) % TOUCHED;
        touchedCount = Math.min(TOUCHED, touchedCount + 1);
    }

    /** Whether the session should be checked before more arrives (else the oldest unchecked minutes go unchecked). */
    boolean dueForCheck() {
        return sinceCheck >= REQUESTS / 2 || touchedCount == TOUCHED;
    }

    /** The minutes to check (those that got requests or failures since the last check), in order; forgets them. */
    long[] takeTouched() {
        long[] out = java.util.Arrays.copyOf(touched, touchedCount);
        java.util.Arrays.sort(out);
        touchedCount = 0;
        touchedHead = 0;
        sinceCheck = 0;
        return out;
    }

    /** What a check found: the pattern and its evidence, or null. */
    record Finding(String pattern, Evidence evidence) {
    }

    /**
     * The evidence of a loop, for the one sentence that names it ({@link AlertMessages#evidence}).
     *
     * @param pattern     {@link #REPEAT}, {@link #RETRY}, {@link #NIGHT}, or {@code cost} / {@code requests} (a
     *                    ceiling)
     * @param tokens      the repeated request's size (repeat), else 0
     * @param times       how many times it was sent (repeat), or how many failures (retry)
     * @param since       epoch seconds: when the pattern began (its first repeat or failure after the last prompt)
     * @param until       epoch seconds: the moment (event time) the check found it
     * @param lastPrompt  epoch seconds of the person's last prompt, {@link Long#MIN_VALUE} when the tool reported
     *                    none in this session, or -1 when the tool reports no prompts at all
     * @param night       whether it was night or weekend in the team's timezone
     * @param costSince   what the session spent from {@code since} to {@code until}
     * @param cost15      what it spent in the 15 minutes to {@code until}
     * @param requests15  its requests in those 15 minutes
     * @param usualUsd    pattern {@code baseline}: the person's busiest day with the tool and model in four weeks
     */
    record Evidence(String pattern, long tokens, int times, long since, long until, long lastPrompt, boolean night,
            double costSince, double cost15, long requests15, double usualUsd) {

        Evidence(String pattern, long tokens, int times, long since, long until, long lastPrompt, boolean night,
                double costSince, double cost15, long requests15) {
            this(pattern, tokens, times, since, until, lastPrompt, night, costSince, cost15, requests15, 0);
        }
    }

    /**
     * Figures of the requests in a window ending at the checked minute, and of its last 5 minutes (a loop that
     * began within the window shows there first: what came before it still fills the rest of the window).
     */
    private record Window(int requests, int repeats, double repeatCost, double cost, int failures, int oks,
            int requests5, int repeats5, double repeatCost5) {

        boolean tight() {
            return requests >= 10 && repeats >= 0.7 * requests && repeatCost >= 1.0
                    || requests5 >= 10 && repeats5 >= 0.7 * requests5 && repeatCost5 >= 1.0;
        }
    }

    /**
     * Checks the session as it stood at the end of {@code minute} (event time): the loop signatures, night and
     * weekend in {@code zone} only together with them. {@code intendedCost} is, per pattern, the 15-minute cost of
     * a like session its user said was intended (a signature then needs {@link #INTENDED_FACTOR} times it), or null.
     */
    Finding check(long minute, ZoneId zone, java.util.function.ToDoubleFunction<String> intendedCost) {
        long end = (minute + 1) * 60; // exclusive
        long prompt = promptBefore(end);
        long quietSince = prompt >= 0 ? prompt : prompt == Long.MIN_VALUE ? firstAt : Long.MIN_VALUE;
        boolean promptedLately = prompt >= end - PROMPTED_LATELY * 60;
        long quiet = quietSince == Long.MIN_VALUE ? -1 : (end - quietSince) / 60;
        boolean quietLong = quiet < 0 ? end - firstAt >= QUIET_MINUTES * 60 : quiet >= QUIET_MINUTES;
        // a window's repeats are only counted when its cost could reach a rule's floor (repeats cost no more);
        // both rules on the hour need quietLong (night's quiet is longer): 0.25 is the lower of their floors
        Window[] w = windows(end, promptedLately ? Double.POSITIVE_INFINITY : 1.0,
                quietLong ? 0.25 : Double.POSITIVE_INFINITY);
        Window w15 = w[0], w60 = w[1];
        String pattern = null;
        if (!promptedLately && w15.tight()) {
            pattern = REPEAT;
        } else if (!promptedLately && w15.failures >= 10 && w15.failures >= 2 * w15.oks && w15.requests >= 5
                && w15.cost >= 1.0 && covers(okAt, ok, okHead, end - 15 * 60)) {
            pattern = RETRY;
        } else if (quietLong && w60.requests >= 12 && w60.repeats >= 0.7 * w60.requests
                && w60.repeatCost >= 0.25) {
            pattern = REPEAT;
        } else if ((quiet < 0 ? end - firstAt >= NIGHT_QUIET_MINUTES * 60 : quiet >= NIGHT_QUIET_MINUTES)
                && w60.cost >= 0.5
                && (w60.repeats >= 8 && w60.repeats >= 0.4 * w60.requests
                        || w60.failures >= 10 && w60.failures >= w60.oks && covers(okAt, ok, okHead, end - 60 * 60))
                && nightOrWeekend(end - 1, zone)) {
            pattern = NIGHT;
        }
        if (pattern == null) {
            return null;
        }
        double intended = intendedCost.applyAsDouble(pattern);
        if (intended > 0 && w15.cost < INTENDED_FACTOR * intended) {
            return null;
        }
        return new Finding(pattern, evidence(pattern, end, zone, w15));
    }

    /** The evidence of a pattern found at {@code end}: the latest repeated request's run, or the failures. */
    private Evidence evidence(String pattern, long end, ZoneId zone, Window w15) {
        long prompt = promptBefore(end);
        long floor = prompt < 0 ? Long.MIN_VALUE : prompt;
        long since = Long.MAX_VALUE;
        long tokens = 0;
        int times = 0;
        // the newest short request at or before end with a near-identical one before it
        int pivot = -1;
        for (int k = 0; k < count && pivot < 0; k++) {
            int i = Math.floorMod(head - 1 - k, REQUESTS);
            if (at[i] < end && output[i] <= SHORT_OUTPUT) {
                for (int k2 = k + 1; k2 < count; k2++) {
                    int j = Math.floorMod(head - 1 - k2, REQUESTS);
                    if (at[j] < end && model[j].equals(model[i]) && near(size[i], size[j])) {
                        pivot = i;
                        break;
                    }
                }
            }
        }
        if (pivot >= 0 && !RETRY.equals(pattern)) {
            tokens = size[pivot];
            for (int k = 0; k < count; k++) {
                int i = Math.floorMod(head - 1 - k, REQUESTS);
                if (at[i] < end && at[i] > floor && model[i].equals(model[pivot]) && near(size[i], tokens)) {
                    times++;
                    since = Math.min(since, at[i]);
                }
            }
        } else {
            for (int k = 0; k < failed; k++) {
                int i = Math.floorMod(failedHead - 1 - k, OUTCOMES);
                if (failedAt[i] < end && failedAt[i] > floor && failedAt[i] >= end - 60 * 60) {
                    times++;
                    since = Math.min(since, failedAt[i]);
                }
            }
        }
        if (since == Long.MAX_VALUE) {
            since = end - 15 * 60;
        }
        double costSince = 0;
        for (int k = 0; k < count; k++) {
            int i = Math.floorMod(head - 1 - k, REQUESTS);
            if (at[i] < end && at[i] >= since) {
                costSince += cost[i];
            }
        }
        return new Evidence(pattern, tokens, times, since, end - 1, prompt, nightOrWeekend(end - 1, zone), costSince,
                w15.cost, w15.requests);
    }

    /** Scratch space of {@link #windows}, per thread: the hour's keys and the quarter hour's. */
    private static final ThreadLocal<long[][]> SCRATCH = ThreadLocal.withInitial(
            () -> new long[][]{new long[REQUESTS], new long[REQUESTS]});

    /**
     * The requests, repeats and failures of the 15 minutes and of the hour before {@code end}, in one pass over the
     * ring. A window's repeats are counted only when its cost is at least its floor ({@code floor15},
     * {@code floor60}; else they are 0): a rule that needs repeats costing that much cannot hold on fewer. The cost
     * is compared with a margin far above the rounding of a sum of {@link #REQUESTS} doubles, so a subset's sum,
     * added in another order, never passes a floor its whole set's sum was found below. The quarter hour's requests
     * are a part of the hour's: sorted once for the hour, they are read off in order for the quarter hour.
     */
    private Window[] windows(long end, double floor15, double floor60) {
        long from60 = end - 60 * 60, from15 = end - 15 * 60, last5 = end - 5 * 60;
        long[][] scratch = SCRATCH.get();
        long[] keys = scratch[0];
        int n60 = 0, n15 = 0, recent = 0;
        double total60 = 0, total15 = 0;
        for (int k = 0, i = head; k < count; k++) {
            i = i == 0 ? REQUESTS - 1 : i - 1;
            long t = at[i];
            if (t >= from60 && t < end) {
                total60 += cost[i];
                if (t >= from15) {
                    total15 += cost[i];
                    n15++;
                    if (t >= last5) {
                        recent++;
                    }
                }
                // model, size, ring index: sorted, near-identical requests of a model are neighbours
                keys[n60++] = (long) modelOf[i] << 56 | Math.min(size[i], (1L << 47) - 1) << 9 | i;
            }
        }
        long failures = inWindows(failedAt, failed, from60, from15, end),
                oks = inWindows(okAt, ok, from60, from15, end);
        int failures60 = (int) (failures >>> 32), failures15 = (int) failures;
        int oks60 = (int) (oks >>> 32), oks15 = (int) oks;
        // fewer than 8 requests: too few for any repetition rule
        boolean count60 = n60 >= 8 && (countAllRepeats || total60 * (1 + 1e-9) >= floor60);
        boolean count15 = n15 >= 8 && (countAllRepeats || total15 * (1 + 1e-9) >= floor15);
        Window w60 = new Window(n60, 0, 0, total60, failures60, oks60, recent, 0, 0);
        if (count60) {
            Arrays.sort(keys, 0, n60);
            w60 = repeats(keys, n60, last5, w60);
        }
        Window w15 = new Window(n15, 0, 0, total15, failures15, oks15, recent, 0, 0);
        if (count15) {
            long[] quarter = scratch[1];
            int m = 0;
            for (int x = 0; x < n60; x++) {
                if (at[(int) (keys[x] & 511)] >= from15) {
                    quarter[m++] = keys[x];
                }
            }
            if (!count60) {
                Arrays.sort(quarter, 0, m);
            }
            w15 = repeats(quarter, m, last5, w15);
        }
        return new Window[]{w15, w60};
    }

    /** How many of the first {@code n} times fall in {@code [from60, end)} (high 32 bits) and {@code [from15, end)}. */
    private static long inWindows(long[] times, int n, long from60, long from15, long end) {
        int hour = 0, quarter = 0;
        for (int i = 0; i < n; i++) {
            if (times[i] >= from60 && times[i] < end) {
                hour++;
                if (times[i] >= from15) {
                    quarter++;
                }
            }
        }
        return (long) hour << 32 | quarter;
    }

    /** {@code w} with the repeats among {@code n} sorted keys: requests with a near-identical neighbour. */
    private Window repeats(long[] keys, int n, long last5, Window w) {
        int repeats = 0, repeats5 = 0;
        double repeatCost = 0, repeatCost5 = 0;
        for (int k = 0; k < n; k++) {
            boolean marked = k > 0 && sameKind(keys[k - 1], keys[k]) || k + 1 < n && sameKind(keys[k], keys[k + 1]);
            int i = (int) (keys[k] & 511);
            if (marked && output[i] <= SHORT_OUTPUT) {
                repeats++;
                repeatCost += cost[i];
                if (at[i] >= last5) {
                    repeats5++;
                    repeatCost5 += cost[i];
                }
            }
        }
        return new Window(w.requests, repeats, repeatCost, w.cost, w.failures, w.oks, w.requests5, repeats5,
                repeatCost5);
    }

    /** Whether two sorted keys are requests of one model of near-identical sizes. */
    private static boolean sameKind(long a, long b) {
        return a >>> 56 == b >>> 56 && near((a >>> 9) & ((1L << 47) - 1), (b >>> 9) & ((1L << 47) - 1));
    }

    /** Whether a ring of times still holds everything from {@code from} on (it has not dropped any since). */
    private static boolean covers(long[] times, int n, int head, long from) {
        return n < times.length || times[head] < from;
    }

    static boolean near(long a, long b) {
        return Math.abs(a - b) <= Math.max(SAME_TOKENS, (long) (Math.max(a, b) * SAME_SHARE));
    }

    /** Whether {@code epochSecond} is at night (22:00 to 07:00) or on a Saturday or Sunday in {@code zone}. */
    static boolean nightOrWeekend(long epochSecond, ZoneId zone) {
        ZonedDateTime local = Instant.ofEpochSecond(epochSecond).atZone(zone);
        DayOfWeek day = local.getDayOfWeek();
        return RunawayDetector.nightStart(local.toInstant(), zone) != null || day == DayOfWeek.SATURDAY
                || day == DayOfWeek.SUNDAY;
    }
}
