package dev.yardstick.scim;

import com.unboundid.scim2.common.messages.ListResponse;
import com.unboundid.scim2.common.types.AttributeDefinition;
import com.unboundid.scim2.common.types.AttributeDefinition.Mutability;
import com.unboundid.scim2.common.types.AttributeDefinition.Returned;
import com.unboundid.scim2.common.types.AttributeDefinition.Type;
import com.unboundid.scim2.common.types.AttributeDefinition.Uniqueness;
import com.unboundid.scim2.common.types.AuthenticationScheme;
import com.unboundid.scim2.common.types.BulkConfig;
import com.unboundid.scim2.common.types.ChangePasswordConfig;
import com.unboundid.scim2.common.types.ETagConfig;
import com.unboundid.scim2.common.types.FilterConfig;
import com.unboundid.scim2.common.types.Meta;
import com.unboundid.scim2.common.types.PatchConfig;
import com.unboundid.scim2.common.types.ResourceTypeResource;
import com.unboundid.scim2.common.types.SchemaResource;
import com.unboundid.scim2.common.types.ServiceProviderConfigResource;
import com.unboundid.scim2.common.types.SortConfig;
import dev.yardstick.common.ApiSecurity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * SCIM's discovery endpoints (RFC 7644 §4): what this service provider supports ({@code ServiceProviderConfig}),
 * its resource types ({@code ResourceTypes}: User, Group) and their schemas ({@code Schemas}), listing only the
 * attributes Yardstick keeps.
 */
@Path("/scim/v2")
@ScimOnly
@SecurityRequirement(name = ApiSecurity.SCIM)
public class ScimDiscovery {

    static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

    @Context
    UriInfo uri;

    @GET
    @Path("/ServiceProviderConfig")
    public Response serviceProviderConfig() {
        ServiceProviderConfigResource config = new ServiceProviderConfigResource(
                null,
                new PatchConfig(true), new BulkConfig(false, 0, 0), new FilterConfig(true, ScimQuery.MAX_COUNT),
                new ChangePasswordConfig(false), new SortConfig(false), new ETagConfig(false),
                List.of(new AuthenticationScheme("OAuth Bearer Token",
                        "The bearer token set as YARDSTICK_SCIM_TOKEN.",
                        URI.create("https://www.rfc-editor.org/info/rfc6750"), null, "oauthbearertoken", true)));
        config.setMeta(meta("ServiceProviderConfig", "ServiceProviderConfig"));
        return ScimJson.ok(200, config);
    }

    @GET
    @Path("/ResourceTypes")
    public Response resourceTypes() {
        List<ResourceTypeResource> types = List.of(type("User"), type("Group"));
        return ScimJson.ok(200, new ListResponse<>(types.size(), types, 1, types.size()));
    }

    @GET
    @Path("/ResourceTypes/{name}")
    public Response resourceType(@PathParam("name") String name) {
        if (!name.equals("User") && !name.equals("Group")) {
            throw new ScimJson.Failure(404, null, "No resource type '" + name + "'.");
        }
        return ScimJson.ok(200, type(name));
    }

    @GET
    @Path("/Schemas")
    public Response schemas() {
        List<SchemaResource> schemas = List.of(userSchema(), groupSchema());
        return ScimJson.ok(200, new ListResponse<>(schemas.size(), schemas, 1, schemas.size()));
    }

    @GET
    @Path("/Schemas/{id}")
    public Response schema(@PathParam("id") String id) {
        return switch (id) {
            case USER_SCHEMA -> ScimJson.ok(200, userSchema());
            case GROUP_SCHEMA -> ScimJson.ok(200, groupSchema());
            default -> throw new ScimJson.Failure(404, null, "No schema '" + id + "'.");
        };
    }

    @ServerExceptionMapper
    public Response failed(RuntimeException e) {
        return ScimJson.failure(e);
    }

    @ServerExceptionMapper
    public Response failed(WebApplicationException e) {
        return ScimJson.failure(e);
    }

    private ResourceTypeResource type(String name) {
        ResourceTypeResource type = new ResourceTypeResource(name, name,
                name.equals("User") ? "People: userName is the email." : "Teams.",
                URI.create("/" + name + "s"), URI.create(name.equals("User") ? USER_SCHEMA : GROUP_SCHEMA), null);
        type.setMeta(meta("ResourceType", "ResourceTypes/" + name));
        return type;
    }

    private SchemaResource userSchema() {
        SchemaResource schema = new SchemaResource(USER_SCHEMA, "User", "A person; userName is their email.", List.of(
                attribute("userName", Type.STRING, "The person's email address, unique.").setRequired(true)
                        .setUniqueness(Uniqueness.SERVER).build(),
                attribute("displayName", Type.STRING, "The name Yardstick shows.").build(),
                attribute("name", Type.COMPLEX, "name.formatted, or givenName and familyName, when there is no "
                        + "displayName.").addSubAttributes(
                                attribute("formatted", Type.STRING, "The full name.").build(),
                                attribute("givenName", Type.STRING, "Read from requests, not kept apart.").build(),
                                attribute("familyName", Type.STRING, "Read from requests, not kept apart.").build())
                        .build(),
                attribute("active", Type.BOOLEAN, "False: the person left (no team, no messages).").build(),
                attribute("emails", Type.COMPLEX, "The userName as the work email; read-only.")
                        .setMultiValued(true).setMutability(Mutability.READ_ONLY).addSubAttributes(
                                attribute("value", Type.STRING, "The email address.").build(),
                                attribute("type", Type.STRING, "work").build(),
                                attribute("primary", Type.BOOLEAN, "true").build())
                        .build(),
                attribute("groups", Type.COMPLEX, "The person's team; set through the Group's members.")
                        .setMultiValued(true).setMutability(Mutability.READ_ONLY).addSubAttributes(
                                attribute("value", Type.STRING, "The Group's id.").build(),
                                attribute("display", Type.STRING, "The team's name.").build())
                        .build()));
        schema.setMeta(meta("Schema", "Schemas/" + USER_SCHEMA));
        return schema;
    }

    private SchemaResource groupSchema() {
        SchemaResource schema = new SchemaResource(GROUP_SCHEMA, "Group", "A team.", List.of(
                attribute("displayName", Type.STRING, "The team's name; the key is derived from the first one.")
                        .setRequired(true).build(),
                attribute("members", Type.COMPLEX, "The people whose team it is.").setMultiValued(true)
                        .addSubAttributes(
                                attribute("value", Type.STRING, "The User's id.").setMutability(Mutability.IMMUTABLE)
                                        .build(),
                                attribute("display", Type.STRING, "The person's name; read-only.")
                                        .setMutability(Mutability.READ_ONLY).build())
                        .build()));
        schema.setMeta(meta("Schema", "Schemas/" + GROUP_SCHEMA));
        return schema;
    }

    private static AttributeDefinition.Builder attribute(String name, Type type, String description) {
        return new AttributeDefinition.Builder().setName(name).setType(type).setDescription(description)
                .setMutability(Mutability.READ_WRITE).setReturned(Returned.DEFAULT).setUniqueness(Uniqueness.NONE)
                .setCaseExact(false);
    }

    private Meta meta(String resourceType, String path) {
        Meta meta = new Meta();
        meta.setResourceType(resourceType);
        meta.setLocation(uri.getBaseUriBuilder().path("scim/v2").path(path).build());
        return meta;
    }
}
