package dev.yardstick.admin;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A team's weekly budget with the increases approved for the current week, as the budget feature counts it; the
 * team API shows it next to the budget that was set.
 */
public interface EffectiveBudget {

    /** The team's effective budget for the week that contains {@code now}; null when it has none. */
    BigDecimal at(Team team, Instant now);
}
