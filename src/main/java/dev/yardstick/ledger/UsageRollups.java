package dev.yardstick.ledger;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The usage rollups: per member ({@code usage_daily}, personal figures), per team ({@code usage_team_daily}, a few
 * rows a day however large the team) and the members active per team and day. New usage is appended to
 * {@code usage_pending} ({@link #pend}) and folded in by {@link RollupFold} (or, while the fold is behind, added in
 * place by the batch, {@link #addWithActivity}); what is taken back out (voids,
 * retractions) is added, negated, to one of {@value #SHARDS} rows per key, picked at random. Readers sum the shards
 * and the pending rows, through the {@code *_all} views.
 */
final class UsageRollups {

    /** Rollup rows per key; each batch writes to one shard, picked at random. */
    static final int SHARDS = 8;

    /** The summed columns, in the order of {@link Sums#counts}. */
    static final String[] COLUMNS = {"input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
            "requests", "events", "unpriced_events", "short_requests", "short_input_tokens", "short_output_tokens",
            "short_cache_read_tokens", "short_cache_write_tokens"};

    private static final Comparator<String> TEXT = Comparator.nullsFirst(Comparator.naturalOrder());

    /** A per-member rollup key. */
    record Key(String team, LocalDate day, long member, String tool, String model) implements Comparable<Key> {

        private static final Comparator<Key> ORDER = Comparator.comparing(Key::team).thenComparing(Key::day)
                .thenComparingLong(Key::member).thenComparing(Key::tool, TEXT).thenComparing(Key::model, TEXT);

        @Override
        public int compareTo(Key o) {
            return ORDER.compare(this, o);
        }

        TeamKey ofTeam() {
            return new TeamKey(team, day, tool, model);
        }
    }

    /** A per-team rollup key. */
    record TeamKey(String team, LocalDate day, String tool, String model) implements Comparable<TeamKey> {

        private static final Comparator<TeamKey> ORDER = Comparator.comparing(TeamKey::team)
                .thenComparing(TeamKey::day).thenComparing(TeamKey::tool, TEXT).thenComparing(TeamKey::model, TEXT);

        @Override
        public int compareTo(TeamKey o) {
            return ORDER.compare(this, o);
        }
    }

    /** What one key adds up to (negative to take usage away). */
    static final class Sums {

        final long[] counts = new long[COLUMNS.length];
        BigDecimal cost = BigDecimal.ZERO;

        void add(long[] values, BigDecimal costUsd) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += values[i];
            }
            cost = cost.add(costUsd);
        }
    }

    private UsageRollups() {
    }

    /**
     * What one usage event adds to the rollups, in the order of {@link #COLUMNS}: its tokens, requests, one event,
     * whether it was unpriced, and its tokens again as a short request when it is one
     * ({@link ModelRouting#isShort}). A pure function of the stored row, so taking the event back out subtracts
     * exactly what it added.
     */
    static long[] counts(long in, long out, long cacheRead, long cacheWrite, long requests, boolean unpriced) {
        boolean s = ModelRouting.isShort(in, out, cacheRead, cacheWrite, requests);
        return new long[]{in, out, cacheRead, cacheWrite, requests, 1, unpriced ? 1 : 0, s ? 1 : 0, s ? in : 0,
                s ? out : 0, s ? cacheRead : 0, s ? cacheWrite : 0};
    }

    /** A pending row's key: a kind (team, member, tool, model, cost source), a team day, and whether it counts the member active. */
    record Pending(int kind, LocalDate day, boolean active) {
    }

    /**
     * Appends a batch's new usage, summed per kind and day, to {@code usage_pending} (one COPY, no conflict check);
     * {@link RollupFold} moves it into the rollups, and readers see it at once through the {@code *_all} views.
     * {@code active} is false for members who have left, who are counted active nowhere.
     */
    static void pend(Connection c, Map<Pending, Sums> sums) throws SQLException {
        if (sums.isEmpty()) {
            return;
        }
        CopyBinary rows = new CopyBinary(sums.size() * 180);
        for (var e : sums.entrySet()) {
            Pending k = e.getKey();
            rows.row(4 + COLUMNS.length).date(k.day()).int4(k.kind()).bool(k.active());
            for (long v : e.getValue().counts) {
                rows.int8(v);
            }
            rows.numeric(e.getValue().cost);
        }
        rows.copy(c, "copy usage_pending (day, kind, active, " + String.join(", ", COLUMNS)
                + ", cost_usd) from stdin with (format binary)");
    }

    /**
     * Adds per-member sums to both rollups and marks their members active, except the members in {@code left}, who
     * are counted active nowhere: a batch's new usage while the fold is behind ({@link RollupFold#behind}).
     */
    static void addWithActivity(Connection c, Map<Key, Sums> sums, java.util.Set<Long> left) throws SQLException {
        if (sums.isEmpty()) {
            return;
        }
        add(c, sums);
        TreeSet<ActiveMembers.MemberDay> memberDays = new TreeSet<>();
        for (Key k : sums.keySet()) {
            if (!left.contains(k.member())) {
                memberDays.add(new ActiveMembers.MemberDay(k.team(), k.day(), k.member()));
            }
        }
        ActiveMembers.mark(c, memberDays);
    }

    /** Adds per-member sums to the per-member rollup and, summed per team, to the per-team one. */
    static void add(Connection c, Map<Key, Sums> sums) throws SQLException {
        Map<TeamKey, Sums> teamSums = new TreeMap<>();
        for (var e : sums.entrySet()) {
            teamSums.computeIfAbsent(e.getKey().ofTeam(), x -> new Sums()).add(e.getValue().counts,
                    e.getValue().cost);
        }
        int shard = ThreadLocalRandom.current().nextInt(SHARDS);
        upsert(c, "usage_daily", new String[]{"team_key", "day", "member_id", "tool", "model"},
                new String[]{"text", "date", "int8", "text", "text"}, new TreeMap<>(sums),
                k -> new Object[]{k.team(), k.day(), k.member(), k.tool(), k.model()}, shard);
        upsert(c, "usage_team_daily", new String[]{"team_key", "day", "tool", "model"},
                new String[]{"text", "date", "text", "text"}, teamSums,
                k -> new Object[]{k.team(), k.day(), k.tool(), k.model()}, shard);
    }

    private static <K> void upsert(Connection c, String table, String[] keys, String[] keyTypes, Map<K, Sums> sums,
            java.util.function.Function<K, Object[]> columns, int shard) throws SQLException {
        int n = sums.size();
        String[][] keyCols = new String[keys.length][n];
        Long[][] cols = new Long[COLUMNS.length][n];
        String[] cost = new String[n];
        int i = 0;
        for (var e : sums.entrySet()) {
            Object[] values = columns.apply(e.getKey());
            for (int k = 0; k < keys.length; k++) {
                keyCols[k][i] = values[k] == null ? null : values[k].toString();
            }
            for (int col = 0; col < COLUMNS.length; col++) {
                cols[col][i] = e.getValue().counts[col];
            }
            cost[i] = e.getValue().cost.toPlainString();
            i++;
        }
        StringBuilder sql = new StringBuilder("insert into ").append(table).append(" as d (")
                .append(String.join(", ", keys)).append(", ").append(String.join(", ", COLUMNS))
                .append(", cost_usd, shard) select *, ?::smallint from unnest(");
        for (String type : keyTypes) {
            sql.append("?::").append(type).append("[], ");
        }
        sql.append("?::int8[], ".repeat(COLUMNS.length)).append("?::numeric[]) on conflict (")
                .append(String.join(", ", keys)).append(", shard) do update set ");
        for (String col : COLUMNS) {
            sql.append(col).append(" = d.").append(col).append(" + excluded.").append(col).append(", ");
        }
        sql.append("cost_usd = d.cost_usd + excluded.cost_usd");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            ps.setInt(p++, shard);
            for (String[] keyCol : keyCols) {
                ps.setArray(p++, BatchSql.text(c, keyCol));
            }
            for (Long[] col : cols) {
                ps.setArray(p++, BatchSql.longs(c, col));
            }
            ps.setArray(p, BatchSql.text(c, cost));
            ps.executeUpdate();
        }
    }
}
