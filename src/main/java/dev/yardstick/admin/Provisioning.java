package dev.yardstick.admin;

import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The directory as an identity provider provisions it (through {@code dev.yardstick.scim}): people as Users, teams as
 * Groups, each known by a stable id of its own. A User's {@code userName} is the member's email; a User made inactive
 * or deleted leaves ({@link Leavers}). A Group is a team whose key is derived from its first name; its members are
 * the people whose team it is, and one removed from it has no team (without leaving). Deleting a Group deletes the
 * team, its members moving to no team.
 */
@ApplicationScoped
public class Provisioning {

    @Inject
    TeamSettings settings;
    @Inject
    SpendCaps caps;

    /** Longest display name of a person or a team. */
    static final int MAX_NAME = 200;
    /** Longest externalId kept. */
    static final int MAX_EXTERNAL_ID = 512;
    /** Key of a team whose name has no letter or digit to derive one from. */
    static final String FALLBACK_KEY = "group";

    /** A person or team referred to: its id and the name to show. */
    public record Ref(UUID id, String display) {
    }

    /**
     * A person as provisioned.
     *
     * @param email  the {@code userName}, lower-case
     * @param active false once they left
     * @param team   their team, null without one
     */
    public record Person(UUID id, String email, String displayName, String externalId, boolean active, Ref team,
            Instant created, Instant updated) {
    }

    /** What an identity provider sets on a person: everything else stays as it is. */
    public record PersonChange(String email, String displayName, String externalId, boolean active) {
    }

    /** A team as a group, with its members. */
    public record Group(UUID id, String key, String displayName, String externalId, List<Ref> members,
            Instant created, Instant updated) {
    }

    /** What an identity provider sets on a group; {@code members} are the ids of people, all of them. */
    public record GroupChange(String displayName, String externalId, List<UUID> members) {
    }

    /** An equality test of a list query: {@code attribute} one of {@code id, email, externalId, displayName}. */
    public record Match(String attribute, String value) {
    }

    /** One page of a list: {@code total} match in all. */
    public record Page<T>(long total, List<T> items) {
    }

    /** A request the directory turns down, with the reason and what to tell the caller. */
    public static final class Refused extends RuntimeException {

        /** Why. */
        public enum Reason {
            NOT_FOUND, CONFLICT, INVALID
        }

        private final Reason reason;

        Refused(Reason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        /** Why the request was turned down. */
        public Reason reason() {
            return reason;
        }
    }

    private static final String PEOPLE = "email not like '" + Erasure.PREFIX + "%'";

    /**
     * The query of {@code base} and every match: {@code id} by SCIM id, {@code email} lowercased, the other
     * attributes by the entity field {@code fields} names for them.
     */
    private static String where(String base, List<Match> matches, Parameters params, Map<String, String> fields) {
        StringBuilder where = new StringBuilder(base);
        for (int i = 0; i < matches.size(); i++) {
            Match m = matches.get(i);
            String p = "p" + i;
            if (m.attribute().equals("id")) {
                where.append(" and scimId = :").append(p);
                params.and(p, uuid(m.value()).orElse(new UUID(0, 0)));
                continue;
            }
            String field = fields.get(m.attribute());
            if (field == null) {
                throw new IllegalArgumentException(m.attribute());
            }
            where.append(" and ").append(field).append(" = :").append(p);
            params.and(p, field.equals("email") ? m.value().strip().toLowerCase(Locale.ROOT) : m.value());
        }
        return where.toString();
    }

    // ---- people

    /** The person with this id; empty when there is none (or they were erased, or the User deleted). */
    @Transactional
    public Optional<Person> person(UUID id) {
        return member(id).map(Provisioning::person);
    }

    /** People matching all of {@code matches}, by member id, {@code limit} from {@code offset}. */
    @Transactional
    public Page<Person> people(List<Match> matches, int offset, int limit) {
        Parameters params = new Parameters();
        String where = where(PEOPLE, matches, params,
                Map.of("externalId", "scimExternalId", "displayName", "displayName", "email", "email"));
        var query = Member.<Member>find(where + " order by id", params);
        long total = query.count();
        List<Person> items = limit == 0 || offset >= total
                ? List.of()
                : query.range(offset, offset + limit - 1).list().stream().map(Provisioning::person).toList();
        return new Page<>(total, items);
    }

    /**
     * Adds a person. One who left comes back (taking the change); one who is here already is a conflict, which
     * the identity provider resolves by finding them ({@code userName eq}) and linking.
     */
    @Transactional
    public Person addPerson(PersonChange change) {
        String email = email(change.email());
        Member m = Member.byEmail(email).orElse(null);
        if (m != null && m.leftAt == null) {
            throw new Refused(Refused.Reason.CONFLICT, "A user with userName '" + email + "' exists already.");
        }
        if (m == null) {
            m = new Member();
            m.email = email;
            m.createdAt = Instant.now();
            m.updatedAt = m.createdAt;
            m.persist();
        }
        apply(m, change);
        m.flush();
        return person(m);
    }

    /**
     * Changes the person with this id: {@code edit} is given them as they are and returns what they become, in the
     * same transaction (their row locked).
     */
    @Transactional
    public Person changePerson(UUID id, UnaryOperator<PersonChange> edit) {
        Member m = member(id).orElseThrow(() -> noUser(id));
        Member.getEntityManager().refresh(m, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        PersonChange change = edit.apply(new PersonChange(m.email, m.displayName, m.scimExternalId,
                m.leftAt == null));
        String email = email(change.email());
        if (!email.equals(m.email)) {
            if (Member.byEmail(email).isPresent()) {
                throw new Refused(Refused.Reason.CONFLICT, "A user with userName '" + email + "' exists already.");
            }
            Member.getEntityManager().createNativeQuery("""
                    update team set managers = array_replace(managers, ?1, ?2), updated_at = now()
                    where ?1 = any(managers)
                    """).setParameter(1, m.email).setParameter(2, email).executeUpdate();
            m.email = email;
        }
        apply(m, change);
        m.flush();
        return person(m);
    }

    /** Deletes the User: the person leaves, and the id is given up (a new one is theirs from now on). */
    @Transactional
    public void removePerson(UUID id) {
        Member m = member(id).orElseThrow(() -> noUser(id));
        Leavers.leave(m);
        m.scimId = UUID.randomUUID();
    }

    private static void apply(Member m, PersonChange change) {
        m.displayName = name(change.displayName(), "displayName", false);
        m.scimExternalId = externalId(change.externalId());
        if (!change.active()) {
            Leavers.leave(m);
        } else if (m.leftAt != null) {
            m.leftAt = null; // back again
        }
        m.updatedAt = Instant.now();
    }

    private static Optional<Member> member(UUID id) {
        return Member.<Member>find("scimId = ?1 and " + PEOPLE, id).firstResultOptional();
    }

    private static Person person(Member m) {
        Ref team = null;
        if (m.teamKey != null) {
            Team t = Team.findById(m.teamKey);
            team = new Ref(t.scimId, t.name);
        }
        return new Person(m.scimId, m.email, m.displayName, m.scimExternalId, m.leftAt == null, team, m.createdAt,
                m.updatedAt);
    }

    private static String email(String raw) {
        String email = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        if (!Emails.isValid(email)) {
            throw new Refused(Refused.Reason.INVALID,
                    "userName must be the person's email address; got '" + (raw == null ? "" : raw) + "'.");
        }
        return email;
    }

    private static Refused noUser(UUID id) {
        return new Refused(Refused.Reason.NOT_FOUND, "No user with id '" + id + "'.");
    }

    // ---- teams

    /** The live team with this id, with its members. */
    @Transactional
    public Optional<Group> group(UUID id) {
        return team(id).map(t -> group(t, true));
    }

    /** Live teams matching all of {@code matches}, by creation, {@code limit} from {@code offset}. */
    @Transactional
    public Page<Group> groups(List<Match> matches, int offset, int limit, boolean withMembers) {
        Parameters params = new Parameters();
        String where = where("deletedAt is null", matches, params,
                Map.of("externalId", "scimExternalId", "displayName", "name"));
        var query = Team.<Team>find(where + " order by createdAt, key", params);
        long total = query.count();
        List<Group> items = limit == 0 || offset >= total
                ? List.of()
                : query.range(offset, offset + limit - 1).list().stream().map(t -> group(t, withMembers)).toList();
        return new Page<>(total, items);
    }

    /** Creates a team for the group, its key derived from the name, and moves the members to it. */
    @Transactional
    public Group addGroup(GroupChange change) {
        TeamResource.lockDirectory();
        String name = name(change.displayName(), "displayName", true);
        Team t = new Team();
        t.key = freeKey(name);
        t.name = name;
        t.createdAt = Instant.now();
        t.updatedAt = t.createdAt;
        t.persist();
        t.flush();
        apply(t, change);
        settings.record(t, TeamSettings.snapshot(null), List.of(), TeamSettings.SCIM_ACTOR, "scim", null);
        return group(t, true);
    }

    /**
     * Changes the team with this id: {@code edit} is given the group as it is and returns what it becomes, in the
     * same transaction (the directory locked). A new name renames the team; its key stays.
     */
    @Transactional
    public Group changeGroup(UUID id, UnaryOperator<GroupChange> edit) {
        Team t = team(id).flatMap(found -> TeamResource.lockLive(found.key)).orElseThrow(() -> noGroup(id));
        Group now = group(t, true);
        Map<String, String> before = TeamSettings.snapshot(t);
        List<String> managers = List.copyOf(t.managers);
        apply(t, edit.apply(new GroupChange(now.displayName(), now.externalId(),
                now.members().stream().map(Ref::id).toList())));
        settings.record(t, before, managers, TeamSettings.SCIM_ACTOR, "scim", null);
        return group(t, true);
    }

    /** Deletes the team of the group as {@code DELETE /api/v1/teams/{key}} does; its members have no team then. */
    @Transactional
    public void removeGroup(UUID id) {
        Team t = team(id).flatMap(found -> TeamResource.lockLive(found.key)).orElseThrow(() -> noGroup(id));
        Map<String, String> before = TeamSettings.snapshot(t);
        List<String> managers = List.copyOf(t.managers);
        TeamResource.retire(t, null);
        caps.link(t.key, List.of());
        settings.record(t, before, managers, TeamSettings.SCIM_ACTOR, "scim", null);
    }

    private static void apply(Team t, GroupChange change) {
        t.name = name(change.displayName(), "displayName", true);
        t.scimExternalId = externalId(change.externalId());
        t.updatedAt = Instant.now();
        Set<UUID> wanted = new LinkedHashSet<>(change.members() == null ? List.of() : change.members());
        Map<UUID, Member> found = new HashMap<>();
        if (!wanted.isEmpty()) {
            for (Member m : Member.<Member>list("scimId in ?1 and " + PEOPLE, new ArrayList<>(wanted))) {
                found.put(m.scimId, m);
            }
        }
        for (UUID id : wanted) {
            if (!found.containsKey(id)) {
                throw new Refused(Refused.Reason.INVALID, "members: no user with id '" + id + "'.");
            }
        }
        Instant now = Instant.now();
        for (Member m : Member.<Member>list("teamKey", t.key)) {
            if (!wanted.contains(m.scimId)) {
                m.teamKey = null;
                m.updatedAt = now;
            }
        }
        for (Member m : found.values()) {
            if (!t.key.equals(m.teamKey) || m.leftAt != null) {
                m.teamKey = t.key;
                m.leftAt = null; // a team again: back again
                m.updatedAt = now;
            }
        }
        Member.flush();
    }

    private static Optional<Team> team(UUID id) {
        return Team.<Team>find("scimId = ?1 and deletedAt is null", id).firstResultOptional();
    }

    private static Group group(Team t, boolean withMembers) {
        List<Ref> members = withMembers
                ? Member.<Member>list("teamKey = ?1 order by email", t.key).stream()
                        .map(m -> new Ref(m.scimId, m.displayName == null ? m.email : m.displayName)).toList()
                : List.of();
        return new Group(t.scimId, t.key, t.name, t.scimExternalId, members, t.createdAt, t.updatedAt);
    }

    private static Refused noGroup(UUID id) {
        return new Refused(Refused.Reason.NOT_FOUND, "No group with id '" + id + "'.");
    }

    /**
     * The team key for a name: lower-case ASCII letters and digits, every other run of characters one dash
     * (accents dropped), at most 64 characters; {@code -2}, {@code -3}... when a team (even a deleted one, whose
     * history keeps its key) has it, and never {@code unassigned}.
     */
    static String freeKey(String name) {
        String base = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}+", "")
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        base = trimDashes(base.length() > 64 ? base.substring(0, 64) : base);
        if (base.isEmpty()) {
            base = FALLBACK_KEY;
        }
        String key = base;
        for (int n = 2; Team.UNASSIGNED.equals(key) || Team.findById(key) != null; n++) {
            String suffix = "-" + n;
            key = trimDashes(base.substring(0, Math.min(base.length(), 64 - suffix.length()))) + suffix;
        }
        return key;
    }

    private static String trimDashes(String s) {
        return s.replaceAll("^-+|-+$", "");
    }

    private static String name(String raw, String field, boolean required) {
        String name = raw == null ? null : raw.strip();
        if (name == null || name.isEmpty()) {
            if (required) {
                throw new Refused(Refused.Reason.INVALID, field + " is required.");
            }
            return null;
        }
        if (name.length() > MAX_NAME) {
            throw new Refused(Refused.Reason.INVALID, field + " is longer than " + MAX_NAME + " characters.");
        }
        return name;
    }

    private static String externalId(String raw) {
        if (raw != null && raw.length() > MAX_EXTERNAL_ID) {
            throw new Refused(Refused.Reason.INVALID,
                    "externalId is longer than " + MAX_EXTERNAL_ID + " characters.");
        }
        return raw;
    }

    private static Optional<UUID> uuid(String value) {
        try {
            return Optional.of(UUID.fromString(value.strip()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
