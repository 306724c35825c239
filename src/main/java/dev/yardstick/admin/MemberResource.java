package dev.yardstick.admin;

import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Admin API for members: {@code /api/v1/members} and {@code /api/v1/members/{email}}. Shows who a member is and which
 * team they belong to, never their usage; a person leaves or is erased here.
 */
@Path("/api/v1/members")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class MemberResource {

    /** Slack user ids. */
    static final String SLACK_USER_ID = "[UW][A-Z0-9]+";
    static final String SLACK_USER_ID_RULE = "must be a Slack user id such as U0123ABCD";
    /** GitHub logins. */
    static final String GITHUB_LOGIN = "[A-Za-z0-9-]+";
    static final String GITHUB_LOGIN_RULE = "must be a GitHub login";
    /** Microsoft Entra object ids. */
    static final String ENTRA_ID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    static final String ENTRA_ID_RULE = "must be a Microsoft Entra object id (a GUID)";

    /** Body of {@code PUT /api/v1/members/{email}}. */
    public record MemberRequest(
            @Size(max = 200) String displayName,
            @Size(max = 64) String team,
            @Size(max = 64) @Pattern(regexp = SLACK_USER_ID, message = SLACK_USER_ID_RULE) String slackUserId,
            @Size(max = 100) @Pattern(regexp = GITHUB_LOGIN, message = GITHUB_LOGIN_RULE) String githubLogin,
            @Size(max = 64) @Pattern(regexp = ENTRA_ID, message = ENTRA_ID_RULE) String teamsUserId) {
    }

    /**
     * A member as the API shows it.
     *
     * @param leftAt     when the person left (no team, no DMs since); null while they are here
     * @param lastSeenAt the latest usage or outcome event seen for them, to the hour; null when none yet
     */
    public record MemberView(String email, String displayName, String team, String slackUserId,
            String teamsUserId, String githubLogin, Instant createdAt, Instant updatedAt, Instant leftAt,
            Instant lastSeenAt) {

        static MemberView of(Member m) {
            return new MemberView(m.email, m.displayName, m.teamKey, m.slackUserId, m.teamsUserId, m.githubLogin,
                    m.createdAt, m.updatedAt, m.leftAt, m.lastSeenAt);
        }
    }

    /** A person in the directory list: the profile only, never usage. */
    public record Listed(String email, String displayName, String team, String slackUserId, String teamsUserId,
            String githubLogin, Instant lastSeenAt) {

        static Listed of(Member m) {
            return new Listed(m.email, m.displayName, m.teamKey, m.slackUserId, m.teamsUserId, m.githubLogin,
                    m.lastSeenAt);
        }
    }

    /** A page of {@code GET /api/v1/members}: {@code total} people match in all. */
    public record Page(List<Listed> members, long total, int page, int size) {
    }

    /** Page size of the members list when none is asked for. */
    public static final int DEFAULT_SIZE = 50;
    /** Largest page size of the members list. */
    public static final int MAX_SIZE = 500;

    @Inject
    Erasure erasure;

    /**
     * {@code GET /api/v1/members?team=&q=&page=&size=}: people who have not left, by email. {@code team=unassigned}
     * lists those with no team (whose usage is kept under {@code unassigned}); {@code q} matches a part of the name
     * or email, case-insensitive.
     */
    @GET
    public Page list(@QueryParam("team") String team, @QueryParam("q") String q, @QueryParam("page") String page,
            @QueryParam("size") String size) {
        int p = positive("page", page, 1, Integer.MAX_VALUE);
        int n = positive("size", size, DEFAULT_SIZE, MAX_SIZE);
        StringBuilder where = new StringBuilder("leftAt is null");
        Parameters params = new Parameters();
        if (team != null && !team.isBlank()) {
            if (Team.UNASSIGNED.equals(team)) {
                where.append(" and teamKey is null");
            } else {
                if (Team.live(team).isEmpty()) {
                    throw Problem.notFound("No team with key '" + team + "'.");
                }
                where.append(" and teamKey = :team");
                params.and("team", team);
            }
        }
        if (q != null && !q.isBlank()) {
            String like = "%" + q.strip().toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%")
                    .replace("_", "!_") + "%";
            where.append(" and (lower(email) like :q escape '!' or lower(displayName) like :q escape '!')");
            params.and("q", like);
        }
        PanacheQuery<Member> query = Member.find(where.toString(), Sort.by("email"), params);
        long total = query.count();
        List<Listed> members = total <= (long) (p - 1) * n
                ? List.of()
                : query.page(io.quarkus.panache.common.Page.of(p - 1, n)).<Member>list().stream().map(Listed::of)
                        .toList();
        return new Page(members, total, p, n);
    }

    private static int positive(String name, String value, int absent, int max) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            int v = Integer.parseInt(value.strip());
            if (v >= 1 && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw Problem.badRequest(max == Integer.MAX_VALUE
                ? "Query parameter '" + name + "' must be a whole number from 1."
                : "Query parameter '" + name + "' must be a whole number from 1 to " + max + ".");
    }

    /**
     * {@code DELETE /api/v1/members/{email}}: the person leaves (no team, no longer a manager, no direct messages,
     * not counted active from now on; past totals stay). With {@code ?erase=true}: erasure of everything that
     * identifies them ({@link Erasure}); the answer lists what was erased, by table.
     */
    @DELETE
    @Path("/{email}")
    public Response delete(@PathParam("email") String email, @QueryParam("erase") String erase) {
        boolean eraseAll;
        if (erase == null || erase.isBlank() || "false".equalsIgnoreCase(erase.strip())) {
            eraseAll = false;
        } else if ("true".equalsIgnoreCase(erase.strip())) {
            eraseAll = true;
        } else {
            throw Problem.badRequest("Query parameter 'erase' must be true or false.");
        }
        if (eraseAll) {
            return Response.ok(new Erased(erasure.erase(email))).build();
        }
        QuarkusTransaction.requiringNew().run(() -> leave(email));
        return Response.noContent().build();
    }

    /** The answer to an erasure: rows erased or anonymised, by table. */
    public record Erased(java.util.Map<String, Integer> erased) {
    }

    private static void leave(String email) {
        Leavers.leave(Member.byEmail(email.strip())
                .orElseThrow(() -> Problem.notFound("No member with email '" + email + "'.")));
    }

    @GET
    @Path("/{email}")
    public MemberView get(@PathParam("email") String email) {
        return Member.byEmail(email).map(MemberView::of)
                .orElseThrow(() -> Problem.notFound("No member with email '" + email + "'."));
    }

    @PUT
    @Path("/{email}")
    @Transactional
    public Response put(@PathParam("email") String rawEmail,
            @NotNull(message = "a JSON body is required") @Valid MemberRequest body) {
        String email = rawEmail.trim().toLowerCase(Locale.ROOT);
        if (!Emails.isValid(email)) {
            throw Problem.badRequest("'" + rawEmail + "' is not an email address.");
        }
        if (body.team() != null && Team.live(body.team()).isEmpty()) {
            throw Problem.badRequest(
                    "No team with key '" + body.team() + "'; create it first with PUT /api/v1/teams/{key}.");
        }
        Member member = Member.byEmail(email).orElse(null);
        boolean created = member == null;
        Instant now = Instant.now();
        if (created) {
            member = new Member();
            member.email = email;
            member.createdAt = now;
        }
        ensureUnique("slackUserId", body.slackUserId(), member);
        ensureUnique("githubLogin", body.githubLogin(), member);
        String teamsUserId = body.teamsUserId() == null ? null : body.teamsUserId().toLowerCase(Locale.ROOT);
        ensureUnique("teamsUserId", teamsUserId, member);
        member.displayName = body.displayName();
        member.teamKey = body.team();
        if (body.team() != null) {
            member.leftAt = null; // back again
        }
        member.slackUserId = body.slackUserId();
        member.githubLogin = body.githubLogin();
        member.teamsUserId = teamsUserId;
        member.updatedAt = now;
        if (created) {
            member.persist();
        }
        member.flush();
        return Response.status(created ? Response.Status.CREATED : Response.Status.OK)
                .entity(MemberView.of(member)).build();
    }

    private static void ensureUnique(String field, String value, Member self) {
        if (value == null) {
            return;
        }
        Member other = Member.<Member>find(field, value).firstResult();
        if (other != null && !other.id.equals(self.id)) {
            throw Problem.exception(Response.Status.CONFLICT, taken(field, value));
        }
    }

    /** The error of a chat id or login that another member has. */
    static String taken(String field, String value) {
        return field + " '" + value + "' already belongs to another member.";
    }
}
