package dev.yardstick.admin;

import dev.yardstick.jobs.ClusterJob;
import dev.yardstick.jobs.ClusterJobs;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Teams that name a Slack user group ({@code slackUsergroupId}) take the group's members, every
 * {@code YARDSTICK_DIRECTORY_SYNC_EVERY} and once after each start (job {@value #NAME}).
 *
 * <p>A run reads each group ({@link GroupDirectory#members}), looks up only the Slack users no member is linked to yet
 * ({@link GroupDirectory#person}, for their email), then in one transaction, under the directory's lock
 * ({@link DirectoryImport#LOCK}, so imports and team deletions wait): creates the people who are new, links members
 * found by email to their Slack user, puts each person on their group's team (from no team, another team, or back
 * after leaving), and moves the members of a linked team who are in none of the groups read out to no team (they keep
 * their account and history). A person in several groups goes to the team with the lowest key. A team whose group
 * could not be read is left as it is; one with members that could not be looked up loses nobody this run. Each run is
 * recorded ({@link DirectorySyncRuns}).
 */
@ApplicationScoped
public class SlackGroupSync implements ClusterJob {

    /** The job's name in {@code cluster_job}. */
    public static final String NAME = "directory-sync";

    private static final Logger LOG = Logger.getLogger(SlackGroupSync.class);

    @Inject
    DataSource dataSource;
    @Inject
    GroupDirectory directory;
    @Inject
    DirectoryConfig config;
    @Inject
    DirectorySyncRuns runs;
    @Inject
    ClusterJobs jobs;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration every() {
        return config.syncEvery();
    }

    @Override
    public boolean enabled() {
        return directory.available() && !linkedTeams().isEmpty();
    }

    @Override
    public void run() {
        sync();
    }

    /** A run after each start, besides the periodic ones: the job is made due (it runs at the first tick). */
    void onStart(@Observes StartupEvent event) {
        if (!directory.available()) {
            return;
        }
        try {
            jobs.makeDue(NAME);
        } catch (RuntimeException e) {
            LOG.warnf("Could not schedule the directory sync at start: %s", e.getMessage());
        }
    }

    private record Member(long id, String email, String team, boolean left, String slackUserId) {
    }

    /** One run; returns what it changed, as recorded. */
    public DirectorySyncRuns.Run sync() {
        Instant started = Instant.now();
        List<String> errors = new ArrayList<>();
        Map<String, String> linked = linkedTeams();
        Map<String, GroupDirectory.Group> groups = new TreeMap<>();
        for (Map.Entry<String, String> e : linked.entrySet()) {
            try {
                groups.put(e.getKey(), directory.members(e.getValue()));
            } catch (GroupDirectory.Failure f) {
                errors.add("Team '" + e.getKey() + "' (user group " + e.getValue() + "): " + f.getMessage()
                        + " The team was left as it is.");
            }
        }
        Map<String, String> workspaceOf = new TreeMap<>();
        groups.values().forEach(g -> g.userIds().forEach(u -> workspaceOf.putIfAbsent(u, g.workspaceId())));
        Set<String> known = knownSlackUsers(workspaceOf.keySet());
        Map<String, GroupDirectory.Person> found = new HashMap<>();
        Set<String> unidentified = new HashSet<>();
        for (Map.Entry<String, String> e : workspaceOf.entrySet()) {
            if (known.contains(e.getKey())) {
                continue;
            }
            try {
                directory.person(e.getValue(), e.getKey()).ifPresent(p -> found.put(p.userId(), p));
            } catch (GroupDirectory.Failure f) {
                errors.add("Slack user " + e.getKey() + ": " + f.getMessage());
                unidentified.add(e.getKey());
            }
        }
        for (GroupDirectory.Person p : found.values()) {
            if (p.email() == null) {
                errors.add("Slack user " + p.userId() + (p.displayName() == null ? "" : " (" + p.displayName() + ")")
                        + " shows no email, so Yardstick cannot tell who they are; is the scope users:read.email"
                        + " granted?");
                unidentified.add(p.userId());
            }
        }
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                try (Connection c = dataSource.getConnection()) {
                    return apply(c, started, linked, groups, found, unidentified, errors);
                }
            });
        } catch (RuntimeException e) {
            LOG.errorf(e, "The directory sync could not write its changes");
            errors.add("The changes could not be written (see the service log); nothing was changed.");
            DirectorySyncRuns.Run failed = new DirectorySyncRuns.Run(started, Instant.now(), List.of(), List.of(),
                    List.of(), errors);
            QuarkusTransaction.requiringNew().run(() -> {
                try (Connection c = dataSource.getConnection()) {
                    runs.record(c, failed);
                } catch (SQLException s) {
                    throw new IllegalStateException(s);
                }
            });
            throw e;
        }
    }

    private DirectorySyncRuns.Run apply(Connection c, Instant started, Map<String, String> linked,
            Map<String, GroupDirectory.Group> groups, Map<String, GroupDirectory.Person> found,
            Set<String> unidentified, List<String> errors) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            ps.setLong(1, DirectoryImport.LOCK);
            ps.execute();
        }
        // teams deleted or relinked since their group was read are left for the next run
        Map<String, String> live = linkedTeams(c);
        Set<String> synced = new TreeSet<>();
        groups.keySet().stream().filter(k -> Objects.equals(live.get(k), linked.get(k))).forEach(synced::add);
        Set<String> untouched = new TreeSet<>(live.keySet());
        untouched.removeAll(synced);
        Map<String, TreeSet<String>> wanted = new TreeMap<>();
        Set<String> incomplete = new TreeSet<>();
        for (String team : synced) {
            for (String user : groups.get(team).userIds()) {
                wanted.computeIfAbsent(user, u -> new TreeSet<>()).add(team);
                if (unidentified.contains(user)) {
                    incomplete.add(team);
                }
            }
        }
        Map<String, Member> bySlack = new HashMap<>();
        select(c, "slack_user_id", wanted.keySet(), m -> bySlack.put(m.slackUserId(), m));
        Map<String, Member> byEmail = new HashMap<>();
        select(c, "email", found.values().stream().map(GroupDirectory.Person::email).filter(Objects::nonNull).toList(),
                m -> byEmail.put(m.email(), m));

        List<DirectorySyncRuns.Added> added = new ArrayList<>();
        List<DirectorySyncRuns.Moved> moved = new ArrayList<>();
        List<DirectorySyncRuns.Removed> removed = new ArrayList<>();
        Set<Long> keep = new HashSet<>();
        for (Map.Entry<String, TreeSet<String>> w : wanted.entrySet()) {
            String user = w.getKey();
            Member m = bySlack.get(user);
            if (m == null) {
                GroupDirectory.Person p = found.get(user);
                if (p == null || p.email() == null) {
                    continue; // a bot, a deactivated account, or someone who could not be looked up (reported)
                }
                m = byEmail.get(p.email());
                if (m != null && m.slackUserId() != null && !m.slackUserId().equals(user)) {
                    errors.add(p.email() + " is linked to Slack user " + m.slackUserId() + ", but Slack user " + user
                            + " has that email; left as is.");
                    keep.add(m.id());
                    continue;
                }
                m = m == null ? create(c, p) : link(c, m, p);
            }
            String to = w.getValue().first();
            if (w.getValue().size() > 1) {
                errors.add(m.email() + " is in the user groups of teams " + String.join(", ", w.getValue())
                        + "; kept in " + to + ".");
            }
            keep.add(m.id());
            if (!m.left() && (to.equals(m.team()) || m.team() != null && untouched.contains(m.team()))) {
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "update member set team_key = ?, left_at = null, updated_at = now() where id = ?")) {
                ps.setString(1, to);
                ps.setLong(2, m.id());
                ps.executeUpdate();
            }
            if (m.team() == null || m.left()) {
                added.add(new DirectorySyncRuns.Added(m.email(), to));
            } else {
                moved.add(new DirectorySyncRuns.Moved(m.email(), m.team(), to));
            }
        }
        for (String team : incomplete) {
            errors.add("Team '" + team + "': some of its group's members could not be looked up, so nobody was"
                    + " moved out of it this run.");
        }
        Set<String> emptying = new TreeSet<>(synced);
        emptying.removeAll(incomplete);
        try (PreparedStatement ps = c.prepareStatement("""
                update member m set team_key = null, updated_at = now()
                from (select id, team_key from member where team_key = any(?) and not (id = any(?))
                      order by id for update) as old
                where m.id = old.id returning m.email, old.team_key
                """)) {
            ps.setArray(1, c.createArrayOf("text", emptying.toArray()));
            ps.setArray(2, c.createArrayOf("int8", keep.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    removed.add(new DirectorySyncRuns.Removed(rs.getString(1), rs.getString(2)));
                }
            }
        }
        added.sort(java.util.Comparator.comparing(DirectorySyncRuns.Added::email));
        moved.sort(java.util.Comparator.comparing(DirectorySyncRuns.Moved::email));
        removed.sort(java.util.Comparator.comparing(DirectorySyncRuns.Removed::email));
        DirectorySyncRuns.Run run = new DirectorySyncRuns.Run(started, Instant.now(), added, moved, removed,
                List.copyOf(errors));
        runs.record(c, run);
        if (!added.isEmpty() || !moved.isEmpty() || !removed.isEmpty() || !errors.isEmpty()) {
            LOG.infof("Directory sync: %d added, %d moved, %d removed, %d errors", added.size(), moved.size(),
                    removed.size(), errors.size());
        }
        return run;
    }

    private static Member create(Connection c, GroupDirectory.Person p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into member (email, display_name, slack_user_id, slack_team_id) values (?, ?, ?, ?)
                returning id
                """)) {
            ps.setString(1, p.email());
            ps.setString(2, p.displayName());
            ps.setString(3, p.userId());
            ps.setString(4, p.workspaceId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Member(rs.getLong(1), p.email(), null, false, p.userId());
            }
        }
    }

    private static Member link(Connection c, Member m, GroupDirectory.Person p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update member set slack_user_id = ?, slack_team_id = coalesce(slack_team_id, ?),
                    display_name = coalesce(display_name, ?), updated_at = now()
                where id = ?
                """)) {
            ps.setString(1, p.userId());
            ps.setString(2, p.workspaceId());
            ps.setString(3, p.displayName());
            ps.setLong(4, m.id());
            ps.executeUpdate();
        }
        return new Member(m.id(), m.email(), m.team(), m.left(), p.userId());
    }

    private static void select(Connection c, String column, java.util.Collection<String> values,
            java.util.function.Consumer<Member> into) throws SQLException {
        if (values.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("select id, email, team_key, left_at is not null, slack_user_id"
                + " from member where " + column + " = any(?) order by id for update")) {
            ps.setArray(1, c.createArrayOf("text", new TreeSet<>(values).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    into.accept(new Member(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                            rs.getString(5)));
                }
            }
        }
    }

    /** Live teams that name a user group: key to group id, by key. */
    Map<String, String> linkedTeams() {
        try (Connection c = dataSource.getConnection()) {
            return linkedTeams(c);
        } catch (SQLException e) {
            throw new IllegalStateException("reading linked teams failed", e);
        }
    }

    private static Map<String, String> linkedTeams(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select key, slack_usergroup_id from team
                where slack_usergroup_id is not null and deleted_at is null order by key
                """); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private Set<String> knownSlackUsers(Set<String> ids) {
        Set<String> out = new HashSet<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c
                        .prepareStatement("select slack_user_id from member where slack_user_id = any(?)")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading linked Slack users failed", e);
        }
        return out;
    }
}
