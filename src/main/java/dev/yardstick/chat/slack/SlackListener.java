package dev.yardstick.chat.slack;

import com.slack.api.bolt.App;

/** A CDI bean that registers its Bolt handlers (one command, action or event each) on the Slack app. */
public interface SlackListener {

    /** Registers the handlers. */
    void register(App app);
}
