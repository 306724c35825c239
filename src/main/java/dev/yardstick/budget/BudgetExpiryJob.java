package dev.yardstick.budget;

import dev.yardstick.YardstickConfig;
import dev.yardstick.jobs.ClusterJob;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;

/** Expires budget requests left pending for {@link BudgetService#EXPIRY}, once per period across replicas. */
@ApplicationScoped
public class BudgetExpiryJob implements ClusterJob {

    @Inject
    BudgetService budgets;
    @Inject
    YardstickConfig config;

    @Override
    public String name() {
        return "budget-expiry";
    }

    @Override
    public Duration every() {
        return config.jobs().budgetExpiryEvery();
    }

    @Override
    public void run() {
        budgets.expire(Instant.now());
    }
}
