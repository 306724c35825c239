package dev.yardstick.chat.preview;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.admin.Member;
import dev.yardstick.chat.ChartImages;
import dev.yardstick.chat.ChatAction;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Form;
import dev.yardstick.chat.Inbound;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import dev.yardstick.common.Problem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.qute.Template;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * {@code GET /preview}: every message the service would have sent, as a person would see it, newest
 * first, by destination. Served only while no chat platform is configured, and only to clients on
 * this machine (loopback), since it shows everyone's private messages. {@code POST /preview/ai-spend}
 * runs the {@code ai-spend} command as a member, so its private answers can be seen too.
 */
@Path("/preview")
public class PreviewResource {

    private static final int LIMIT = 200;
    private static final String PRIVATE_REPLY = "Private reply, seen only by ";
    /** The token every form of the page carries: a page on another site cannot read it, so cannot post. */
    private static final String CSRF = token();
    private static final Template PAGE = PreviewTemplates.get("page.html");
    private static final Template SECRET = PreviewTemplates.get("secret.html");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("EEE d MMM, HH:mm:ss 'UTC'", Locale.US)
            .withZone(ZoneOffset.UTC);

    @Inject
    Messenger messenger;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper mapper;
    @Inject
    Inbound inbound;
    @Inject
    ChartImages images;

    @Context
    HttpServerRequest request;

    private record Shown(long id, String key, String operation, String target, String updateOf, ChatMessage message,
            java.time.Instant at) {
    }

    /** A destination in the page's list. */
    record Destination(String href, String label, int count, boolean current) {
    }

    /** A person the {@code ai-spend} form can run as. */
    record Person(String email, String name) {
    }

    /** A message as the page shows it; {@code html} is the message rendered by {@link HtmlRenderer}. */
    record Article(String kind, String label, String time, String tag, String html) {
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String page(@QueryParam("to") String to) {
        guard();
        List<Shown> shown = chartsUnderTheirMessage(messages(to));
        Map<String, Integer> destinations = destinations();
        Map<String, String> labels = labels(destinations.keySet());
        List<Destination> list = destinations.entrySet().stream().map(d -> new Destination(
                "/preview?to=" + url(d.getKey()), labels.get(d.getKey()), d.getValue(), d.getKey().equals(to)))
                .toList();
        List<Article> articles = shown.stream().map(s -> new Article(s.operation().toLowerCase(Locale.ROOT),
                label(s, labels), TIME.format(s.at()), tag(s), HtmlRenderer.html(s.message(),
                        images::path, button -> press(s.target(), button))))
                .toList();
        return PAGE.data("refresh", to == null ? "/preview" : "/preview?to=" + url(to)).data("destinations", list)
                .data("members", people()).data("csrf", CSRF)
                .data("heading", to == null ? null : labels.getOrDefault(to, to)).data("messages", articles)
                .render();
    }

    @POST
    @Path("/ai-spend")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response aiSpend(@FormParam("member") String memberEmail, @FormParam("text") String text,
            @FormParam("csrf") String csrf) {
        guard();
        checkCsrf(csrf);
        Member member = memberEmail == null
                ? null
                : QuarkusTransaction.requiringNew().call(() -> Member.byEmail(memberEmail).orElse(null));
        if (member == null) {
            throw Problem.badRequest("member must be the email of a known member.");
        }
        Reply answer = inbound.command(Origin.of(Messenger.PREVIEW, Optional.of(member)), text, "ai-spend");
        if (answer.secret()) {
            return Response.ok(secretPage(answer.note(), member), MediaType.TEXT_HTML_TYPE)
                    .header("Cache-Control", "no-store").build();
        }
        messenger.respond(Messenger.PREVIEW, null, PreviewTransport.MEMBER + member.id,
                MessageKey.of("respond", UUID.randomUUID()),
                answer.form() != null ? ChatMessage.form(answer.form(), Map.of()) : answer.note());
        return Response.seeOther(URI.create("/preview?to=" + url(PreviewTransport.MEMBER + member.id))).build();
    }

    /**
     * A form of a person's messages submitted as that person, through the same handler as Slack and Teams: shown
     * again with what is wrong under each field, or carried out, its note coming as a private reply.
     */
    @POST
    @Path("/form")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response form(jakarta.ws.rs.core.MultivaluedMap<String, String> body) {
        guard();
        checkCsrf(body.getFirst("csrf"));
        long memberId = ChatAction.recordId(body.getFirst("as"));
        Member member = QuarkusTransaction.requiringNew().call(() -> Member.<Member>findById(memberId));
        String formId = body.getFirst("_form");
        Origin origin = Origin.of(Messenger.PREVIEW, Optional.ofNullable(member));
        Optional<Form> form = formId == null ? Optional.empty() : inbound.form(origin, formId);
        if (member == null || form.isEmpty()) {
            throw Problem.badRequest("as must be the id of a known member, and _form the id of a form.");
        }
        Map<String, String> fields = new java.util.HashMap<>();
        body.forEach((k, v) -> {
            if (!k.equals("csrf") && !k.equals("as") && !k.equals("_form") && !v.isEmpty()) {
                fields.put(k, v.get(0));
            }
        });
        Map<String, String> errors = inbound.check(formId, fields);
        Reply reply = errors.isEmpty() ? inbound.submit(origin, formId, fields) : Reply.errors(errors);
        ChatMessage answer = !reply.errors().isEmpty()
                ? ChatMessage.form(new Form(form.get().id(), form.get().title(), form.get().submit(),
                        form.get().fields(), fields.get(Form.CONTEXT)).withValues(fields), reply.errors())
                : reply.note() == null ? ChatMessage.text("Done.") : reply.note();
        messenger.respond(Messenger.PREVIEW, null, PreviewTransport.MEMBER + member.id,
                MessageKey.of("respond", UUID.randomUUID()), answer);
        return Response.seeOther(URI.create("/preview?to=" + url(PreviewTransport.MEMBER + member.id))).build();
    }

    /** A reply that holds a secret: shown once, in this answer, and kept nowhere (not with the other messages). */
    private static String secretPage(ChatMessage note, Member member) {
        return SECRET.data("back", "/preview?to=" + url(PreviewTransport.MEMBER + member.id))
                .data("to", PRIVATE_REPLY + (member.displayName == null ? member.email : member.displayName))
                .data("html", HtmlRenderer.html(note, chart -> "")).render();
    }

    /**
     * A button of a person's message pressed as that person, through the same handlers as Slack and Teams: a note
     * (when the press changed nothing, or there is nothing to change) comes as a private reply; the changed message
     * comes as its edit.
     */
    @POST
    @Path("/press")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response press(@FormParam("as") long memberId, @FormParam("action") String action,
            @FormParam("value") String value, @FormParam("csrf") String csrf) {
        guard();
        checkCsrf(csrf);
        Member member = QuarkusTransaction.requiringNew().call(() -> Member.<Member>findById(memberId));
        if (member == null || action == null) {
            throw Problem.badRequest("as must be the id of a known member, and action is required.");
        }
        Reply reply = inbound.click(Origin.of(Messenger.PREVIEW, Optional.of(member)), action, value);
        if (reply.note() != null && !reply.changed()) {
            messenger.respond(Messenger.PREVIEW, null, PreviewTransport.MEMBER + member.id,
                    MessageKey.of("respond", UUID.randomUUID()), reply.note());
        }
        return Response.seeOther(URI.create("/preview?to=" + url(PreviewTransport.MEMBER + member.id))).build();
    }

    /** What a button of a message to a person posts to press it as them; null for other destinations. */
    private static HtmlRenderer.Press press(String target, ChatMessage.Button button) {
        if (target == null || !target.startsWith(PreviewTransport.MEMBER) || button.action() == null) {
            return null;
        }
        return new HtmlRenderer.Press(CSRF, target.substring(PreviewTransport.MEMBER.length()), button.action(),
                button.value() == null ? "" : button.value());
    }

    private static void checkCsrf(String csrf) {
        if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII),
                CSRF.getBytes(StandardCharsets.US_ASCII))) {
            throw Problem.exception(Response.Status.FORBIDDEN,
                    "This form is out of date or was not sent from the preview page: reload the page and try again.");
        }
    }

    /**
     * Only while messages go to the preview, only to clients on this machine, and only under a loopback name: a page
     * on another site that points its own host name at 127.0.0.1 (DNS rebinding) is refused.
     */
    private void guard() {
        if (!messenger.previewing()) {
            throw Problem.notFound("The preview is off: messages go to the configured chat platform.");
        }
        if (!loopbackName(request.getHeader("Host"))) {
            throw Problem.exception(Response.Status.FORBIDDEN,
                    "The preview is served only as localhost, 127.0.0.1 or [::1].");
        }
        String host = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        boolean local;
        try {
            local = host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            local = false;
        }
        if (!local) {
            throw Problem.exception(Response.Status.FORBIDDEN,
                    "The preview shows private messages and is served only to this machine.");
        }
    }

    /** Whether a {@code Host} header names this machine: localhost, 127.0.0.1 or [::1], with any port. */
    static boolean loopbackName(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        String name = h.startsWith("[") ? h.substring(0, h.indexOf(']') + 1) : h.replaceFirst(":\\d{1,5}$", "");
        String port = h.substring(name.length());
        return (name.equals("localhost") || name.equals("127.0.0.1") || name.equals("[::1]"))
                && (port.isEmpty() || port.matches(":\\d{1,5}"));
    }

    private List<Shown> messages(String to) {
        List<Shown> out = new ArrayList<>();
        String sql = "select id, dedupe_key, operation, target, update_of, body, created_at from outbox_message "
                + "where platform = 'preview'" + (to == null ? "" : " and target = ?") + " order by id desc limit "
                + LIMIT;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (to != null) {
                ps.setString(1, to);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Shown(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), mapper.readValue(rs.getString(6), ChatMessage.class),
                            rs.getTimestamp(7).toInstant()));
                }
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("preview query failed", e);
        }
        return out;
    }

    /**
     * Newest first, except that a chart ({@code <key>:chart}) sits right under the message it belongs
     * to, as it does in the channel.
     */
    static List<Shown> chartsUnderTheirMessage(List<Shown> newestFirst) {
        List<Shown> out = new ArrayList<>();
        List<Shown> charts = new ArrayList<>();
        for (Shown s : newestFirst) {
            (MessageKey.parse(s.key()).endsWith("chart") ? charts : out).add(s);
        }
        for (Shown chart : charts) {
            String parent = MessageKey.parse(chart.key()).parent().value();
            int at = -1;
            for (int i = 0; i < out.size() && at < 0; i++) {
                if (out.get(i).key().equals(parent) && out.get(i).target().equals(chart.target())) {
                    at = i + 1;
                }
            }
            for (int i = 0; i < out.size() && at < 0; i++) {
                if (out.get(i).id() < chart.id()) {
                    at = i;
                }
            }
            out.add(at < 0 ? out.size() : at, chart);
        }
        return out;
    }

    /** Destinations with their message counts, the one with the newest message first. */
    private Map<String, Integer> destinations() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select target, count(*) from outbox_message where platform = 'preview'
                group by target order by max(id) desc
                """); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getInt(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("preview query failed", e);
        }
        return out;
    }

    /** Human names of destinations: a team's channel, a person's direct messages. */
    private Map<String, String> labels(java.util.Collection<String> targets) {
        Map<String, String> out = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement teams = c.prepareStatement("select key, name from team");
                PreparedStatement members = c.prepareStatement(
                        "select id, coalesce(display_name, email), email from member where id = any(?)")) {
            try (ResultSet rs = teams.executeQuery()) {
                while (rs.next()) {
                    out.put(PreviewTransport.TEAM + rs.getString(1),
                            "#" + rs.getString(1) + " · " + rs.getString(2) + " channel");
                }
            }
            List<Long> ids = targets.stream().filter(t -> t.startsWith(PreviewTransport.MEMBER))
                    .map(t -> Long.parseLong(t.substring(PreviewTransport.MEMBER.length()))).toList();
            members.setArray(1, c.createArrayOf("int8", ids.toArray()));
            try (ResultSet rs = members.executeQuery()) {
                while (rs.next()) {
                    out.put(PreviewTransport.MEMBER + rs.getLong(1),
                            "Direct messages to " + rs.getString(2) + " (" + rs.getString(3) + ")");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("preview query failed", e);
        }
        for (String t : targets) {
            out.putIfAbsent(t, t);
        }
        return out;
    }

    private static String label(Shown s, Map<String, String> labels) {
        String where = labels.getOrDefault(s.target(), s.target());
        return switch (s.operation()) {
            case "RESPOND" -> PRIVATE_REPLY + where.replace("Direct messages to ", "");
            case "HOME" -> "Home tab of " + where.replace("Direct messages to ", "");
            default -> where;
        };
    }

    private static String tag(Shown s) {
        return switch (s.operation()) {
            case "UPDATE" -> "edited: replaces an earlier message";
            case "UPLOAD" -> "image";
            case "RESPOND" -> "only visible to them";
            default -> null;
        };
    }

    /** The members the {@code ai-spend} form can run as. */
    private List<Person> people() {
        List<Person> members = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select email, coalesce(display_name, email) from member where team_key is not null
                order by lower(coalesce(display_name, email)) limit 500
                """); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                members.add(new Person(rs.getString(1), rs.getString(2)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("preview query failed", e);
        }
        return members;
    }

    private static String token() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
