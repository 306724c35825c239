package dev.yardstick.personal;

import dev.yardstick.chat.ChatCommand;
import dev.yardstick.chat.Origin;
import dev.yardstick.chat.Reply;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/** {@code ai-spend} (or {@code ai-spend me}): the person's own week, against their own last 4 weeks. */
@ApplicationScoped
public class MyWeekCommand implements ChatCommand {

    @Inject
    PersonalFigures figures;

    @Override
    public String word() {
        return "";
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public String usage(String command, Origin origin) {
        return "**" + command + "** or **" + command
                + " me**: your own AI use this week, against your own last 4 weeks";
    }

    @Override
    public Reply run(Origin origin, String args, String command) {
        return Reply.note(QuarkusTransaction.requiringNew()
                .call(() -> figures.myWeek(origin.member().orElseThrow(), Instant.now())));
    }

    @Override
    public String working(String args) {
        return "Looking up your week…";
    }
}
