package dev.yardstick.watch;

/**
 * What one replica has seen of one session's live usage: per minute, the tools and models it used,
 * and, once the session is shared ({@link Watcher}), what this replica has not written to
 * {@code usage_session_minute} yet. Used on the watcher's thread only.
 */
final class SessionFigures {

    /** A session: its member and session key. */
    record Key(long memberId, String sessionKey) {
    }

    final Key key;
    String teamKey;
    final MinuteFigures minutes = new MinuteFigures();
    /** The shape of its requests and what its tool reported beside them, for the loop signatures. */
    LoopSignals loop;
    /** Not yet written to the shared table; null while the session is not shared. */
    MinuteFigures unwritten;
    /**
     * What was taken back out of {@link #minutes} before the session was shared (usage the ledger retracted or an
     * admin voided): the ledger takes it out of the shared table itself, so sharing still writes it.
     */
    private MinuteFigures takenBack;
    /** The earliest minute that got usage since the session was last checked, or {@link Long#MAX_VALUE}. */
    long newFrom = Long.MAX_VALUE;
    private String[] tools = new String[1];
    private String[] models = new String[1];
    private double[] costs = new double[1];
    private int combos;

    SessionFigures(Key key) {
        this.key = key;
    }

    boolean shared() {
        return unwritten != null;
    }

    void add(String team, String tool, String model, long minute, double cost, long requests) {
        teamKey = team;
        minutes.add(minute, cost, requests);
        if (unwritten != null) {
            unwritten.add(minute, cost, requests);
        }
        newFrom = Math.min(newFrom, minute);
        for (int i = 0; i < combos; i++) {
            if (tools[i].equals(tool) && models[i].equals(model)) {
                costs[i] += cost;
                return;
            }
        }
        if (combos == tools.length) {
            tools = java.util.Arrays.copyOf(tools, combos * 2);
            models = java.util.Arrays.copyOf(models, combos * 2);
            costs = java.util.Arrays.copyOf(costs, combos * 2);
        }
        tools[combos] = tool;
        models[combos] = model;
        costs[combos] = cost;
        combos++;
    }

    /**
     * Takes usage the ledger took back out of what this replica has seen of the session (as much of it as this
     * replica holds). Not out of what is still to be written: the ledger took it out of the shared table, so every
     * replica writes all it collected, and the shared sum comes out right.
     */
    void takeBack(long minute, double cost, long requests) {
        MinuteFigures.Taken t = minutes.take(minute, cost, requests);
        if (unwritten == null && (t.costUsd() > 0 || t.requests() > 0)) {
            if (takenBack == null) {
                takenBack = new MinuteFigures();
            }
            takenBack.add(minute, t.costUsd(), t.requests());
        }
    }

    /** Forgets the minutes before {@code minute}. */
    void dropBefore(long minute) {
        minutes.dropBefore(minute);
        if (takenBack != null) {
            takenBack.dropBefore(minute);
        }
    }

    /** From now on, keeps what has not been written, starting with everything seen so far. */
    void share() {
        if (unwritten == null) {
            unwritten = new MinuteFigures();
            unwritten.addAll(minutes);
            if (takenBack != null) {
                unwritten.addAll(takenBack);
                takenBack = null;
            }
            if (minutes.size() > 0) {
                newFrom = Math.min(newFrom, minutes.minute(0));
            }
        }
    }

    /**
     * Adds {@code figures} (this session's) to {@code out} as per-minute rows with the session's main
     * tool and model, costs rounded to the shared table's 8 decimals.
     */
    void rows(MinuteFigures figures, java.util.List<dev.yardstick.ledger.LiveUsage.Minute> out) {
        for (int i = 0; i < figures.size(); i++) {
            out.add(new dev.yardstick.ledger.LiveUsage.Minute(key.memberId(), key.sessionKey(),
                    java.time.Instant.ofEpochSecond(figures.minute(i) * 60), tool(), model(), teamKey,
                    java.math.BigDecimal.valueOf(figures.cost(i)).setScale(8, java.math.RoundingMode.HALF_UP),
                    figures.requests(i)));
        }
    }

    private int main() {
        int best = 0;
        for (int i = 1; i < combos; i++) {
            if (costs[i] > costs[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The tool the session spent most with. */
    String tool() {
        return tools[main()];
    }

    /** The model the session spent most on. */
    String model() {
        return models[main()];
    }
}
