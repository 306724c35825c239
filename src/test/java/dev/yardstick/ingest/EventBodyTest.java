package dev.yardstick.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.ws.rs.WebApplicationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NDJSON read by one parser gives what reading it line by line gives, or leaves the body to the line-by-line read. */
class EventBodyTest {

    private static final String A = "{\"id\":\"a\",\"inputTokens\":1}";
    private static final String B = "{\"id\":\"b\",\"model\":\"x\\ny\"}";

    @Test
    void wellFormedBodiesReadTheSameByOneParser() {
        for (String body : List.of(A + "\n" + B + "\n", A + "\n" + B, A + "\r\n" + B + "\r\n",
                "\n\n" + A + "\n\n\n" + B,
                "  " + A + " \t\n" + B + "  \r\n\n", A, "[1,2]\n" + A, "\"text\"\n" + A + "\n", "{}\n{}\n")) {
            List<EventBody.Event> fast = EventBody.stream(bytes(body), 100);
            assertNotNull(fast, body);
            assertEquals(EventBody.lineByLine(bytes(body), 100), fast, body);
        }
    }

    @Test
    void aValueNotAloneOnItsLineIsLeftToTheLineByLineRead() {
        for (String body : List.of(A + " " + B + "\n", A + B, "{\"id\":\n\"a\"}\n" + B, A + "\r" + B,
                A + "\n{oops}\n", A + "\n" + "[".repeat(100) + "]".repeat(100) + "\n", "42 43", A + "\n{\"id\":")) {
            assertNull(EventBody.stream(bytes(body), 100), body);
        }
    }

    @Test
    void moreEventsThanAllowedAreRefusedEitherWay() {
        String body = A + "\n" + B + "\n" + A + "\n";
        assertEquals(413, refusal(() -> EventBody.stream(bytes(body), 2)));
        assertEquals(413, refusal(() -> EventBody.lineByLine(bytes(body), 2)));
    }

    private static int refusal(Runnable r) {
        try {
            r.run();
        } catch (WebApplicationException e) {
            return e.getResponse().getStatus();
        }
        return 0;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
