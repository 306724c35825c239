package dev.yardstick.chat.slack;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /slack/install} and {@code GET /slack/oauth_redirect}: installing the app through OAuth. */
@WebServlet({"/install", "/oauth_redirect"})
public class SlackOAuthServlet extends HttpServlet {

    private final transient SlackRuntime slack;
    private final transient SlackSettings settings;

    @Inject
    public SlackOAuthServlet(SlackRuntime slack, SlackSettings settings) {
        this.slack = slack;
        this.settings = settings;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!settings.oauth()) {
            SlackServlets.problem(resp, 404, "Not Found",
                    "Installing through OAuth needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET.");
            return;
        }
        SlackServlets.handle(slack, req, resp);
    }
}
