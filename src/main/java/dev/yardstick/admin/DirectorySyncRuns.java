package dev.yardstick.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The latest runs of {@link SlackGroupSync} (table {@code directory_sync_run}, the newest {@value #KEPT} kept), and
 * their erasure: emails and names in them are replaced by the anonymous id.
 */
@ApplicationScoped
public class DirectorySyncRuns implements PersonalData {

    /** How many runs are kept. */
    static final int KEPT = 20;

    /** A person put on a team from no team (new, without one, or back after leaving). */
    public record Added(String email, String to) {
    }

    /** A person moved from one team to another. */
    public record Moved(String email, String from, String to) {
    }

    /** A person moved out of a team to no team; they keep their account and their history. */
    public record Removed(String email, String from) {
    }

    /** One run: who was added, moved and removed, and what went wrong (each line for an admin to read). */
    public record Run(Instant startedAt, Instant finishedAt, List<Added> added, List<Moved> moved,
            List<Removed> removed, List<String> errors) {
    }

    private static final String[] COLUMNS = {"added", "moved", "removed", "errors"};

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;

    /** Records a run on the caller's connection and forgets the oldest beyond {@value #KEPT}. */
    void record(Connection c, Run run) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into directory_sync_run (started_at, finished_at, added, moved, removed, errors)
                values (?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb)
                """)) {
            ps.setTimestamp(1, Timestamp.from(run.startedAt()));
            ps.setTimestamp(2, Timestamp.from(run.finishedAt()));
            ps.setString(3, write(run.added()));
            ps.setString(4, write(run.moved()));
            ps.setString(5, write(run.removed()));
            ps.setString(6, write(run.errors()));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                delete from directory_sync_run where id not in
                    (select id from directory_sync_run order by id desc limit ?)
                """)) {
            ps.setInt(1, KEPT);
            ps.executeUpdate();
        }
    }

    /** The kept runs, newest first. */
    public List<Run> latest() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select started_at, finished_at, added, moved, removed, errors from directory_sync_run
                order by id desc
                """); ResultSet rs = ps.executeQuery()) {
            List<Run> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Run(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant(),
                        json.readValue(rs.getString(3), new TypeReference<List<Added>>() {
                        }), json.readValue(rs.getString(4), new TypeReference<List<Moved>>() {
                        }), json.readValue(rs.getString(5), new TypeReference<List<Removed>>() {
                        }), json.readValue(rs.getString(6), new TypeReference<List<String>>() {
                        })));
            }
            return out;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("directory_sync_run query failed", e);
        }
    }

    @Override
    public Map<String, Integer> erase(Subject subject) {
        String text = "(added::text || moved::text || removed::text || errors::text)";
        int changed = 0;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select id, added::text, moved::text, removed::text, errors::text from directory_sync_run where "
                                + text + " ilike any(?) for update")) {
            ps.setArray(1, c.createArrayOf("text", subject.likePatterns()));
            try (ResultSet rs = ps.executeQuery(); PreparedStatement update = c.prepareStatement("""
                    update directory_sync_run set added = ?::jsonb, moved = ?::jsonb, removed = ?::jsonb,
                        errors = ?::jsonb where id = ?
                    """)) {
                while (rs.next()) {
                    for (int i = 0; i < COLUMNS.length; i++) {
                        update.setString(i + 1, subject.anonymise(rs.getString(i + 2)));
                    }
                    update.setLong(5, rs.getLong(1));
                    changed += update.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("erasing from directory_sync_run failed", e);
        }
        return Map.of("directory_sync_run", changed);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
