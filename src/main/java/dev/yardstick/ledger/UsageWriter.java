package dev.yardstick.ledger;

import dev.yardstick.admin.LastSeen;
import dev.yardstick.admin.Roster;
import java.util.HashMap;
import java.util.HashSet;
import dev.yardstick.admin.Team;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes a batch of usage events (priced, each on its member's team and day) and adds the new ones to the usage
 * rollups; takes retracted and voided usage back out. All run on the caller's connection and transaction.
 */
@ApplicationScoped
class UsageWriter {

    /**
     * The id prefixes the product reads, and the one-byte origin kept of them in place of the id (V25; in the raw
     * row's kind since V30): a raw row stores the first 64 bits of its id's hash ({@code id_key}, V30: what voids by id
     * and retractions find it by, within the days {@code usage_event_id} names) and its kind names this.
     */
    static final Map<String, String> ORIGINS = Map.of("otlpm:", "m", "otlp:", "l", "pull:", "p", "demo:", "d");

    /** The origin of an id: that of its prefix in {@link #ORIGINS} ({@code otlpm:} before {@code otlp:}), else "e". */
    static String origin(String id) {
        if (id.startsWith("otlpm:")) {
            return "m";
        }
        for (var e : ORIGINS.entrySet()) {
            if (id.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return "e";
    }

    /** The origin code of one of {@link #ORIGINS}' prefixes, for the statements that select by it. */
    static String originOf(String prefix) {
        String o = ORIGINS.get(prefix);
        if (o == null) {
            throw new IllegalArgumentException("not an id prefix the ledger keeps: " + prefix);
        }
        return o;
    }

    @Inject
    Pricing pricing;
    @Inject
    Instance<UsageRetraction> retractions;
    @Inject
    Roster roster;
    @Inject
    jakarta.enterprise.event.Event<UsageTakenBack> takenBack;
    @Inject
    UsagePartitions partitions;
    @Inject
    UsageKinds kinds;
    @Inject
    RollupFold fold;

    /**
     * Stores the batch; {@code live[0]} receives what was new, for runaway detection after commit. {@code again}: an
     * earlier attempt of the batch failed (perhaps refused by this month's ids' index), so this month is probed too.
     */
    WriteResult write(Connection c, List<LedgerWriter.Indexed<UsageRecord>> events, LiveUsage[] live,
            boolean exactTime, boolean again) throws SQLException {
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        Map<String, ZoneId> teams = MemberResolution.teams(roster, c, events, e -> e.event().team(), true);
        List<LedgerWriter.Indexed<UsageRecord>> valid = MemberResolution.knownTeamsOnly(events, teams,
                UsageRecord::team, UsageRecord::id, rejected);
        Map<String, Roster.Person> members = roster.resolve(c, valid.stream().map(e -> e.event().user()).toList());

        BatchSql.Unique<UsageRecord> byId = BatchSql.unique(valid, UsageRecord::id);
        int n = byId.events().size();
        String[] ids = new String[n], teamKeys = new String[n], tools = new String[n], models = new String[n],
                sources = new String[n], sessions = new String[n];
        Long[] memberIds = new Long[n], in = new Long[n], out = new Long[n], cr = new Long[n], cw = new Long[n];
        Integer[] requests = new Integer[n];
        LocalDate[] days = new LocalDate[n];
        BigDecimal[] costValues = new BigDecimal[n];
        UsageRecord[] records = new UsageRecord[n];
        Roster.Person[] people = new Roster.Person[n];
        Boolean[] lives = new Boolean[n];
        Instant liveSince = Instant.now().minus(LiveUsage.WINDOW);
        int i = 0;
        for (UsageRecord u : byId.events().values()) {
            records[i] = u;
            Roster.Person m = members.get(u.user());
            people[i] = m;
            String team = u.team() != null ? u.team() : m.teamKey() != null ? m.teamKey() : Team.UNASSIGNED;
            ZoneId zone = u.team() == null ? m.zone() : teams.getOrDefault(team, ZoneOffset.UTC);
            BigDecimal cost = u.costUsd();
            String source = "reported";
            if (cost == null) {
                var price = pricing.lookup(u.model());
                cost = price.map(u::cost).orElse(BigDecimal.ZERO);
                source = price.isPresent() ? "computed" : "unpriced";
            }
            ids[i] = u.id();
            memberIds[i] = m.id();
            teamKeys[i] = team;
            tools[i] = u.tool();
            models[i] = u.model();
            in[i] = u.inputTokens();
            out[i] = u.outputTokens();
            cr[i] = u.cacheReadTokens();
            cw[i] = u.cacheWriteTokens();
            costValues[i] = cost;
            sources[i] = source;
            requests[i] = u.requests();
            sessions[i] = u.sessionId();
            days[i] = u.time().atZone(zone).toLocalDate();
            lives[i] = exactTime && !u.time().isBefore(liveSince);
            i++;
        }
        Integer[] kindIds = new Integer[n];
        UsageKinds.Key[] keys = new UsageKinds.Key[n];
        for (int k = 0; k < n; k++) {
            keys[k] = new UsageKinds.Key(teamKeys[k], memberIds[k], tools[k], models[k], sources[k], origin(ids[k]),
                    lives[k]);
        }
        Map<UsageKinds.Key, Integer> kindOf = kinds.ids(c, java.util.Arrays.asList(keys));
        for (int k = 0; k < n; k++) {
            kindIds[k] = kindOf.get(keys[k]);
        }
        boolean[] isNew = insert(c, records, ids, kindIds, in, out, cr, cw, costValues, requests, sessions, again);
        int stored = 0;

        // while the fold is behind (a backfill of many days), a batch adds to the rollups itself, as ingest did
        // before pending rows, so the pending rows readers add up stay few
        boolean inline = fold.behind(c);
        Map<UsageRollups.Pending, UsageRollups.Sums> sums = new HashMap<>();
        Map<UsageRollups.Key, UsageRollups.Sums> keySums = new TreeMap<>();
        Set<Long> left = new HashSet<>();
        Map<Long, Instant> seen = new HashMap<>();
        for (int k = 0; k < n; k++) {
            if (!isNew[k]) {
                continue;
            }
            stored++;
            Roster.Person person = people[k];
            if (person.seenAnew(records[k].time())) {
                seen.merge(memberIds[k], records[k].time(), (a, b) -> a.isAfter(b) ? a : b);
            }
            long[] counts = UsageRollups.counts(in[k], out[k], cr[k], cw[k], requests[k],
                    "unpriced".equals(sources[k]));
            if (inline) {
                if (person.left()) {
                    left.add(memberIds[k]);
                }
                keySums.computeIfAbsent(new UsageRollups.Key(teamKeys[k], days[k], memberIds[k], tools[k],
                        models[k]), x -> new UsageRollups.Sums()).add(counts, costValues[k]);
            } else {
                sums.computeIfAbsent(new UsageRollups.Pending(kindIds[k], days[k], !person.left()),
                        x -> new UsageRollups.Sums()).add(counts, costValues[k]);
            }
        }
        if (inline) {
            UsageRollups.addWithActivity(c, keySums, left);
        } else {
            UsageRollups.pend(c, sums);
        }
        LastSeen.record(c, seen);
        live[0] = stored == 0 ? null : new LiveUsage(records, isNew, memberIds, teamKeys, costValues, exactTime);
        return new WriteResult(stored, byId.duplicates() + n - stored, rejected);
    }

    /**
     * Stores the events whose id is new: probes the earlier months' partitions of {@code usage_event_id} for the ids'
     * hashes (one index probe per id and month; this month's too when {@code again}), then COPYs the new hashes into
     * this month's partition, whose unique index decides for this month, and the new events' raw rows into their
     * days' partitions: plain inserts, no {@code on conflict} (a speculative insertion costs about twice as much).
     * When this month's index refuses an id (a re-send within the month, or an id another batch stored at the same
     * moment), the COPY fails and the batch runs again, probing every month, and finds the id stored. Hashes are
     * written in sorted order, so two batches waiting for each other's ids cannot deadlock. Near a UTC month boundary
     * two batches could record the same id in two months' partitions, so there the id table is locked for the batch
     * (one batch at a time for {@value #BOUNDARY_MINUTES} minutes either side of midnight on the first of a month).
     * Returns, per event, whether it was stored.
     */
    private boolean[] insert(Connection c, UsageRecord[] records, String[] ids, Integer[] kindIds, Long[] in,
            Long[] out, Long[] cr, Long[] cw, BigDecimal[] costs, Integer[] requests, String[] sessions,
            boolean again) throws SQLException {
        int n = ids.length;
        java.util.UUID[] hashes = new java.util.UUID[n];
        IdRow.Key[] keys = new IdRow.Key[n];
        byte[][] keyBytes = new byte[n][];
        LocalDate[] utcDays = new LocalDate[n];
        Set<LocalDate> days = new TreeSet<>();
        Map<Long, LocalDate> dayOf = new HashMap<>();
        for (int k = 0; k < n; k++) {
            hashes[k] = UsagePartitions.idHash(ids[k]);
            keys[k] = IdRow.Key.of(hashes[k]);
            keyBytes[k] = keys[k].bytes();
            utcDays[k] = dayOf.computeIfAbsent(Math.floorDiv(records[k].time().getEpochSecond(), 86_400L),
                    LocalDate::ofEpochDay);
            days.add(utcDays[k]);
        }
        if (!partitions.ready(days)) {
            throw new UsagePartitions.Missing(days);
        }
        if (nearMonthBoundary(Instant.now())) {
            try (var s = c.createStatement()) {
                s.execute("lock table usage_event_id in share row exclusive mode");
            }
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        // on a first attempt this month's ids are left to its unique index, which checks every id the COPY writes
        // anyway: it refuses one (a re-send, or another batch's at this moment), and the batch runs again, probing
        // this month too. The earlier months' partitions, which no index of this month's covers, are always probed.
        Set<IdRow.Key> known = probe(c, keyBytes, again ? null : IdRow.monthStart(today));
        List<Integer> fresh = fresh(keys, known);
        boolean[] stored = new boolean[n];
        if (fresh.isEmpty()) {
            return stored;
        }
        copyIds(c, fresh, hashes, today, utcDays);
        CopyBinary rows = new CopyBinary(fresh.size() * 150);
        for (int k : fresh) {
            stored[k] = true;
            rows.row(5).int8(hashes[k].getMostSignificantBits()).timestamptz(records[k].time()).int4(kindIds[k])
                    .text(sessions[k] == null ? "" : sessions[k])
                    .figures(requests[k], UsageFigures.units(costs[k]), in[k], out[k], cr[k], cw[k]);
        }
        rows.copy(c, "copy usage_event (id_key, time, kind, session_id, figures) from stdin with (format binary)");
        return stored;
    }

    /**
     * The keys of {@code keyBytes} that {@code usage_event_id} holds: in the months before {@code before} (a month's
     * lowest row), or in every month when it is null.
     */
    private static Set<IdRow.Key> probe(Connection c, byte[][] keyBytes, java.util.UUID before) throws SQLException {
        Set<IdRow.Key> known = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("select " + IdRow.KEY_SQL + " from usage_event_id where "
                + IdRow.KEY_SQL + " = any(?)" + (before == null ? "" : " and id < ?"))) {
            ps.setArray(1, c.createArrayOf("bytea", keyBytes));
            if (before != null) {
                ps.setObject(2, before);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    known.add(IdRow.Key.of(rs.getBytes(1)));
                }
            }
        }
        return known;
    }

    /** The events whose key is not in {@code known}, in key order; two of one batch with one key count as one. */
    private static List<Integer> fresh(IdRow.Key[] keys, Set<IdRow.Key> known) {
        List<Integer> fresh = new ArrayList<>();
        for (int k = 0; k < keys.length; k++) {
            if (known.add(keys[k])) {
                fresh.add(k);
            }
        }
        fresh.sort(java.util.Comparator.comparing(k -> keys[k]));
        return fresh;
    }

    /**
     * COPYs the id rows of {@code fresh} into this month's partition. When its unique index refuses one, the batch
     * runs again ({@link BatchSql#RETRY_STATE}), probes every month and finds the id stored.
     */
    private static void copyIds(Connection c, List<Integer> fresh, java.util.UUID[] hashes, LocalDate today,
            LocalDate[] utcDays) throws SQLException {
        CopyBinary idRows = new CopyBinary(fresh.size() * 30);
        for (int k : fresh) {
            idRows.row(1).uuid(IdRow.of(hashes[k], today, utcDays[k]));
        }
        try {
            idRows.copy(c, "copy usage_event_id (id) from stdin with (format binary)");
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new SQLException("An id of the batch is stored already: the batch runs again and finds it.",
                        BatchSql.RETRY_STATE, e);
            }
            throw e;
        }
    }

    /** Minutes either side of a UTC month's start during which batches take the id table's lock. */
    static final int BOUNDARY_MINUTES = 15;

    static boolean nearMonthBoundary(Instant now) {
        var t = now.atZone(ZoneOffset.UTC);
        Instant start = t.toLocalDate().withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant next = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        long minutes = Math.min(java.time.Duration.between(start, now).toMinutes(),
                java.time.Duration.between(now, next).toMinutes());
        return minutes < BOUNDARY_MINUTES;
    }

    /** The columns of a raw usage row (V32), in the order of both {@code usage_event} and usage_event_voided. */
    private static final String RAW_COLUMNS = "time, id_key, kind, session_id, figures";

    /** A usage event taken back out of the ledger, as read from its row. */
    private record Gone(String team, Instant time, long member, String tool, String model, long[] sums,
            BigDecimal cost, String session, boolean live) {

        /** The columns {@link #read} reads, of {@code usage_event e} and its kind {@code usage_kind k}. */
        static final String COLUMNS = """
                k.team_key, e.time, k.member_id, k.tool, k.model, e.figures, k.cost_source, e.session_id, k.live
                """;

        static Gone read(ResultSet rs) throws SQLException {
            long[] f = UsageFigures.read(rs.getBytes(6));
            long[] s = UsageRollups.counts(f[2], f[3], f[4], f[5], f[0], "unpriced".equals(rs.getString(7)));
            String session = rs.getString(8);
            return new Gone(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getLong(3), rs.getString(4),
                    rs.getString(5), s, UsageFigures.usd(f[1]), session.isEmpty() ? null : session, rs.getBoolean(9));
        }
    }

    /** See {@link LedgerWriter#retractUsage}. */
    int retract(Connection c, String idPrefix, String tool, Collection<String> sessions) throws SQLException {
        String origin = originOf(idPrefix);
        if (sessions.isEmpty()) {
            return 0;
        }
        List<Gone> gone = new ArrayList<>();
        List<Long> freed = new ArrayList<>();
        // voided events are out of the raw rows (and the rollups) already: usage_event_voided keeps them
        try (PreparedStatement ps = c.prepareStatement("delete from usage_event e using usage_kind k"
                + " where k.id = e.kind and e.session_id = any(?) and e.session_id <> '' and k.origin = ?::\"char\""
                + " and k.tool = ? returning " + Gone.COLUMNS + ", e.id_key")) {
            ps.setArray(1, BatchSql.text(c, new TreeSet<>(sessions).toArray(String[]::new)));
            ps.setString(2, origin);
            ps.setString(3, tool);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    gone.add(Gone.read(rs));
                    freed.add(rs.getLong(10));
                }
            }
        }
        // a retracted event is gone as if never sent: its id may come again. The raw row keeps 64 bits of the hash:
        // the id row is the one of the event's day whose hash starts with them
        if (!freed.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("delete from usage_event_id"
                    + " using unnest(?::bytea[], ?::bytea[], ?::int[]) as r(lo, hi, day)"
                    + " where " + IdRow.KEY_SQL + " between r.lo and r.hi"
                    + " and get_byte(uuid_send(id), 2) * 256 + get_byte(uuid_send(id), 3) = r.day")) {
                int n = freed.size();
                byte[][] lo = new byte[n][];
                byte[][] hi = new byte[n][];
                Integer[] days = new Integer[n];
                for (int k = 0; k < n; k++) {
                    lo[k] = new IdRow.Key(freed.get(k), 0).bytes();
                    hi[k] = new IdRow.Key(freed.get(k), -1).bytes();
                    days[k] = (int) (Math.floorDiv(gone.get(k).time().getEpochSecond(), 86_400L) & 0xffff);
                }
                ps.setArray(1, c.createArrayOf("bytea", lo));
                ps.setArray(2, c.createArrayOf("bytea", hi));
                ps.setArray(3, c.createArrayOf("integer", days));
                ps.executeUpdate();
            }
        }
        // these events come at their real time, so those of the last live window went into the live figures
        Instant liveSince = Instant.now().minus(LiveUsage.WINDOW);
        takeOut(c, gone, g -> !g.time().isBefore(liveSince), false);
        return gone.size();
    }

    /**
     * Marks the selected usage events not voided yet as voided by {@code voidId} and takes them out of both usage
     * rollups, of the active members of their days and of the live figures, in one statement per step.
     */
    VoidedUsage voidEvents(Connection c, VoidSelector s, long voidId) throws SQLException {
        // the usage taken out must be in the rollups, not pending: a pending row would still count its member active
        fold.foldWithin(c);
        List<Gone> gone = new ArrayList<>();
        String where;
        Instant[] span = null;
        if (s.ids() != null) {
            span = idDays(c, s.ids());
            if (span == null) {
                return new VoidedUsage(voidId, 0, BigDecimal.ZERO, Map.of(), List.of());
            }
            where = "e.id_key = any(?) and e.time >= ? and e.time < ?";
        } else {
            where = "k.member_id = (select id from member where email = ?) and e.time >= ? and e.time < ?"
                    + (s.tool() == null ? "" : " and k.tool = ?");
        }
        // voided events move, with their void, to usage_event_voided (V30): the raw rows carry no void column
        try (PreparedStatement ps = c.prepareStatement("with gone as (delete from usage_event e using usage_kind k"
                + " where k.id = e.kind and " + where + " returning e.*), moved as (insert into usage_event_voided"
                + " (void_id, " + RAW_COLUMNS + ") select ?, " + RAW_COLUMNS + " from gone)"
                + " select " + Gone.COLUMNS + " from gone e join usage_kind k on k.id = e.kind")) {
            int i = 1;
            if (s.ids() != null) {
                ps.setArray(i++, c.createArrayOf("bigint", s.ids().stream()
                        .map(id -> UsagePartitions.idHash(id).getMostSignificantBits()).toArray()));
                ps.setTimestamp(i++, java.sql.Timestamp.from(span[0]));
                ps.setTimestamp(i++, java.sql.Timestamp.from(span[1]));
            } else {
                ps.setString(i++, s.member());
                ps.setTimestamp(i++, java.sql.Timestamp.from(s.from()));
                ps.setTimestamp(i++, java.sql.Timestamp.from(s.to()));
                if (s.tool() != null) {
                    ps.setString(i++, s.tool());
                }
            }
            ps.setLong(i, voidId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    gone.add(Gone.read(rs));
                }
            }
        }
        // the live figures hold what was live when it arrived; those of the last two live windows are still
        // kept whole (alerts raised within the last window were raised on figures reaching back that far)
        Instant keptSince = Instant.now().minus(LiveUsage.WINDOW.multipliedBy(2));
        Taken taken = takeOut(c, gone, g -> g.live() && !g.time().isBefore(keptSince), true);
        BigDecimal cost = BigDecimal.ZERO;
        for (Gone g : gone) {
            cost = cost.add(g.cost());
        }
        return new VoidedUsage(voidId, gone.size(), cost, taken.days(), taken.sessions());
    }

    /** The UTC days the stored events of these ids are in, as an instant range, or null when none is stored. */
    private static Instant[] idDays(Connection c, Collection<String> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select id from usage_event_id where " + IdRow.KEY_SQL
                + " = any(?)")) {
            ps.setArray(1, c.createArrayOf("bytea", ids.stream()
                    .map(id -> IdRow.Key.of(UsagePartitions.idHash(id)).bytes()).toArray(byte[][]::new)));
            LocalDate min = null;
            LocalDate max = null;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    LocalDate d = IdRow.day(rs.getObject(1, java.util.UUID.class));
                    min = min == null || d.isBefore(min) ? d : min;
                    max = max == null || d.isAfter(max) ? d : max;
                }
            }
            return min == null
                    ? null
                    : new Instant[]{min.atStartOfDay(ZoneOffset.UTC).toInstant(),
                            max.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()};
        }
    }

    /** What {@link #takeOut} changed: rollup days per team, and live sessions from their earliest minute. */
    private record Taken(Map<String, Set<LocalDate>> days, List<LiveUsage.Session> sessions) {
    }

    /**
     * Takes usage events out of the usage rollups (days in the team's current timezone, as on insert) and, for
     * those {@code inLiveFigures}, out of the figures kept beside the ledger: runaway detection's per-minute
     * figures, in this transaction ({@link UsageRetraction}) and in memory after commit ({@link UsageTakenBack}).
     * With {@code activity}, members left without usage or outcomes on a day stop counting as active that day.
     */
    private Taken takeOut(Connection c, List<Gone> gone, java.util.function.Predicate<Gone> inLiveFigures,
            boolean activity) throws SQLException {
        if (gone.isEmpty()) {
            return new Taken(Map.of(), List.of());
        }
        Map<String, ZoneId> zones = MemberResolution.teams(roster, c, gone, Gone::team, false);
        Map<UsageRollups.Key, UsageRollups.Sums> sums = new TreeMap<>();
        for (Gone g : gone) {
            LocalDate day = g.time().atZone(zones.getOrDefault(g.team(), ZoneOffset.UTC)).toLocalDate();
            long[] minus = new long[g.sums().length];
            for (int i = 0; i < minus.length; i++) {
                minus[i] = -g.sums()[i];
            }
            sums.computeIfAbsent(new UsageRollups.Key(g.team(), day, g.member(), g.tool(), g.model()),
                    x -> new UsageRollups.Sums()).add(minus, g.cost().negate());
        }
        UsageRollups.add(c, sums);
        Map<String, Set<LocalDate>> days = new TreeMap<>();
        Set<ActiveMembers.MemberDay> memberDays = new TreeSet<>();
        for (UsageRollups.Key k : sums.keySet()) {
            days.computeIfAbsent(k.team(), x -> new TreeSet<>()).add(k.day());
            memberDays.add(new ActiveMembers.MemberDay(k.team(), k.day(), k.member()));
        }
        if (activity) {
            ActiveMembers.unmarkIdle(c, memberDays);
        }
        List<LiveUsage.Minute> minus = gone.stream().filter(inLiveFigures)
                .map(g -> new LiveUsage.Minute(g.member(), LiveUsage.sessionKey(g.session(), g.tool()),
                        g.time().truncatedTo(ChronoUnit.MINUTES), g.tool(), g.model(), g.team(), g.cost().negate(),
                        -g.sums()[4]))
                .collect(Collectors.toMap(m -> List.of(m.memberId(), m.sessionKey(), m.minute(), m.tool(), m.model()),
                        m -> m, UsageWriter::plus))
                .values().stream().toList();
        Map<List<Object>, LiveUsage.Session> sessions = new java.util.LinkedHashMap<>();
        if (!minus.isEmpty()) {
            for (UsageRetraction r : retractions) {
                r.retracted(c, minus);
            }
            takenBack.fire(new UsageTakenBack(minus));
            for (LiveUsage.Minute m : minus) {
                sessions.merge(List.of(m.memberId(), m.sessionKey()),
                        new LiveUsage.Session(m.memberId(), m.sessionKey(), m.teamKey(), m.minute()),
                        (a, b) -> b.from().isBefore(a.from()) ? b : a);
            }
        }
        return new Taken(days, List.copyOf(sessions.values()));
    }

    /** Two figures of the same session, minute, tool and model, added. */
    private static LiveUsage.Minute plus(LiveUsage.Minute a, LiveUsage.Minute b) {
        return new LiveUsage.Minute(a.memberId(), a.sessionKey(), a.minute(), a.tool(), a.model(), a.teamKey(),
                a.costUsd().add(b.costUsd()), a.requests() + b.requests());
    }
}
