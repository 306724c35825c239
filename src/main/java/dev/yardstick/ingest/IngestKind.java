package dev.yardstick.ingest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The kind of an {@link IngestOnly} endpoint ({@code usage}, {@code outcome}, {@code otlp}, {@code sessions}: see
 * {@link dev.yardstick.admin.IngestScope}): a token whose scope leaves it out gets 403. An ingest endpoint without
 * one takes only unscoped tokens.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface IngestKind {

    /** The kind. */
    String value();
}
