package dev.yardstick.chat.slack;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/** Runs the slow part of a Slack request after the 3-second ack has gone out. */
@ApplicationScoped
public class SlackBackground {

    private static final Logger LOG = Logger.getLogger(SlackBackground.class);
    private final AtomicInteger n = new AtomicInteger();
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "slack-work-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /** Runs {@code work} soon, logging (never rethrowing) its failure. */
    public void run(Runnable work) {
        pool.submit(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.error("Background Slack work failed", e);
            }
        });
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }
}
