package dev.yardstick.watch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What a replica that stops gracefully (a deploy, a scale-down) hands over to the others: it shares the
 * sessions whose figures could still decide an alert ({@link #worthHandingOver}) and writes what it holds
 * of every shared session, so the replicas that go on (or the one that starts next) add it to theirs.
 * Used on the watcher's thread only.
 */
@ApplicationScoped
class HandOver {

    /** A stopping replica hands over sessions that hold at least 1/this of a 15-minute line ÷ replicas. */
    static final int HAND_OVER_SHARE = 4;
    /** How long a stopping replica may take to hand its sessions over. */
    static final Duration HAND_OVER_TIME = Duration.ofSeconds(10);

    @Inject
    SharedSessions shared;

    /**
     * Shares those of this replica's {@code sessions} that could still matter and writes what it holds
     * of every shared session. The sweep on the other replicas checks them. Returns how many sessions
     * were handed over.
     */
    int handOver(Collection<SessionFigures> sessions, int replicas) {
        List<SessionFigures> candidates = new ArrayList<>();
        for (SessionFigures f : sessions) {
            if (!f.shared()) {
                candidates.add(f);
            }
        }
        Map<String, RunawayDetector.Thresholds> lines = shared.thresholds(candidates);
        long nowMinute = Instant.now().getEpochSecond() / 60;
        List<SessionFigures> over = new ArrayList<>();
        for (SessionFigures f : candidates) {
            if (worthHandingOver(f.minutes, lines.getOrDefault(f.teamKey, RunawayDetector.Thresholds.DEFAULT),
                    replicas, nowMinute)) {
                over.add(f);
            }
        }
        shared.share(over);
        shared.writeAll(sessions);
        return over.size();
    }

    /**
     * Whether a stopping replica hands this session over to the others: what it holds could still
     * decide an alert. That is a quarter of a line ÷ {@code replicas} in the last 15 minutes (so even
     * when a rolling deploy replaces every replica, what they drop delays an alert by under a quarter
     * of a line), or spending for over {@link RunawayDetector#NIGHT_GAP} tonight and recently.
     */
    static boolean worthHandingOver(MinuteFigures m, RunawayDetector.Thresholds t, int replicas, long nowMinute) {
        if (m.size() == 0) {
            return false;
        }
        double cost = 0;
        long requests = 0;
        for (int i = m.lowerBound(nowMinute - (MinuteFigures.WINDOW_MINUTES - 1)); i < m.size(); i++) {
            cost += m.cost(i);
            requests += m.requests(i);
        }
        int share = HAND_OVER_SHARE * Math.max(1, replicas);
        if (cost >= t.costUsd().doubleValue() / share - 1e-9 || requests * share >= t.requests()) {
            return true;
        }
        long last = m.minute(m.size() - 1);
        long gap = RunawayDetector.NIGHT_GAP.toMinutes();
        if (last < nowMinute - gap) {
            return false;
        }
        long nightStart = RunawayDetector.nightOfLast(m, t.zone());
        return nightStart >= 0 && last - m.minute(m.lowerBound(nightStart)) > gap;
    }
}
