package dev.yardstick.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * A team's settings as its managers change them in chat, checked exactly as {@code PUT /api/v1/teams/{key}} checks
 * them (the same messages), and the audit of every change to a team ({@code team_audit}): who, when, through what,
 * and each field from → to, written in the transaction of the change, which also fires {@link TeamChanged}.
 */
@ApplicationScoped
public class TeamSettings {

    /** The weekly budget in USD; blank: no budget. */
    public static final String WEEKLY_BUDGET = "weeklyBudgetUsd";
    /** The runaway line: a session's cost in any 15 minutes, USD. */
    public static final String RUNAWAY_COST = "runawayCostUsd";
    /** The runaway line: a session's requests in any 15 minutes. */
    public static final String RUNAWAY_REQUESTS = "runawayRequests";
    /** The digest's day, MONDAY..SUNDAY. */
    public static final String DIGEST_DAY = "digestDay";
    /** The digest's time of day, HH:mm. */
    public static final String DIGEST_TIME = "digestTime";
    /** The team's IANA time zone. */
    public static final String TIMEZONE = "timezone";
    /** The team's Slack channel id; blank: none. */
    public static final String SLACK_CHANNEL = "slackChannelId";
    /** The team's Teams channel id; blank: none. */
    public static final String TEAMS_CHANNEL = "teamsChannelId";
    /** The settings a manager may change in chat, in the form's order. */
    public static final List<String> CHAT_FIELDS = List.of(WEEKLY_BUDGET, RUNAWAY_COST, RUNAWAY_REQUESTS, DIGEST_DAY,
            DIGEST_TIME, TIMEZONE, SLACK_CHANNEL, TEAMS_CHANNEL);
    /** Who a change through the admin API is recorded as. */
    public static final String API_ACTOR = "api:admin";

    /** Who changes teams the identity provider provisions over SCIM, in the audit. */
    public static final String SCIM_ACTOR = "scim";

    /** What a required field says when left blank (bean validation's own words). */
    static final String BLANK = "must not be blank";

    /** One field of a change, as text (null: none). */
    public record Change(String field, String from, String to) {
    }

    /** One change of a team, as {@code GET /api/v1/teams/{key}/audit} shows it. */
    public record Entry(Instant at, String by, String via, List<Change> changes) {
    }

    /**
     * What became of a change asked for in chat.
     *
     * @param team    the team after it (null: there is no such team)
     * @param manager whether the person manages it (otherwise nothing changed)
     * @param errors  per field, what is wrong (then nothing changed)
     * @param changes what changed (empty: nothing did)
     */
    public record Outcome(Team team, boolean manager, Map<String, String> errors, List<Change> changes) {
    }

    private static final TypeReference<List<Change>> CHANGES = new TypeReference<>() {
    };

    @Inject
    Validator validator;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    Event<TeamChanged> changed;
    @Inject
    Event<BudgetChanged> budgetChanged;

    /** What is wrong with a timezone, as the team API says it; null when it is fine. */
    public static String timezoneProblem(String timezone) {
        return ZoneId.getAvailableZoneIds().contains(timezone) || "UTC".equals(timezone)
                ? null
                : "timezone must be an IANA time zone such as Europe/Berlin; got '" + timezone + "'.";
    }

    /** What is wrong with a digest day (upper case), as the team API says it; null when it is fine. */
    public static String digestDayProblem(String digestDay) {
        try {
            DayOfWeek.valueOf(digestDay);
            return null;
        } catch (IllegalArgumentException e) {
            return "digestDay must be one of MONDAY..SUNDAY.";
        }
    }

    /** Whether this email (any case) is one of the team's managers. */
    public static boolean manages(Team team, String email) {
        return team != null && email != null && team.managers.contains(email.toLowerCase(Locale.ROOT));
    }

    /** The live teams this email manages, by key. */
    public static List<Team> managedBy(String email) {
        String e = email == null ? "" : email.toLowerCase(Locale.ROOT);
        return Team.<Team>list("deletedAt is null", io.quarkus.panache.common.Sort.by("key")).stream()
                .filter(t -> t.managers.contains(e)).toList();
    }

    /** A team's chat settings as form values (blank: none). */
    public static Map<String, String> values(Team t) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(WEEKLY_BUDGET, t.weeklyBudgetUsd == null ? "" : t.weeklyBudgetUsd.stripTrailingZeros().toPlainString());
        v.put(RUNAWAY_COST, t.runawayCostUsd.stripTrailingZeros().toPlainString());
        v.put(RUNAWAY_REQUESTS, Integer.toString(t.runawayRequests));
        v.put(DIGEST_DAY, t.digestDay);
        v.put(DIGEST_TIME, t.digestTime);
        v.put(TIMEZONE, t.timezone);
        v.put(SLACK_CHANNEL, t.slackChannelId == null ? "" : t.slackChannelId);
        v.put(TEAMS_CHANNEL, t.teamsChannelId == null ? "" : t.teamsChannelId);
        return v;
    }

    /**
     * What is wrong with submitted chat settings, per field, in the team API's words; only the {@link #CHAT_FIELDS}
     * among {@code values} are looked at (the others stay as they are).
     */
    public Map<String, String> check(Map<String, String> values) {
        Map<String, String> errors = new LinkedHashMap<>();
        for (String field : CHAT_FIELDS) {
            if (!values.containsKey(field)) {
                continue;
            }
            String problem;
            try {
                problem = problem(field, parse(field, values.get(field)));
            } catch (NumberFormatException e) {
                problem = RUNAWAY_REQUESTS.equals(field) ? "must be a whole number" : "must be a number";
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
            if (problem != null) {
                errors.put(field, problem);
            }
        }
        return errors;
    }

    private String problem(String field, Object value) {
        if (value == null) {
            return null;
        }
        if (TIMEZONE.equals(field)) {
            return timezoneProblem((String) value);
        }
        if (DIGEST_DAY.equals(field)) {
            return digestDayProblem((String) value);
        }
        Set<ConstraintViolation<TeamResource.TeamRequest>> violations = validator
                .validateValue(TeamResource.TeamRequest.class, field, value);
        return violations.stream().map(ConstraintViolation::getMessage).sorted().findFirst().orElse(null);
    }

    /** A submitted value as the team API takes it: null for a blank optional field. */
    private static Object parse(String field, String raw) {
        String v = raw == null ? "" : raw.trim();
        boolean optional = WEEKLY_BUDGET.equals(field) || SLACK_CHANNEL.equals(field) || TEAMS_CHANNEL.equals(field);
        if (v.isEmpty()) {
            if (optional) {
                return null;
            }
            throw new IllegalArgumentException(BLANK);
        }
        return switch (field) {
            case WEEKLY_BUDGET, RUNAWAY_COST -> new BigDecimal(v.startsWith("$") ? v.substring(1) : v);
            case RUNAWAY_REQUESTS -> Integer.valueOf(v);
            case DIGEST_DAY -> v.toUpperCase(Locale.ROOT);
            default -> v;
        };
    }

    /**
     * Changes a team's chat settings for one of its managers, in one transaction with its audit (and the
     * {@link TeamChanged} event): checked again under the team's lock, since managers or values may have changed
     * since the form was opened.
     *
     * @param actorEmail the manager's email
     * @param via        the platform ({@code slack}, {@code teams}, {@code preview})
     */
    @Transactional
    public Outcome change(String teamKey, Map<String, String> values, String actorEmail, String via) {
        Team team = teamKey == null
                ? null
                : Team.<Team>findByIdOptional(teamKey, LockModeType.PESSIMISTIC_WRITE).filter(t -> t.deletedAt == null)
                        .orElse(null);
        if (team == null) {
            return new Outcome(null, false, Map.of(), List.of());
        }
        if (!manages(team, actorEmail)) {
            return new Outcome(team, false, Map.of(), List.of());
        }
        Map<String, String> errors = check(values);
        if (!errors.isEmpty()) {
            return new Outcome(team, true, errors, List.of());
        }
        Map<String, String> before = snapshot(team);
        List<String> managers = List.copyOf(team.managers);
        for (String field : CHAT_FIELDS) {
            if (!values.containsKey(field)) {
                continue;
            }
            Object v = parse(field, values.get(field));
            switch (field) {
                case WEEKLY_BUDGET -> team.weeklyBudgetUsd = (BigDecimal) v;
                case RUNAWAY_COST -> team.runawayCostUsd = (BigDecimal) v;
                case RUNAWAY_REQUESTS -> team.runawayRequests = (Integer) v;
                case DIGEST_DAY -> team.digestDay = (String) v;
                case DIGEST_TIME -> team.digestTime = (String) v;
                case TIMEZONE -> team.timezone = (String) v;
                case SLACK_CHANNEL -> team.slackChannelId = (String) v;
                case TEAMS_CHANNEL -> team.teamsChannelId = (String) v;
                default -> throw new IllegalStateException(field);
            }
        }
        List<Change> changes = diff(before, snapshot(team));
        if (!changes.isEmpty()) {
            team.updatedAt = Instant.now();
            record(team, before, managers, via + ":" + actorEmail.toLowerCase(Locale.ROOT), via,
                    actorEmail.toLowerCase(Locale.ROOT));
        }
        return new Outcome(team, true, Map.of(), changes);
    }

    /**
     * A team as its audit records it: each setting as text (null: none), the Teams webhook by a fingerprint only (the
     * URL is a secret); an unknown team is empty.
     */
    public static Map<String, String> snapshot(Team t) {
        Map<String, String> s = new LinkedHashMap<>();
        if (t == null) {
            return s;
        }
        s.put("status", t.deletedAt == null ? "active" : "deleted");
        s.put("name", t.name);
        s.put(SLACK_CHANNEL, t.slackChannelId);
        s.put(TEAMS_CHANNEL, t.teamsChannelId);
        s.put("teamsWebhook", t.teamsWebhookUrl == null ? null : "set (" + fingerprint(t.teamsWebhookUrl) + ")");
        s.put("managers", t.managers.isEmpty() ? null : String.join(", ", t.managers));
        s.put(WEEKLY_BUDGET, money(t.weeklyBudgetUsd));
        s.put(TIMEZONE, t.timezone);
        s.put(DIGEST_DAY, t.digestDay);
        s.put(DIGEST_TIME, t.digestTime);
        s.put(RUNAWAY_COST, money(t.runawayCostUsd));
        s.put(RUNAWAY_REQUESTS, Integer.toString(t.runawayRequests));
        s.put("repositories", t.repositories.isEmpty() ? null : String.join(", ", t.repositories));
        s.put("slackUsergroupId", t.slackUsergroupId);
        s.put("deployEnvironments", String.join(", ", t.deployEnvironments));
        return s;
    }

    /**
     * Records the change of a team from {@code before} (its {@link #snapshot} then) to what it is now, in the current
     * transaction, and fires {@link TeamChanged}; nothing when nothing changed.
     *
     * @param managersBefore its managers before the change (they hear of it too)
     * @param actorEmail     the manager who changed it, or null for the admin API
     * @return the audit row's id, or -1 when nothing changed
     */
    public long record(Team team, Map<String, String> before, Collection<String> managersBefore, String actor,
            String via, String actorEmail) {
        return record(team.key, team.name, diff(before, snapshot(team)), managersBefore, team.managers, actor, via,
                actorEmail);
    }

    /**
     * Records {@code changes} of the team {@code key} in the current transaction and fires {@link TeamChanged}; nothing
     * when there are none. For writers that change teams without their entity (the directory import).
     */
    long record(String key, String name, List<Change> changes, Collection<String> managersBefore,
            Collection<String> managersAfter, String actor, String via, String actorEmail) {
        if (changes.isEmpty()) {
            return -1;
        }
        long id;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "insert into team_audit (team_key, actor, via, changes) values (?, ?, ?, cast(? as jsonb)) returning id")) {
            ps.setString(1, key);
            ps.setString(2, actor);
            ps.setString(3, via);
            ps.setString(4, json.writeValueAsString(changes));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("team audit not written", e);
        }
        Set<String> managers = new LinkedHashSet<>(managersBefore);
        managers.addAll(managersAfter);
        changed.fire(new TeamChanged(id, key, name, via, actorEmail, List.copyOf(managers), changes));
        if (changes.stream().anyMatch(c -> WEEKLY_BUDGET.equals(c.field()))) {
            budgetChanged.fire(new BudgetChanged(key));
        }
        return id;
    }

    /** The changes from one snapshot to another, in the snapshot's order. */
    static List<Change> diff(Map<String, String> before, Map<String, String> after) {
        List<Change> out = new ArrayList<>();
        Set<String> fields = new LinkedHashSet<>(after.keySet());
        fields.addAll(before.keySet());
        for (String f : fields) {
            if (!Objects.equals(before.get(f), after.get(f))) {
                out.add(new Change(f, before.get(f), after.get(f)));
            }
        }
        return out;
    }

    /** The audit of a team, newest first. */
    public List<Entry> audit(String teamKey) {
        List<Entry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select at, actor, via, changes::text from team_audit where team_key = ? order by id desc")) {
            ps.setString(1, teamKey);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3),
                            json.readValue(rs.getString(4), CHANGES)));
                }
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("team audit unreadable", e);
        }
        return out;
    }

    /** The ids of the audit rows of changes this email made in chat (for the erasure of what names them). */
    public List<Long> madeBy(String email) {
        List<Long> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select id from team_audit where actor like ? escape '\\' order by id")) {
            ps.setString(1, "%:" + email.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
                    .replace("_", "\\_"));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("team audit unreadable", e);
        }
        return out;
    }

    /** Replaces the person's identifiers in the audit (who changed, and managers changed) by the anonymous id. */
    static int erase(Connection c, PersonalData.Subject subject) throws SQLException {
        int n = 0;
        try (PreparedStatement select = c.prepareStatement("""
                select id, actor, changes::text from team_audit
                where actor ilike any(?) or changes::text ilike any(?) order by id for update
                """);
                PreparedStatement update = c.prepareStatement(
                        "update team_audit set actor = ?, changes = cast(? as jsonb) where id = ?")) {
            java.sql.Array patterns = c.createArrayOf("text", subject.likePatterns());
            select.setArray(1, patterns);
            select.setArray(2, patterns);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String actor = subject.anonymise(rs.getString(2), 400);
                    String changes = subject.anonymise(rs.getString(3));
                    if (!actor.equals(rs.getString(2)) || !changes.equals(rs.getString(3))) {
                        update.setString(1, actor);
                        update.setString(2, changes);
                        update.setLong(3, rs.getLong(1));
                        update.addBatch();
                        n++;
                    }
                }
            }
            update.executeBatch();
        }
        return n;
    }

    private static String money(BigDecimal v) {
        return v == null ? null : v.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static String fingerprint(String secret) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
