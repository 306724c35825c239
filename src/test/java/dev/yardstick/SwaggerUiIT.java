package dev.yardstick;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service ({@code java -jar target/quarkus-app/quarkus-run.jar}) serves Swagger UI only when
 * {@code YARDSTICK_SWAGGER_UI=true}; the OpenAPI document is served either way.
 */
class SwaggerUiIT {

    @TempDir
    Path dataDir;

    @Test
    void swaggerUiIsOffByDefaultAndOnWhenAskedFor() throws Exception {
        try (PackagedService off = PackagedService.start("swagger-ui-it",
                Map.of("YARDSTICK_DATA_DIR", dataDir.toString())).awaitReady()) {
            given().port(off.port()).redirects().follow(true).get("/q/swagger-ui/").then().statusCode(404);
            given().port(off.port()).get("/q/openapi").then().statusCode(200)
                    .body(containsString("/api/v1/usage-events"));
        }
        try (PackagedService on = PackagedService.start("swagger-ui-it",
                Map.of("YARDSTICK_DATA_DIR", dataDir.toString(), "YARDSTICK_SWAGGER_UI", "true")).awaitReady()) {
            given().port(on.port()).redirects().follow(true).get("/q/swagger-ui/").then().statusCode(200)
                    .body(containsString("swagger-ui"));
        }
    }
}
