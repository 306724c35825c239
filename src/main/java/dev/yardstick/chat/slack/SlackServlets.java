package dev.yardstick.chat.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.jakarta_servlet.SlackAppServletAdapter;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.response.Response;
import dev.yardstick.common.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.jboss.logging.Logger;

/** What the Slack servlets share: running a request through Bolt, and problem answers. */
final class SlackServlets {

    private static final Logger LOG = Logger.getLogger(SlackServlets.class);

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

    static void problem(HttpServletResponse resp, int status, String title, String detail) throws IOException {
        resp.setStatus(status);
        resp.setContentType(Problem.MEDIA_TYPE);
        resp.getWriter().write(Problem.json(status, title, detail));
    }
}
