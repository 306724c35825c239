package dev.yardstick.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * People and teams in bulk ({@code POST /api/v1/directory/import}): reads a CSV file or a JSON array, checks every
 * row, and applies the whole file in one transaction with a few set-based statements, or nothing at all when any row
 * is bad.
 *
 * <p>An empty (CSV) or absent/null (JSON) field leaves what is stored as it is; people not in the file are left
 * alone. Teams named and missing are created with their key as name (a deleted team comes back).
 */
@ApplicationScoped
public class DirectoryImport {

    /** The columns of the CSV header, in the documented order; {@code email} is required. */
    public static final List<String> COLUMNS = List.of("email", "displayName", "team", "slackUserId", "teamsUserId",
            "githubLogin", "manager");

    /** Imports and team deletions run one at a time (a transaction-scoped advisory lock). */
    static final long LOCK = 0x5944495245435459L;

    /** One row of the file, trimmed; a null field leaves what is stored as it is. */
    record Row(int line, String email, String displayName, String team, String slackUserId, String teamsUserId,
            String githubLogin, Boolean manager) {
    }

    /** A bad row: its line in the file (the header is line 1) and what is wrong. */
    public record RowError(int line, String error) {
    }

    /** What an import changed, or would change on a dry run. */
    public record Result(int created, int updated, int unchanged, int teamsCreated, boolean dryRun) {
    }

    /** The file has bad rows; nothing was changed. */
    public static class Invalid extends RuntimeException {

        /** Every error found, by line. */
        public final transient List<RowError> errors;

        Invalid(List<RowError> errors) {
            super("invalid import", null, false, false);
            this.errors = errors;
        }
    }

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    TeamSettings settings;

    private static final CsvMapper CSV = new CsvMapper();
    private static final java.util.regex.Pattern TEAM_KEY = java.util.regex.Pattern.compile(TeamResource.KEY_PATTERN);
    private static final java.util.regex.Pattern SLACK_USER_ID = java.util.regex.Pattern
            .compile(MemberResource.SLACK_USER_ID);
    private static final java.util.regex.Pattern ENTRA_ID = java.util.regex.Pattern.compile(MemberResource.ENTRA_ID);
    private static final java.util.regex.Pattern GITHUB_LOGIN = java.util.regex.Pattern
            .compile(MemberResource.GITHUB_LOGIN);

    /** Imports a CSV file with a header naming some of {@link #COLUMNS} ({@code email} among them). */
    public Result csv(Reader in, boolean dryRun) {
        return apply(parseCsv(in), dryRun);
    }

    /** Imports a JSON array of objects with the fields of {@link #COLUMNS}. */
    public Result json(Reader in, boolean dryRun) {
        return apply(parseJson(in), dryRun);
    }

    // ---- reading ----

    private record Parsed(List<Row> rows, List<RowError> errors) {
    }

    private static Parsed parseCsv(Reader in) {
        List<Row> rows = new ArrayList<>();
        List<RowError> errors = new ArrayList<>();
        List<String> header = null;
        int line = 1;
        try (CsvParser p = (CsvParser) CSV.getFactory().createParser(in)) {
            p.enable(CsvParser.Feature.WRAP_AS_ARRAY);
            JsonToken t;
            List<String> values = null;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.START_ARRAY && p.getParsingContext().getParent() != null
                        && p.getParsingContext().getParent().inArray()) {
                    values = new ArrayList<>();
                    line = -1;
                } else if (t == JsonToken.VALUE_STRING && values != null) {
                    if (line < 0) {
                        line = p.currentTokenLocation().getLineNr();
                    }
                    values.add(p.getText());
                } else if (t == JsonToken.END_ARRAY && values != null) {
                    if (values.stream().allMatch(v -> v.isBlank())) {
                        values = null;
                        continue; // an empty line
                    }
                    if (header == null) {
                        header = header(values, errors);
                        if (header == null) {
                            return new Parsed(rows, errors);
                        }
                    } else if (values.size() != header.size()) {
                        errors.add(new RowError(line, "has " + values.size() + " fields; the header has "
                                + header.size()));
                    } else {
                        Map<String, String> fields = new HashMap<>();
                        for (int i = 0; i < header.size(); i++) {
                            String v = values.get(i).strip();
                            fields.put(header.get(i), v.isEmpty() ? null : v);
                        }
                        rows.add(row(line, fields::get, errors));
                    }
                    values = null;
                }
            }
        } catch (JsonProcessingException e) {
            int at = e.getLocation() == null ? line : e.getLocation().getLineNr();
            errors.add(new RowError(Math.max(1, line > 0 ? line : at),
                    "is not valid CSV from here on (a quote that is never closed?)"));
        } catch (IOException e) {
            throw new IllegalStateException("reading the import failed", e);
        }
        if (header == null && errors.isEmpty()) {
            errors.add(new RowError(1, "the file is empty; the first line must be the header "
                    + String.join(",", COLUMNS)));
        }
        return new Parsed(rows, errors);
    }

    private static List<String> header(List<String> values, List<RowError> errors) {
        List<String> header = new ArrayList<>();
        for (String v : values) {
            String name = v.replace("\uFEFF", "").strip();
            if (!COLUMNS.contains(name)) {
                errors.add(new RowError(1, "unknown column '" + name + "'; the columns are "
                        + String.join(",", COLUMNS)));
            } else if (header.contains(name)) {
                errors.add(new RowError(1, "column '" + name + "' appears twice"));
            }
            header.add(name);
        }
        if (!header.contains("email")) {
            errors.add(new RowError(1, "the header needs an 'email' column; the columns are "
                    + String.join(",", COLUMNS)));
        }
        return errors.isEmpty() ? header : null;
    }

    private Parsed parseJson(Reader in) {
        List<Row> rows = new ArrayList<>();
        List<RowError> errors = new ArrayList<>();
        JsonNode tree;
        try (JsonParser p = json.getFactory().createParser(in)) {
            tree = json.readTree(p);
            if (p.nextToken() != null) {
                throw new NotAnArray();
            }
        } catch (IOException e) {
            throw new NotAnArray();
        }
        if (tree == null || !tree.isArray()) {
            throw new NotAnArray();
        }
        for (int i = 0; i < tree.size(); i++) {
            int line = i + 2; // as if a header were line 1
            JsonNode e = tree.get(i);
            if (!e.isObject()) {
                errors.add(new RowError(line, "is not an object"));
                continue;
            }
            Map<String, String> fields = new HashMap<>();
            boolean ok = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                if (!COLUMNS.contains(f.getKey())) {
                    errors.add(new RowError(line, "unknown field '" + f.getKey() + "'"));
                    ok = false;
                } else if (v.isNull()) {
                    fields.put(f.getKey(), null);
                } else if ("manager".equals(f.getKey()) && v.isBoolean()) {
                    fields.put(f.getKey(), Boolean.toString(v.booleanValue()));
                } else if (v.isTextual()) {
                    String s = v.textValue().strip();
                    fields.put(f.getKey(), s.isEmpty() ? null : s);
                } else {
                    errors.add(new RowError(line, f.getKey() + " must be "
                            + ("manager".equals(f.getKey()) ? "true, false or null" : "a string")));
                    ok = false;
                }
            }
            if (ok) {
                rows.add(row(line, fields::get, errors));
            }
        }
        return new Parsed(rows, errors);
    }

    /** The body is not a JSON array. */
    public static class NotAnArray extends RuntimeException {

        NotAnArray() {
            super("not a JSON array", null, false, false);
        }
    }

    /** A row from its fields, with the checks that need no database; errors are added to {@code errors}. */
    private static Row row(int line, Function<String, String> field, List<RowError> errors) {
        int before = errors.size();
        String email = field.apply("email");
        if (email == null) {
            errors.add(new RowError(line, "email is required"));
        } else {
            email = email.toLowerCase(Locale.ROOT);
            if (!Emails.isValid(email)) {
                errors.add(new RowError(line, "'" + field.apply("email") + "' is not an email address."));
            }
        }
        String displayName = field.apply("displayName");
        if (displayName != null && displayName.length() > 200) {
            errors.add(new RowError(line, "displayName size must be between 0 and 200"));
        }
        String team = field.apply("team");
        if (team != null && !TEAM_KEY.matcher(team).matches()) {
            errors.add(new RowError(line, "Team key must match " + TeamResource.KEY_PATTERN + "."));
        } else if (Team.UNASSIGNED.equals(team)) {
            errors.add(new RowError(line, "Team key 'unassigned' is reserved for events that belong to no team."));
        }
        String slack = field.apply("slackUserId");
        check(line, "slackUserId", slack, 64, SLACK_USER_ID, MemberResource.SLACK_USER_ID_RULE, errors);
        String teams = field.apply("teamsUserId");
        check(line, "teamsUserId", teams, 64, ENTRA_ID, MemberResource.ENTRA_ID_RULE, errors);
        String github = field.apply("githubLogin");
        check(line, "githubLogin", github, 100, GITHUB_LOGIN, MemberResource.GITHUB_LOGIN_RULE, errors);
        String m = field.apply("manager");
        Boolean manager = null;
        if (m != null) {
            switch (m.toLowerCase(Locale.ROOT)) {
                case "true" -> manager = true;
                case "false" -> manager = false;
                default -> errors.add(new RowError(line, "manager must be true, false or empty"));
            }
        }
        return errors.size() > before
                ? null
                : new Row(line, email, displayName, team, slack,
                        teams == null ? null : teams.toLowerCase(Locale.ROOT), github, manager);
    }

    private static void check(int line, String name, String value, int max, java.util.regex.Pattern pattern,
            String rule, List<RowError> errors) {
        if (value == null) {
            return;
        }
        if (value.length() > max) {
            errors.add(new RowError(line, name + " size must be between 0 and " + max));
        } else if (!pattern.matcher(value).matches()) {
            errors.add(new RowError(line, name + " " + rule));
        }
    }

    // ---- applying ----

    private record Current(long id, String displayName, String team, String slackUserId, String teamsUserId,
            String githubLogin, Timestamp leftAt) {
    }

    private record TeamState(boolean deleted, List<String> managers) {
    }

    private Result apply(Parsed parsed, boolean dryRun) {
        List<RowError> errors = new ArrayList<>(parsed.errors());
        List<Row> rows = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        for (Row r : parsed.rows()) {
            if (r == null) {
                continue;
            }
            Integer first = firstLine.putIfAbsent(r.email(), r.line());
            if (first != null) {
                errors.add(new RowError(r.line(), "email '" + r.email() + "' appears again (first on line " + first
                        + ")"));
            } else {
                rows.add(r);
            }
        }
        // the checks against what is stored run on the good rows even when others are bad, so every error is listed
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return apply(c, rows, errors, dryRun);
            }
        });
    }

    private static Invalid invalid(List<RowError> errors) {
        List<RowError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(RowError::line));
        return new Invalid(sorted);
    }

    private Result apply(Connection c, List<Row> rows, List<RowError> errors, boolean dryRun) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            ps.setLong(1, LOCK);
            ps.execute();
        }
        String[] emails = rows.stream().map(Row::email).toArray(String[]::new);
        Map<String, Current> current = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select email, id, display_name, team_key, slack_user_id, teams_user_id, github_login, left_at
                from member where email = any(?) order by id for update
                """)) {
            ps.setArray(1, c.createArrayOf("text", emails));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    current.put(rs.getString(1), new Current(rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getTimestamp(8)));
                }
            }
        }
        // final profiles: a field not given keeps what is stored
        Map<String, Row> target = new LinkedHashMap<>();
        for (Row r : rows) {
            Current m = current.get(r.email());
            target.put(r.email(), m == null
                    ? r
                    : new Row(r.line(), r.email(), or(r.displayName(), m.displayName()), or(r.team(), m.team()),
                            or(r.slackUserId(), m.slackUserId()), or(r.teamsUserId(), m.teamsUserId()),
                            or(r.githubLogin(), m.githubLogin()), r.manager()));
        }
        uniqueIds(c, rows, target, errors);
        for (Row r : rows) {
            if (Boolean.TRUE.equals(r.manager()) && target.get(r.email()).team() == null) {
                errors.add(new RowError(r.line(), "manager true needs a team: name one in this row"));
            }
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }

        Set<String> teamKeys = new TreeSet<>();
        target.values().stream().map(Row::team).filter(Objects::nonNull).forEach(teamKeys::add);
        Map<String, TeamState> teams = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select key, deleted_at is not null, managers from team where key = any(?) order by key for update")) {
            ps.setArray(1, c.createArrayOf("text", teamKeys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] managers = (String[]) rs.getArray(3).getArray();
                    teams.put(rs.getString(1), new TeamState(rs.getBoolean(2), new ArrayList<>(List.of(managers))));
                }
            }
        }
        Map<String, List<String>> managersBefore = new HashMap<>();
        teams.forEach((k, t) -> managersBefore.put(k, List.copyOf(t.managers())));
        List<String> newTeams = teamKeys.stream()
                .filter(k -> !teams.containsKey(k) || teams.get(k).deleted()).toList();
        for (String k : newTeams) {
            teams.computeIfAbsent(k, x -> new TeamState(false, new ArrayList<>()));
        }

        // what changes
        List<Row> created = new ArrayList<>();
        List<Row> updated = new ArrayList<>();
        Set<String> managersChanged = new TreeSet<>();
        int unchanged = 0;
        for (Row r : rows) {
            Row t = target.get(r.email());
            Current m = current.get(r.email());
            boolean managerChange = false;
            if (r.manager() != null && t.team() != null) {
                List<String> managers = teams.get(t.team()).managers();
                if (r.manager() && !managers.contains(r.email())) {
                    managers.add(r.email());
                    managerChange = true;
                } else if (!r.manager() && managers.remove(r.email())) {
                    managerChange = true;
                }
                if (managerChange) {
                    managersChanged.add(t.team());
                }
            }
            if (m == null) {
                created.add(t);
            } else if (managerChange || rejoins(r, m) || !Objects.equals(t.displayName(), m.displayName())
                    || !Objects.equals(t.team(), m.team()) || !Objects.equals(t.slackUserId(), m.slackUserId())
                    || !Objects.equals(t.teamsUserId(), m.teamsUserId())
                    || !Objects.equals(t.githubLogin(), m.githubLogin())) {
                updated.add(t);
            } else {
                unchanged++;
            }
        }
        Result result = new Result(created.size(), updated.size(), unchanged, newTeams.size(), dryRun);
        if (dryRun) {
            return result;
        }

        if (!newTeams.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into team (key, name) select k, k from unnest(?::text[]) as k order by k
                    on conflict (key) do update set deleted_at = null, updated_at = now()
                    """)) {
                ps.setArray(1, c.createArrayOf("text", newTeams.toArray()));
                ps.executeUpdate();
            }
        }
        releaseIds(c, updated, current);
        if (!created.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into member (email, display_name, team_key, slack_user_id, teams_user_id, github_login)
                    select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) order by 1
                    """)) {
                bindProfiles(c, ps, 1, created);
                ps.executeUpdate();
            }
        }
        if (!updated.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    update member m set display_name = x.display_name, team_key = x.team_key,
                        slack_user_id = x.slack_user_id, teams_user_id = x.teams_user_id,
                        github_login = x.github_login,
                        left_at = case when x.team_key is not null then null else m.left_at end, updated_at = now()
                    from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                        as x(email, display_name, team_key, slack_user_id, teams_user_id, github_login)
                    where m.email = x.email
                    """)) {
                bindProfiles(c, ps, 1, updated);
                ps.executeUpdate();
            }
        }
        if (!managersChanged.isEmpty()) {
            String[] keys = managersChanged.toArray(String[]::new);
            String[] lists = new String[keys.length];
            for (int i = 0; i < keys.length; i++) {
                try {
                    lists[i] = json.writeValueAsString(teams.get(keys[i]).managers());
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    update team t set managers = array(
                            select e from jsonb_array_elements_text(x.managers::jsonb) with ordinality as j(e, i)
                            order by i),
                        updated_at = now()
                    from unnest(?::text[], ?::text[]) as x(key, managers) where t.key = x.key
                    """)) {
                ps.setArray(1, c.createArrayOf("text", keys));
                ps.setArray(2, c.createArrayOf("text", lists));
                ps.executeUpdate();
            }
        }
        audit(newTeams, managersChanged, teams, managersBefore);
        return result;
    }

    /** The teams the import created, brought back or changed the managers of, in their audit. */
    private void audit(List<String> newTeams, Set<String> managersChanged, Map<String, TeamState> teams,
            Map<String, List<String>> managersBefore) {
        Set<String> keys = new TreeSet<>(newTeams);
        keys.addAll(managersChanged);
        for (String key : keys) {
            List<String> before = managersBefore.getOrDefault(key, List.of());
            List<String> after = teams.get(key).managers();
            List<TeamSettings.Change> changes = new ArrayList<>();
            if (newTeams.contains(key)) {
                boolean revived = managersBefore.containsKey(key);
                changes.add(new TeamSettings.Change("status", revived ? "deleted" : null, "active"));
                if (!revived) {
                    changes.add(new TeamSettings.Change("name", null, key));
                }
            }
            if (!before.equals(after)) {
                changes.add(new TeamSettings.Change("managers", before.isEmpty() ? null : String.join(", ", before),
                        after.isEmpty() ? null : String.join(", ", after)));
            }
            settings.record(key, key, changes, before, after, TeamSettings.API_ACTOR, "import", null);
        }
    }

    /** A person who left comes back when the row gives them a team. */
    private static boolean rejoins(Row r, Current m) {
        return m.leftAt() != null && r.team() != null;
    }

    private static String or(String given, String stored) {
        return given != null ? given : stored;
    }

    private static void bindProfiles(Connection c, PreparedStatement ps, int from, List<Row> rows)
            throws SQLException {
        List<Function<Row, String>> columns = List.of(Row::email, Row::displayName, Row::team, Row::slackUserId,
                Row::teamsUserId, Row::githubLogin);
        for (int i = 0; i < columns.size(); i++) {
            Function<Row, String> col = columns.get(i);
            ps.setArray(from + i, c.createArrayOf("text", rows.stream().map(col).toArray()));
        }
    }

    /**
     * Chat ids and GitHub logins are unique across members: a value given in the file must not be given on an
     * earlier line, nor belong to someone who keeps it.
     */
    private static void uniqueIds(Connection c, List<Row> rows, Map<String, Row> target, List<RowError> errors)
            throws SQLException {
        record Id(String field, Function<Row, String> get, String column) {
        }
        List<Id> ids = List.of(new Id("slackUserId", Row::slackUserId, "slack_user_id"),
                new Id("teamsUserId", Row::teamsUserId, "teams_user_id"),
                new Id("githubLogin", Row::githubLogin, "github_login"));
        for (Id id : ids) {
            Map<String, Integer> givenOn = new HashMap<>();
            for (Row r : rows) {
                String v = id.get().apply(r);
                if (v == null) {
                    continue;
                }
                Integer first = givenOn.putIfAbsent(v, r.line());
                if (first != null) {
                    errors.add(new RowError(r.line(), id.field() + " '" + v + "' is also given on line " + first
                            + "."));
                }
            }
            if (givenOn.isEmpty()) {
                continue;
            }
            Map<String, String> holders = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "select " + id.column() + ", email from member where " + id.column() + " = any(?)")) {
                ps.setArray(1, c.createArrayOf("text", givenOn.keySet().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        holders.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            for (Row r : rows) {
                String v = id.get().apply(r);
                String holder = v == null ? null : holders.get(v);
                if (holder == null || holder.equals(r.email())) {
                    continue;
                }
                Row holderAfter = target.get(holder);
                boolean firstGiven = givenOn.get(v) == r.line();
                if (firstGiven && (holderAfter == null || v.equals(id.get().apply(holderAfter)))) {
                    errors.add(new RowError(r.line(), MemberResource.taken(id.field(), v)));
                }
            }
        }
    }

    /**
     * Clears the chat ids and logins that change hands within the file before any is given its new holder, so the
     * unique indexes never see one value twice along the way.
     */
    private static void releaseIds(Connection c, List<Row> updated, Map<String, Current> current)
            throws SQLException {
        List<Long> ids = new ArrayList<>();
        List<Boolean> slack = new ArrayList<>(), teams = new ArrayList<>(), github = new ArrayList<>();
        for (Row t : updated) {
            Current m = current.get(t.email());
            boolean s = m.slackUserId() != null && !m.slackUserId().equals(t.slackUserId());
            boolean te = m.teamsUserId() != null && !m.teamsUserId().equals(t.teamsUserId());
            boolean g = m.githubLogin() != null && !m.githubLogin().equals(t.githubLogin());
            if (s || te || g) {
                ids.add(m.id());
                slack.add(s);
                teams.add(te);
                github.add(g);
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update member m set slack_user_id = case when x.s then null else m.slack_user_id end,
                    teams_user_id = case when x.t then null else m.teams_user_id end,
                    github_login = case when x.g then null else m.github_login end
                from unnest(?::int8[], ?::bool[], ?::bool[], ?::bool[]) as x(id, s, t, g) where m.id = x.id
                """)) {
            ps.setArray(1, c.createArrayOf("int8", ids.toArray()));
            ps.setArray(2, c.createArrayOf("bool", slack.toArray()));
            ps.setArray(3, c.createArrayOf("bool", teams.toArray()));
            ps.setArray(4, c.createArrayOf("bool", github.toArray()));
            ps.executeUpdate();
        }
    }
}
