package dev.yardstick.chat.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.jakarta_servlet.SlackAppServletAdapter;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import com.google.gson.JsonParseException;
import dev.yardstick.common.DatabaseOutage;
import dev.yardstick.common.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/** What the Slack servlets share: running a request through Bolt, and problem answers. */
final class SlackServlets {

    private static final Logger LOG = Logger.getLogger(SlackServlets.class);

    /** Slack's own payloads are a few kilobytes; the HTTP layer refuses larger bodies before they are read. */
    static final int MAX_BODY = 1 << 20;

    private SlackServlets() {
    }

    static void handle(SlackRuntime slack, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<App> app = slack.app();
        if (app.isEmpty()) {
            problem(resp, 503, "Service Unavailable", "Slack is not configured: set SLACK_SIGNING_SECRET.");
            return;
        }
        try {
            SlackAppServletAdapter adapter = new SlackAppServletAdapter(app.get().config());
            Request<?> request = adapter.buildSlackRequest(req);
            if (request == null) {
                problem(resp, 400, "Bad Request", "Not a Slack request.");
                return;
            }
            Response response = app.get().run(request);
            adapter.writeResponse(resp, response);
        } catch (Exception e) {
            LOG.error("Slack request failed", e);
            problem(resp, 500, "Internal Server Error", "Something went wrong on our side.");
        }
    }

    /**
     * {@code POST /slack/events}: the body is read (within its limit) and its signature checked before anything
     * parses it; a signed body that is not a Slack payload is a 400 with nothing done.
     */
    static void handleSigned(SlackRuntime slack, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<App> app = slack.app();
        if (app.isEmpty()) {
            problem(resp, 503, "Service Unavailable", "Slack is not configured: set SLACK_SIGNING_SECRET.");
            return;
        }
        byte[] body = req.getInputStream().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            problem(resp, 413, "Content Too Large", "The request body is larger than " + MAX_BODY + " bytes.");
            return;
        }
        if (!SlackSignature.valid(app.get().config().getSigningSecret(), req.getHeader("X-Slack-Request-Timestamp"),
                req.getHeader("X-Slack-Signature"), body, Instant.now())) {
            problem(resp, 401, "Unauthorized", "The request is not signed by Slack, or is too old or too new.");
            return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.indexOf('\0') >= 0 || text.contains("%00") || text.toLowerCase(Locale.ROOT).contains("\\u0000")) {
            problem(resp, 400, "Bad Request", "Slack payloads carry no NUL characters.");
            return;
        }
        Request<?> request;
        try {
            request = new SlackRequestParser(app.get().config()).parse(SlackRequestParser.HttpRequest.builder()
                    .requestUri(req.getRequestURI()).queryString(query(req))
                    .requestBody(text).headers(new RequestHeaders(headers(req)))
                    .remoteAddress(req.getRemoteAddr()).build());
        } catch (RuntimeException e) {
            LOG.debugf("Unreadable signed Slack payload: %s", e.getMessage());
            request = null;
        }
        if (request == null) {
            problem(resp, 400, "Bad Request", "Not a Slack payload.");
            return;
        }
        try {
            Response response = app.get().run(request);
            new SlackAppServletAdapter(app.get().config()).writeResponse(resp, response);
        } catch (Malformed | JsonParseException e) {
            LOG.debugf("Malformed signed Slack payload: %s", e.getMessage());
            problem(resp, 400, "Bad Request", "Not a Slack payload.");
        } catch (Exception e) {
            if (DatabaseOutage.causedBy(e)) {
                resp.setHeader("Retry-After", Integer.toString(DatabaseOutage.RETRY_AFTER_SECONDS));
                problem(resp, 503, "Service Unavailable", "The database is unreachable; retry shortly.");
                return;
            }
            LOG.error("Slack request failed", e);
            problem(resp, 500, "Internal Server Error", "Something went wrong on our side.");
        }
    }

    /** A signed payload that lacks what Slack always sends: answered 400, nothing done. */
    static final class Malformed extends RuntimeException {

        Malformed(String what) {
            super(what, null, false, false);
        }
    }

    private static Map<String, List<String>> headers(HttpServletRequest req) {
        Map<String, List<String>> headers = new HashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            headers.put(name, Collections.list(req.getHeaders(name)));
        }
        return headers;
    }

    /** The query string only: the servlet's parameter map would read a form body too. */
    private static Map<String, List<String>> query(HttpServletRequest req) {
        Map<String, List<String>> query = new HashMap<>();
        String raw = req.getQueryString();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        return query;
    }

    static void problem(HttpServletResponse resp, int status, String title, String detail) throws IOException {
        resp.setStatus(status);
        resp.setContentType(Problem.MEDIA_TYPE);
        resp.getWriter().write(Problem.json(status, title, detail));
    }
}
