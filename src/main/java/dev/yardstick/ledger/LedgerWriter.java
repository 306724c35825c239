package dev.yardstick.ledger;

import dev.yardstick.admin.LastSeen;
import dev.yardstick.admin.Team;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Stores events and keeps the daily rollups up to date, one transaction per batch.
 *
 * <p>Idempotency rests on the primary key of the raw event tables: rows are inserted with
 * {@code ON CONFLICT DO NOTHING RETURNING id}, and only the rows actually inserted are added to
 * the rollups. Two clients sending the same id at the same moment are serialised by PostgreSQL's
 * unique index; the later one sees a conflict and counts a duplicate. Each batch adds to one of
 * {@value #SHARDS} rollup rows per key, picked at random, so concurrent batches rarely wait for
 * each other's row locks (readers sum the shards). Rows and rollup keys are
 * written in sorted order so concurrent batches take locks in the same order; a deadlock or
 * serialisation failure is retried.
 */
@ApplicationScoped
public class LedgerWriter {

    /** An event with its position in the caller's batch. */
    public record Indexed<T>(int index, T event) {
    }

    /** A member as a batch needs them; {@code left}: they left, so they are counted active nowhere. */
    private record MemberRef(long id, String teamKey, ZoneId zone, boolean left) {
    }

    /**
     * Work done in a usage batch's transaction, on its connection, before the events are stored:
     * it returns the events to store. It may run more than once (a deadlock retries the batch).
     */
    @FunctionalInterface
    public interface Prelude {

        List<Indexed<UsageRecord>> apply(Connection c, List<Indexed<UsageRecord>> events) throws SQLException;
    }

    /** Rollup rows per key; each batch writes to one shard, picked at random. */
    static final int SHARDS = 8;

    @Inject
    DataSource dataSource;
    @Inject
    Pricing pricing;
    @Inject
    Instance<UsageRetraction> retractions;
    @Inject
    jakarta.enterprise.event.Event<LiveUsage> liveUsage;

    /** Stores usage events; see the class comment for the guarantees. */
    public WriteResult writeUsage(List<Indexed<UsageRecord>> events) {
        LiveUsage[] live = new LiveUsage[1];
        WriteResult result = BatchSql
                .withRetry(() -> QuarkusTransaction.requiringNew().call(() -> usage(events, live)));
        if (live[0] != null) {
            liveUsage.fire(live[0]);
        }
        return result;
    }

    /**
     * Stores usage events after {@code prelude} has run in the same transaction; same guarantees as
     * {@link #writeUsage(List)}.
     */
    public WriteResult writeUsage(List<Indexed<UsageRecord>> events, Prelude prelude) {
        return writeUsage(events, prelude, true);
    }

    /**
     * Stores usage events after {@code prelude}, as {@link #writeUsage(List, Prelude)}. Without
     * {@code exactTime} the events stay out of runaway detection: daily totals pulled from vendors,
     * whose time is not when the tokens were spent.
     */
    public WriteResult writeUsage(List<Indexed<UsageRecord>> events, Prelude prelude, boolean exactTime) {
        LiveUsage[] live = new LiveUsage[1];
        WriteResult result = BatchSql.withRetry(() -> QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                List<Indexed<UsageRecord>> kept = prelude.apply(c, events);
                return kept.isEmpty() ? new WriteResult(0, 0, List.of()) : usage(c, kept, live, exactTime);
            }
        }));
        if (live[0] != null) {
            liveUsage.fire(live[0]);
        }
        return result;
    }

    /** Stores outcome events; same guarantees as {@link #writeUsage}. */
    public WriteResult writeOutcomes(List<Indexed<OutcomeRecord>> events) {
        return BatchSql.withRetry(() -> QuarkusTransaction.requiringNew().call(() -> outcomes(events)));
    }

    private WriteResult usage(List<Indexed<UsageRecord>> events, LiveUsage[] live) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return usage(c, events, live, true);
        }
    }

    private WriteResult usage(Connection c, List<Indexed<UsageRecord>> events, LiveUsage[] live, boolean exactTime)
            throws SQLException {
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        Map<String, ZoneId> teams = teams(c, events, e -> e.event().team(), true);
        List<Indexed<UsageRecord>> valid = knownTeamsOnly(events, teams, UsageRecord::team,
                UsageRecord::id, rejected);
        Map<String, MemberRef> members = members(c, valid.stream().map(e -> e.event().user()).toList());

        Unique<UsageRecord> byId = unique(valid, UsageRecord::id);
        Map<String, UsageRecord> unique = byId.events();
        int duplicates = byId.duplicates();
        int n = unique.size();
        String[] ids = new String[n], times = new String[n], teamKeys = new String[n], tools = new String[n],
                models = new String[n], sources = new String[n], sessions = new String[n], costs = new String[n];
        Long[] memberIds = new Long[n], in = new Long[n], out = new Long[n], cr = new Long[n], cw = new Long[n];
        Integer[] requests = new Integer[n];
        LocalDate[] days = new LocalDate[n];
        BigDecimal[] costValues = new BigDecimal[n];
        UsageRecord[] records = new UsageRecord[n];
        int i = 0;
        for (UsageRecord u : unique.values()) {
            records[i] = u;
            MemberRef m = members.get(u.user());
            String team = u.team() != null ? u.team() : m.teamKey() != null ? m.teamKey() : Team.UNASSIGNED;
            ZoneId zone = u.team() == null ? m.zone() : teams.getOrDefault(team, ZoneOffset.UTC);
            BigDecimal cost = u.costUsd();
            String source = "reported";
            if (cost == null) {
                var price = pricing.lookup(u.model());
                cost = price.map(p -> p.cost(u.inputTokens(), u.outputTokens(), u.cacheReadTokens(),
                        u.cacheWriteTokens())).orElse(BigDecimal.ZERO);
                source = price.isPresent() ? "computed" : "unpriced";
            }
            ids[i] = u.id();
            times[i] = u.time().toString();
            memberIds[i] = m.id();
            teamKeys[i] = team;
            tools[i] = u.tool();
            models[i] = u.model();
            in[i] = u.inputTokens();
            out[i] = u.outputTokens();
            cr[i] = u.cacheReadTokens();
            cw[i] = u.cacheWriteTokens();
            costs[i] = cost.toPlainString();
            costValues[i] = cost;
            sources[i] = source;
            requests[i] = u.requests();
            sessions[i] = u.sessionId();
            days[i] = u.time().atZone(zone).toLocalDate();
            i++;
        }
        Set<String> inserted = insertReturningIds(c, """
                insert into usage_event (id, time, member_id, team_key, tool, model, input_tokens, output_tokens,
                    cache_read_tokens, cache_write_tokens, cost_usd, cost_source, requests, session_id)
                select * from unnest(?::text[], ?::timestamptz[], ?::int8[], ?::text[], ?::text[], ?::text[],
                    ?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::numeric[], ?::text[], ?::int4[], ?::text[])
                on conflict (id) do nothing
                returning id
                """, BatchSql.text(c, ids), BatchSql.text(c, times), BatchSql.longs(c, memberIds),
                BatchSql.text(c, teamKeys),
                BatchSql.text(c, tools),
                BatchSql.text(c, models), BatchSql.longs(c, in), BatchSql.longs(c, out), BatchSql.longs(c, cr),
                BatchSql.longs(c, cw), BatchSql.text(c, costs),
                BatchSql.text(c, sources), c.createArrayOf("int4", requests), BatchSql.text(c, sessions));

        Map<List<Object>, long[]> sums = new TreeMap<>(KEY_ORDER);
        Map<List<Object>, BigDecimal> costSums = new HashMap<>();
        Map<Long, java.time.Instant> seen = new HashMap<>();
        Set<Long> left = new HashSet<>();
        boolean[] isNew = new boolean[n];
        for (int k = 0; k < n; k++) {
            if (!inserted.contains(ids[k])) {
                continue;
            }
            isNew[k] = true;
            seen.merge(memberIds[k], records[k].time(), (a, b) -> a.isAfter(b) ? a : b);
            if (members.get(records[k].user()).left()) {
                left.add(memberIds[k]);
            }
            List<Object> key = List.of(teamKeys[k], days[k], memberIds[k], tools[k], models[k]);
            long[] s = sums.computeIfAbsent(key, x -> new long[7]);
            s[0] += in[k];
            s[1] += out[k];
            s[2] += cr[k];
            s[3] += cw[k];
            s[4] += requests[k];
            s[5] += 1;
            s[6] += "unpriced".equals(sources[k]) ? 1 : 0;
            costSums.merge(key, costValues[k], BigDecimal::add);
        }
        upsertUsageRollups(c, sums, costSums, left);
        LastSeen.record(c, seen);
        live[0] = inserted.isEmpty() ? null : new LiveUsage(records, isNew, memberIds, teamKeys, costValues, exactTime);
        return new WriteResult(inserted.size(), duplicates + n - inserted.size(), rejected);
    }

    /** Two figures of the same session, minute, tool and model, added. */
    private static LiveUsage.Minute plus(LiveUsage.Minute a, LiveUsage.Minute b) {
        return new LiveUsage.Minute(a.memberId(), a.sessionKey(), a.minute(), a.tool(), a.model(), a.teamKey(),
                a.costUsd().add(b.costUsd()), a.requests() + b.requests());
    }

    private static final String[] USAGE_SUMS = {"input_tokens", "output_tokens", "cache_read_tokens",
            "cache_write_tokens", "requests", "events", "unpriced_events"};

    /**
     * Adds a batch to the usage rollups: per member (personal figures), per team (team summaries,
     * a few rows a day however large the team), and the set of members active per team and day.
     */
    private void upsertUsageRollups(Connection c, Map<List<Object>, long[]> sums, Map<List<Object>, BigDecimal> costs,
            Set<Long> left) throws SQLException {
        if (sums.isEmpty()) {
            return;
        }
        addToRollups(c, sums, costs);
        Set<List<Object>> memberDays = new TreeSet<>(KEY_ORDER);
        for (List<Object> k : sums.keySet()) {
            if (!left.contains(k.get(2))) {
                memberDays.add(List.of(k.get(0), k.get(1), k.get(2)));
            }
        }
        markActive(c, memberDays);
    }

    /**
     * Adds sums keyed (team, day, member, tool, model) to the per-member rollup and, summed per team,
     * to the per-team one (negative sums take usage away).
     */
    private static void addToRollups(Connection c, Map<List<Object>, long[]> sums,
            Map<List<Object>, BigDecimal> costs) throws SQLException {
        Map<List<Object>, long[]> teamSums = new TreeMap<>(KEY_ORDER);
        Map<List<Object>, BigDecimal> teamCosts = new HashMap<>();
        for (var e : sums.entrySet()) {
            List<Object> k = e.getKey();
            List<Object> teamKey = List.of(k.get(0), k.get(1), k.get(3), k.get(4));
            long[] t = teamSums.computeIfAbsent(teamKey, x -> new long[USAGE_SUMS.length]);
            for (int i = 0; i < t.length; i++) {
                t[i] += e.getValue()[i];
            }
            teamCosts.merge(teamKey, costs.get(k), BigDecimal::add);
        }
        int shard = ThreadLocalRandom.current().nextInt(SHARDS);
        addSums(c, "usage_daily", new String[]{"team_key", "day", "member_id", "tool", "model"},
                new String[]{"text", "date", "int8", "text", "text"}, sums, costs, shard);
        addSums(c, "usage_team_daily", new String[]{"team_key", "day", "tool", "model"},
                new String[]{"text", "date", "text", "text"}, teamSums, teamCosts, shard);
    }

    private static void addSums(Connection c, String table, String[] keys, String[] keyTypes,
            Map<List<Object>, long[]> sums, Map<List<Object>, BigDecimal> costs, int shard) throws SQLException {
        int n = sums.size();
        String[][] keyCols = new String[keys.length][n];
        Long[][] cols = new Long[USAGE_SUMS.length][n];
        String[] cost = new String[n];
        int i = 0;
        for (var e : sums.entrySet()) {
            for (int k = 0; k < keys.length; k++) {
                keyCols[k][i] = e.getKey().get(k).toString();
            }
            for (int col = 0; col < USAGE_SUMS.length; col++) {
                cols[col][i] = e.getValue()[col];
            }
            cost[i] = costs.get(e.getKey()).toPlainString();
            i++;
        }
        StringBuilder sql = new StringBuilder("insert into ").append(table).append(" as d (")
                .append(String.join(", ", keys)).append(", ").append(String.join(", ", USAGE_SUMS))
                .append(", cost_usd, shard) select *, ?::smallint from unnest(");
        for (String type : keyTypes) {
            sql.append("?::").append(type).append("[], ");
        }
        sql.append("?::int8[], ".repeat(USAGE_SUMS.length)).append("?::numeric[]) on conflict (")
                .append(String.join(", ", keys)).append(", shard) do update set ");
        for (String col : USAGE_SUMS) {
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

    /** Records which members were active per team and day, for {@code activeMembers}. */
    private static void markActive(Connection c, Set<List<Object>> memberDays) throws SQLException {
        if (memberDays.isEmpty()) {
            return;
        }
        int n = memberDays.size();
        String[] teams = new String[n], days = new String[n];
        Long[] members = new Long[n];
        int i = 0;
        for (List<Object> k : memberDays) {
            teams[i] = (String) k.get(0);
            days[i] = k.get(1).toString();
            members[i] = (Long) k.get(2);
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into team_member_day (team_key, day, member_id)
                select * from unnest(?::text[], ?::date[], ?::int8[]) on conflict do nothing
                """)) {
            ps.setArray(1, BatchSql.text(c, teams));
            ps.setArray(2, BatchSql.text(c, days));
            ps.setArray(3, BatchSql.longs(c, members));
            ps.executeUpdate();
        }
    }

    /**
     * Removes the stored usage events whose id starts with {@code idPrefix} and whose session is one
     * of {@code sessions}, and takes them out of the usage rollups, on the caller's connection and
     * transaction. Days are recomputed in the team's current timezone. Returns how many were removed.
     *
     * @param indexedPrefix the start of {@code idPrefix} that a partial index of the caller's covers (its
     *                      convention: letters and a colon), written into the statement so the planner can use it
     */
    public int retractUsage(Connection c, String indexedPrefix, String idPrefix, Collection<String> sessions)
            throws SQLException {
        if (!indexedPrefix.matches("[a-z]+:") || !idPrefix.startsWith(indexedPrefix)) {
            throw new IllegalArgumentException("not an indexed id prefix: " + indexedPrefix);
        }
        if (sessions.isEmpty()) {
            return 0;
        }
        record Gone(String team, java.time.Instant time, long member, String tool, String model, long[] sums,
                BigDecimal cost, String session) {
        }
        List<Gone> gone = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("delete from usage_event where id like '" + indexedPrefix
                + "%' and starts_with(id, ?) and session_id = any(?) "
                + """
                        returning team_key, time, member_id, tool, model, input_tokens, output_tokens, cache_read_tokens,
                            cache_write_tokens, requests, cost_source, cost_usd, session_id
                        """)) {
            ps.setString(1, idPrefix);
            ps.setArray(2, BatchSql.text(c, new TreeSet<>(sessions).toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long[] s = {rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), 1,
                            "unpriced".equals(rs.getString(11)) ? 1 : 0};
                    gone.add(new Gone(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getLong(3),
                            rs.getString(4), rs.getString(5), s, rs.getBigDecimal(12), rs.getString(13)));
                }
            }
        }
        if (gone.isEmpty()) {
            return 0;
        }
        Map<String, ZoneId> zones = teams(c, gone, Gone::team, false);
        Map<List<Object>, long[]> sums = new TreeMap<>(KEY_ORDER);
        Map<List<Object>, BigDecimal> costs = new HashMap<>();
        for (Gone g : gone) {
            LocalDate day = g.time().atZone(zones.getOrDefault(g.team(), ZoneOffset.UTC)).toLocalDate();
            List<Object> key = List.of(g.team(), day, g.member(), g.tool(), g.model());
            long[] s = sums.computeIfAbsent(key, x -> new long[USAGE_SUMS.length]);
            for (int i = 0; i < s.length; i++) {
                s[i] -= g.sums()[i];
            }
            costs.merge(key, g.cost().negate(), BigDecimal::add);
        }
        addToRollups(c, sums, costs);
        // and out of the figures kept beside the ledger (runaway detection's per-minute figures)
        java.time.Instant liveSince = java.time.Instant.now().minus(LiveUsage.WINDOW);
        List<LiveUsage.Minute> minus = gone.stream().filter(g -> !g.time().isBefore(liveSince))
                .map(g -> new LiveUsage.Minute(g.member(), LiveUsage.sessionKey(g.session(), g.tool()),
                        g.time().truncatedTo(java.time.temporal.ChronoUnit.MINUTES), g.tool(), g.model(), g.team(),
                        g.cost().negate(), -g.sums()[4]))
                .collect(java.util.stream.Collectors.toMap(
                        m -> List.of(m.memberId(), m.sessionKey(), m.minute(), m.tool(), m.model()), m -> m,
                        LedgerWriter::plus))
                .values().stream().toList();
        if (!minus.isEmpty()) {
            for (UsageRetraction r : retractions) {
                r.retracted(c, minus);
            }
        }
        return gone.size();
    }

    /** Member ids by email, creating (without a team) the members not seen before. */
    public Map<String, Long> memberIds(Connection c, Collection<String> emails) throws SQLException {
        Map<String, Long> ids = new HashMap<>();
        for (var e : members(c, emails).entrySet()) {
            ids.put(e.getKey(), e.getValue().id());
        }
        return ids;
    }

    private WriteResult outcomes(List<Indexed<OutcomeRecord>> events) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<WriteResult.Rejection> rejected = new ArrayList<>();
            Map<String, ZoneId> teams = teams(c, events, e -> e.event().team(), true);
            List<Indexed<OutcomeRecord>> valid = knownTeamsOnly(events, teams, OutcomeRecord::team,
                    OutcomeRecord::id, rejected);
            Map<String, MemberRef> members = members(c,
                    valid.stream().map(e -> e.event().user()).filter(u -> u != null).toList());
            Unique<OutcomeRecord> byId = unique(valid, OutcomeRecord::id);
            Map<String, OutcomeRecord> unique = byId.events();
            int duplicates = byId.duplicates();
            int n = unique.size();
            String[] ids = new String[n], times = new String[n], teamKeys = new String[n], kinds = new String[n],
                    titles = new String[n], urls = new String[n], ai = new String[n];
            Long[] memberIds = new Long[n];
            LocalDate[] days = new LocalDate[n];
            int i = 0;
            for (OutcomeRecord o : unique.values()) {
                MemberRef m = o.user() == null ? null : members.get(o.user());
                String team = o.team() != null
                        ? o.team()
                        : m != null && m.teamKey() != null ? m.teamKey() : Team.UNASSIGNED;
                ZoneId zone = o.team() == null && m != null ? m.zone() : teams.getOrDefault(team, ZoneOffset.UTC);
                ids[i] = o.id();
                times[i] = o.time().toString();
                memberIds[i] = m == null ? null : m.id();
                teamKeys[i] = team;
                kinds[i] = o.kind();
                titles[i] = o.title();
                urls[i] = o.url();
                ai[i] = o.aiAssisted() == null ? null : o.aiAssisted().toString();
                days[i] = o.time().atZone(zone).toLocalDate();
                i++;
            }
            Set<String> inserted = insertReturningIds(c, """
                    insert into outcome_event (id, time, member_id, team_key, kind, title, url, ai_assisted)
                    select * from unnest(?::text[], ?::timestamptz[], ?::int8[], ?::text[], ?::text[], ?::text[],
                        ?::text[], ?::boolean[])
                    on conflict (id) do nothing
                    returning id
                    """, BatchSql.text(c, ids), BatchSql.text(c, times), BatchSql.longs(c, memberIds),
                    BatchSql.text(c, teamKeys), BatchSql.text(c, kinds),
                    BatchSql.text(c, titles), BatchSql.text(c, urls), BatchSql.text(c, ai));

            Map<List<Object>, long[]> sums = new TreeMap<>(KEY_ORDER);
            Map<Long, java.time.Instant> seen = new HashMap<>();
            Set<Long> left = new HashSet<>();
            int k0 = 0;
            for (OutcomeRecord o : unique.values()) {
                MemberRef m = o.user() == null ? null : members.get(o.user());
                if (m != null && inserted.contains(ids[k0])) {
                    seen.merge(m.id(), o.time(), (a, b) -> a.isAfter(b) ? a : b);
                    if (m.left()) {
                        left.add(m.id());
                    }
                }
                k0++;
            }
            for (int k = 0; k < n; k++) {
                if (!inserted.contains(ids[k])) {
                    continue;
                }
                List<Object> key = java.util.Arrays.asList(teamKeys[k], days[k], memberIds[k], kinds[k]);
                long[] s = sums.computeIfAbsent(key, x -> new long[2]);
                s[0] += 1;
                s[1] += "true".equals(ai[k]) ? 1 : 0;
            }
            Set<List<Object>> memberDays = new TreeSet<>(KEY_ORDER);
            for (List<Object> k : sums.keySet()) {
                if (k.get(2) != null && !left.contains(k.get(2))) {
                    memberDays.add(List.of(k.get(0), k.get(1), k.get(2)));
                }
            }
            markActive(c, memberDays);
            LastSeen.record(c, seen);
            if (!sums.isEmpty()) {
                int m = sums.size();
                String[] t = new String[m], d = new String[m], kd = new String[m];
                Long[] mem = new Long[m], cnt = new Long[m], aic = new Long[m];
                int j = 0;
                for (var e : sums.entrySet()) {
                    t[j] = (String) e.getKey().get(0);
                    d[j] = e.getKey().get(1).toString();
                    mem[j] = (Long) e.getKey().get(2);
                    kd[j] = (String) e.getKey().get(3);
                    cnt[j] = e.getValue()[0];
                    aic[j] = e.getValue()[1];
                    j++;
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into outcome_daily as d (team_key, day, member_id, kind, outcomes, ai_assisted, shard)
                        select *, ?::smallint from unnest(?::text[], ?::date[], ?::int8[], ?::text[], ?::int8[],
                            ?::int8[])
                        on conflict on constraint outcome_daily_key do update set
                            outcomes = d.outcomes + excluded.outcomes,
                            ai_assisted = d.ai_assisted + excluded.ai_assisted
                        """)) {
                    ps.setInt(1, ThreadLocalRandom.current().nextInt(SHARDS));
                    ps.setArray(2, BatchSql.text(c, t));
                    ps.setArray(3, BatchSql.text(c, d));
                    ps.setArray(4, BatchSql.longs(c, mem));
                    ps.setArray(5, BatchSql.text(c, kd));
                    ps.setArray(6, BatchSql.longs(c, cnt));
                    ps.setArray(7, BatchSql.longs(c, aic));
                    ps.executeUpdate();
                }
            }
            return new WriteResult(inserted.size(), duplicates + n - inserted.size(), rejected);
        }
    }

    /** A batch's events by id, in id order, and how many repeated an id seen earlier in the batch. */
    private record Unique<R>(Map<String, R> events, int duplicates) {
    }

    private static <R> Unique<R> unique(List<Indexed<R>> valid, Function<R, String> id) {
        Map<String, R> events = new TreeMap<>();
        int duplicates = 0;
        for (Indexed<R> e : valid) {
            if (events.putIfAbsent(id.apply(e.event()), e.event()) != null) {
                duplicates++;
            }
        }
        return new Unique<>(events, duplicates);
    }

    /** The events whose explicit team exists (or is absent); the others are added to {@code rejected}. */
    private static <R> List<Indexed<R>> knownTeamsOnly(List<Indexed<R>> events, Map<String, ZoneId> teams,
            Function<R, String> team, Function<R, String> id, List<WriteResult.Rejection> rejected) {
        List<Indexed<R>> valid = new ArrayList<>();
        for (Indexed<R> e : events) {
            String key = team.apply(e.event());
            if (key != null && !Team.UNASSIGNED.equals(key) && !teams.containsKey(key)) {
                rejected.add(new WriteResult.Rejection(e.index(), id.apply(e.event()), "unknown team '" + key + "'"));
            } else {
                valid.add(e);
            }
        }
        return valid;
    }

    /**
     * Timezones of the explicitly named teams that exist; with {@code liveOnly}, of those not deleted (a deleted
     * team takes no new events, but its history is still recomputed in its timezone).
     */
    private static <T> Map<String, ZoneId> teams(Connection c, List<T> events, Function<T, String> team,
            boolean liveOnly) throws SQLException {
        Set<String> keys = new TreeSet<>();
        for (T e : events) {
            String k = team.apply(e);
            if (k != null && !Team.UNASSIGNED.equals(k)) {
                keys.add(k);
            }
        }
        Map<String, ZoneId> zones = new HashMap<>();
        if (keys.isEmpty()) {
            return zones;
        }
        try (PreparedStatement ps = c.prepareStatement("select key, timezone from team where key = any(?)"
                + (liveOnly ? " and deleted_at is null" : ""))) {
            ps.setArray(1, BatchSql.text(c, keys.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    zones.put(rs.getString(1), ZoneId.of(rs.getString(2)));
                }
            }
        }
        return zones;
    }

    /** Members by email, creating (without a team) the ones not seen before. */
    private static Map<String, MemberRef> members(Connection c, Collection<String> emails) throws SQLException {
        Set<String> wanted = new TreeSet<>(emails);
        Map<String, MemberRef> found = new HashMap<>();
        if (wanted.isEmpty()) {
            return found;
        }
        selectMembers(c, wanted, found);
        if (found.size() < wanted.size()) {
            String[] missing = wanted.stream().filter(e -> !found.containsKey(e)).toArray(String[]::new);
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into member (email) select e from unnest(?::text[]) as e order by e on conflict (email) do nothing")) {
                ps.setArray(1, BatchSql.text(c, missing));
                ps.executeUpdate();
            }
            selectMembers(c, new HashSet<>(List.of(missing)), found);
        }
        return found;
    }

    private static void selectMembers(Connection c, Set<String> emails, Map<String, MemberRef> into)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select m.email, m.id, m.team_key, t.timezone, m.left_at is not null
                from member m left join team t on t.key = m.team_key
                where m.email = any(?)
                """)) {
            ps.setArray(1, BatchSql.text(c, emails.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String tz = rs.getString(4);
                    into.put(rs.getString(1), new MemberRef(rs.getLong(2), rs.getString(3),
                            tz == null ? ZoneOffset.UTC : ZoneId.of(tz), rs.getBoolean(5)));
                }
            }
        }
    }

    private static Set<String> insertReturningIds(Connection c, String sql, Array... params) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setArray(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Comparator<List<Object>> KEY_ORDER = (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
            Comparable x = (Comparable) a.get(i);
            Comparable y = (Comparable) b.get(i);
            int cmp = x == null ? (y == null ? 0 : -1) : y == null ? 1 : x.compareTo(y);
            if (cmp != 0) {
                return cmp;
            }
        }
        return 0;
    };
}
