package dev.yardstick.common;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Each endpoint's body limit is enforced from the headers, before the body is read or any signature checked: the
 * requests here announce bodies they never send, and are answered at once.
 */
@QuarkusTest
class BodyLimitsTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void oversizedBodiesAreRefusedBeforeTheyAreRead() throws IOException {
        assertTooLarge("/slack/events", 31L << 20);
        assertTooLarge("/webhooks/github", 26L << 20);
        assertTooLarge("/webhooks/linear", 6L << 20);
        assertTooLarge("/api/messages", 2L << 20);
        assertTooLarge("/api/v1/usage-events", 11L << 20);
        assertTooLarge("/v1/logs", 11L << 20);
        assertTooLarge("/api/v1/teams", 2L << 20);
        assertTooLarge("/webhooks/github", 40L << 20);
    }

    @Test
    void signedEndpointsNeedALength() throws IOException {
        String answer = exchange("POST /webhooks/github HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: application/json\r\n\r\n");
        assertThat(answer, allOf(startsWith("HTTP/1.1 411"), containsString(Problem.MEDIA_TYPE)));
    }

    @Test
    void aBadLengthIsABadRequest() throws IOException {
        String answer = exchange(
                "POST /api/v1/usage-events HTTP/1.1\r\nHost: localhost\r\nContent-Length: lots\r\n\r\n");
        assertThat(answer, startsWith("HTTP/1.1 400"));
    }

    private void assertTooLarge(String path, long length) throws IOException {
        String answer = exchange("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + length + "\r\n\r\n");
        assertThat(path, answer, allOf(startsWith("HTTP/1.1 413"), containsString(Problem.MEDIA_TYPE),
                containsString("\"status\":413"), not(containsString("Exception"))));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** Sends the head of a request (no body) and reads the answer's head and body. */
    private String exchange(String head) throws IOException {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            int length = -1;
            while (true) {
                String line = line(in);
                answer.append(line).append('\n');
                if (line.isEmpty()) {
                    break;
                }
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return answer + (length > 0 ? new String(in.readNBytes(length), StandardCharsets.UTF_8) : "");
        }
    }
}
