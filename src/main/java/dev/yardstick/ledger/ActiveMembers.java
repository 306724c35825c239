package dev.yardstick.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.Set;

/** Which members were active per team and day ({@code team_member_day}), for {@code activeMembers}. */
final class ActiveMembers {

    /** A member active on a team's day. */
    record MemberDay(String team, LocalDate day, long member) implements Comparable<MemberDay> {

        private static final Comparator<MemberDay> ORDER = Comparator.comparing(MemberDay::team)
                .thenComparing(MemberDay::day).thenComparingLong(MemberDay::member);

        @Override
        public int compareTo(MemberDay o) {
            return ORDER.compare(this, o);
        }
    }

    private ActiveMembers() {
    }

    /** Records the members active on these days (sorted, so concurrent batches lock in the same order). */
    static void mark(Connection c, Set<MemberDay> memberDays) throws SQLException {
        if (memberDays.isEmpty()) {
            return;
        }
        run(c, """
                insert into team_member_day (team_key, day, member_id)
                select * from unnest(?::text[], ?::date[], ?::int8[]) on conflict do nothing
                """, memberDays);
    }

    /**
     * After a void: forgets the members of these days whose usage and outcomes of that team and day all left the
     * rollups (exact: a day with any remaining event, folded or pending, keeps its member). Locks
     * {@code team_member_day} against the inserts of folds and outcome batches until the void commits, after waiting
     * for those that have marked members but not yet committed. Usage a batch appends at the same moment, not yet
     * committed when this looks, still counts its member: the {@code team_member_day_all} view adds the members of
     * pending usage, and the fold marks them again.
     */
    static void unmarkIdle(Connection c, Set<MemberDay> memberDays) throws SQLException {
        if (memberDays.isEmpty()) {
            return;
        }
        try (var lock = c.createStatement()) {
            lock.execute("lock table team_member_day in share row exclusive mode");
        }
        run(c, """
                delete from team_member_day d using unnest(?::text[], ?::date[], ?::int8[]) as k (team_key, day, member_id)
                where d.team_key = k.team_key and d.day = k.day and d.member_id = k.member_id
                    and not exists (select 1 from usage_daily_all u
                                    where u.team_key = k.team_key and u.day = k.day and u.member_id = k.member_id
                                    having sum(u.events) > 0)
                    and not exists (select 1 from outcome_daily o
                                    where o.team_key = k.team_key and o.day = k.day and o.member_id = k.member_id
                                    having sum(o.outcomes) > 0)
                """,
                new java.util.TreeSet<>(memberDays));
    }

    /** Runs {@code sql} with the days' teams, days and members as its three array parameters, in their order. */
    private static void run(Connection c, String sql, Set<MemberDay> memberDays) throws SQLException {
        int n = memberDays.size();
        String[] teams = new String[n], days = new String[n];
        Long[] members = new Long[n];
        int i = 0;
        for (MemberDay k : memberDays) {
            teams[i] = k.team();
            days[i] = k.day().toString();
            members[i] = k.member();
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, BatchSql.text(c, teams));
            ps.setArray(2, BatchSql.text(c, days));
            ps.setArray(3, BatchSql.longs(c, members));
            ps.executeUpdate();
        }
    }
}
