package dev.yardstick.admin;

import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
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
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Admin API for teams: {@code /api/v1/teams}. */
@Path("/api/v1/teams")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class TeamResource {

    /** Team keys: lowercase letters, digits and dashes, 1 to 64 characters. */
    public static final String KEY_PATTERN = "[a-z0-9-]{1,64}";

    /** GitHub repositories as {@code owner/name}. */
    public static final String REPOSITORY_PATTERN = "[A-Za-z0-9-]{1,100}/[A-Za-z0-9._-]{1,100}";

    /** Body of {@code PUT /api/v1/teams/{key}}; omitted optional fields take their defaults. */
    public record TeamRequest(
            @NotBlank @Size(max = 200) String name,
            @Size(max = 64) @Pattern(regexp = "[A-Z0-9]+", message = "must be a Slack channel id such as C0123ABCD") String slackChannelId,
            @Size(max = 512) @Pattern(regexp = "19:[^\\s]+", message = "must be a Teams channel id such as 19:abc@thread.tacv2") String teamsChannelId,
            @Size(max = 2048) @Pattern(regexp = "https?://[^\\s]+", message = "must be an http(s) URL") String teamsWebhookUrl,
            List<@NotBlank @Email @Size(max = 320) String> managers,
            @DecimalMin("0") @Digits(integer = 12, fraction = 2) BigDecimal weeklyBudgetUsd,
            String timezone,
            String digestDay,
            @Pattern(regexp = "([01][0-9]|2[0-3]):[0-5][0-9]", message = "must be a time of day as HH:mm") String digestTime,
            @DecimalMin(value = "0.01", message = "must be at least 0.01") @Digits(integer = 12, fraction = 2) BigDecimal runawayCostUsd,
            @Min(value = 1, message = "must be at least 1") @Max(1_000_000_000) Integer runawayRequests,
            List<@NotBlank @Pattern(regexp = REPOSITORY_PATTERN, message = "must be a GitHub repository as owner/name") String> repositories,
            @Size(max = 64) @Pattern(regexp = "S[A-Z0-9]{2,}", message = "must be a Slack user group id such as S0123ABCD") String slackUsergroupId,
            @Size(max = 20) List<SpendCaps.Link> limits,
            @Size(max = 20) List<@NotBlank @Size(max = 255) String> deployEnvironments) {
    }

    /**
     * A team as the API shows it.
     *
     * @param effectiveWeeklyBudgetUsd this week's budget including approved one-week increases
     * @param repositories             GitHub repositories whose merged PRs count for the team
     * @param teamsWebhook             whether a Teams Workflows webhook (digest only) is set; the URL
     *                                 itself is a secret and never shown
     * @param slackUsergroupId         the Slack user group whose members are the team's members (docs/directory.md)
     * @param limits                   the vendor caps that follow the team's budget (docs/limits.md)
     * @param deployEnvironments       GitHub deployment environments whose deployments count (docs/connectors.md)
     */
    public record TeamView(String key, String name, String slackChannelId, String teamsChannelId,
            boolean teamsWebhook, List<String> managers,
            BigDecimal weeklyBudgetUsd, BigDecimal effectiveWeeklyBudgetUsd, String timezone, String digestDay,
            String digestTime, BigDecimal runawayCostUsd, int runawayRequests, List<String> repositories,
            Instant createdAt, Instant updatedAt, String slackUsergroupId, List<SpendCaps.Link> limits,
            List<String> deployEnvironments) {
    }

    @Inject
    EffectiveBudget budgets;
    @Inject
    TeamSettings settings;
    @Inject
    SpendCaps caps;

    private TeamView view(Team t) {
        return new TeamView(t.key, t.name, t.slackChannelId, t.teamsChannelId, t.teamsWebhookUrl != null,
                List.copyOf(t.managers), t.weeklyBudgetUsd,
                budgets.at(t, Instant.now()), t.timezone, t.digestDay,
                t.digestTime, t.runawayCostUsd, t.runawayRequests, List.copyOf(t.repositories), t.createdAt,
                t.updatedAt, t.slackUsergroupId, caps.of(t.key), List.copyOf(t.deployEnvironments));
    }

    @GET
    public List<TeamView> list() {
        return Team.<Team>list("deletedAt is null", io.quarkus.panache.common.Sort.by("key")).stream()
                .map(this::view).toList();
    }

    @GET
    @Path("/{key}")
    public TeamView get(@PathParam("key") String key) {
        return view(find(key));
    }

    @PUT
    @Path("/{key}")
    @Transactional
    public Response put(@PathParam("key") String key,
            @NotNull(message = "a JSON body is required") @Valid TeamRequest body) {
        if (!key.matches(KEY_PATTERN)) {
            throw Problem.badRequest("Team key must match " + KEY_PATTERN + ".");
        }
        if (Team.UNASSIGNED.equals(key)) {
            throw Problem.badRequest("Team key 'unassigned' is reserved for events that belong to no team.");
        }
        String timezone = body.timezone() == null ? "UTC" : body.timezone();
        if (TeamSettings.timezoneProblem(timezone) != null) {
            throw Problem.badRequest(TeamSettings.timezoneProblem(timezone));
        }
        String digestDay = body.digestDay() == null ? "MONDAY" : body.digestDay().toUpperCase(Locale.ROOT);
        if (TeamSettings.digestDayProblem(digestDay) != null) {
            throw Problem.badRequest(TeamSettings.digestDayProblem(digestDay));
        }
        List<String> repositories = body.repositories() == null
                ? new ArrayList<>()
                : new ArrayList<>(body.repositories().stream().map(r -> r.trim().toLowerCase(Locale.ROOT))
                        .distinct().sorted().toList());
        for (String repository : repositories) {
            List<?> owners = Team.getEntityManager()
                    .createNativeQuery("select key from team where ?1 = any(repositories) and key <> ?2")
                    .setParameter(1, repository).setParameter(2, key).getResultList();
            if (!owners.isEmpty()) {
                throw Problem.exception(Response.Status.CONFLICT,
                        "Repository '" + repository + "' already belongs to team '" + owners.get(0) + "'.");
            }
        }
        Team team = Team.findById(key);
        boolean created = team == null || team.deletedAt != null;
        Map<String, String> before = TeamSettings.snapshot(team);
        List<String> managersBefore = team == null ? List.of() : List.copyOf(team.managers);
        Instant now = Instant.now();
        if (team == null) {
            team = new Team();
            team.key = key;
            team.createdAt = now;
        }
        team.deletedAt = null; // a deleted team comes back, its history with it
        team.name = body.name().trim();
        team.slackChannelId = body.slackChannelId();
        team.teamsChannelId = body.teamsChannelId();
        team.teamsWebhookUrl = body.teamsWebhookUrl();
        team.managers = body.managers() == null
                ? new ArrayList<>()
                : new ArrayList<>(
                        body.managers().stream().map(m -> m.trim().toLowerCase(Locale.ROOT)).distinct().toList());
        team.weeklyBudgetUsd = body.weeklyBudgetUsd();
        team.timezone = timezone;
        team.digestDay = digestDay;
        team.digestTime = body.digestTime() == null ? "09:00" : body.digestTime();
        team.runawayCostUsd = body.runawayCostUsd() == null ? new BigDecimal("100") : body.runawayCostUsd();
        team.runawayRequests = body.runawayRequests() == null ? 1000 : body.runawayRequests();
        team.repositories = repositories;
        team.deployEnvironments = new ArrayList<>(body.deployEnvironments() == null
                ? Team.DEFAULT_DEPLOY_ENVIRONMENTS
                : body.deployEnvironments().stream().map(e -> e.trim().toLowerCase(Locale.ROOT)).distinct().toList());
        team.slackUsergroupId = body.slackUsergroupId();
        team.updatedAt = now;
        if (!team.isPersistent()) {
            team.persist();
        }
        team.flush();
        settings.record(team, before, managersBefore, TeamSettings.API_ACTOR, "api", null);
        caps.link(key, body.limits());
        return Response.status(created ? Response.Status.CREATED : Response.Status.OK)
                .entity(view(team)).build();
    }

    /**
     * {@code DELETE /api/v1/teams/{key}}: 409 while the team has members, unless {@code ?moveTo=<key>} names the
     * team they move to. The team disappears from lists, takes no new events or members and loses its channels,
     * webhook, managers, budget and repositories; its history (summaries, alerts, budget requests) stays readable by
     * key. {@code PUT} brings it back.
     */
    @DELETE
    @Path("/{key}")
    @Transactional
    public Response delete(@PathParam("key") String key, @QueryParam("moveTo") String moveTo) {
        Team team = lockLive(key).orElseThrow(() -> Problem.notFound("No team with key '" + key + "'."));
        long members = Member.count("teamKey", key);
        if (moveTo != null && !moveTo.isBlank()) {
            if (moveTo.equals(key)) {
                throw Problem.badRequest("moveTo must name another team than the one deleted.");
            }
            if (Team.live(moveTo).isEmpty()) {
                throw Problem.badRequest("moveTo: no team with key '" + moveTo + "'.");
            }
        } else if (members > 0) {
            throw Problem.exception(Response.Status.CONFLICT, "Team '" + key + "' still has " + members
                    + (members == 1 ? " member" : " members")
                    + "; move them first, or delete with ?moveTo=<key> to move them to that team.");
        }
        Map<String, String> before = TeamSettings.snapshot(team);
        List<String> managersBefore = List.copyOf(team.managers);
        retire(team, moveTo == null || moveTo.isBlank() ? null : moveTo);
        caps.link(key, List.of());
        settings.record(team, before, managersBefore, TeamSettings.API_ACTOR, "api", null);
        return Response.noContent().build();
    }

    /**
     * Takes the directory's lock (an import locks members, then teams; this locks a team, then its members: one at a
     * time) and the team's row; empty when there is no such team or it was deleted. Call within a transaction.
     */
    static java.util.Optional<Team> lockLive(String key) {
        lockDirectory();
        return Team.<Team>findByIdOptional(key, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE)
                .filter(t -> t.deletedAt == null);
    }

    /** Takes the directory's lock (see {@link DirectoryImport#LOCK}) until the transaction ends. */
    static void lockDirectory() {
        Team.getEntityManager().createNativeQuery("select 1 from (select pg_advisory_xact_lock(?1)) as locked")
                .setParameter(1, DirectoryImport.LOCK).getSingleResult();
    }

    /**
     * Deletes a team locked with {@link #lockLive}: its members move to {@code moveTo} (null: to no team), and it
     * disappears from lists, takes no new events or members and loses its channels, webhook, managers, budget and
     * repositories; its history stays readable by key.
     */
    static void retire(Team team, String moveTo) {
        Instant now = Instant.now();
        Member.update("teamKey = ?1, updatedAt = ?2 where teamKey = ?3", moveTo, now, team.key);
        team.deletedAt = now;
        team.updatedAt = now;
        team.slackChannelId = null;
        team.teamsChannelId = null;
        team.teamsWebhookUrl = null;
        team.managers = new ArrayList<>();
        team.weeklyBudgetUsd = null;
        team.repositories = new ArrayList<>();
    }

    /**
     * {@code GET /api/v1/teams/{key}/audit}: every change of the team, newest first (a deleted team's too); 404 for a
     * key no team ever had.
     */
    @GET
    @Path("/{key}/audit")
    public List<TeamSettings.Entry> audit(@PathParam("key") String key) {
        if (Team.findById(key) == null) {
            throw Problem.notFound("No team with key '" + key + "'.");
        }
        return settings.audit(key);
    }

    static Team find(String key) {
        return Team.live(key).orElseThrow(() -> Problem.notFound("No team with key '" + key + "'."));
    }
}
