package dev.yardstick.ingest;

import dev.yardstick.YardstickConfig;
import dev.yardstick.admin.Team;
import dev.yardstick.ledger.Bounds;
import dev.yardstick.ledger.LedgerWriter;
import dev.yardstick.ledger.LedgerWriter.Indexed;
import dev.yardstick.ledger.OutcomeRecord;
import dev.yardstick.ledger.WriteResult;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Turns shipped work reported by a webhook into an outcome event: finds the member (and team), and
 * writes through the {@link LedgerWriter} like the ingest API, so a redelivery is a duplicate.
 * Every delivery is counted in {@code yardstick_webhooks_total{source, result}}.
 */
@ApplicationScoped
public class WebhookIntake {

    /**
     * What a webhook handler found in a payload.
     *
     * @param email       the member's email, or {@code null}
     * @param githubLogin the author's GitHub login, or {@code null}
     * @param repository  the GitHub repository {@code owner/name}, or {@code null}
     * @param ticketKey   a resolved ticket's key ({@code ENG-123}), or {@code null}
     */
    public record ShippedWork(String id, Instant time, String kind, String email, String githubLogin,
            String repository, String title, String url, Boolean aiAssisted, OutcomeRecord.PullRequest pr,
            String ticketKey) {

        /** Work that names no pull request and no ticket. */
        public ShippedWork(String id, Instant time, String kind, String email, String githubLogin, String repository,
                String title, String url, Boolean aiAssisted) {
            this(id, time, kind, email, githubLogin, repository, title, url, aiAssisted, null, null);
        }

        /** Work that names no ticket. */
        public ShippedWork(String id, Instant time, String kind, String email, String githubLogin, String repository,
                String title, String url, Boolean aiAssisted, OutcomeRecord.PullRequest pr) {
            this(id, time, kind, email, githubLogin, repository, title, url, aiAssisted, pr, null);
        }
    }

    /** The body of a webhook answer: {@code accepted}, {@code duplicate}, {@code ignored} or {@code pong}. */
    public record Result(String result, String reason) {
    }

    private record Who(String email, String teamKey) {
    }

    @Inject
    LedgerWriter ledger;
    @Inject
    DataSource dataSource;
    @Inject
    YardstickConfig config;
    @Inject
    MeterRegistry registry;

    /** Stores the work as an outcome event, or says why it was ignored. */
    public Result record(String source, ShippedWork work) {
        Result refused = unstorable(source, work);
        if (refused != null) {
            return refused;
        }
        String user;
        String team;
        try {
            Who who = work.githubLogin() != null ? byGithubLogin(work.githubLogin()) : byEmail(work.email());
            String repoTeam = work.repository() == null ? null : teamOfRepository(work.repository());
            if (who == null && repoTeam == null) {
                return ignored(source, work.repository() == null
                        ? "the assignee is not a known member (matched by email)"
                        : "the author is not a known member (matched by githubLogin) and the repository "
                                + "belongs to no team");
            }
            user = who == null ? null : who.email();
            team = who != null && who.teamKey() != null ? null : repoTeam;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return write(source, work, user, team);
    }

    /**
     * Stores a deployment (or a failed one) for the team that owns its repository, else the team of its creator
     * (matched by GitHub login); no member is recorded, deployments are the team's. Ignored unless the environment
     * is one of that team's {@link Team#deployEnvironments} (compared case-insensitively).
     */
    public Result recordDeployment(String source, ShippedWork work, String environment) {
        Result refused = unstorable(source, work);
        if (refused != null) {
            return refused;
        }
        String team;
        try {
            team = teamOfRepository(work.repository());
            if (team == null && work.githubLogin() != null) {
                Who who = byGithubLogin(work.githubLogin());
                team = who == null ? null : who.teamKey();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        Team t = team == null ? null : Team.findById(team);
        if (t == null || t.deletedAt != null) {
            return ignored(source, "the repository belongs to no team and the deployment's creator is not a "
                    + "member of one");
        }
        if (t.deployEnvironments.stream().noneMatch(environment::equalsIgnoreCase)) {
            return ignored(source, "environment '" + environment + "' is not one of the team's deployEnvironments");
        }
        return write(source, work, null, t.key);
    }

    private Result unstorable(String source, ShippedWork work) {
        if (!Bounds.isStorable(work.id()) || !Bounds.isStorable(work.email()) || !Bounds.isStorable(work.githubLogin())
                || !Bounds.isStorable(work.repository()) || !Bounds.isStorable(work.title())
                || !Bounds.isStorable(work.url())) {
            return ignored(source, "the payload's text contains the NUL character (U+0000), which cannot be stored");
        }
        return null;
    }

    private Result write(String source, ShippedWork work, String user, String team) {
        Instant now = Instant.now();
        Instant time = work.time() == null || work.time().isAfter(now) ? now : work.time();
        if (time.isBefore(now.minus(config.rawRetentionDays(), ChronoUnit.DAYS))) {
            return ignored(source, "the work is older than the raw-event retention ("
                    + config.rawRetentionDays() + " days)");
        }
        OutcomeRecord outcome = new OutcomeRecord(boundedId(work.id()), time, user, team, work.kind(),
                truncate(work.title(), 500), work.url() != null && work.url().length() <= 2048 ? work.url() : null,
                work.aiAssisted(), work.pr(), work.ticketKey());
        WriteResult written = ledger.writeOutcomes(List.of(new Indexed<>(0, outcome)));
        if (written.accepted() == 1) {
            return count(source, new Result("accepted", null));
        }
        if (written.duplicates() == 1) {
            return count(source, new Result("duplicate", "this work was recorded before"));
        }
        return ignored(source, written.rejected().isEmpty() ? "not stored" : written.rejected().get(0).error());
    }

    /** Counts a delivery that carried no shipped work. */
    public Result ignored(String source, String reason) {
        return count(source, new Result("ignored", reason));
    }

    /** Counts a delivery by its result alone (refused, or a ping). */
    public void counted(String source, String result) {
        registry.counter("yardstick.webhooks", "source", source, "result", result).increment();
    }

    private Result count(String source, Result result) {
        registry.counter("yardstick.webhooks", "source", source, "result", result.result()).increment();
        return result;
    }

    private Who byGithubLogin(String login) throws SQLException {
        return one("select email, team_key from member where lower(github_login) = lower(?) order by id limit 1",
                login);
    }

    private Who byEmail(String email) throws SQLException {
        return email == null || email.isBlank()
                ? null
                : one("select email, team_key from member where email = ?", email.trim().toLowerCase(Locale.ROOT));
    }

    private String teamOfRepository(String repository) throws SQLException {
        Who w = one("select null, key from team where ? = any(repositories) order by key limit 1",
                repository.toLowerCase(Locale.ROOT));
        return w == null ? null : w.teamKey();
    }

    private Who one(String sql, String param) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Who(rs.getString(1), rs.getString(2)) : null;
            }
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** The id itself when it fits the ledger's 128 characters, else its prefix and a SHA-256. */
    static String boundedId(String id) {
        if (id.length() <= 128) {
            return id;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return id.substring(0, 63) + ":" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
