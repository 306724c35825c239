package dev.yardstick.chat.preview;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.admin.Member;
import dev.yardstick.chat.ChartPng;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Inbound;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import dev.yardstick.common.Problem;
import io.quarkus.narayana.jta.QuarkusTransaction;
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
    private static final String HEADING = "Yardstick · message preview";
    private static final String PRIVATE_REPLY = "Private reply, seen only by ";
    /** The token every form of the page carries: a page on another site cannot read it, so cannot post. */
    private static final String CSRF = token();
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
    ChartPng chartPng;

    @Context
    HttpServerRequest request;

    private record Shown(long id, String key, String operation, String target, String updateOf, ChatMessage message,
            java.time.Instant at) {
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String page(@QueryParam("to") String to) {
        guard();
        List<Shown> shown = chartsUnderTheirMessage(messages(to));
        Map<String, Integer> destinations = destinations();
        Map<String, String> labels = labels(destinations.keySet());
        StringBuilder h = new StringBuilder(PAGE_HEAD);
        h.append("<header><h1>" + HEADING + "</h1><p>No Slack or Teams credentials are set, so every "
                + "message Yardstick would send is kept here instead: channel posts, direct messages and private "
                + "replies. Set <code>SLACK_SIGNING_SECRET</code> and <code>SLACK_BOT_TOKEN</code> to send them to "
                + "Slack. This page is served only to this machine.</p>"
                + "<p class=\"nav\"><a href=\"/preview\">All messages</a> · <a href=\"")
                .append(to == null ? "/preview" : "/preview?to=" + url(to)).append("\">Refresh</a></p></header>\n");
        h.append("<div class=\"layout\"><nav aria-label=\"Destinations\"><h2>Destinations</h2><ul>\n");
        for (var d : destinations.entrySet()) {
            h.append("<li").append(d.getKey().equals(to) ? " class=\"current\"" : "").append("><a href=\"/preview?to=")
                    .append(url(d.getKey())).append("\">").append(HtmlRenderer.escape(labels.get(d.getKey())))
                    .append("</a> <span class=\"count\">").append(d.getValue()).append("</span></li>\n");
        }
        h.append("</ul>\n").append(tryForm()).append("</nav>\n<main>\n");
        if (to != null) {
            h.append("<h2>").append(HtmlRenderer.escape(labels.getOrDefault(to, to))).append("</h2>\n");
        }
        if (shown.isEmpty()) {
            h.append("<p class=\"empty\">Nothing sent yet. Digests go out on each team's digest day; "
                    + "<code>YARDSTICK_DEMO=true</code> seeds a demo organisation and publishes its digests.</p>\n");
        }
        for (Shown s : shown) {
            h.append("<article class=\"message ").append(s.operation().toLowerCase(Locale.ROOT)).append("\">")
                    .append("<div class=\"meta\"><span class=\"to\">").append(HtmlRenderer.escape(label(s, labels)))
                    .append("</span> <time>").append(TIME.format(s.at())).append("</time>")
                    .append(tag(s)).append("</div>\n")
                    .append(HtmlRenderer.html(s.message(), n -> "/preview/charts/" + s.id() + "/" + n + ".png",
                            button -> press(s.target(), button)))
                    .append("</article>\n");
        }
        return h.append("</main></div></body></html>\n").toString();
    }

    /** The n-th chart of a previewed message, drawn as a PNG (as the Slack transport draws it to upload it). */
    @GET
    @Path("/charts/{id}/{n}.png")
    @Produces("image/png")
    public byte[] chart(@PathParam("id") long id, @PathParam("n") int n) {
        guard();
        String body;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select body from outbox_message where id = ? and platform = 'preview'")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                body = rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("preview query failed", e);
        }
        if (body != null) {
            try {
                List<ChatMessage.Chart> charts = mapper.readValue(body, ChatMessage.class).blocks().stream()
                        .filter(ChatMessage.Chart.class::isInstance).map(ChatMessage.Chart.class::cast).toList();
                if (n >= 0 && n < charts.size()) {
                    return chartPng.draw(charts.get(n));
                }
            } catch (IOException e) {
                throw new IllegalStateException("preview body unreadable", e);
            }
        }
        throw Problem.notFound("No such chart.");
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
                answer.note());
        return Response.seeOther(URI.create("/preview?to=" + url(PreviewTransport.MEMBER + member.id))).build();
    }

    /** A reply that holds a secret: shown once, in this answer, and kept nowhere (not with the other messages). */
    private static String secretPage(ChatMessage note, Member member) {
        String to = "/preview?to=" + url(PreviewTransport.MEMBER + member.id);
        return PAGE_HEAD + "<header><h1>" + HEADING + "</h1><p>This private reply holds a secret, so it "
                + "is shown only now and is not kept with the other messages.</p><p class=\"nav\"><a href=\""
                + HtmlRenderer.escape(to) + "\">Back to the messages</a></p></header>\n<div class=\"layout\"><main>"
                + "<article class=\"message respond\"><div class=\"meta\"><span class=\"to\">" + PRIVATE_REPLY
                + HtmlRenderer.escape(member.displayName == null ? member.email : member.displayName)
                + "</span> <span class=\"tag\">only visible to them</span>"
                + "</div>\n" + HtmlRenderer.html(note, n -> "") + "</article>\n</main></div></body></html>\n";
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

    /** A button of a message to a person, as a form that presses it as them; null for other destinations. */
    private static String press(String target, ChatMessage.Button button) {
        if (target == null || !target.startsWith(PreviewTransport.MEMBER) || button.action() == null) {
            return null;
        }
        return "<form method=\"post\" action=\"/preview/press\" class=\"press\">"
                + hidden("csrf", CSRF) + hidden("as", target.substring(PreviewTransport.MEMBER.length()))
                + hidden("action", button.action()) + hidden("value", button.value() == null ? "" : button.value())
                + "<button type=\"submit\" class=\"" + HtmlRenderer.style(button) + "\">"
                + HtmlRenderer.escape(button.label()) + "</button></form>";
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + HtmlRenderer.escape(value) + "\">";
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
            case "UPDATE" -> " <span class=\"tag\">edited: replaces an earlier message</span>";
            case "UPLOAD" -> " <span class=\"tag\">image</span>";
            case "RESPOND" -> " <span class=\"tag\">only visible to them</span>";
            default -> "";
        };
    }

    private String tryForm() {
        List<String[]> members = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select email, coalesce(display_name, email) from member where team_key is not null
                order by lower(coalesce(display_name, email)) limit 500
                """); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                members.add(new String[]{rs.getString(1), rs.getString(2)});
            }
        } catch (SQLException e) {
            throw new IllegalStateException("preview query failed", e);
        }
        if (members.isEmpty()) {
            return "";
        }
        StringBuilder f = new StringBuilder("<form method=\"post\" action=\"/preview/ai-spend\" class=\"try\">"
                + "<input type=\"hidden\" name=\"csrf\" value=\"" + CSRF + "\">"
                + "<h2>Try ai-spend</h2><label>As <select name=\"member\">");
        for (String[] m : members) {
            f.append("<option value=\"").append(HtmlRenderer.escape(m[0])).append("\">")
                    .append(HtmlRenderer.escape(m[1])).append("</option>");
        }
        return f.append("</select></label><label>Command <input name=\"text\" value=\"me\" "
                + "placeholder=\"me, team, help, request 100 reason, connect\"></label>"
                + "<button type=\"submit\">Run</button>"
                + "<p class=\"note\">The answer is a private reply, as /ai-spend gives it in Slack.</p></form>\n")
                .toString();
    }

    private static String token() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static final String PAGE_HEAD = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Yardstick · message preview</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1c1d;background:#f4f4f6}
            header{background:#3f0e40;color:#fff;padding:16px 24px}header h1{margin:0 0 6px;font-size:20px}
            header p{margin:4px 0;max-width:900px}header a{color:#fff}code{background:#0001;padding:1px 4px;border-radius:3px}
            .layout{display:flex;gap:24px;padding:20px 24px;align-items:flex-start}
            nav{flex:0 0 300px}nav ul{list-style:none;padding:0;margin:0 0 20px}nav li{margin:4px 0}
            nav li.current a{font-weight:700}.count{color:#616061;font-size:12px}
            nav h2,main h2{font-size:15px;margin:0 0 8px}main{flex:1;max-width:860px}
            .message{background:#fff;border:1px solid #ddd;border-radius:8px;padding:12px 16px;margin:0 0 14px}
            .meta{font-size:13px;color:#616061;margin-bottom:6px}.meta .to{font-weight:600;color:#1d1c1d}
            .tag{background:#e8f0fe;color:#1a4b9b;border-radius:10px;padding:1px 8px;margin-left:6px}
            h3{margin:4px 0 8px;font-size:17px}table.facts{border-collapse:collapse;margin:6px 0}
            table.facts th{text-align:left;padding:3px 14px 3px 0;vertical-align:top;white-space:nowrap}
            table.facts td{padding:3px 0}.note{color:#616061;font-size:13px}
            .buttons button{margin-right:8px;padding:5px 12px;border-radius:4px;border:1px solid #bbb;background:#fff}
            .buttons .primary{background:#007a5a;color:#fff;border-color:#007a5a}
            .buttons .danger{background:#e01e5a;color:#fff;border-color:#e01e5a}
            .buttons form.press{display:inline}.buttons form.press button{cursor:pointer}
            figure{margin:8px 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:13px;color:#616061}
            form.try label{display:block;margin:6px 0}form.try select,form.try input{width:100%;box-sizing:border-box}
            form.try button{margin-top:6px}.empty{color:#616061}
            pre.code{background:#f4f4f6;border:1px solid #ddd;border-radius:4px;padding:8px 10px;overflow-x:auto}
            </style></head><body>
            """;
}
