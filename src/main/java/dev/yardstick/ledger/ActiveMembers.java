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
}
