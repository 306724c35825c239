package dev.yardstick.ledger;

import dev.yardstick.admin.LastSeen;
import dev.yardstick.admin.Roster;
import dev.yardstick.admin.Team;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a batch of outcome events and adds the new ones to {@code outcome_daily}, on the batch's connection; takes
 * voided ones back out.
 */
final class OutcomeWriter {

    /** An {@code outcome_daily} key; the member is null for outcomes nobody in particular shipped. */
    private record Key(String team, LocalDate day, Long member, String kind) implements Comparable<Key> {

        private static final Comparator<Key> ORDER = Comparator.comparing(Key::team).thenComparing(Key::day)
                .thenComparing(Key::member, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Key::kind);

        @Override
        public int compareTo(Key o) {
            return ORDER.compare(this, o);
        }
    }

    private OutcomeWriter() {
    }

    static WriteResult write(Connection c, Roster roster, List<LedgerWriter.Indexed<OutcomeRecord>> events)
            throws SQLException {
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        events = linkReverts(c, roster, events);
        Map<String, java.math.BigDecimal> costs = new java.util.HashMap<>();
        events = priceSessions(c, events, costs);
        Map<String, ZoneId> teams = MemberResolution.teams(roster, c, events, e -> e.event().team(), true);
        List<LedgerWriter.Indexed<OutcomeRecord>> valid = MemberResolution.knownTeamsOnly(events, teams,
                OutcomeRecord::team, OutcomeRecord::id, rejected);
        Map<String, Roster.Person> members = roster.resolve(c,
                valid.stream().map(e -> e.event().user()).filter(u -> u != null).toList());
        BatchSql.Unique<OutcomeRecord> byId = BatchSql.unique(valid, OutcomeRecord::id);
        int n = byId.events().size();
        String[] ids = new String[n], times = new String[n], teamKeys = new String[n], kinds = new String[n],
                titles = new String[n], urls = new String[n], ai = new String[n], repos = new String[n],
                shas = new String[n], revertsRepos = new String[n], branches = new String[n],
                tickets = new String[n], aiCosts = new String[n];
        Long[] memberIds = new Long[n], numbers = new Long[n], revertsNumbers = new Long[n];
        LocalDate[] days = new LocalDate[n];
        int i = 0;
        for (OutcomeRecord o : byId.events().values()) {
            Roster.Person m = o.user() == null ? null : members.get(o.user());
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
            if (o.pr() != null) {
                repos[i] = o.pr().repository();
                numbers[i] = o.pr().number() == null ? null : o.pr().number().longValue();
                shas[i] = o.pr().mergeSha();
                revertsRepos[i] = o.pr().revertsRepository();
                revertsNumbers[i] = o.pr().revertsNumber() == null ? null : o.pr().revertsNumber().longValue();
                branches[i] = storableBranch(o.pr().branch());
            }
            tickets[i] = storableTicket(o.ticketKey());
            java.math.BigDecimal cost = costs.get(o.id());
            aiCosts[i] = cost == null ? null : cost.toPlainString();
            days[i] = o.time().atZone(zone).toLocalDate();
            i++;
        }
        Set<String> inserted = BatchSql.insertReturningIds(c, """
                insert into outcome_event (id, time, member_id, team_key, kind, title, url, ai_assisted, repository,
                    number, merge_sha, reverts_repository, reverts_number, branch, ticket_key, ai_cost_usd)
                select * from unnest(?::text[], ?::timestamptz[], ?::int8[], ?::text[], ?::text[], ?::text[],
                    ?::text[], ?::boolean[], ?::text[], ?::int4[], ?::text[], ?::text[], ?::int4[], ?::text[],
                    ?::text[], ?::numeric[])
                on conflict (id) do nothing
                returning id
                """, BatchSql.text(c, ids), BatchSql.text(c, times), BatchSql.longs(c, memberIds),
                BatchSql.text(c, teamKeys), BatchSql.text(c, kinds), BatchSql.text(c, titles), BatchSql.text(c, urls),
                BatchSql.text(c, ai), BatchSql.text(c, repos), BatchSql.longs(c, numbers), BatchSql.text(c, shas),
                BatchSql.text(c, revertsRepos), BatchSql.longs(c, revertsNumbers), BatchSql.text(c, branches),
                BatchSql.text(c, tickets), BatchSql.text(c, aiCosts));

        Map<Key, long[]> sums = new TreeMap<>();
        Map<Long, java.time.Instant> seen = new java.util.HashMap<>();
        Set<Long> left = new java.util.HashSet<>();
        int k0 = 0;
        for (OutcomeRecord o : byId.events().values()) {
            Roster.Person m = o.user() == null ? null : members.get(o.user());
            if (m != null && inserted.contains(ids[k0])) {
                if (m.seenAnew(o.time())) {
                    seen.merge(m.id(), o.time(), (a, b) -> a.isAfter(b) ? a : b);
                }
                if (m.left()) {
                    left.add(m.id());
                }
            }
            k0++;
        }
        for (int k = 0; k < n; k++) {
            if (inserted.contains(ids[k])) {
                long[] s = sums.computeIfAbsent(new Key(teamKeys[k], days[k], memberIds[k], kinds[k]),
                        x -> new long[2]);
                s[0] += 1;
                s[1] += "true".equals(ai[k]) ? 1 : 0;
            }
        }
        Set<ActiveMembers.MemberDay> memberDays = new TreeSet<>();
        for (Key k : sums.keySet()) {
            if (k.member() != null && !left.contains(k.member())) {
                memberDays.add(new ActiveMembers.MemberDay(k.team(), k.day(), k.member()));
            }
        }
        ActiveMembers.mark(c, memberDays);
        LastSeen.record(c, seen);
        addToRollup(c, sums);
        return new WriteResult(inserted.size(), byId.duplicates() + n - inserted.size(), rejected);
    }

    /**
     * Links each revert ({@code pr_reverted}) to the merged pull request it reverts, found by repository and number
     * or merge commit: the revert takes that pull request's number, its AI-assisted mark (a revert counts against
     * the AI-assisted figures when the reverted work was AI-assisted) and its team, while that team is live. A
     * revert of a pull request never recorded keeps what the webhook said, and counts with the other pull requests.
     */
    private static List<LedgerWriter.Indexed<OutcomeRecord>> linkReverts(Connection c, Roster roster,
            List<LedgerWriter.Indexed<OutcomeRecord>> events) throws SQLException {
        List<LedgerWriter.Indexed<OutcomeRecord>> out = new ArrayList<>(events.size());
        for (LedgerWriter.Indexed<OutcomeRecord> e : events) {
            OutcomeRecord o = e.event();
            OutcomeRecord.PullRequest pr = o.pr();
            if (!"pr_reverted".equals(o.kind()) || pr == null || pr.revertsRepository() == null
                    || (pr.revertsNumber() == null && pr.revertsSha() == null)) {
                out.add(e);
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    select number, ai_assisted, team_key from outcome_event
                    where kind = 'pr_merged' and void_id is null and repository = ?
                        and (number = ? or merge_sha = ?)
                    order by time limit 1
                    """)) {
                ps.setString(1, pr.revertsRepository());
                ps.setObject(2, pr.revertsNumber(), java.sql.Types.INTEGER);
                ps.setString(3, pr.revertsSha());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        out.add(e);
                        continue;
                    }
                    Integer number = rs.getObject(1, Integer.class);
                    Boolean ai = Boolean.TRUE.equals(rs.getObject(2, Boolean.class)) ? Boolean.TRUE : null;
                    String team = rs.getString(3);
                    if (Team.UNASSIGNED.equals(team) || roster.timezones(c, Set.of(team), true).isEmpty()) {
                        team = o.team();
                    }
                    out.add(new LedgerWriter.Indexed<>(e.index(), new OutcomeRecord(o.id(), o.time(), o.user(), team,
                            o.kind(), o.title(), o.url(), ai, new OutcomeRecord.PullRequest(pr.repository(),
                                    pr.number(), pr.mergeSha(), pr.revertsRepository(), number, pr.revertsSha(),
                                    pr.branch()),
                            o.ticketKey())));
                }
            }
        }
        return out;
    }

    /**
     * The AI cost of each pull request (merged, reverted or closed) and resolved ticket of the batch, put in
     * {@code costs} by event id: the spend of the sessions linked to its head branch, or to a branch naming the
     * ticket, until the event's time ({@link SessionLinks}); absent when no session was linked. A pull request merged
     * or closed, or a ticket, with a cost above zero is AI-assisted whatever the source said; a revert keeps the mark
     * of the work it reverts.
     */
    private static List<LedgerWriter.Indexed<OutcomeRecord>> priceSessions(Connection c,
            List<LedgerWriter.Indexed<OutcomeRecord>> events, Map<String, java.math.BigDecimal> costs)
            throws SQLException {
        List<LedgerWriter.Indexed<OutcomeRecord>> out = new ArrayList<>(events.size());
        for (LedgerWriter.Indexed<OutcomeRecord> e : events) {
            OutcomeRecord o = e.event();
            SessionLinks.Cost cost = o.pr() != null && o.kind().startsWith("pr_")
                    ? SessionLinks.ofPullRequest(c, o.pr().repository(), storableBranch(o.pr().branch()), o.time())
                    : "ticket_resolved".equals(o.kind())
                            ? SessionLinks.ofTicket(c, storableTicket(o.ticketKey()), o.time())
                            : SessionLinks.Cost.NONE;
            if (cost.costUsd() == null) {
                out.add(e);
                continue;
            }
            costs.put(o.id(), cost.costUsd());
            boolean ai = Boolean.TRUE.equals(o.aiAssisted())
                    || (cost.costUsd().signum() > 0 && !"pr_reverted".equals(o.kind()));
            out.add(new LedgerWriter.Indexed<>(e.index(), new OutcomeRecord(o.id(), o.time(), o.user(), o.team(),
                    o.kind(), o.title(), o.url(), ai ? Boolean.TRUE : o.aiAssisted(), o.pr(), o.ticketKey())));
        }
        return out;
    }

    private static String storableBranch(String branch) {
        return branch == null || branch.length() > 255 ? null : branch;
    }

    private static String storableTicket(String key) {
        return key == null || !SessionLinks.TICKET_KEY.matcher(key).matches()
                ? null
                : key.toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * Marks the selected outcome events not voided yet as voided by {@code voidId} and takes them out of
     * {@code outcome_daily} (days in the team's current timezone, as on insert) and of the active members of their
     * days. Returns how many it voided.
     */
    static int voidEvents(Connection c, Roster roster, VoidSelector s, long voidId) throws SQLException {
        record Gone(String team, Instant time, Long member, String kind, boolean ai) {
        }
        List<Gone> gone = new ArrayList<>();
        String where = s.ids() != null
                ? "id = any(?)"
                : "member_id = (select id from member where email = ?) and time >= ? and time < ?";
        try (PreparedStatement ps = c.prepareStatement("update outcome_event set void_id = ? where " + where
                + " and void_id is null returning team_key, time, member_id, kind, ai_assisted")) {
            ps.setLong(1, voidId);
            if (s.ids() != null) {
                ps.setArray(2, BatchSql.text(c, s.ids().toArray(String[]::new)));
            } else {
                ps.setString(2, s.member());
                ps.setTimestamp(3, Timestamp.from(s.from()));
                ps.setTimestamp(4, Timestamp.from(s.to()));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Long member = rs.getObject(3, Long.class);
                    gone.add(new Gone(rs.getString(1), rs.getTimestamp(2).toInstant(), member, rs.getString(4),
                            rs.getBoolean(5)));
                }
            }
        }
        if (gone.isEmpty()) {
            return 0;
        }
        Map<String, ZoneId> zones = MemberResolution.teams(roster, c, gone, Gone::team, false);
        Map<Key, long[]> sums = new TreeMap<>();
        Set<ActiveMembers.MemberDay> memberDays = new TreeSet<>();
        for (Gone g : gone) {
            LocalDate day = g.time().atZone(zones.getOrDefault(g.team(), ZoneOffset.UTC)).toLocalDate();
            long[] sum = sums.computeIfAbsent(new Key(g.team(), day, g.member(), g.kind()), x -> new long[2]);
            sum[0] -= 1;
            sum[1] -= g.ai() ? 1 : 0;
            if (g.member() != null) {
                memberDays.add(new ActiveMembers.MemberDay(g.team(), day, g.member()));
            }
        }
        addToRollup(c, sums);
        ActiveMembers.unmarkIdle(c, memberDays);
        return gone.size();
    }

    private static void addToRollup(Connection c, Map<Key, long[]> sums) throws SQLException {
        if (sums.isEmpty()) {
            return;
        }
        int m = sums.size();
        String[] t = new String[m], d = new String[m], kd = new String[m];
        Long[] mem = new Long[m], cnt = new Long[m], aic = new Long[m];
        int j = 0;
        for (var e : sums.entrySet()) {
            t[j] = e.getKey().team();
            d[j] = e.getKey().day().toString();
            mem[j] = e.getKey().member();
            kd[j] = e.getKey().kind();
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
            ps.setInt(1, ThreadLocalRandom.current().nextInt(UsageRollups.SHARDS));
            ps.setArray(2, BatchSql.text(c, t));
            ps.setArray(3, BatchSql.text(c, d));
            ps.setArray(4, BatchSql.longs(c, mem));
            ps.setArray(5, BatchSql.text(c, kd));
            ps.setArray(6, BatchSql.longs(c, cnt));
            ps.setArray(7, BatchSql.longs(c, aic));
            ps.executeUpdate();
        }
    }
}
