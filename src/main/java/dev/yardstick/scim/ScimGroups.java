package dev.yardstick.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.GenericScimResource;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.ListResponse;
import com.unboundid.scim2.common.messages.PatchRequest;
import com.unboundid.scim2.common.types.GroupResource;
import com.unboundid.scim2.common.types.Member;
import dev.yardstick.admin.Provisioning;
import dev.yardstick.admin.Provisioning.Group;
import dev.yardstick.admin.Provisioning.GroupChange;
import dev.yardstick.admin.Provisioning.Ref;
import dev.yardstick.common.ApiSecurity;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * SCIM Groups ({@code /scim/v2/Groups}): the teams. A new group is a new team whose key is derived from its
 * {@code displayName} (a later rename keeps the key); its {@code members} are the Users whose team it is, and a User
 * removed from it has no team. Deleting a group deletes the team, its members moving to no team.
 */
@Path("/scim/v2/Groups")
@ScimOnly
@SecurityRequirement(name = ApiSecurity.SCIM)
public class ScimGroups {

    private static final Map<String, String> FILTERABLE = ScimQuery.attributes("displayName", "displayName",
            "externalId", "externalId", "id", "id");

    @Inject
    Provisioning provisioning;
    @Context
    UriInfo uri;

    /** {@code excludedAttributes=members} (Entra ID sends it) leaves the members out. */
    @GET
    public Response list(@QueryParam("filter") String filter, @QueryParam("startIndex") String startIndex,
            @QueryParam("count") String count, @QueryParam("excludedAttributes") String excluded) {
        ScimQuery q = ScimQuery.of(filter, startIndex, count, FILTERABLE);
        boolean withMembers = !excludes(excluded, "members");
        Provisioning.Page<Group> page = provisioning.groups(q.matches(), q.offset(), q.count(), withMembers);
        List<GroupResource> groups = page.items().stream().map(g -> group(g, withMembers)).toList();
        return ScimJson.ok(200, new ListResponse<>((int) page.total(), groups, q.startIndex(), groups.size()));
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id, @QueryParam("excludedAttributes") String excluded) {
        Group g = provisioning.group(ScimJson.id(id, "group"))
                .orElseThrow(() -> new ScimJson.Failure(404, null, "No group with id '" + id + "'."));
        return ScimJson.ok(200, group(g, !excludes(excluded, "members")));
    }

    @POST
    public Response create(String body) {
        GroupResource created = group(provisioning.addGroup(change(ScimJson.object(body))), true);
        return Response.fromResponse(ScimJson.ok(201, created)).location(created.getMeta().getLocation()).build();
    }

    @PUT
    @Path("/{id}")
    public Response replace(@PathParam("id") String id, String body) {
        GroupChange change = change(ScimJson.object(body));
        return ScimJson.ok(200, group(provisioning.changeGroup(ScimJson.id(id, "group"), current -> change), true));
    }

    /**
     * RFC 7644 §3.5.2 as Okta and Entra ID send it (members added and removed by {@code path}, a value filter such
     * as {@code members[value eq "…"]}, or a rename): the SDK applies the operations to the group as it is, and the
     * result replaces it.
     */
    @PATCH
    @Path("/{id}")
    public Response patch(@PathParam("id") String id, String body) {
        PatchRequest patch = ScimJson.patch(body);
        Group changed = provisioning.changeGroup(ScimJson.id(id, "group"), current -> {
            ObjectNode doc = ScimJson.MAPPER.valueToTree(core(current));
            try {
                patch.apply(new GenericScimResource(doc));
            } catch (ScimException e) {
                throw new ScimJson.Failure(e);
            }
            return change(doc);
        });
        return ScimJson.ok(200, group(changed, true));
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") String id) {
        provisioning.removeGroup(ScimJson.id(id, "group"));
        return Response.noContent().build();
    }

    @ServerExceptionMapper
    public Response failed(RuntimeException e) {
        return ScimJson.failure(e);
    }

    @ServerExceptionMapper
    public Response failed(WebApplicationException e) {
        return ScimJson.failure(e);
    }

    private static boolean excludes(String excluded, String attribute) {
        return excluded != null && Arrays.stream(excluded.split(",")).map(String::strip)
                .anyMatch(a -> a.equalsIgnoreCase(attribute));
    }

    /** What a Group body sets: its name, externalId and all its members (by User id). */
    static GroupChange change(JsonNode body) {
        String displayName = ScimJson.text(body, "displayName");
        if (displayName == null || displayName.isBlank()) {
            throw ScimJson.invalidValue("displayName is required.");
        }
        List<UUID> members = new ArrayList<>();
        JsonNode list = ScimJson.field(body, "members");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw ScimJson.invalidValue("members must be a list.");
            }
            for (JsonNode m : list) {
                String value = ScimJson.text(m, "value");
                if (value == null) {
                    throw ScimJson.invalidValue("Each member needs a value (the id of a User).");
                }
                try {
                    members.add(UUID.fromString(value.strip()));
                } catch (IllegalArgumentException e) {
                    throw ScimJson.invalidValue("members: no user with id '" + value + "'.");
                }
            }
        }
        return new GroupChange(displayName, ScimJson.text(body, "externalId"), members);
    }

    /** The attributes Yardstick keeps, as a Group. */
    private static GroupResource core(GroupChange g) {
        GroupResource r = new GroupResource();
        r.setDisplayName(g.displayName());
        r.setExternalId(g.externalId());
        r.setMembers(g.members().stream().map(id -> new Member().setValue(id.toString())).toList());
        return r;
    }

    private GroupResource group(Group g, boolean withMembers) {
        GroupResource r = new GroupResource();
        r.setId(g.id().toString());
        r.setExternalId(g.externalId());
        r.setDisplayName(g.displayName());
        if (withMembers) {
            List<Member> members = new ArrayList<>();
            for (Ref m : g.members()) {
                members.add(new Member().setValue(m.id().toString()).setDisplay(m.display()).setType("User")
                        .setRef(ScimUsers.location(uri, "Users", m.id())));
            }
            r.setMembers(members);
        }
        r.setMeta(ScimUsers.meta("Group", g.created(), g.updated(), ScimUsers.location(uri, "Groups", g.id())));
        return r;
    }
}
