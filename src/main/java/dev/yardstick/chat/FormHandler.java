package dev.yardstick.chat;

import java.util.Map;

/**
 * A feature's form: what it shows, and what happens when it is submitted. A submission is checked first (on the
 * platform's clock, answered at once) and then carried out.
 */
public interface FormHandler {

    /** The form (its id routes submissions; Slack registers it by that id). */
    Form form();

    /**
     * The form as a platform shows it, without anyone's values (a submission shown again with its errors is this
     * form with the values as typed).
     */
    default Form form(Origin origin) {
        return form();
    }

    /** What is wrong with a submission, per field; empty when it can be carried out. */
    Map<String, String> check(Map<String, String> fields);

    /** Carries out a checked submission for a known member; the reply's note goes to them privately. */
    Reply submit(Origin origin, Map<String, String> fields);
}
