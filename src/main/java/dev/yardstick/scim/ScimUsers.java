package dev.yardstick.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.GenericScimResource;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.ListResponse;
import com.unboundid.scim2.common.messages.PatchRequest;
import com.unboundid.scim2.common.types.Email;
import com.unboundid.scim2.common.types.Group;
import com.unboundid.scim2.common.types.Meta;
import com.unboundid.scim2.common.types.Name;
import com.unboundid.scim2.common.types.UserResource;
import dev.yardstick.admin.Provisioning;
import dev.yardstick.admin.Provisioning.Person;
import dev.yardstick.admin.Provisioning.PersonChange;
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
import java.net.URI;
import java.time.Instant;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * SCIM Users ({@code /scim/v2/Users}, RFC 7644 §3): the people of the directory. {@code userName} is the email,
 * {@code displayName} (or {@code name.formatted}, or given and family name) the display name, {@code active: false}
 * or {@code DELETE} makes the person a leaver; {@code groups} (read-only) is their team.
 */
@Path("/scim/v2/Users")
@ScimOnly
@SecurityRequirement(name = ApiSecurity.SCIM)
public class ScimUsers {

    private static final Map<String, String> FILTERABLE = ScimQuery.attributes("userName", "email", "externalId",
            "externalId", "id", "id", "displayName", "displayName");

    @Inject
    Provisioning provisioning;
    @Context
    UriInfo uri;

    @GET
    public Response list(@QueryParam("filter") String filter, @QueryParam("startIndex") String startIndex,
            @QueryParam("count") String count) {
        ScimQuery q = ScimQuery.of(filter, startIndex, count, FILTERABLE);
        Provisioning.Page<Person> page = provisioning.people(q.matches(), q.offset(), q.count());
        List<UserResource> users = page.items().stream().map(this::user).toList();
        return ScimJson.ok(200, new ListResponse<>((int) page.total(), users, q.startIndex(), users.size()));
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        UUID key = ScimJson.id(id, "user");
        return ScimJson.ok(200, user(provisioning.person(key)
                .orElseThrow(() -> new ScimJson.Failure(404, null, "No user with id '" + id + "'."))));
    }

    @POST
    public Response create(String body) {
        UserResource created = user(provisioning.addPerson(change(ScimJson.object(body))));
        return Response.fromResponse(ScimJson.ok(201, created)).location(created.getMeta().getLocation()).build();
    }

    @PUT
    @Path("/{id}")
    public Response replace(@PathParam("id") String id, String body) {
        PersonChange change = change(ScimJson.object(body));
        return ScimJson.ok(200, user(provisioning.changePerson(ScimJson.id(id, "user"), current -> change)));
    }

    /**
     * RFC 7644 §3.5.2, as Okta and Microsoft Entra ID send it: the SDK applies the operations (any case of
     * {@code op}, with or without a path) to the user as it is, and the result replaces it.
     */
    @PATCH
    @Path("/{id}")
    public Response patch(@PathParam("id") String id, String body) {
        PatchRequest patch = ScimJson.patch(body);
        return ScimJson.ok(200, user(provisioning.changePerson(ScimJson.id(id, "user"), current -> {
            ObjectNode doc = ScimJson.MAPPER.valueToTree(core(current));
            try {
                patch.apply(new GenericScimResource(doc));
            } catch (ScimException e) {
                throw new ScimJson.Failure(e);
            }
            return change(doc);
        })));
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") String id) {
        provisioning.removePerson(ScimJson.id(id, "user"));
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

    /** What a User body sets; attributes Yardstick does not keep are ignored. */
    static PersonChange change(JsonNode body) {
        String userName = ScimJson.text(body, "userName");
        if (userName == null || userName.isBlank()) {
            throw ScimJson.invalidValue("userName is required.");
        }
        String displayName = ScimJson.text(body, "displayName");
        JsonNode name = ScimJson.field(body, "name");
        if (isBlank(displayName) && name != null && name.isObject()) {
            displayName = ScimJson.text(name, "formatted");
            if (isBlank(displayName)) {
                String given = ScimJson.text(name, "givenName");
                String family = ScimJson.text(name, "familyName");
                displayName = String.join(" ", java.util.stream.Stream.of(given, family)
                        .filter(s -> !isBlank(s)).map(String::strip).toList());
            }
        }
        return new PersonChange(userName, isBlank(displayName) ? null : displayName,
                ScimJson.text(body, "externalId"), ScimJson.bool(body, "active", true));
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** The attributes Yardstick keeps, as a User. */
    static UserResource core(PersonChange p) {
        UserResource u = new UserResource();
        u.setUserName(p.email());
        u.setExternalId(p.externalId());
        u.setDisplayName(p.displayName());
        if (p.displayName() != null) {
            u.setName(new Name().setFormatted(p.displayName()));
        }
        u.setEmails(List.of(new Email().setValue(p.email()).setType("work").setPrimary(true)));
        u.setActive(p.active());
        return u;
    }

    private UserResource user(Person p) {
        UserResource u = core(new PersonChange(p.email(), p.displayName(), p.externalId(), p.active()));
        u.setId(p.id().toString());
        if (p.team() != null) {
            u.setGroups(List.of(new Group().setValue(p.team().id().toString()).setDisplay(p.team().display())
                    .setType("direct").setRef(location(uri, "Groups", p.team().id()))));
        }
        u.setMeta(meta("User", p.created(), p.updated(), location(uri, "Users", p.id())));
        return u;
    }

    static URI location(UriInfo uri, String endpoint, UUID id) {
        return uri.getBaseUriBuilder().path("scim/v2").path(endpoint).path(id.toString()).build();
    }

    static Meta meta(String resourceType, Instant created, Instant updated, URI location) {
        Meta meta = new Meta();
        meta.setResourceType(resourceType);
        meta.setCreated(calendar(created));
        meta.setLastModified(calendar(updated == null ? created : updated));
        meta.setLocation(location);
        return meta;
    }

    private static Calendar calendar(Instant t) {
        if (t == null) {
            return null;
        }
        GregorianCalendar c = new GregorianCalendar(TimeZone.getTimeZone("UTC"));
        c.setTimeInMillis(t.toEpochMilli());
        return c;
    }
}
