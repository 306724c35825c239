package dev.yardstick.chat.slack;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code POST /slack/events}: slash commands, interactivity and Events API requests, verified by Bolt. */
@WebServlet("/events") // under quarkus.servlet.context-path=/slack
public class SlackEventsServlet extends HttpServlet {

    private final transient SlackRuntime slack;

    @Inject
    public SlackEventsServlet(SlackRuntime slack) {
        this.slack = slack;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        SlackServlets.handleSigned(slack, req, resp);
    }
}
