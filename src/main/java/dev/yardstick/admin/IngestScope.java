package dev.yardstick.admin;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an ingest token may send: the kinds of endpoint it may call, and whose events (one team's members, or one
 * person's), or anyone's. A token without a scope may send everything, as before scopes existed.
 *
 * @param kinds the endpoint kinds it may call, a subset of {@link #KINDS}, never empty
 * @param team  the key of the team whose members' events it may send, or null
 * @param user  the (lower-case) email of the one person whose events it may send, or null
 */
public record IngestScope(Set<String> kinds, String team, String user) {

    /** {@code POST /api/v1/usage-events}. */
    public static final String USAGE = "usage";
    /** {@code POST /api/v1/outcome-events}. */
    public static final String OUTCOME = "outcome";
    /** The OpenTelemetry receiver, {@code POST /v1/logs} and {@code POST /v1/metrics}. */
    public static final String OTLP = "otlp";
    /** The endpoint that links coding sessions to where they worked ({@code POST /api/v1/sessions}). */
    public static final String SESSIONS = "sessions";
    /** Every kind, in the order the API lists them. */
    public static final List<String> KINDS = List.of(USAGE, OUTCOME, OTLP, SESSIONS);
    /** What a person's own token, handed out in chat, may send: their usage, telemetry and session links. */
    public static final List<String> PERSONAL_KINDS = List.of(USAGE, OTLP, SESSIONS);

    /** The scope of a token without one: every kind, anyone's events. */
    public static final IngestScope UNSCOPED = new IngestScope(Set.copyOf(KINDS), null, null);

    public IngestScope {
        kinds = Set.copyOf(kinds);
    }

    /** Whether the token may call an endpoint of this kind. */
    public boolean allows(String kind) {
        return kinds.contains(kind);
    }

    /** Whether the token sends only some people's events (a team's, or one person's). */
    public boolean limitsPeople() {
        return team != null || user != null;
    }

    /** Whether this is the scope of a token without one. */
    public boolean unscoped() {
        return !limitsPeople() && kinds.size() == KINDS.size();
    }

    /** The kinds in {@link #KINDS} order. */
    public List<String> kindList() {
        return KINDS.stream().filter(kinds::contains).toList();
    }

    /** The stored form of the kinds: null for all of them, else comma-separated. */
    String storedKinds() {
        return kinds.size() == KINDS.size() ? null : String.join(",", kindList());
    }

    /** The kinds of a stored scope (null: all). */
    static Set<String> parseKinds(String stored) {
        return stored == null
                ? Set.copyOf(KINDS)
                : Arrays.stream(stored.split(",")).filter(KINDS::contains).collect(Collectors.toSet());
    }

    /** Kinds as a person reads them: {@code usage, otlp and sessions}. */
    public static String words(Collection<String> kinds) {
        List<String> ordered = KINDS.stream().filter(new LinkedHashSet<>(kinds)::contains).toList();
        if (ordered.size() < 2) {
            return String.join("", ordered);
        }
        return String.join(", ", ordered.subList(0, ordered.size() - 1)) + " and " + ordered.get(ordered.size() - 1);
    }
}
