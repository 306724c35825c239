package dev.yardstick.otlp;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks the OTLP/HTTP endpoints, whose errors are {@code google.rpc.Status} bodies ({@link OtlpErrorBodies}). */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface OtlpEndpoint {
}
